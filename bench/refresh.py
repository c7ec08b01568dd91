"""Refresh benchmark: platform calls and wall time against their lower bounds.

The emulator runs in its own process at 100 ms latency and 20 calls/s per platform, with its
clock frozen and five posts per account. socialpulse tracks 2,000 YouTube channels with their
10,000 videos, 1,000 Bluesky, 1,000 Instagram (Graph API, Business Discovery) and 1,000 TikTok
(Research API) accounts, then refreshes every account and every tracked post twice: first as
new (listing every account's posts), then again with nothing new posted (an account whose post
count did not change needs no listing). For each pass and database it prints the calls made
against the minimum the APIs allow, the wall time against the rate-limit bound (calls / 20 per
s) and snapshots written per second. The last line is one JSON object with the raw figures.

The minimum per pass: ceil(entities / batch size) per platform and kind where the API reads
many ids per call (YouTube 50, Bluesky 25), plus one listing call per account on the first pass
only; Instagram's Business Discovery reads a profile with its recent media in one call, one
account per call; TikTok's Research API reads one user per call and lists its videos with one
more query on the first pass.

    python bench/refresh.py                 # SQLite and PostgreSQL, full size
    python bench/refresh.py --quick         # a tenth of the size
    python bench/refresh.py --dbs sqlite    # one database

PostgreSQL: ``SOCIALPULSE_BENCH_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/test)
names a server where the script may create and drop a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from socialpulse.config import Settings
from socialpulse.db.engine import make_engine, make_sessionmaker
from socialpulse.db.migrate import upgrade
from socialpulse.emulator.world import World
from socialpulse.kit.time import utcnow
from socialpulse.models import Account, AccountSnapshot, Post, PostSnapshot, RefreshItem, User
from socialpulse.refresh.runtime import Runtime
from socialpulse.refresh.service import refresh_service

BATCH = {
    ("youtube", "account"): 50,
    ("youtube", "post"): 50,
    ("bluesky", "account"): 25,
    ("bluesky", "post"): 25,
}
# TikTok Research lists an account's videos in windows of at most 30 days, back to 180 days
TIKTOK_WINDOW_DAYS, TIKTOK_LOOKBACK_DAYS = 30, 180


def tiktok_listing_calls(world: World, creators: list[Any], limit: int) -> int:
    """Research video queries needed to reach each account's newest ``limit`` videos."""
    today = world.now().date()
    total = 0
    for c in creators:
        posts = world.posts(c)[:limit]
        if not posts:
            continue
        oldest = datetime.fromtimestamp(posts[-1].published_ms / 1000, UTC).date()
        age = min((today - oldest).days, TIKTOK_LOOKBACK_DAYS - 1)
        total += age // TIKTOK_WINDOW_DAYS + 1
    return total


def minimum_calls(groups: Counter[tuple[str, str]], first: bool, tiktok_listing: int) -> int:
    """Instagram's Business Discovery reads one account per call with its recent media; TikTok's
    Research API one user per call, and lists videos window by window on the first pass."""
    total = 0
    for (platform, kind), n in groups.items():
        if platform == "instagram":
            total += n if kind == "account" else 0
        elif platform == "tiktok":
            total += (n + (tiktok_listing if first else 0)) if kind == "account" else 0
        else:
            total += math.ceil(n / BATCH[(platform, kind)]) + (n if first and kind == "account" else 0)
    return total


def instagram_readable(world: World, n: int) -> list[Any]:
    """Business and Creator accounts (Business Discovery reads no others), not our own."""
    from socialpulse.emulator.instagram import account_type, is_own

    out = [
        c
        for c in world.creators("instagram")
        if account_type(world, c) != "PERSONAL" and not is_own(world, c)
    ]
    return out[:n]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_emulator(port: int, args: argparse.Namespace, frozen: str) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-m",
        "socialpulse",
        "emulator",
        "--port",
        str(port),
        "--latency-ms",
        str(args.latency_ms),
        "--rate-limit",
        str(args.rate),
        "--creators",
        str(max(args.channels, args.bluesky, args.instagram, args.tiktok) + 50),
        "--posts-per-creator",
        str(args.videos_per_channel),
        "--frozen-at",
        frozen,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/_emulator/config", timeout=1).raise_for_status()
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the emulator did not start")


async def seed(sessions: async_sessionmaker[AsyncSession], world: World, args: argparse.Namespace) -> int:
    async with sessions() as s, s.begin():
        user_id = int(await s.scalar(insert(User).values(email="bench@example.com").returning(User.id)) or 0)
        now = utcnow()
        channels = world.creators("youtube")[: args.channels]
        rows = [
            {
                "user_id": user_id,
                "platform": "youtube",
                "handle": c.handle.lstrip("@").lower(),
                "platform_id": c.platform_id,
                "status": "active",
                "details": {},
                "is_competitor": False,
                "paused": False,
                "created_at": now,
                "updated_at": now,
            }
            for c in channels
        ]
        rows += [
            {
                "user_id": user_id,
                "platform": "bluesky",
                "handle": c.handle,
                "platform_id": c.platform_id,
                "status": "active",
                "details": {},
                "is_competitor": False,
                "paused": False,
                "created_at": now,
                "updated_at": now,
            }
            for c in world.creators("bluesky")[: args.bluesky]
        ]
        for platform, creators in (
            ("instagram", instagram_readable(world, args.instagram)),
            ("tiktok", world.creators("tiktok")[: args.tiktok]),
        ):
            rows += [
                {
                    "user_id": user_id,
                    "platform": platform,
                    "handle": c.handle.lstrip("@").lower(),
                    "status": "active",
                    "details": {},
                    "is_competitor": False,
                    "paused": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for c in creators
            ]
        await s.execute(insert(Account), rows)
        ids = dict(
            (r.platform_id, r.id)
            for r in (
                await s.execute(select(Account.platform_id, Account.id).where(Account.platform == "youtube"))
            )
        )
        posts = [
            {
                "user_id": user_id,
                "account_id": ids[c.platform_id],
                "platform": "youtube",
                "social_id": p.social_id,
                "tracked": True,
                "status": "active",
                "hashtags": [],
                "mentions": [],
                "links": [],
                "details": {},
                "author_platform_id": c.platform_id,
                "created_at": now,
                "updated_at": now,
            }
            for c in channels
            for p in world.posts(c)[: args.videos_per_channel]
        ]
        for i in range(0, len(posts), 2000):
            await s.execute(insert(Post), posts[i : i + 2000])
    return user_id


async def count(sessions: async_sessionmaker[AsyncSession], model: Any) -> int:
    async with sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def run_pass(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    user_id: int,
    emu: str,
    first: bool,
    tiktok_listing: int,
) -> dict[str, Any]:
    async with httpx.AsyncClient() as c:
        (await c.delete(f"{emu}/_emulator/calls")).raise_for_status()
    snaps_before = await count(sessions, AccountSnapshot) + await count(sessions, PostSnapshot)
    async with sessions() as s, s.begin():
        account_ids = list(await s.scalars(select(Account.id).where(Account.user_id == user_id)))
        post_ids = list(
            await s.scalars(select(Post.id).where(Post.user_id == user_id, Post.tracked.is_(True)))
        )
        request = await refresh_service.create_request(
            s, user_id=user_id, account_ids=account_ids, post_ids=post_ids, origin="bench"
        )
        public_id = request.public_id
        groups = Counter(
            (p, k) for p, k in (await s.execute(select(RefreshItem.platform, RefreshItem.kind))).all()
        )
    min_calls = minimum_calls(groups, first, tiktok_listing)
    runtime = Runtime(settings, sessions)
    t0 = time.perf_counter()
    await runtime.start()
    try:
        status = await refresh_service.wait_for(sessions, public_id, timeout_s=3600, poll_s=0.2)
    finally:
        wall = time.perf_counter() - t0
        await runtime.stop()
    async with httpx.AsyncClient() as c:
        calls = (await c.get(f"{emu}/_emulator/calls")).json()
    snaps = await count(sessions, AccountSnapshot) + await count(sessions, PostSnapshot) - snaps_before
    async with sessions() as s, s.begin():
        await s.execute(text("DELETE FROM refresh_request_items"))
        await s.execute(text("DELETE FROM refresh_items"))
    return {
        "pass": "new" if first else "unchanged",
        "calls": int(calls["total"]),
        "min_calls": min_calls,
        "wall_s": round(wall, 2),
        "bound_s": round(calls["total"] / settings.youtube_rate_per_s, 2),
        "snapshots_per_s": round(snaps / wall, 1),
        "status": status.status.value,
        "failed": status.failed,
        "rate_limited": calls.get("rate_limited", 0),
        "faults": sum(calls.get("faults", {}).values()) if isinstance(calls.get("faults"), dict) else 0,
        "by_endpoint": calls.get("by_endpoint", {}),
        "errors": Counter(
            f"{e.platform} {e.kind} {e.code}: {e.message[:80]}" for e in status.errors
        ).most_common(5),
    }


async def bench_db(
    db: str, url: str, emu: str, world: World, args: argparse.Namespace
) -> list[dict[str, Any]]:
    settings = Settings(
        database_url=url,
        secret_key="bench-" + "x" * 40,
        emulator_url=emu,
        youtube_rate_per_s=args.rate,
        bluesky_rate_per_s=args.rate,
        youtube_daily_quota=10_000_000,
        tiktok_rate_per_s=args.rate / 2,
        tiktok_research_daily_quota=10_000_000,
        tiktok_source="research",
        instagram_source="graph",
        instagram_discovery_rate_per_s=args.rate,
        instagram_graph_rate_per_s=args.rate,
        instagram_web_rate_per_s=args.rate,
        worker_concurrency=args.workers,
        scheduler_enabled=False,
        recent_posts_limit=25,
        comments_per_post=0,
        _env_file=None,  # type: ignore[call-arg]
    )
    engine = make_engine(url, pool_size=args.workers + 4)
    await upgrade(engine)
    sessions = make_sessionmaker(engine)
    try:
        user_id = await seed(sessions, world, args)
        runs = []
        tiktok_listing = tiktok_listing_calls(
            world, world.creators("tiktok")[: args.tiktok], settings.recent_posts_limit
        )
        for first in (True, False):
            r = await run_pass(settings, sessions, user_id, emu, first, tiktok_listing)
            r["db"] = db
            runs.append(r)
            print(
                f"  {db:8} {r['pass']:9} calls {r['calls']:>6} (min {r['min_calls']:>6})  "
                f"wall {r['wall_s']:>7.1f}s (bound {r['bound_s']:>7.1f}s)  {r['status']}",
                file=sys.stderr,
            )
            if args.verbose:
                print(f"    calls by endpoint: {r['by_endpoint']}", file=sys.stderr)
                for err, n in r["errors"]:
                    print(f"    {n} x {err}", file=sys.stderr)
        return runs
    finally:
        await engine.dispose()


async def pg_scratch(admin: str) -> tuple[str, str]:
    name = f"sp_bench_{uuid.uuid4().hex[:8]}"
    eng = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    async with eng.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await eng.dispose()
    return name, make_url(admin).set(database=name).render_as_string(hide_password=False)


async def pg_drop(admin: str, name: str) -> None:
    eng = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    async with eng.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await eng.dispose()


def table(runs: list[dict[str, Any]], args: argparse.Namespace) -> str:
    head = f"{'db':9}{'pass':11}{'calls':>8}{'min':>8}{'ratio':>7}{'wall s':>9}{'bound s':>9}{'ratio':>7}{'snap/s':>9}  ok"
    lines = [head, "-" * len(head)]
    for r in runs:
        cr = r["calls"] / r["min_calls"] if r["min_calls"] else float("nan")
        wr = r["wall_s"] / r["bound_s"] if r["bound_s"] else float("nan")
        ok = cr <= 1.05 and wr <= 1.2 and r["status"] == "succeeded"
        lines.append(
            f"{r['db']:9}{r['pass']:11}{r['calls']:>8}{r['min_calls']:>8}{cr:>7.3f}{r['wall_s']:>9.1f}"
            f"{r['bound_s']:>9.1f}{wr:>7.3f}{r['snapshots_per_s']:>9.1f}  {'yes' if ok else 'NO'}"
        )
    lines.append(
        f"targets: calls <= 1.05 x min, wall <= 1.2 x bound (emulator: {args.latency_ms:g} ms, "
        f"{args.rate:g} calls/s per platform)"
    )
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> None:
    frozen = utcnow().replace(microsecond=0)
    port = free_port()
    emu = f"http://127.0.0.1:{port}"
    proc = start_emulator(port, args, frozen.isoformat())
    world = World(
        42,
        creators_per_platform=max(args.channels, args.bluesky, args.instagram, args.tiktok) + 50,
        posts_per_creator=args.videos_per_channel,
        frozen_at=frozen,
    )
    runs: list[dict[str, Any]] = []
    try:
        for db in args.dbs.split(","):
            if db == "sqlite":
                with tempfile.TemporaryDirectory() as tmp:
                    runs += await bench_db(
                        "sqlite", f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", emu, world, args
                    )
            elif db == "postgres":
                admin = Settings(
                    database_url=os.environ.get(
                        "SOCIALPULSE_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
                    ),
                    secret_key="x" * 40,
                    _env_file=None,
                ).database_url  # type: ignore[call-arg]
                name, url = await pg_scratch(admin)
                try:
                    runs += await bench_db("postgres", url, emu, world, args)
                finally:
                    await pg_drop(admin, name)
            else:
                raise SystemExit(f"unknown database {db!r}: use sqlite and/or postgres")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(table(runs, args))
    keys = ("db", "pass", "calls", "min_calls", "wall_s", "bound_s", "snapshots_per_s")
    print(json.dumps({"runs": [{k: r[k] for k in keys} for r in runs]}))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dbs", default="sqlite,postgres")
    p.add_argument("--channels", type=int, default=2000)
    p.add_argument("--videos-per-channel", type=int, default=5)
    p.add_argument("--bluesky", type=int, default=1000)
    p.add_argument("--instagram", type=int, default=1000)
    p.add_argument("--tiktok", type=int, default=1000)
    p.add_argument("--latency-ms", type=float, default=100.0)
    p.add_argument("--rate", type=float, default=20.0)
    p.add_argument("--workers", type=int, default=8)
    p.add_argument("--quick", action="store_true", help="a tenth of the size")
    p.add_argument("--verbose", action="store_true", help="calls by endpoint and errors of each pass")
    args = p.parse_args()
    if args.quick:
        args.channels, args.bluesky = args.channels // 10, args.bluesky // 10
        args.instagram, args.tiktok = args.instagram // 10, args.tiktok // 10
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
