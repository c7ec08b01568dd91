"""The worker over an in-memory connector: what an account and a post refresh write, how
errors end, and how batches form across requests."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from socialpulse.config import Settings
from socialpulse.db.engine import transaction
from socialpulse.kit.time import utcnow
from socialpulse.models import Account, AccountSnapshot, Post, PostSnapshot, RefreshItem, WorkerHeartbeat
from socialpulse.platforms.base import (
    AuthExpired,
    NotFound,
    Private,
    QuotaExceeded,
    RateLimited,
    Suspended,
    TransientError,
)
from socialpulse.refresh import queue
from socialpulse.refresh.apply import Batch, post_interval, refresh_posts
from socialpulse.refresh.runtime import Runtime
from socialpulse.refresh.service import refresh_service
from socialpulse.refresh.worker import Worker
from tests.conftest import Tenant
from tests.refresh.conftest import (
    Sessions,
    add_accounts,
    add_posts,
    drain,
    items,
    request_row,
    snapshot_counts,
)
from tests.refresh.fakes import FakeConnector, FakeRegistry, listed


async def ask(sessions: Sessions, user: Tenant, **kw: object) -> str:
    async with transaction(sessions) as s:
        r = await refresh_service.create_request(s, user_id=user.user_id, **kw)  # type: ignore[arg-type]
        return r.public_id


async def account(sessions: Sessions, id_: int) -> Account:
    async with sessions() as s:
        row = await s.get(Account, id_)
        assert row is not None
        return row


class TestAccountRefresh:
    async def test_writes_the_profile_a_snapshot_and_the_listed_posts(
        self, sessions: Sessions, user: Tenant, worker: Worker, connector: FakeConnector, settings: Settings
    ) -> None:
        profile = connector.add_account("alpha", posts=3, followers=1234)
        profile.following = None  # not reported: stays None, never 0
        profile.extras = {"hidden_subscribers": False}
        connector.listings["alpha"] = [
            listed("v1", has_metrics=True),
            listed("v2", has_metrics=False),
            listed("v3", has_metrics=False),
        ]
        [aid] = await add_accounts(sessions, user.user_id, ["alpha"], details={"note": "kept"})
        [known] = await add_posts(sessions, user.user_id, ["v3"])  # tracked by the user already
        rid = await ask(sessions, user, account_ids=[aid])

        await drain(worker)

        a = await account(sessions, aid)
        assert (a.platform_id, a.display_name, a.url, a.status) == (
            "id-alpha",
            "Alpha",
            "https://example.com/@alpha",
            "active",
        )
        assert a.details == {"note": "kept", "uploads": "UUalpha"}
        assert a.last_refreshed_at is not None
        assert a.next_refresh_at is not None
        assert a.next_refresh_at - a.last_refreshed_at == timedelta(seconds=settings.account_refresh_s)
        async with sessions() as s:
            [snap] = (await s.scalars(select(AccountSnapshot))).all()
            assert (snap.account_id, snap.followers, snap.following, snap.posts) == (aid, 1234, None, 3)
            assert (snap.connector, snap.api_version, snap.extras) == (
                "fake-youtube",
                "test-1",
                {"hidden_subscribers": False},
            )
            posts = {p.social_id: p for p in (await s.scalars(select(Post))).all()}
            assert set(posts) == {"v1", "v2", "v3"}
            assert not posts["v1"].tracked
            assert not posts["v2"].tracked
            assert posts["v3"].tracked
            assert all(p.account_id == aid for p in posts.values())
            assert posts["v1"].caption == "listed v1"
            assert posts["v1"].type == "video"
            # v1 came with metrics; v2 and v3 were fetched afterwards by post items of the same request
            snaps = {p.post_id: p for p in (await s.scalars(select(PostSnapshot))).all()}
        assert set(snaps) == {posts["v1"].id}
        assert connector.count("list_posts") == 1
        name, keys = connector.calls[-1]
        assert (name, sorted(keys)) == ("fetch_posts", ["v2", "v3"])
        post_items = await items(sessions, kind="post")
        assert sorted(i.entity_id for i in post_items) == sorted([posts["v2"].id, known])
        assert {i.status for i in post_items} == {"failed"}  # the fake knows no v2/v3 metrics
        req = await request_row(sessions, rid)
        assert (req.total, req.succeeded, req.failed, req.status) == (3, 1, 2, "partial")

    async def test_follow_up_posts_are_fetched_in_the_same_request(
        self, sessions: Sessions, user: Tenant, worker: Worker, connector: FakeConnector
    ) -> None:
        connector.add_account("alpha", posts=2)
        connector.listings["alpha"] = [listed("v1", has_metrics=False), listed("v2", has_metrics=False)]
        connector.add_post("v1", views=11)
        connector.add_post("v2", views=22)
        [aid] = await add_accounts(sessions, user.user_id, ["alpha"])
        [_hi] = await add_accounts(sessions, user.user_id, ["beta"])
        rid = await ask(sessions, user, account_ids=[aid], priority=10)

        await drain(worker)

        req = await request_row(sessions, rid)
        assert (req.total, req.succeeded, req.failed, req.status) == (3, 3, 0, "succeeded")
        assert {i.priority for i in await items(sessions)} == {10}
        async with sessions() as s:
            views = dict(
                (await s.execute(select(Post.social_id, PostSnapshot.views).join(PostSnapshot))).all()
            )
        assert views == {"v1": 11, "v2": 22}

    async def test_follow_ups_serve_each_accounts_own_requests(
        self, sessions: Sessions, user: Tenant, worker: Worker, connector: FakeConnector
    ) -> None:
        for handle in ("alpha", "beta"):
            connector.add_account(handle, posts=1)
            connector.listings[handle] = [listed(f"{handle}-v", has_metrics=False)]
        alpha, beta = await add_accounts(sessions, user.user_id, ["alpha", "beta"])
        low = await ask(sessions, user, account_ids=[alpha])
        high = await ask(sessions, user, account_ids=[beta], priority=10)
        both = await ask(sessions, user, account_ids=[alpha, beta])
        await worker.run_once()  # one batch holds both accounts
        assert connector.count("fetch_profiles") == 1
        async with sessions() as s:
            post_ids = dict((await s.execute(select(Post.social_id, Post.id))).all())
        follow = {i.entity_id: i.priority for i in await items(sessions, kind="post")}
        assert follow == {post_ids["alpha-v"]: 0, post_ids["beta-v"]: 10}
        totals = {rid: (await request_row(sessions, rid)).total for rid in (low, high, both)}
        assert totals == {low: 2, high: 2, both: 4}

    async def test_posts_refreshed_in_this_round_are_not_fetched_again(
        self, sessions: Sessions, user: Tenant, worker: Worker, connector: FakeConnector
    ) -> None:
        connector.add_account("alpha", posts=1)
        connector.listings["alpha"] = [listed("v1", has_metrics=False)]
        connector.add_post("v1", views=11)
        [aid] = await add_accounts(sessions, user.user_id, ["alpha"])
        [pid] = await add_posts(sessions, user.user_id, ["v1"], account_id=aid)
        await ask(sessions, user)  # everything: the post and the account
        # the post is served first (as if its group came first), then the account
        batch = Batch(worker.settings, worker.sessions, worker.registry, worker.worker_id)
        claimed = await queue.claim(
            sessions, worker.worker_id, platform="youtube", kind="post", limit=9, lease_s=60
        )
        await refresh_posts(batch, claimed)
        await drain(worker)
        assert connector.count("fetch_posts") == 1
        assert await snapshot_counts(sessions, "post") == {pid: 1}

    async def test_no_listing_when_the_post_count_is_unchanged(
        self, sessions: Sessions, user: Tenant, worker: Worker, connector: FakeConnector
    ) -> None:
        connector.add_account("alpha", posts=3)
        [aid] = await add_accounts(sessions, user.user_id, ["alpha"])
        await ask(sessions, user, account_ids=[aid])
        await drain(worker)
        assert connector.count("list_posts") == 1  # first time: always
        await ask(sessions, user, account_ids=[aid])
        await drain(worker)
        assert connector.count("list_posts") == 1  # still 3 posts
        connector.add_account("alpha", posts=4)
        await ask(sessions, user, account_ids=[aid])
        await drain(worker)
        assert connector.count("list_posts") == 2
        assert await snapshot_counts(sessions) == {aid: 3}

    async def test_listings_run_concurrently_across_the_batch(
        self, sessions: Sessions, user: Tenant, settings: Settings
    ) -> None:
        connector = FakeConnector(delay=0.2)
        handles = [f"h{n}" for n in range(10)]
        for h in handles:
            connector.add_account(h)
        ids = await add_accounts(sessions, user.user_id, handles)
        await ask(sessions, user, account_ids=ids)
        in_flight = 0
        peak = 0
        original = connector.list_posts

        async def counting(*a: object, **kw: object) -> object:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            try:
                return await original(*a, **kw)  # type: ignore[arg-type]
            finally:
                in_flight -= 1

        connector.list_posts = counting  # type: ignore[method-assign]
        await drain(Worker(settings, sessions, FakeRegistry(connector), worker_id="w"))
        assert peak == 10


class TestBatching:
    async def test_a_thousand_single_post_requests_are_claimed_in_connector_batches(
        self, sessions: Sessions, user: Tenant, worker: Worker, connector: FakeConnector
    ) -> None:
        n = 1000
        social_ids = [f"p{i}" for i in range(n)]
        for sid in social_ids:
            connector.add_post(sid)
        ids = await add_posts(sessions, user.user_id, social_ids)
        request_ids = []
        async with transaction(sessions) as s:
            for pid in ids:
                r = await refresh_service.create_request(s, user_id=user.user_id, post_ids=[pid])
                request_ids.append(r.public_id)
        assert await drain(worker) == n
        batch = connector.limits.post_batch
        assert connector.count("fetch_posts") == math.ceil(n / batch)
        assert all(len(keys) == batch for _, keys in connector.calls)
        assert await snapshot_counts(sessions, "post") == {pid: 1 for pid in ids}
        for rid in request_ids[:: n // 10]:
            req = await request_row(sessions, rid)
            assert (req.status, req.succeeded) == ("succeeded", 1)


class TestErrors:
    async def test_retries_with_backoff_then_success(
        self, sessions: Sessions, user: Tenant, worker: Worker, connector: FakeConnector
    ) -> None:
        connector.add_post("v1", views=5)
        [pid] = await add_posts(sessions, user.user_id, ["v1"])
        rid = await ask(sessions, user, post_ids=[pid])
        connector.fail_next = [TransientError("youtube answered HTTP 503"), TransientError("timeout")]
        await worker.run_once()
        [item] = await items(sessions)
        assert (item.status, item.attempts, item.error_code, item.error_message) == (
            "queued",
            1,
            "transient",
            "youtube answered HTTP 503",
        )
        await drain(worker)
        [item] = await items(sessions)
        assert (item.status, item.attempts, item.error_code) == ("succeeded", 3, None)
        assert await snapshot_counts(sessions, "post") == {pid: 1}
        assert (await request_row(sessions, rid)).status == "succeeded"

    async def test_backoff_waits(
        self,
        sessions: Sessions,
        user: Tenant,
        settings: Settings,
        registry: FakeRegistry,
        connector: FakeConnector,
    ) -> None:
        slow = Worker(settings.model_copy(update={"retry_base_s": 60.0}), sessions, registry, worker_id="w")
        [pid] = await add_posts(sessions, user.user_id, ["v1"])
        await ask(sessions, user, post_ids=[pid])
        connector.fail_next = [TransientError("503")]
        before = utcnow()
        await slow.run_once()
        [item] = await items(sessions)
        assert item.status == "queued"
        assert before + timedelta(seconds=30) <= item.run_after <= utcnow() + timedelta(seconds=60)
        assert await slow.run_once() == 0  # not due yet

    async def test_transient_errors_fail_when_attempts_run_out(
        self, sessions: Sessions, user: Tenant, worker: Worker, connector: FakeConnector, settings: Settings
    ) -> None:
        [pid] = await add_posts(sessions, user.user_id, ["v1"])
        rid = await ask(sessions, user, post_ids=[pid], max_attempts=3)
        connector.fail_next = [TransientError("503")] * 5
        await drain(worker)
        [item] = await items(sessions)
        assert (item.status, item.attempts, item.error_code) == ("failed", 3, "transient")
        assert connector.count("fetch_posts") == 3
        req = await request_row(sessions, rid)
        assert (req.status, req.failed) == ("failed", 1)

    async def test_rate_limits_are_honoured(
        self, sessions: Sessions, user: Tenant, worker: Worker, connector: FakeConnector
    ) -> None:
        [pid] = await add_posts(sessions, user.user_id, ["v1"])
        [aid] = await add_accounts(sessions, user.user_id, ["alpha"])
        await ask(sessions, user, post_ids=[pid], account_ids=[aid])
        connector.fail_next = [RateLimited("slow down", retry_after=600)]
        before = utcnow()
        await worker.run_once()
        retried = [i for i in await items(sessions) if i.error_code == "rate_limited"]
        assert len(retried) == 1
        assert retried[0].status == "queued"
        assert before + timedelta(seconds=600) <= retried[0].run_after <= utcnow() + timedelta(seconds=600)
        # the whole platform waits in this process, not just the item
        assert worker.pauses.active() == {"youtube"}
        assert await worker.run_once() == 0
        assert len(connector.calls) == 1

    @pytest.mark.parametrize(
        ("error", "status", "code"),
        [
            (NotFound("channel not found"), "not_found", "not_found"),
            (Private("private"), "private", "private"),
            (Suspended("terminated"), "suspended", "suspended"),
        ],
    )
    async def test_missing_private_and_suspended_accounts_fail_once(
        self,
        sessions: Sessions,
        user: Tenant,
        worker: Worker,
        connector: FakeConnector,
        error: Exception,
        status: str,
        code: str,
    ) -> None:
        connector.add_account("fine")
        connector.profiles["gone"] = error  # type: ignore[assignment]
        fine, gone = await add_accounts(sessions, user.user_id, ["fine", "gone"])
        rid = await ask(sessions, user, account_ids=[fine, gone])
        await drain(worker)
        assert connector.count("fetch_profiles") == 1
        failed = [i for i in await items(sessions) if i.entity_id == gone]
        assert [(i.status, i.attempts, i.error_code, i.error_message) for i in failed] == [
            ("failed", 1, code, str(error))
        ]
        a = await account(sessions, gone)
        assert a.status == status
        assert a.status_detail
        assert "youtube" in a.status_detail
        assert a.next_refresh_at is not None  # the scheduler does not come back every tick
        assert (await account(sessions, fine)).status == "active"
        req = await request_row(sessions, rid)
        assert (req.status, req.succeeded, req.failed) == ("partial", 1, 1)
        # found again later: back to active
        connector.add_account("gone")
        await ask(sessions, user, account_ids=[gone])
        await drain(worker)
        a = await account(sessions, gone)
        assert (a.status, a.status_detail) == ("active", None)

    async def test_expired_credentials_mark_the_accounts(
        self, sessions: Sessions, user: Tenant, worker: Worker, connector: FakeConnector
    ) -> None:
        ids = await add_accounts(sessions, user.user_id, ["a", "b"])
        await ask(sessions, user, account_ids=ids)
        connector.fail_next = [AuthExpired("API key not valid", setting="SOCIALPULSE_YOUTUBE_API_KEY")]
        await drain(worker)
        assert connector.count("fetch_profiles") == 1
        assert {(i.status, i.attempts, i.error_code) for i in await items(sessions)} == {
            ("failed", 1, "auth_error")
        }
        for aid in ids:
            a = await account(sessions, aid)
            assert a.status == "auth_error"
            assert a.status_detail is not None
            assert "SOCIALPULSE_YOUTUBE_API_KEY" in a.status_detail

    async def test_a_spent_quota_fails_the_batch_saying_when_it_resets(
        self, sessions: Sessions, user: Tenant, worker: Worker, connector: FakeConnector
    ) -> None:
        resets = (utcnow() + timedelta(hours=5)).replace(microsecond=0)
        ids = await add_posts(sessions, user.user_id, ["v1", "v2"])
        rid = await ask(sessions, user, post_ids=ids)
        connector.fail_next = [QuotaExceeded("youtube daily quota is spent", resets_at=resets)]
        await drain(worker)
        rows = await items(sessions)
        assert {(i.status, i.attempts, i.error_code) for i in rows} == {("failed", 1, "quota_exceeded")}
        assert all(resets.isoformat().replace("+00:00", "Z") in (i.error_message or "") for i in rows)
        assert worker.pauses.active() == {"youtube"}
        assert (await request_row(sessions, rid)).status == "failed"

    async def test_a_platform_without_connector_fails_its_items(
        self, sessions: Sessions, user: Tenant, worker: Worker
    ) -> None:
        [aid] = await add_accounts(sessions, user.user_id, ["insta"], platform="instagram")
        rid = await ask(sessions, user, account_ids=[aid])
        await drain(worker)
        [item] = await items(sessions)
        assert (item.status, item.error_code) == ("failed", "unsupported")
        assert "instagram" in (item.error_message or "")
        assert (await account(sessions, aid)).status == "active"
        assert (await request_row(sessions, rid)).status == "failed"

    async def test_a_missing_post(
        self, sessions: Sessions, user: Tenant, worker: Worker, connector: FakeConnector, settings: Settings
    ) -> None:
        [pid] = await add_posts(sessions, user.user_id, ["deleted"])
        await ask(sessions, user, post_ids=[pid])
        await drain(worker)
        [item] = await items(sessions)
        assert (item.status, item.attempts, item.error_code) == ("failed", 1, "not_found")
        async with sessions() as s:
            post = await s.get(Post, pid)
            assert post is not None
            assert post.status == "not_found"
            assert post.status_detail

    async def test_an_entity_deleted_meanwhile(
        self, sessions: Sessions, user: Tenant, worker: Worker, connector: FakeConnector
    ) -> None:
        [pid] = await add_posts(sessions, user.user_id, ["v1"])
        await ask(sessions, user, post_ids=[pid])
        async with transaction(sessions) as s:
            post = await s.get(Post, pid)
            await s.delete(post)
        await drain(worker)
        [item] = await items(sessions)
        assert (item.status, item.error_code) == ("failed", "deleted")
        assert connector.calls == []

    async def test_a_worker_that_lost_its_lease_writes_nothing(
        self, sessions: Sessions, user: Tenant, worker: Worker, connector: FakeConnector
    ) -> None:
        connector.add_post("v1")
        [pid] = await add_posts(sessions, user.user_id, ["v1"])
        await ask(sessions, user, post_ids=[pid])
        claimed = await queue.claim(
            sessions, worker.worker_id, platform="youtube", kind="post", limit=9, lease_s=1
        )
        async with transaction(sessions) as s:  # the lease expires and another worker takes over
            await queue.reap(s, now=utcnow() + timedelta(seconds=5))
        other = Worker(worker.settings, sessions, worker.registry, worker_id="other")
        assert await other.run_once() == 1
        assert await refresh_posts(worker.batch, claimed) == []  # the first worker finishes late
        assert await snapshot_counts(sessions, "post") == {pid: 1}


class TestPostRefresh:
    async def test_writes_a_snapshot_and_schedules_by_age(
        self, sessions: Sessions, user: Tenant, worker: Worker, connector: FakeConnector, settings: Settings
    ) -> None:
        ages = {"young": timedelta(hours=2), "week": timedelta(days=3), "old": timedelta(days=400)}
        for sid, age in ages.items():
            connector.add_post(sid, age=age, views=7)
        connector.posts["young"].views = None  # not reported
        ids = await add_posts(sessions, user.user_id, list(ages))
        await ask(sessions, user, post_ids=ids)
        await drain(worker)
        async with sessions() as s:
            posts = {p.social_id: p for p in (await s.scalars(select(Post))).all()}
            snaps = {p.post_id: p for p in (await s.scalars(select(PostSnapshot))).all()}
        assert snaps[posts["young"].id].views is None
        assert snaps[posts["week"].id].views == 7
        expected = {
            "young": settings.post_refresh_under_1d_s,
            "week": settings.post_refresh_under_7d_s,
            "old": settings.post_refresh_older_s,
        }
        for sid, seconds in expected.items():
            p = posts[sid]
            assert p.caption == f"caption of {sid}"
            assert p.status == "active"
            assert p.next_refresh_at is not None
            assert p.last_refreshed_at is not None
            assert p.next_refresh_at - p.last_refreshed_at == timedelta(seconds=seconds)

    async def test_caption_text_features(
        self, sessions: Sessions, user: Tenant, worker: Worker, connector: FakeConnector
    ) -> None:
        data = connector.add_post("v1")
        data.caption = "New drop #ad with @brandco, more at https://shop.example/x #Summer"
        data.author_handle = "alpha"
        [pid] = await add_posts(sessions, user.user_id, ["v1"])
        await ask(sessions, user, post_ids=[pid])
        await drain(worker)
        async with sessions() as s:
            post = await s.get(Post, pid)
        assert post is not None
        assert post.hashtags == ["#ad", "#Summer"]
        assert post.mentions == ["@brandco"]
        assert post.links == ["https://shop.example/x"]
        assert post.sponsored is True

    def test_cadence_by_age(self, settings: Settings) -> None:
        now = utcnow()
        got = [
            post_interval(settings, now - timedelta(days=d), now).total_seconds() for d in (0, 2, 10, 60, 100)
        ]
        assert got == [
            settings.post_refresh_under_1d_s,
            settings.post_refresh_under_7d_s,
            settings.post_refresh_under_30d_s,
            settings.post_refresh_under_90d_s,
            settings.post_refresh_older_s,
        ]


class TestRuntime:
    async def test_runs_workers_and_stops_cleanly(
        self,
        sessions: Sessions,
        user: Tenant,
        settings: Settings,
        registry: FakeRegistry,
        connector: FakeConnector,
    ) -> None:
        for n in range(120):
            connector.add_post(f"p{n}")
        ids = await add_posts(sessions, user.user_id, [f"p{n}" for n in range(120)])
        rid = await ask(sessions, user, post_ids=ids)
        runtime = Runtime(settings.model_copy(update={"worker_concurrency": 3}), sessions, registry=registry)
        await runtime.start()
        try:
            status = await refresh_service.wait_for(sessions, rid, timeout_s=60)
            async with sessions() as s:
                beats = (await s.scalars(select(WorkerHeartbeat.worker_id))).all()
        finally:
            await runtime.stop()
        assert status.finished
        assert (status.status, status.succeeded) == ("succeeded", 120)
        assert beats == [runtime.worker_id]
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(WorkerHeartbeat)) == 0

    async def test_stopping_puts_unfinished_items_back(
        self, sessions: Sessions, user: Tenant, settings: Settings
    ) -> None:
        connector = FakeConnector(delay=30)
        connector.add_post("v1")
        [pid] = await add_posts(sessions, user.user_id, ["v1"])
        await ask(sessions, user, post_ids=[pid])
        runtime = Runtime(settings, sessions, registry=FakeRegistry(connector), stop_grace_s=0.1)
        await runtime.start()
        for _ in range(200):
            if connector.calls:
                break
            await __import__("asyncio").sleep(0.02)
        assert connector.calls, "the worker never called the connector"
        await runtime.stop()
        [item] = await items(sessions)
        assert (item.status, item.attempts, item.worker_id) == ("queued", 0, None)
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(RefreshItem)) == 1
