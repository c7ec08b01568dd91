"""Kept analytics answers, on SQLite and PostgreSQL: a repeated request is served from the
cache with the same body; every write to what an answer read (account and post snapshots,
posts, accounts, profiles and their membership, a post's refresh items) makes the next request
compute afresh; expiry, ETag and 304, tenancy, TTL 0, and pruning."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, select, text, update

from socialpulse.analytics import cache
from socialpulse.app import create_app
from socialpulse.auth.service import auth
from socialpulse.config import Settings
from socialpulse.kit.time import utcnow
from socialpulse.models import Account, AnalyticsCacheEntry, AnalyticsChange, Post, Profile
from socialpulse.refresh.runtime import Runtime
from tests.analytics.test_endpoints import (  # noqa: F401  (fixtures)
    add_post,
    add_refresh_item,
    at,
    attach,
    brand,
    creator,
    posted,
)
from tests.conftest import Tenant
from tests.tracking.helpers import add_account_snapshot, add_post_snapshot, create_account, create_profile

CACHE = cache.CACHE_HEADER


async def get(client: httpx.AsyncClient, tenant: Tenant, path: str, **headers: str) -> httpx.Response:
    r = await client.get(path, headers={**tenant.headers, **headers})
    assert r.status_code in (200, 304), r.text
    return r


async def twice(client: httpx.AsyncClient, tenant: Tenant, path: str) -> httpx.Response:
    """Asks twice; the second answer is the kept first one."""
    first = await get(client, tenant, path)
    second = await get(client, tenant, path)
    assert (first.headers[CACHE], second.headers[CACHE]) == ("miss", "hit")
    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]
    return second


class TestKept:
    async def test_every_endpoint_is_kept_and_answers_the_same(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        creator: dict[str, int],  # noqa: F811
        brand: dict[str, int],  # noqa: F811
    ) -> None:
        for path in [
            f"/v1/accounts/{creator['account']}/report?at=2024-06-30T12:00:00Z",
            f"/v1/analytics/impressions?profile={brand['profile']}&start_date=2024-01-01&end_date=2024-01-06&breakdown=true",
            f"/v1/analytics/impressions?account_ids={brand['ig']},{brand['yt']}&date=2024-01-05",
            f"/v1/profiles/{brand['profile']}/analytics",
            f"/v1/posts/{creator['p1']}/analytics",
        ]:
            r = await twice(client, alice, path)
            assert r.headers["content-type"] == "application/json"
            assert r.json()  # a whole answer, not an empty body

    async def test_etag_answers_304(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        creator: dict[str, int],  # noqa: F811
    ) -> None:
        path = f"/v1/accounts/{creator['account']}/report?at=2024-06-30T12:00:00Z"
        first = await get(client, alice, path)
        etag = first.headers["etag"]
        again = await get(client, alice, path, **{"If-None-Match": etag})
        assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
        other = await get(client, alice, path, **{"If-None-Match": '"other", W/' + etag})
        assert other.status_code == 304
        stale = await get(client, alice, path, **{"If-None-Match": '"0000"'})
        assert (stale.status_code, stale.content) == (200, first.content)

    async def test_another_query_is_another_answer(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        creator: dict[str, int],  # noqa: F811
    ) -> None:
        base = f"/v1/accounts/{creator['account']}/report?at=2024-06-30T12:00:00Z"
        await twice(client, alice, base)
        r = await get(client, alice, base + "&posts=1")
        assert r.headers[CACHE] == "miss"
        assert r.json()["posts"]["listed"] == 1

    async def test_tenancy(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        bob: Tenant,
        creator: dict[str, int],  # noqa: F811
    ) -> None:
        path = f"/v1/accounts/{creator['account']}/report"
        await twice(client, alice, path)
        r = await client.get(path, headers=bob.headers)
        assert r.status_code == 404, r.text
        r = await client.get(f"/v1/posts/{creator['p1']}/analytics", headers=bob.headers)
        assert r.status_code == 404, r.text

    async def test_bad_input_is_not_kept(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        brand: dict[str, int],  # noqa: F811
        app: Any,
    ) -> None:
        for _ in range(2):
            r = await client.get(
                f"/v1/analytics/impressions?profile={brand['profile']}&date=2024-13-01", headers=alice.headers
            )
            assert r.status_code == 400, r.text
            assert "date" in r.json()["detail"]
        async with app.state.sessions() as s:
            assert await s.scalar(select(func.count()).select_from(AnalyticsCacheEntry)) == 0

    async def test_expired_answers_are_computed_again(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        creator: dict[str, int],  # noqa: F811
        app: Any,
    ) -> None:
        path = f"/v1/accounts/{creator['account']}/report?at=2024-06-30T12:00:00Z"
        await twice(client, alice, path)
        async with app.state.sessions() as s, s.begin():
            await s.execute(update(AnalyticsCacheEntry).values(expires_at=utcnow() - timedelta(seconds=1)))
        assert (await get(client, alice, path)).headers[CACHE] == "miss"
        assert (await get(client, alice, path)).headers[CACHE] == "hit"

    def test_expiry_is_the_ttl_or_the_end_of_the_day(self) -> None:
        assert cache.expiry(at(2024, 6, 30, 12), 300) == at(2024, 6, 30, 12, 5)
        assert cache.expiry(at(2024, 6, 30, 23, 58), 300) == at(2024, 7, 1, 0)


class TestInvalidation:
    """Each write the answer read makes the next request a miss with the new numbers."""

    async def test_account_snapshot(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        creator: dict[str, int],  # noqa: F811
        app: Any,
    ) -> None:
        path = f"/v1/accounts/{creator['account']}/report?at=2024-06-30T12:00:00Z"
        before = (await twice(client, alice, path)).json()
        assert before["profile_overview"]["followers"] == 1100
        await add_account_snapshot(app, creator["account"], at(2024, 6, 30, 10), followers=1200)
        r = await get(client, alice, path)
        assert r.headers[CACHE] == "miss"
        assert r.json()["profile_overview"]["followers"] == 1200

    async def test_post_snapshot_post_edit_and_deletion(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        creator: dict[str, int],  # noqa: F811
        app: Any,
    ) -> None:
        report = f"/v1/accounts/{creator['account']}/report?at=2024-06-30T12:00:00Z"
        post = f"/v1/posts/{creator['p1']}/analytics"
        await twice(client, alice, report)
        await twice(client, alice, post)
        await add_post_snapshot(app, creator["p1"], at(2024, 6, 30, 9), likes=500, comments=10, views=9000)
        r = await get(client, alice, post)
        assert (r.headers[CACHE], r.json()["metrics"]["likes"]) == ("miss", 500)
        assert (await get(client, alice, report)).headers[CACHE] == "miss"
        assert (await get(client, alice, report)).headers[CACHE] == "hit"
        async with app.state.sessions() as s, s.begin():
            await s.execute(update(Post).where(Post.id == creator["p1"]).values(caption="Edited #new"))
        r = await get(client, alice, report)
        assert r.headers[CACHE] == "miss"
        assert "#new" in r.text

        assert (await get(client, alice, report)).headers[CACHE] == "hit"
        async with app.state.sessions() as s, s.begin():
            await s.execute(delete(Post).where(Post.id == creator["p2"]))
        r = await get(client, alice, report)
        assert r.headers[CACHE] == "miss"
        listed = r.json()["posts"]
        assert creator["p2"] not in [p["id"] for p in listed["video_posts"] + listed["non_video_posts"]]

    async def test_account_details(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        creator: dict[str, int],  # noqa: F811
        app: Any,
    ) -> None:
        path = f"/v1/accounts/{creator['account']}/report?at=2024-06-30T12:00:00Z"
        await twice(client, alice, path)
        async with app.state.sessions() as s, s.begin():
            await s.execute(
                update(Account).where(Account.id == creator["account"]).values(display_name="Renamed")
            )
        r = await get(client, alice, path)
        assert (r.headers[CACHE], r.json()["profile_details"]["full_name"]) == ("miss", "Renamed")

    async def test_refresh_failure_of_the_post(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        posted: dict[str, int],  # noqa: F811
    ) -> None:
        path = f"/v1/posts/{posted['post']}/analytics"
        assert (await twice(client, alice, path)).json()["metrics_error"] is None
        app = client._transport.app  # type: ignore[attr-defined]
        await add_refresh_item(
            app, alice, posted["post"], platform="tiktok", status="failed", error_message="video removed"
        )
        r = await get(client, alice, path)
        assert r.headers[CACHE] == "miss"
        assert r.json()["metrics_error"] == "the last refresh failed: video removed"

    async def test_profile_membership_and_name(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        brand: dict[str, int],  # noqa: F811
        app: Any,
    ) -> None:
        imp = (
            f"/v1/analytics/impressions?profile={brand['profile']}&start_date=2024-01-01&end_date=2024-01-06"
        )
        per = f"/v1/profiles/{brand['profile']}/analytics"
        total = (await twice(client, alice, imp)).json()["total_impressions"]["total"]
        await twice(client, alice, per)
        # a new account joins the profile, with views in the range
        other = (await create_account(client, alice, "youtube", "@brandtwo"))["id"]
        await add_account_snapshot(app, other, at(2024, 1, 2), views=10)
        await add_account_snapshot(app, other, at(2024, 1, 3), views=30)
        # not a member yet: its snapshots change nothing the answer read
        assert (await get(client, alice, imp)).headers[CACHE] == "hit"
        await attach(client, alice, brand["profile"], [other])
        r = await get(client, alice, imp)
        assert r.headers[CACHE] == "miss"
        assert r.json()["total_impressions"]["total"] == total + 20
        # the profile renamed
        await twice(client, alice, per)
        async with app.state.sessions() as s, s.begin():
            await s.execute(update(Profile).where(Profile.id == brand["profile"]).values(name="brand-2"))
        r = await get(client, alice, per)
        assert (r.headers[CACHE], r.json()["profile_name"]) == ("miss", "brand-2")
        # an account leaves
        await twice(client, alice, imp)
        async with app.state.sessions() as s, s.begin():
            await s.execute(update(Account).where(Account.id == other).values(profile_id=None))
        r = await get(client, alice, imp)
        assert (r.headers[CACHE], r.json()["total_impressions"]["total"]) == ("miss", total)


class TestChangeLog:
    async def test_triggers_log_every_table(self, app: Any, client: httpx.AsyncClient, alice: Tenant) -> None:
        profile = await create_profile(client, alice, "log")
        aid = int((await create_account(client, alice, "youtube", "@logged"))["id"])
        pid = await add_post(app, alice, aid, platform="youtube", social_id="v1")

        async def latest(kind: str, key: int) -> int | None:
            async with app.state.sessions() as s:
                value = await s.scalar(
                    select(func.max(AnalyticsChange.id)).where(
                        AnalyticsChange.kind == kind, AnalyticsChange.key == key
                    )
                )
                return int(value) if value is not None else None

        async def bumps(kind: str, key: int, sql: str) -> None:
            before = await latest(kind, key)
            async with app.state.sessions() as s, s.begin():
                await s.execute(text(sql))
            after = await latest(kind, key)
            assert after is not None, (kind, key, sql)
            assert before is None or after > before, (kind, key, sql)

        now = "'2024-01-01 00:00:00+00:00'"
        await bumps("account", aid, f"UPDATE accounts SET profile_id = {profile['id']} WHERE id = {aid}")
        await bumps("profile", profile["id"], f"UPDATE accounts SET category = 'x' WHERE id = {aid}")
        await bumps(
            "profile", profile["id"], f"UPDATE profiles SET name = 'log-2' WHERE id = {profile['id']}"
        )
        await bumps(
            "account",
            aid,
            "INSERT INTO account_snapshots (account_id, fetched_at, connector, api_version, extras) "
            f"VALUES ({aid}, {now}, 'sql', 'v1', '{{}}')",
        )
        await bumps("account", aid, f"DELETE FROM account_snapshots WHERE account_id = {aid}")
        for kind, key in (("post", pid), ("account", aid)):
            await bumps(
                kind,
                key,
                "INSERT INTO post_snapshots (post_id, fetched_at, connector, api_version, extras) "
                f"VALUES ({pid}, {now}, 'sql', 'v1', '{{}}')",
            )
        await bumps("account", aid, f"UPDATE posts SET caption = 'c' WHERE id = {pid}")
        await bumps("post", pid, f"UPDATE posts SET caption = 'd' WHERE id = {pid}")
        await add_refresh_item(app, alice, pid, platform="youtube", status="queued")
        await bumps("post", pid, f"UPDATE refresh_items SET status = 'failed' WHERE entity_id = {pid}")
        await bumps("account", aid, f"DELETE FROM posts WHERE id = {pid}")

    async def test_prune_keeps_the_newest_change_of_each_entity(
        self,
        app: Any,
        client: httpx.AsyncClient,
        alice: Tenant,
        creator: dict[str, int],  # noqa: F811
    ) -> None:
        await twice(client, alice, f"/v1/accounts/{creator['account']}/report")
        async with app.state.sessions() as s:
            newest = dict(
                (tuple(r[:2]), r[2])
                for r in await s.execute(
                    select(AnalyticsChange.kind, AnalyticsChange.key, func.max(AnalyticsChange.id)).group_by(
                        AnalyticsChange.kind, AnalyticsChange.key
                    )
                )
            )
            total = await s.scalar(select(func.count()).select_from(AnalyticsChange))
        assert total is not None
        assert total > len(newest)
        async with app.state.sessions() as s, s.begin():
            answers, changes = await cache.prune(s, now=utcnow() + timedelta(days=1))
        assert (answers, changes) == (1, total - len(newest))
        async with app.state.sessions() as s:
            left = {(r.kind, r.key): r.id for r in await s.scalars(select(AnalyticsChange))}
            assert await s.scalar(select(func.count()).select_from(AnalyticsCacheEntry)) == 0
        assert left == newest


async def test_ttl_zero_computes_every_answer(
    settings: Settings,
    creator: dict[str, int],  # noqa: F811
    alice: Tenant,
) -> None:
    off = create_app(
        settings.model_copy(update={"analytics_cache_ttl_s": 0}), run_workers=False, migrate=False
    )
    async with off.router.lifespan_context(off):
        transport = httpx.ASGITransport(app=off)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            path = f"/v1/accounts/{creator['account']}/report?at=2024-06-30T12:00:00Z"
            a, b = await get(c, alice, path), await get(c, alice, path)
            assert (a.headers[CACHE], b.headers[CACHE]) == ("off", "off")
            assert a.content == b.content
        async with off.state.sessions() as s:
            assert await s.scalar(select(func.count()).select_from(AnalyticsCacheEntry)) == 0


@pytest.mark.parametrize("ttl", [-1, 86_401])
def test_ttl_bounds(ttl: int, settings: Settings) -> None:
    with pytest.raises(ValueError, match="analytics_cache_ttl_s"):
        Settings(**{**settings.model_dump(), "analytics_cache_ttl_s": ttl})


@pytest.mark.parametrize("history_days", [30, 0])
async def test_the_hourly_pruner_prunes_answers_and_the_change_log(
    history_days: int,
    settings: Settings,
    app: Any,
    client: httpx.AsyncClient,
    alice: Tenant,
    creator: dict[str, int],  # noqa: F811
) -> None:
    """Also when finished refresh requests are kept forever (``refresh_history_days=0``)."""
    await twice(client, alice, f"/v1/accounts/{creator['account']}/report")
    async with app.state.sessions() as s, s.begin():
        await s.execute(update(AnalyticsCacheEntry).values(expires_at=utcnow() - timedelta(seconds=1)))
    runtime = Runtime(settings.model_copy(update={"refresh_history_days": history_days}), app.state.sessions)
    await runtime._prune()
    async with app.state.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(AnalyticsCacheEntry)) == 0
        per_entity = await s.execute(
            select(func.count())
            .select_from(AnalyticsChange)
            .group_by(AnalyticsChange.kind, AnalyticsChange.key)
        )
        assert set(per_entity.scalars()) == {1}


async def test_a_busy_sqlite_database_costs_only_the_keeping(
    app: Any,
    client: httpx.AsyncClient,
    alice: Tenant,
    creator: dict[str, int],  # noqa: F811
) -> None:
    """SQLite: while a refresh holds the write lock, an answer is still served (computed) and
    keeping it gives up after ``STORE_WAIT_MS``; once the lock is free, answers are kept again."""
    engine = app.state.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL writers do not lock the cache table")
    path = f"/v1/accounts/{creator['account']}/report?at=2024-06-30T12:00:00Z"
    async with engine.connect() as writer:
        await writer.execute(text("UPDATE profiles SET name = name"))
        r = await asyncio.wait_for(client.get(path, headers=alice.headers), 10)
        assert (r.status_code, r.headers[CACHE]) == (200, "miss")
        await writer.rollback()
    await twice(client, alice, path)


class TestServedBeforeRouting:
    """A current kept answer is served by :class:`socialpulse.analytics.kept.KeptAnswers`
    before routing: authenticated as the endpoints authenticate, for the same user only."""

    async def test_a_hit_does_not_reach_the_endpoint(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        creator: dict[str, int],  # noqa: F811
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        from socialpulse.analytics import endpoints

        path = f"/v1/accounts/{creator['account']}/report?at=2024-06-30T12:00:00Z"
        kept = await twice(client, alice, path)

        async def unreachable(*args: Any, **kwargs: Any) -> None:
            raise AssertionError("the endpoint ran for a kept answer")

        monkeypatch.setattr(endpoints, "cached_answer", unreachable)
        r = await get(client, alice, path)
        assert (r.headers[CACHE], r.content) == ("hit", kept.content)

    async def test_a_revoked_key_or_no_key_is_refused(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        creator: dict[str, int],  # noqa: F811
        app: Any,
    ) -> None:
        path = f"/v1/accounts/{creator['account']}/report?at=2024-06-30T12:00:00Z"
        await twice(client, alice, path)
        r = await client.get(path)
        assert r.status_code == 401, r.text
        assert "missing credentials" in r.json()["detail"]
        r = await client.get(path, headers={"Authorization": "Bearer sp_not-a-key"})
        assert r.status_code == 401, r.text
        async with app.state.sessions() as s, s.begin():
            user = await auth.get_user_by_email(s, alice.email)
            assert await auth.revoke_key(s, user, alice.key[:10]) == 1
        r = await client.get(path, headers=alice.headers)
        assert r.status_code == 401, r.text
        assert "revoked" in r.json()["detail"]

    async def test_a_token_of_the_same_user_is_served_the_kept_answer(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        creator: dict[str, int],  # noqa: F811
    ) -> None:
        path = f"/v1/posts/{creator['p1']}/analytics"
        kept = await twice(client, alice, path)
        r = await client.post("/v1/auth/token", data={"username": alice.email, "password": "wonderland-42"})
        token = r.json()["access_token"]
        r = await client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert (r.status_code, r.headers[CACHE], r.content) == (200, "hit", kept.content)

    async def test_bad_parameters_still_reach_the_endpoint(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        brand: dict[str, int],  # noqa: F811
    ) -> None:
        base = f"/v1/analytics/impressions?profile={brand['profile']}&date=2024-01-05"
        await twice(client, alice, base)
        await twice(client, alice, f"/v1/analytics/impressions?account_ids={brand['ig']}&date=2024-01-05")
        for query, field in [
            (f"profile={brand['profile']}&account_ids={brand['ig']}&date=2024-01-05", "profile"),
            ("account_ids=x1&date=2024-01-05", "account_ids"),
            (f"profile={brand['profile']}&date=2024-02-30", "date"),
        ]:
            r = await client.get(f"/v1/analytics/impressions?{query}", headers=alice.headers)
            assert r.status_code == 400, (query, r.text)
            assert field in r.json()["detail"], (query, r.text)
        r = await client.get("/v1/accounts/0/report", headers=alice.headers)
        assert r.status_code in (404, 422), r.text

    def test_answer_scopes_follow_the_endpoints(self) -> None:
        from starlette.requests import Request

        from socialpulse.analytics.kept import answer_scope

        def scope_of(path: str, query: str = "") -> cache.Scope | None:
            return answer_scope(
                path, Request({"type": "http", "query_string": query.encode(), "headers": []})
            )

        assert scope_of("/v1/accounts/7/report") == cache.Scope.account(7)
        assert scope_of("/v1/posts/8/analytics") == cache.Scope.post(8)
        assert scope_of("/v1/profiles/9/analytics") == cache.Scope.profile(9)
        assert scope_of("/v1/analytics/impressions", "profile=3&period=last_week") == cache.Scope.profile(3)
        assert scope_of("/v1/analytics/impressions", "account_ids=5,4&account_ids=6") == cache.Scope.accounts(
            [4, 5, 6]
        )
        for path, query in [
            ("/v1/accounts/7", ""),
            ("/v1/accounts/7/report/", ""),
            ("/v1/accounts/0/report", ""),
            ("/v1/analytics/impressions", ""),
            ("/v1/analytics/impressions", "profile=3&account_ids=4"),
            ("/v1/analytics/impressions", "profile=x"),
        ]:
            assert scope_of(path, query) is None, (path, query)
