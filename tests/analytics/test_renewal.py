"""Renewal of kept analytics answers, on SQLite and PostgreSQL: a write to what a kept answer read
makes a renewal pass compute it again as its user, with the same request, so the next reader
is served a current answer without computing it; answers that read nothing changed, expired
ones, and ones whose entity is gone are left alone; one process takes each change; the app
renews in the background on its own."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import delete, func, select, update

from socialpulse.analytics import cache
from socialpulse.analytics.renewal import Renewer
from socialpulse.app import create_app
from socialpulse.config import Settings
from socialpulse.kit.time import utcnow
from socialpulse.models import Account, AnalyticsCacheEntry, AnalyticsCacheRead, AnalyticsRenewal
from tests.analytics.test_cache import get, twice
from tests.analytics.test_endpoints import at, brand, creator  # noqa: F401  (fixtures)
from tests.conftest import Tenant
from tests.tracking.helpers import add_account_snapshot

CACHE = cache.CACHE_HEADER
REPORT = "/v1/accounts/{account}/report?at=2024-06-30T12:00:00Z&posts=5"
IMPRESSIONS = (
    "/v1/analytics/impressions?profile={profile}&start_date=2024-01-01&end_date=2024-01-06&breakdown=true"
)
POST = "/v1/posts/{p1}/analytics"


async def entries(app: Any) -> dict[str, tuple[str, Any, Any]]:
    """Kept answers by path and query: (fingerprint, computed_at, expires_at)."""
    async with app.state.sessions() as s:
        rows = await s.execute(
            select(
                AnalyticsCacheEntry.path,
                AnalyticsCacheEntry.query,
                AnalyticsCacheEntry.fingerprint,
                AnalyticsCacheEntry.computed_at,
                AnalyticsCacheEntry.expires_at,
            )
        )
        return {f"{path}?{query}" if query else str(path): (fp, c, e) for path, query, fp, c, e in rows}


async def started(app: Any) -> Renewer:
    """A renewer whose mark is set: the first pass of the first renewer only starts from now."""
    renewer = Renewer(app, app.state.sessions)
    assert await renewer.renew_once() == 0
    return renewer


async def test_a_change_renews_the_answers_that_read_it(
    client: httpx.AsyncClient,
    alice: Tenant,
    app: Any,
    creator: dict[str, int],  # noqa: F811
    brand: dict[str, int],  # noqa: F811
) -> None:
    report, post = REPORT.format(**creator), POST.format(**creator)
    impressions = IMPRESSIONS.format(**brand)
    for path in (report, post, impressions):
        await twice(client, alice, path)
    async with app.state.sessions() as s:
        reads = set((await s.execute(select(AnalyticsCacheRead.kind, AnalyticsCacheRead.entity))).all())
    assert {("account", creator["account"]), ("post", creator["p1"]), ("profile", brand["profile"])} <= reads
    assert {("account", brand[k]) for k in ("ig", "yt", "bs")} <= reads
    renewer = await started(app)
    before = await entries(app)

    await add_account_snapshot(app, creator["account"], at(2024, 6, 30, 10), followers=1200)
    assert await renewer.renew_once() == 2  # the report and the post's analytics read the account
    after = await entries(app)
    for path in (report, post):
        assert after[path][0] != before[path][0], path  # computed at the new fingerprint
        assert after[path][2] == before[path][2], path  # and kept no longer than before
    assert after[impressions] == before[impressions]

    r = await get(client, alice, report)
    assert (r.headers[CACHE], r.json()["profile_overview"]["followers"]) == ("hit", 1200)
    assert (await get(client, alice, post)).headers[CACHE] == "hit"
    assert (await get(client, alice, impressions)).headers[CACHE] == "hit"
    assert await renewer.renew_once() == 0  # nothing changed since


async def test_a_profile_answer_follows_its_accounts(
    client: httpx.AsyncClient,
    alice: Tenant,
    app: Any,
    brand: dict[str, int],  # noqa: F811
) -> None:
    impressions = IMPRESSIONS.format(**brand)
    analytics = f"/v1/profiles/{brand['profile']}/analytics"
    old = (await twice(client, alice, impressions)).json()
    await twice(client, alice, analytics)
    renewer = await started(app)
    await add_account_snapshot(app, brand["ig"], at(2024, 1, 5, 22), reach=260)
    assert await renewer.renew_once() == 2
    r = await get(client, alice, impressions)
    assert r.headers[CACHE] == "hit"
    assert (
        r.json()["total_impressions"]["total"] == old["total_impressions"]["total"] + 60
    )  # Instagram's reach on 01-05: 200 → 260
    assert (await get(client, alice, analytics)).headers[CACHE] == "hit"


async def test_one_renewer_takes_each_change(
    client: httpx.AsyncClient,
    alice: Tenant,
    app: Any,
    creator: dict[str, int],  # noqa: F811
) -> None:
    """Two API processes: whichever claims a change renews; the other finds nothing to do."""
    await twice(client, alice, REPORT.format(**creator))
    first, second = await started(app), await started(app)
    await add_account_snapshot(app, creator["account"], at(2024, 6, 30, 10), followers=1200)
    assert [await first.renew_once(), await second.renew_once()] == [1, 0]
    await add_account_snapshot(app, creator["account"], at(2024, 6, 30, 11), followers=1300)
    assert [await second.renew_once(), await first.renew_once()] == [1, 0]
    async with app.state.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(AnalyticsRenewal)) == 1


async def test_expired_and_unrecorded_answers_are_left_to_their_reader(
    client: httpx.AsyncClient,
    alice: Tenant,
    app: Any,
    creator: dict[str, int],  # noqa: F811
) -> None:
    report, post = REPORT.format(**creator), POST.format(**creator)
    await twice(client, alice, report)
    await twice(client, alice, post)
    renewer = await started(app)
    async with app.state.sessions() as s, s.begin():
        past = utcnow() - timedelta(seconds=1)
        await s.execute(
            update(AnalyticsCacheEntry)
            .where(AnalyticsCacheEntry.path.like("%/report"))
            .values(expires_at=past)
        )
        # kept before requests were recorded (an older version): no request to ask again
        await s.execute(
            update(AnalyticsCacheEntry).where(AnalyticsCacheEntry.path.like("%/analytics")).values(path=None)
        )
    await add_account_snapshot(app, creator["account"], at(2024, 6, 30, 10), followers=1200)
    assert await renewer.renew_once() == 0
    assert (await get(client, alice, report)).headers[CACHE] == "miss"
    assert (await get(client, alice, post)).headers[CACHE] == "miss"


async def test_an_answer_whose_account_is_gone_is_not_renewed(
    client: httpx.AsyncClient,
    alice: Tenant,
    app: Any,
    creator: dict[str, int],  # noqa: F811
) -> None:
    report = REPORT.format(**creator)
    await twice(client, alice, report)
    renewer = await started(app)
    async with app.state.sessions() as s, s.begin():
        await s.execute(delete(Account).where(Account.id == creator["account"]))
    assert await renewer.renew_once() == 0  # asked as alice: 404, nothing kept
    r = await client.get(report, headers=alice.headers)
    assert r.status_code == 404, r.text


async def test_the_app_renews_in_the_background(
    settings: Settings,
    alice: Tenant,
    creator: dict[str, int],  # noqa: F811
) -> None:
    app = create_app(
        settings.model_copy(update={"analytics_renew_s": 0.05}), run_workers=False, migrate=False
    )
    report = REPORT.format(**creator)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client,
    ):
        await twice(client, alice, report)
        for _ in range(200):  # the first pass sets the mark
            async with app.state.sessions() as s:
                if await s.scalar(select(AnalyticsRenewal.mark)) is not None:
                    break
            await asyncio.sleep(0.02)
        fingerprint = (await entries(app))[report][0]
        await add_account_snapshot(app, creator["account"], at(2024, 6, 30, 10), followers=1200)
        for _ in range(250):
            if (await entries(app))[report][0] != fingerprint:
                break
            await asyncio.sleep(0.02)
        r = await get(client, alice, report)
        assert (r.headers[CACHE], r.json()["profile_overview"]["followers"]) == ("hit", 1200)


async def test_pruning_an_answer_forgets_what_it_read(
    client: httpx.AsyncClient,
    alice: Tenant,
    app: Any,
    brand: dict[str, int],  # noqa: F811
) -> None:
    await twice(client, alice, IMPRESSIONS.format(**brand))
    async with app.state.sessions() as s, s.begin():
        assert (
            await s.scalar(select(func.count()).select_from(AnalyticsCacheRead)) == 4
        )  # profile, 3 accounts
        await s.execute(update(AnalyticsCacheEntry).values(expires_at=utcnow() - timedelta(seconds=1)))
        answers, _ = await cache.prune(s)
        assert answers == 1
    async with app.state.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(AnalyticsCacheRead)) == 0
