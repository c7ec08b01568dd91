"""Analytics benchmark: latency of the analytics endpoints next to the SQL range reads they rest on.

Data (full size): 2,000 accounts on the ten platforms (200 profiles of 10 accounts, one per
platform), each with a daily snapshot for 365 days (730,000 rows), and 100,000 posts (50 per
account, spread over the year, captions with hashtags, mentions and links whose text features
are not stored, so reports extract them) with 20 snapshots each on the refresh schedule
(2,000,000 rows), plus the refresh queue's last item of every account and post (1 % of the
posts' failed: 102,000 rows). ``--quick``: a tenth of the accounts and posts, the same history
per entity. Rows are inserted as plain dicts in chunks of 10,000, then the planner statistics
are gathered (ANALYZE), as autovacuum would.

The app is called in-process as an ASGI server calls it (:class:`AsgiClient`): what is
measured is the application (routing, authentication, SQL, analytics, serialisation), without
a loopback HTTP stack or an HTTP client library (httpx's ASGITransport cost about as much per
request as a kept answer); a uvicorn thread would add HTTP parsing and compete for the same
interpreter lock without telling more about the service. ``--processes N`` (N >= 2) serves it
instead from N uvicorn processes on loopback ports, the requests sent over HTTP to each in turn
by a minimal keep-alive client (:class:`HttpClient`), as a deployment uses the cores (HTTP
parsing then counts too, and the load generator shares the same cores). 16
clients send requests concurrently (closed loop: each sends its next request when the
previous answer arrives):

- ``report``: ``GET /v1/accounts/{id}/report`` of a random account (defaults: 30 posts
  listed, 90-day series, growth over a year);
- ``impressions``: ``GET /v1/analytics/impressions?profile={id}&period=last_year&breakdown=true``
  for a random profile of 10 accounts on the 10 platforms (366 days, all platforms);
- ``post``: ``GET /v1/posts/{id}/analytics`` of a random post;
- ``baseline``: ``GET /v1/accounts/{id}`` (tracking: authentication, the account row and its
  latest snapshot), the floor under any authenticated endpoint, measured the same way.

Each analytics endpoint is measured twice (``--cache``): ``off``, the app computing every answer
(``SOCIALPULSE_ANALYTICS_CACHE_TTL_S=0``: what the first request after a refresh costs), and
``kept``, every path of the run asked once first (as an earlier reader of the dashboard would
have), so the measured requests are answered from the analytics cache (each run counts its
``X-Analytics-Cache`` answers: ``hit``, ``miss``, ``off``). The seeded history goes through the
change-log triggers like any write, and the log is pruned after seeding as the hourly pruner does.

After the kept runs (in-process only; ``--no-renewal`` skips it) comes a refresh of every
account, one new account snapshot each, which makes every kept answer stale (each reads an
account); the renewal passes that compute them again (:mod:`socialpulse.analytics.renewal`)
are timed, and the paths are then asked once each, counting how many were served kept.

Next to each: the median time of the bare SQL range read the endpoint is built on, run on the
same engine by the same 16 clients (and by one client): the account's year of snapshots and
its posts' snapshots (report), the profile's accounts' snapshots of the year (impressions), the
post's snapshots (post), the account row (baseline). Targets: p99 <= 50 ms and p50 <= 3 x bare.

Connection pools: PostgreSQL gets one connection per client (``--pg-pool``, 20, per process),
so no request waits for one and none is opened per request. SQLite gets one (``--sqlite-pool``,
1; as many again may overflow). The analytics endpoints are read-only: on SQLite their
transactions begin deferred, so they read a snapshot without waiting for the write lock (what
a refresh worker writing meanwhile would otherwise make them do), and with more connections
they read side by side. This benchmark has no writer, though, and more connections only add
thread switching for the analytics endpoints, while the baseline's tracking endpoint still
begins with BEGIN IMMEDIATE, whose waiters busy-wait with growing sleeps (measured at full size,
pool 4 against 1: report p50 341 against 300 ms, baseline p99 657 against 327 ms).

    python bench/analytics.py                  # SQLite and PostgreSQL, full size
    python bench/analytics.py --quick          # a tenth of the data
    python bench/analytics.py --dbs sqlite     # one database
    python bench/analytics.py --dbs postgres --processes 2   # two API processes over HTTP
    python bench/analytics.py --profile report # cProfile one endpoint, one client, then stop

PostgreSQL: ``SOCIALPULSE_BENCH_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/test)
names a server where the script creates a scratch database and drops it afterwards. The table
ends with the load average of the machine; the last line printed is one JSON object with the
figures.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import gc
import json
import os
import pstats
import random
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from socialpulse.analytics import cache as analytics_cache
from socialpulse.analytics.renewal import Renewer
from socialpulse.app import create_app
from socialpulse.auth.service import auth
from socialpulse.config import Settings
from socialpulse.db.engine import READ_ONLY, make_engine
from socialpulse.db.migrate import upgrade
from socialpulse.kit import asgi
from socialpulse.kit.asgi import Answer
from socialpulse.kit.time import utcnow
from socialpulse.models import (
    Account,
    AccountSnapshot,
    AnalyticsCacheEntry,
    Post,
    PostSnapshot,
    Profile,
    RefreshItem,
)
from socialpulse.models.enums import Platform
from socialpulse.platforms.metrics import metric_config, snapshot_column

CLIENTS = 16
BENCH_SECRET = "bench-" + "x" * 40
BENCH_DIR = Path(__file__).resolve().parent
DAYS = 365
POSTS_PER_ACCOUNT = 50
SNAPSHOTS_PER_POST = 20
CHUNK = 10_000
PLATFORMS = [p.value for p in Platform]
# the refresh schedule of a post: hourly at first, then daily, weekly, monthly
POST_OFFSETS = [
    timedelta(hours=h)
    for h in (1, 2, 4, 8, 12, 24, 48, 72, 96, 120, 144, 168, 216, 288, 384, 480, 600, 720, 1440, 2160)
]
VIDEO_TYPES = {
    "youtube": ("video", "short"),
    "tiktok": ("video",),
    "instagram": ("reel", "image", "carousel"),
}
TOPICS = ["morning run", "new recipe", "studio session", "city walk", "product test", "travel day"]
BRANDS = ["nike", "adidas", "sony", "lego", "canon", "redbull"]
TAGS = ["fitness", "food", "music", "travel", "tech", "ad", "sponsored", "daily", "vlog", "howto"]


# ---------------------------------------------------------------------------- seeding


def account_columns(platform: str) -> list[str]:
    """The snapshot columns a platform reports (from its metric configuration)."""
    cols = {snapshot_column(platform, m) for m in metric_config(platform).available_metrics}
    return sorted(c for c in cols if c is not None)


def caption(rng: random.Random, handle: str) -> str:
    tags = " ".join(f"#{t}" for t in rng.sample(TAGS, 3))
    brand = rng.choice(BRANDS)
    link = f"https://{brand}.com/p/{rng.randint(1, 999)}" if rng.random() < 0.5 else ""
    return f"{rng.choice(TOPICS).capitalize()} with @{brand} and @{handle} {tags} {link}".strip()


async def insert_chunks(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), CHUNK):
        await session.execute(insert(model), rows[i : i + CHUNK])


async def seed(
    sessions: async_sessionmaker[AsyncSession], args: argparse.Namespace, now: datetime
) -> dict[str, Any]:
    rng = random.Random(42)
    async with sessions() as s, s.begin():
        user = await auth.create_user(s, "bench@example.com")
        _, key = await auth.create_key(s, user)
        uid = user.id
    n_accounts = args.accounts
    n_profiles = n_accounts // len(PLATFORMS)
    t0 = time.perf_counter()
    async with sessions() as s, s.begin():
        await insert_chunks(
            s,
            Profile,
            [
                {"id": i, "user_id": uid, "name": f"profile-{i}", "created_at": now}
                for i in range(1, n_profiles + 1)
            ],
        )
        accounts = []
        for i in range(1, n_accounts + 1):
            platform = PLATFORMS[(i - 1) % len(PLATFORMS)]
            accounts.append(
                {
                    "id": i,
                    "user_id": uid,
                    "profile_id": (i - 1) // len(PLATFORMS) + 1 if i <= n_profiles * 10 else None,
                    "platform": platform,
                    "handle": f"creator{i}",
                    "platform_id": f"pid{i}",
                    "display_name": f"Creator {i}",
                    "biography": f"Creator {i}. Contact creator{i}@mail.com #creator",
                    "website": f"https://creator{i}.com",
                    "details": {},
                    "status": "active",
                    "paused": False,
                    "is_competitor": False,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        await insert_chunks(s, Account, accounts)
    async with sessions() as s, s.begin():
        rows: list[dict[str, Any]] = []
        sid = 0
        for a in accounts:
            cols = account_columns(a["platform"])
            base = rng.randint(500, 2_000_000)
            growth = rng.uniform(0.0002, 0.003)
            hour = timedelta(hours=rng.randint(0, 23), minutes=rng.randint(0, 59))
            for d in range(DAYS):
                sid += 1
                level = int(base * (1 + growth) ** d)
                values = {
                    "followers": level,
                    "following": 300 + d // 10,
                    "posts": 100 + d // 7,
                    "views": level * 40 * (d + 1),
                    "impressions": level * 50 * (d + 1),
                    "reach": level * 20 * (d + 1),
                    "likes": level * 3 * (d + 1),
                    "comments": level * (d + 1) // 10,
                    "shares": level * (d + 1) // 20,
                    "saves": level * (d + 1) // 30,
                    "profile_views": level * (d + 1) // 5,
                }
                rows.append(
                    {
                        "id": sid,
                        "account_id": a["id"],
                        "fetched_at": now - timedelta(days=DAYS - 1 - d) - hour,
                        "connector": "bench",
                        "api_version": "1",
                        "extras": None,
                        **{c: (values[c] if c in cols else None) for c in values},
                    }
                )
            if len(rows) >= 100_000:
                await insert_chunks(s, AccountSnapshot, rows)
                rows = []
        await insert_chunks(s, AccountSnapshot, rows)
    print(
        f"  seeded {n_accounts} accounts, {sid} account snapshots in {time.perf_counter() - t0:.0f}s",
        file=sys.stderr,
    )
    t0 = time.perf_counter()
    pid = psid = iid = 0
    span = timedelta(days=DAYS - 5)
    async with sessions() as s, s.begin():
        posts: list[dict[str, Any]] = []
        snaps: list[dict[str, Any]] = []
        items: list[dict[str, Any]] = []
        for a in accounts:
            kinds = VIDEO_TYPES.get(a["platform"], ("video", "image", "text"))
            for k in range(POSTS_PER_ACCOUNT):
                pid += 1
                posted = now - span + span * k / POSTS_PER_ACCOUNT + timedelta(minutes=rng.randint(0, 3000))
                posted = min(posted, now - timedelta(hours=2))
                posts.append(
                    {
                        "id": pid,
                        "user_id": uid,
                        "account_id": a["id"],
                        "platform": a["platform"],
                        "social_id": f"s{pid}",
                        "url": f"https://example.com/p/{pid}",
                        "type": kinds[k % len(kinds)],
                        "caption": caption(rng, a["handle"]),
                        "posted_at": posted,
                        "author_handle": a["handle"],
                        "hashtags": [],
                        "mentions": [],
                        "links": [],
                        "sponsored": None,
                        "details": {"title": f"Post {pid}"},
                        "tracked": False,
                        "status": "active",
                        "created_at": posted,
                        "updated_at": now,
                    }
                )
                age = now - posted
                final = rng.randint(100, 200_000)
                for n, offset in enumerate(POST_OFFSETS):
                    psid += 1
                    t = posted + min(offset, age * (n + 1) / (SNAPSHOTS_PER_POST + 1))
                    f = (n + 1) / SNAPSHOTS_PER_POST
                    snaps.append(
                        {
                            "id": psid,
                            "post_id": pid,
                            "fetched_at": t,
                            "connector": "bench",
                            "api_version": "1",
                            "views": int(final * f),
                            "plays": None,
                            "likes": int(final * f / 20),
                            "comments": int(final * f / 200),
                            "shares": int(final * f / 500),
                            "saves": int(final * f / 400)
                            if a["platform"] in ("instagram", "pinterest")
                            else None,
                            "reach": None,
                            "impressions": None,
                            "extras": None,
                        }
                    )
                iid += 1
                failed = rng.random() < 0.01
                items.append(
                    {
                        "id": iid,
                        "user_id": uid,
                        "platform": a["platform"],
                        "kind": "post",
                        "entity_id": pid,
                        "status": "failed" if failed else "succeeded",
                        "priority": 0,
                        "attempts": 5 if failed else 1,
                        "max_attempts": 5,
                        "run_after": now,
                        "error_code": "not_found" if failed else None,
                        "error_message": "the platform has no such post" if failed else None,
                        "created_at": now,
                        "finished_at": now,
                    }
                )
            if len(snaps) >= 200_000:
                await insert_chunks(s, Post, posts)
                await insert_chunks(s, PostSnapshot, snaps)
                posts, snaps = [], []
        await insert_chunks(s, Post, posts)
        await insert_chunks(s, PostSnapshot, snaps)
        for a in accounts:
            iid += 1
            items.append(
                {
                    "id": iid,
                    "user_id": uid,
                    "platform": a["platform"],
                    "kind": "account",
                    "entity_id": a["id"],
                    "status": "succeeded",
                    "priority": 0,
                    "attempts": 1,
                    "max_attempts": 5,
                    "run_after": now,
                    "created_at": now,
                    "finished_at": now,
                }
            )
        await insert_chunks(s, RefreshItem, items)
    print(
        f"  seeded {pid} posts, {psid} post snapshots, {iid} refresh items in {time.perf_counter() - t0:.0f}s",
        file=sys.stderr,
    )
    return {"key": key, "accounts": n_accounts, "profiles": n_profiles, "posts": pid}


async def finish_seed(engine: AsyncEngine) -> None:
    """Statistics for the planner (autovacuum would gather them); ids after the explicit ones;
    the analytics change log pruned to the newest row per entity, as the hourly pruner does."""
    async with async_sessionmaker(engine)() as session, session.begin():
        await analytics_cache.prune(session)
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table in (
                "profiles",
                "accounts",
                "posts",
                "account_snapshots",
                "post_snapshots",
                "refresh_items",
            ):
                await conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    )
                )
    if engine.dialect.name == "postgresql":
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
    else:
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    await settle(engine)


async def settle(engine: AsyncEngine) -> None:
    """PostgreSQL: write out what a burst of writes left dirty (CHECKPOINT), so that flushing
    it does not land in the middle of a measurement. (SQLite checkpoints its WAL as it goes.)"""
    if engine.dialect.name != "postgresql":
        return
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("CHECKPOINT"))


# ---------------------------------------------------------------------------- measuring


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def run_clients(
    n: int, clients: int, call: Callable[[int], Awaitable[None]]
) -> tuple[list[float], float]:
    """``n`` calls by ``clients`` concurrent workers; latencies in ms and the wall time in s."""
    latencies: list[float] = []
    counter = iter(range(n))

    async def worker() -> None:
        for i in counter:
            t = time.perf_counter()
            await call(i)
            latencies.append((time.perf_counter() - t) * 1000)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, time.perf_counter() - t0


def endpoint_paths(info: dict[str, Any], rng: random.Random, n: int) -> dict[str, list[str]]:
    return {
        "report": [f"/v1/accounts/{rng.randint(1, info['accounts'])}/report" for _ in range(n)],
        "impressions": [
            f"/v1/analytics/impressions?profile={rng.randint(1, info['profiles'])}&period=last_year&breakdown=true"
            for _ in range(n)
        ],
        "post": [f"/v1/posts/{rng.randint(1, info['posts'])}/analytics" for _ in range(n)],
        "baseline": [f"/v1/accounts/{rng.randint(1, info['accounts'])}" for _ in range(n)],
    }


def bare_reads(info: dict[str, Any], rng: random.Random, n: int, now: datetime) -> dict[str, list[list[Any]]]:
    """The bare range reads of each endpoint, as statements with random targets."""
    year_ago = now - timedelta(days=365)
    out: dict[str, list[list[Any]]] = {"report": [], "impressions": [], "post": [], "baseline": []}
    for _ in range(n):
        a = rng.randint(1, info["accounts"])
        out["report"].append(
            [
                select(AccountSnapshot).where(
                    AccountSnapshot.account_id == a,
                    AccountSnapshot.fetched_at >= year_ago,
                    AccountSnapshot.fetched_at <= now,
                ),
                select(PostSnapshot)
                .join(Post, Post.id == PostSnapshot.post_id)
                .where(Post.account_id == a, PostSnapshot.fetched_at <= now),
            ]
        )
        p = rng.randint(1, info["profiles"])
        ids = list(range((p - 1) * len(PLATFORMS) + 1, p * len(PLATFORMS) + 1))
        out["impressions"].append(
            [
                select(AccountSnapshot).where(
                    AccountSnapshot.account_id.in_(ids),
                    AccountSnapshot.fetched_at >= year_ago - timedelta(days=2),
                    AccountSnapshot.fetched_at <= now,
                )
            ]
        )
        out["post"].append(
            [
                select(PostSnapshot)
                .where(PostSnapshot.post_id == rng.randint(1, info["posts"]))
                .order_by(PostSnapshot.fetched_at)
            ]
        )
        out["baseline"].append([select(Account).where(Account.id == rng.randint(1, info["accounts"]))])
    return out


async def measure(
    c: AsgiClient | RoundRobin,
    engine: AsyncEngine,
    info: dict[str, Any],
    args: argparse.Namespace,
    db: str,
    now: datetime,
    cache: str,
    bares: dict[str, tuple[float, float]],
) -> list[dict[str, Any]]:
    """The figures of each endpoint, asked through ``c``; the bare reads run on ``engine`` (or
    are taken from ``bares``, measured before on the same data). ``cache``: ``off`` (the app
    computes every answer) or ``kept`` (every path is asked once first, as any earlier reader
    would have; the measured requests are then answered from the analytics cache)."""
    rng = random.Random(7)
    n = args.requests
    paths = endpoint_paths(info, rng, n + args.warmup)
    bare = bare_reads(info, rng, n + args.warmup, now)
    runs = []
    states: collections.Counter[str] = collections.Counter()
    pauses: list[float] = []
    started: list[float] = []

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            pauses.append((time.perf_counter() - started[0]) * 1000)

    gc.callbacks.append(on_gc)
    # the load generator's own objects (every path and bare statement of the run) would make
    # each full collection of this shared process walk them: an API process has none of them
    gc.collect()
    gc.freeze()

    async def get(path: str) -> None:
        r = await c.get(path)
        if r.status_code != 200:
            raise SystemExit(f"{path}: {r.status_code} {r.text[:300]}")
        states[r.headers.get("x-analytics-cache", "none")] += 1

    async def read(stmts: list[Any]) -> None:
        async with engine.connect() as conn:
            await conn.execution_options(**{READ_ONLY: True})  # as the endpoints read (SQLite: deferred)
            for stmt in stmts:
                (await conn.execute(stmt)).all()

    async def one_endpoint(name: str, todo: list[str], reads: list[list[Any]]) -> dict[str, Any]:
        for i in range(args.warmup):
            await get(todo[n + i])
            await read(reads[n + i])
        if cache == "kept":
            distinct = sorted(set(todo[:n]))
            await run_clients(len(distinct), args.clients, lambda i: get(distinct[i]))
            await settle(engine)  # the fill wrote every answer at once (reports: ~80 MB)
        states.clear()
        one, _ = await run_clients(n // 4, 1, lambda i: get(todo[i]))
        pauses.clear()
        lat, wall = await run_clients(n, args.clients, lambda i: get(todo[i]))
        gc_ms = sorted(pauses, reverse=True)[:3]
        if name in bares:
            bare_one_ms, bare_ms = bares[name]
        else:
            bare_one, _ = await run_clients(n // 4, 1, lambda i: read(reads[i]))
            bare_lat, _ = await run_clients(n, args.clients, lambda i: read(reads[i]))
            bare_one_ms, bare_ms = statistics.median(bare_one), statistics.median(bare_lat)
            bares[name] = (bare_one_ms, bare_ms)
        return {
            "db": db,
            "endpoint": name,
            "cache": cache if name != "baseline" else "none",
            "p50_ms": round(percentile(lat, 0.50), 2),
            "p99_ms": round(percentile(lat, 0.99), 2),
            "bare_ms": round(bare_ms, 2),
            "req_per_s": round(n / wall, 1),
            "p50_1_client_ms": round(percentile(one, 0.50), 2),
            "bare_1_client_ms": round(bare_one_ms, 2),
            "answers": dict(states),
            "gc_pauses_ms": [round(p, 1) for p in gc_ms],  # the longest collections under load (in-process)
        }

    for name in ("report", "impressions", "post", "baseline"):
        if name == "baseline" and cache == "kept":
            continue  # not an analytics answer: measured once, with cache off
        run = await one_endpoint(name, paths[name], bare[name])
        run["variant"] = variant(args, db)
        runs.append(run)
        print(
            f"  {db:8} {name:12} {run['cache']:5} p50 {run['p50_ms']:7.1f} ms  p99 {run['p99_ms']:7.1f} ms"
            f"  bare {run['bare_ms']:6.1f} ms  | 1 client {run['p50_1_client_ms']:5.1f}"
            f" / bare {run['bare_1_client_ms']:5.1f} ms  | {run['req_per_s']:6.1f} req/s  | {dict(states)}"
            f"  | longest GC {run['gc_pauses_ms']} ms",
            file=sys.stderr,
        )
    gc.callbacks.remove(on_gc)
    gc.unfreeze()
    return runs


async def profile_one(app: Any, info: dict[str, Any], args: argparse.Namespace, cache: str) -> None:
    paths = endpoint_paths(info, random.Random(7), 200)[args.profile]
    c = AsgiClient(app, {"Authorization": f"Bearer {info['key']}"})
    for p in paths[:20] if cache == "off" else paths:  # kept: every answer asked once first
        await c.get(p)
    prof = cProfile.Profile()
    prof.enable()
    for p in paths[20:]:
        await c.get(p)
    prof.disable()
    pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
    pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(30)


# ---------------------------------------------------------------------------- databases


async def bench_db(db: str, url: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    engine = make_engine(url)
    await upgrade(engine)
    now = utcnow().replace(microsecond=0)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        info = await seed(sessions, args, now)
        await finish_seed(engine)
    finally:
        await engine.dispose()
    pool = args.sqlite_pool if db == "sqlite" else args.pg_pool
    headers = {"Authorization": f"Bearer {info['key']}"}
    runs: list[dict[str, Any]] = []
    bares: dict[str, tuple[float, float]] = {}
    for cache in args.cache.split(","):
        ttl = 0 if cache == "off" else 3600
        if args.processes > 1 and not args.profile:
            runs += await measure_served(url, pool, info, args, db, now, cache, ttl, bares)
            continue
        settings = Settings(
            database_url=url,
            secret_key=BENCH_SECRET,
            embedded_worker=False,
            scheduler_enabled=False,
            db_pool_size=pool,
            analytics_cache_ttl_s=ttl,
            analytics_renew_s=0,  # renewal is measured on its own, after the kept runs
            _env_file=None,  # type: ignore[call-arg]
        )
        app = create_app(settings, run_workers=False, migrate=False)
        async with app.router.lifespan_context(app):
            if args.profile:
                await profile_one(app, info, args, cache)
                return []
            runs += await measure(
                AsgiClient(app, headers), app.state.engine, info, args, db, now, cache, bares
            )
            if cache == "kept" and args.renewal:
                RENEWALS.append(await measure_renewal(app, AsgiClient(app, headers), info, args, db))
    return runs


RENEWALS: list[dict[str, Any]] = []


async def measure_renewal(
    app: Any, c: AsgiClient, info: dict[str, Any], args: argparse.Namespace, db: str
) -> dict[str, Any]:
    """After the kept runs: a refresh of every account (one new account snapshot each, in one
    transaction), then renewal passes until no change is left, timed; then the first
    ``--requests`` paths of each endpoint asked once, counting how many were served kept."""
    renewer = Renewer(app, app.state.sessions)
    await renewer.renew_once()  # the first pass sets the mark
    async with app.state.sessions() as s:
        kept = await s.scalar(select(func.count()).select_from(AnalyticsCacheEntry))
    fetched = utcnow()
    async with app.state.sessions() as s, s.begin():
        await insert_chunks(
            s,
            AccountSnapshot,
            [
                {
                    "account_id": a,
                    "fetched_at": fetched,
                    "connector": "bench",
                    "api_version": "1",
                    "followers": 10_000 + a,
                }
                for a in range(1, info["accounts"] + 1)
            ],
        )
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    renewed = passes = 0
    while changed := await renewer.claim():
        passes += 1
        renewed += await renewer.renew(changed)
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    states: collections.Counter[str] = collections.Counter()
    for todo in endpoint_paths(info, random.Random(7), args.requests + args.warmup).values():
        for path in todo[: args.requests]:
            if "/analytics" in path or "/report" in path:
                states[(await c.get(path)).headers.get("x-analytics-cache", "none")] += 1
    result = {
        "db": db,
        "kept_answers": kept,
        "renewed": renewed,
        "passes": passes,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "per_answer_ms": round(seconds / renewed * 1000, 2) if renewed else None,
        "then_asked": dict(states),
    }
    print(
        f"  {db:8} renewal after a refresh of {info['accounts']} accounts: {renewed} of {kept} kept answers"
        f" in {seconds:.1f} s ({passes} pass(es), CPU {cpu:.1f} s); then asked: {dict(states)}",
        file=sys.stderr,
    )
    return result


# ---------------------------------------------------------------------------- several processes


def serve_app() -> Any:
    """The app of each uvicorn worker of ``--processes`` (settings from the environment)."""
    return create_app(Settings(), run_workers=False, migrate=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def measure_served(
    url: str,
    pool: int,
    info: dict[str, Any],
    args: argparse.Namespace,
    db: str,
    now: datetime,
    cache: str,
    ttl: int,
    bares: dict[str, tuple[float, float]],
) -> list[dict[str, Any]]:
    """:func:`measure` against ``args.processes`` uvicorn processes over loopback HTTP, each on
    its own port, requests sent to them in turn. (Not ``uvicorn --workers``: its worker sockets
    lose TCP_NODELAY, and every response then waits 40 ms for a delayed ACK.)"""
    ports = [free_port() for _ in range(args.processes)]
    env = {
        **os.environ,
        "SOCIALPULSE_DATABASE_URL": url,
        "SOCIALPULSE_SECRET_KEY": BENCH_SECRET,
        "SOCIALPULSE_EMBEDDED_WORKER": "false",
        "SOCIALPULSE_SCHEDULER_ENABLED": "false",
        "SOCIALPULSE_DB_POOL_SIZE": str(pool),
        "SOCIALPULSE_ANALYTICS_CACHE_TTL_S": str(ttl),
    }
    servers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "analytics:serve_app",
            "--app-dir",
            str(BENCH_DIR),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            env=env,
            cwd=tempfile.gettempdir(),  # no .env file of the checkout is read
        )
        for port in ports
    ]
    engine = make_engine(url, pool_size=pool)
    headers = {"Authorization": f"Bearer {info['key']}"}
    clients = [HttpClient("127.0.0.1", port, headers) for port in ports]
    try:
        for c in clients:
            for _ in range(600):
                try:
                    if (await c.get("/healthz")).status_code == 200:
                        break
                except OSError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise SystemExit("an API process did not start")
        return await measure(RoundRobin(clients), engine, info, args, db, now, cache, bares)
    finally:
        for c in clients:
            c.close()
        for server in servers:
            server.terminate()
            await server.wait()
        await engine.dispose()


class AsgiClient:
    """Calls the app as an ASGI server would, with nothing else in between: the in-process
    measurement then counts the service's work, not an HTTP client library's (httpx's
    ASGITransport costs about as much per request as a kept answer itself)."""

    def __init__(self, app: Any, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in {"host": "bench", **headers}.items()]

    async def get(self, path: str) -> Answer:
        route, _, query = path.partition("?")
        return await asgi.get(self.app, route, query, headers=self.headers)


class HttpClient:
    """A minimal HTTP/1.1 client with kept-alive connections (one per concurrent request): the
    load generator shares the machine's cores with the API processes, so it should spend as
    little of them as it can. Answers carry Content-Length (every response of the app does)."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.head = "".join(f"{k}: {v}\r\n" for k, v in {"Host": f"{host}:{port}", **headers}.items())
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def get(self, path: str) -> Answer:
        while self.idle:  # a kept-alive connection, unless the server closed it meanwhile
            try:
                return await self._get(self.idle.pop(), path)
            except (ConnectionError, asyncio.IncompleteReadError):
                continue
        return await self._get(await asyncio.open_connection(self.host, self.port), path)

    async def _get(self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], path: str) -> Answer:
        reader, writer = conn
        writer.write(f"GET {path} HTTP/1.1\r\n{self.head}\r\n".encode())
        status_line = await reader.readline()
        if not status_line:
            writer.close()
            raise ConnectionError("the server closed the connection")
        headers: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        self.idle.append(conn)
        return Answer(int(status_line.split()[1]), headers, body)

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


class RoundRobin:
    """Sends each request to the next of several clients (one per API process)."""

    def __init__(self, clients: Sequence[HttpClient]) -> None:
        self.clients = clients
        self.turn = 0

    async def get(self, path: str) -> Answer:
        self.turn = (self.turn + 1) % len(self.clients)
        return await self.clients[self.turn].get(path)


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


def variant(args: argparse.Namespace, db: str) -> str:
    """How the app was served: processes, transport and connection pool."""
    pool = f"pool {args.sqlite_pool if db == 'sqlite' else args.pg_pool}"
    if args.processes > 1:
        return f"{db}: {args.processes} uvicorn processes over loopback HTTP, {pool} each"
    return f"{db}: 1 process, in-process ASGI, {pool}"


def table(runs: list[dict[str, Any]], args: argparse.Namespace) -> str:
    head = (
        f"{'db':9}{'endpoint':13}{'cache':6}{'p50 ms':>8}{'p99 ms':>8}{'bare ms':>9}{'p50/bare':>9}"
        f"{'1-client p50':>13}{'bare':>6}{'req/s':>8}  p99<=50  <=3x bare"
    )
    lines = [head, "-" * len(head)]
    for r in runs:
        ratio = r["p50_ms"] / r["bare_ms"] if r["bare_ms"] else float("nan")
        lines.append(
            f"{r['db']:9}{r['endpoint']:13}{r['cache']:6}{r['p50_ms']:>8.1f}{r['p99_ms']:>8.1f}{r['bare_ms']:>9.2f}{ratio:>9.1f}"
            f"{r['p50_1_client_ms']:>13.1f}{r['bare_1_client_ms']:>6.1f}{r['req_per_s']:>8.0f}"
            f"  {'yes' if r['p99_ms'] <= 50 else 'NO':7}  {'yes' if ratio <= 3 else 'NO'}"
        )
    for v in sorted({r["variant"] for r in runs}):
        lines.append(f"variant: {v}")
    lines.append(
        f"load average during the run: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"
    )
    lines.append(
        f"{args.clients} concurrent clients, {args.requests} requests per endpoint; bare = median of the SQL range "
        f"read under the same {args.clients} clients; 1-client = one client at a time"
    )
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> None:
    runs: list[dict[str, Any]] = []
    for db in args.dbs.split(","):
        print(f"{db}: seeding", file=sys.stderr)
        if db == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                runs += await bench_db("sqlite", f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", args)
        elif db == "postgres":
            admin = Settings(
                database_url=os.environ.get(
                    "SOCIALPULSE_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
                ),
                secret_key="x" * 40,
                _env_file=None,  # type: ignore[call-arg]
            ).database_url
            name, url = await pg_scratch(admin)
            try:
                runs += await bench_db("postgres", url, args)
            finally:
                await pg_drop(admin, name)
        else:
            raise SystemExit(f"unknown database {db!r}: use sqlite and/or postgres")
    if args.profile:
        return
    print(table(runs, args))
    for r in RENEWALS:
        print(
            f"renewal ({r['db']}): a refresh of every account made {r['kept_answers']} kept answers stale; "
            f"{r['renewed']} computed again in {r['seconds']} s ({r['per_answer_ms']} ms each); "
            f"then asked: {r['then_asked']}"
        )
    print(json.dumps({"runs": runs, "renewal": RENEWALS}))


def main() -> None:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--dbs", default="sqlite,postgres")
    p.add_argument("--accounts", type=int, default=2000)
    p.add_argument("--clients", type=int, default=CLIENTS)
    p.add_argument("--requests", type=int, default=1600, help="requests per endpoint under load")
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--quick", action="store_true", help="a tenth of the accounts and posts")
    p.add_argument(
        "--cache",
        default="off,kept",
        help="off: every answer computed; kept: answers kept in the analytics cache (each path asked once first)",
    )
    p.add_argument(
        "--sqlite-pool",
        type=int,
        default=1,
        help="SQLite connections (db_pool_size; as many again may overflow). Read-only requests may read "
        "side by side; the others busy-wait for the write lock",
    )
    p.add_argument(
        "--pg-pool", type=int, default=CLIENTS + 4, help="PostgreSQL db_pool_size: one connection per client"
    )
    p.add_argument(
        "--processes",
        type=int,
        default=1,
        help="API processes: 1 serves the app in-process (ASGI); N >= 2 runs N uvicorn workers over HTTP",
    )
    p.add_argument(
        "--no-renewal",
        dest="renewal",
        action="store_false",
        help="skip the renewal measurement after the kept runs",
    )
    p.add_argument(
        "--profile",
        choices=["report", "impressions", "post", "baseline"],
        help="cProfile one endpoint and stop",
    )
    args = p.parse_args()
    if args.quick:
        args.accounts //= 10
        args.requests = max(args.requests // 2, 200)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
