"""Comments benchmark: what fetching, scoring and storing comments adds to an account refresh.

The emulator runs in this process (no network latency, no rate limit that matters), so wall
time is the work socialpulse does itself. socialpulse tracks YouTube and Bluesky accounts of
the emulated world and refreshes them three times on fresh databases:

- ``off``: comments disabled (``SOCIALPULSE_COMMENTS_PER_POST=0``), the statistics alone;
- ``stored``: the top 20 comments of every post younger than 30 days fetched and stored, with
  the sentiment analyser switched off;
- ``scored``: the same, each new comment scored by the built-in analyser in the refresh.

It prints, per database, the wall time of each, comments stored per second, and what scoring
adds to a refresh that stores comments (the issue's "does not slow a refresh down noticeably").
The last line is one JSON object with the raw figures.

    python bench/comments.py                  # SQLite and PostgreSQL
    python bench/comments.py --accounts 50    # per platform
    python bench/comments.py --dbs sqlite

PostgreSQL: ``SOCIALPULSE_BENCH_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/test)
names a server where the script may create and drop a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from socialpulse.config import Settings
from socialpulse.db.engine import make_engine, make_sessionmaker
from socialpulse.db.migrate import upgrade
from socialpulse.emulator.app import EmulatorConfig, create_emulator_app
from socialpulse.kit.time import utcnow
from socialpulse.models import Account, Comment, User
from socialpulse.platforms.registry import ConnectorRegistry
from socialpulse.refresh import apply
from socialpulse.refresh.runtime import Runtime
from socialpulse.refresh.service import refresh_service
from socialpulse.sentiment.base import analyser_for

EMULATOR = "http://emulator.bench"
MODES = ("off", "stored", "scored")


@contextmanager
def analyser_switched_off() -> Iterator[None]:
    original = apply._analyser
    apply._analyser = lambda batch: None
    try:
        yield
    finally:
        apply._analyser = original


async def seed(
    sessions: async_sessionmaker[AsyncSession], world: Any, per_platform: int
) -> tuple[int, list[int]]:
    now = utcnow()
    async with sessions() as s, s.begin():
        user_id = int(await s.scalar(insert(User).values(email="bench@example.com").returning(User.id)) or 0)
        rows = [
            {
                "user_id": user_id,
                "platform": platform,
                "handle": c.handle.lstrip("@").lower() if platform == "youtube" else c.handle,
                "platform_id": c.platform_id,
                "status": "active",
                "details": {},
                "is_competitor": False,
                "paused": False,
                "created_at": now,
                "updated_at": now,
            }
            for platform in ("youtube", "bluesky")
            for c in world.creators(platform)[:per_platform]
        ]
        await s.execute(insert(Account), rows)
        ids = list(await s.scalars(select(Account.id).where(Account.user_id == user_id)))
    return user_id, ids


async def one_run(url: str, mode: str, args: argparse.Namespace) -> dict[str, Any]:
    emu = create_emulator_app(
        EmulatorConfig(seed=11, frozen_at=utcnow(), creators_per_platform=args.accounts)
    )
    engine = make_engine(url)
    await upgrade(engine)
    sessions = make_sessionmaker(engine)
    settings = Settings(
        database_url=url,
        secret_key="bench-" + "x" * 40,
        youtube_api_key="bench",
        youtube_rate_per_s=10_000.0,
        bluesky_rate_per_s=10_000.0,
        youtube_daily_quota=10_000_000,
        comments_per_post=0 if mode == "off" else 20,
        worker_concurrency=4,
    ).with_emulator(EMULATOR)
    try:
        user_id, ids = await seed(sessions, emu.state.world, args.accounts)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emu), base_url=EMULATOR) as client:
            registry = ConnectorRegistry(settings, client=client)
            async with sessions() as s, s.begin():
                rid = (await refresh_service.create_request(s, user_id=user_id, account_ids=ids)).public_id
            runtime = Runtime(settings, sessions, registry=registry)
            started = time.perf_counter()
            with analyser_switched_off() if mode == "stored" else contextmanager(lambda: iter([None]))():
                await runtime.start()
                try:
                    status = await refresh_service.wait_for(sessions, rid, timeout_s=3600, poll_s=0.05)
                finally:
                    await runtime.stop()
            wall = time.perf_counter() - started
        async with sessions() as s:
            comments = int(await s.scalar(select(func.count()).select_from(Comment)) or 0)
            scored = int(
                await s.scalar(
                    select(func.count()).select_from(Comment).where(Comment.sentiment_label.is_not(None))
                )
                or 0
            )
        return {
            "mode": mode,
            "accounts": len(ids),
            "status": str(status.status.value),
            "comments": comments,
            "scored": scored,
            "wall_s": round(wall, 3),
        }
    finally:
        await engine.dispose()


async def pg_scratch(admin: str) -> tuple[str, str]:
    name = f"bench_comments_{uuid.uuid4().hex[:8]}"
    engine = create_async_engine(
        make_url(admin).set(drivername="postgresql+asyncpg"), isolation_level="AUTOCOMMIT"
    )
    async with engine.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    return make_url(admin).set(drivername="postgresql+asyncpg", database=name).render_as_string(
        hide_password=False
    ), name


async def pg_drop(admin: str, name: str) -> None:
    engine = create_async_engine(
        make_url(admin).set(drivername="postgresql+asyncpg"), isolation_level="AUTOCOMMIT"
    )
    async with engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await engine.dispose()


async def main_async(args: argparse.Namespace) -> None:
    analyser_for(None)  # loaded once, before any timing
    runs: list[dict[str, Any]] = []
    admin = os.environ.get("SOCIALPULSE_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    for db in args.dbs:
        for mode in MODES:
            if db == "sqlite":
                with tempfile.TemporaryDirectory() as tmp:
                    run = await one_run(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", mode, args)
            else:
                url, name = await pg_scratch(admin)
                try:
                    run = await one_run(url, mode, args)
                finally:
                    await pg_drop(admin, name)
            run["db"] = db
            runs.append(run)

    lines = [
        f"{'db':<10} {'mode':<7} {'accounts':>8} {'comments':>9} {'scored':>7} {'wall s':>8} {'comments/s':>11}",
    ]
    summary: dict[str, Any] = {}
    for db in args.dbs:
        by_mode = {r["mode"]: r for r in runs if r["db"] == db}
        for mode in MODES:
            r = by_mode[mode]
            rate = r["comments"] / r["wall_s"] if r["comments"] and r["wall_s"] else 0.0
            lines.append(
                f"{db:<10} {mode:<7} {r['accounts']:>8} {r['comments']:>9} {r['scored']:>7} "
                f"{r['wall_s']:>8.2f} {rate:>11.0f}"
            )
        stored, scored = by_mode["stored"]["wall_s"], by_mode["scored"]["wall_s"]
        summary[db] = {"scoring_overhead_pct": round((scored - stored) / stored * 100, 1) if stored else None}
        lines.append(
            f"{db:<10} scoring adds {summary[db]['scoring_overhead_pct']} % to a refresh that stores comments"
        )
    print("\n".join(lines))
    print(json.dumps({"runs": runs, "summary": summary}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200, help="accounts per platform (YouTube, Bluesky)")
    parser.add_argument(
        "--dbs", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
