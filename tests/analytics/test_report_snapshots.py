"""The creator report loads only the post snapshots its figures read (the latest at or before
each instant it evaluates); it must give exactly the report built from every snapshot. Random
histories with several snapshots a day, ties on ``fetched_at``, snapshots exactly on the growth
instants and on day boundaries, posts older than a year, undated posts and posts without
snapshots, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from socialpulse.analytics import repository as repo
from socialpulse.analytics.service import analytics_service
from socialpulse.models import Account, AccountSnapshot, Post, PostSnapshot
from tests.conftest import Tenant

T = datetime(2024, 6, 30, 15, 30, tzinfo=UTC)


def _full(user_id: int, account_id: int, **kw: Any) -> Any:
    """Every snapshot of the chosen posts, as the report loaded them before."""
    kw.pop("daily")
    kw.pop("spans")
    return repo.report_post_snapshots(user_id, account_id, **kw)


def _instants(rng: random.Random) -> datetime:
    """A random instant in the two years before T, often on a boundary a report evaluates."""
    choice = rng.random()
    if choice < 0.15:
        return T - timedelta(days=rng.choice([30, 90, 365, 0]))
    day = (T - timedelta(days=rng.randint(0, 730))).replace(hour=0, minute=0, second=0, microsecond=0)
    if choice < 0.3:
        return day - timedelta(microseconds=rng.choice([0, 1]))
    return day + timedelta(seconds=rng.randint(0, 86_399))


async def _seed(app: Any, tenant: Tenant, seed: int) -> int:
    rng = random.Random(seed)
    async with app.state.sessions() as s, s.begin():
        account = Account(
            user_id=tenant.user_id,
            platform="instagram",
            handle=f"creator{seed}",
            platform_id=f"pid{seed}",
            details={},
            status="active",
        )
        s.add(account)
        await s.flush()
        aid = int(account.id)
        times = sorted(_instants(rng) for _ in range(rng.randint(150, 400)))
        times += rng.sample(times, 10)  # ties on fetched_at
        await s.execute(
            insert(AccountSnapshot),
            [
                {
                    "account_id": aid,
                    "fetched_at": t,
                    "connector": "test",
                    "api_version": "1",
                    "followers": rng.choice([None, 0, *range(900, 1100)]),
                    "following": 10,
                    "posts": 5,
                }
                for t in times
            ],
        )
        for k in range(rng.randint(20, 60)):
            posted = None if rng.random() < 0.08 else _instants(rng)
            post = Post(
                user_id=tenant.user_id,
                account_id=aid,
                platform="instagram",
                social_id=f"{seed}-{k}",
                type=rng.choice(["reel", "image", "carousel", None]),
                caption=f"post {k} #tag{k % 4} @brand{k % 3}",
                posted_at=posted,
                hashtags=[],
                mentions=[],
                links=[],
                details={},
                tracked=False,
                status="active",
            )
            s.add(post)
            await s.flush()
            start = posted or T - timedelta(days=700)
            rows = []
            for _ in range(rng.choice([0, 1, 3, 8, 20, 30])):
                when = rng.choice(
                    [
                        start + timedelta(hours=rng.choice([1, 2, 4, 8, 12, 24, 48, 96, 720, 2160])),
                        _instants(rng),
                        T - timedelta(days=rng.choice([30, 90, 365])),
                    ]
                )
                n = rng.randint(0, 5000)
                rows.append(
                    {
                        "post_id": post.id,
                        "fetched_at": when,
                        "connector": "test",
                        "api_version": "1",
                        "likes": rng.choice([None, n]),
                        "comments": n // 10,
                        "views": rng.choice([None, 0, n * 20]),
                        "shares": rng.choice([None, n // 50]),
                        "saves": rng.choice([None, n // 40]),
                        "reach": rng.choice([None, n * 5]),
                    }
                )
            if rows:
                rows.append(dict(rng.choice(rows)))  # a tie on fetched_at
                await s.execute(insert(PostSnapshot), rows)
    return aid


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_report_reads_the_snapshots_it_needs(
    app: Any, alice: Tenant, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    aid = await _seed(app, alice, seed)
    cases: list[dict[str, Any]] = [
        {},
        {"days": 1},
        {"days": 7, "posts": 3},
        {"days": 365, "posts": 200, "basis": "followers_with_shares_saves"},
        {"days": 45, "basis": "views"},
        {"days": 120, "posts": 1, "basis": "reach"},
    ]
    moments = [T, T - timedelta(days=30), T.replace(hour=0, minute=0, second=0)]
    reports = []
    for moment in moments:
        for case in cases:
            async with app.state.sessions() as s:
                reports.append(await analytics_service.report(s, alice.user_id, aid, at=moment, **case))
    monkeypatch.setattr(repo, "report_post_points", _full)
    n = 0
    for moment in moments:
        for case in cases:
            async with app.state.sessions() as s:
                full = await analytics_service.report(s, alice.user_id, aid, at=moment, **case)
            assert reports[n].model_dump_json() == full.model_dump_json(), (moment, case)
            n += 1
