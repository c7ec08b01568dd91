"""ugcinc's live refresh (``POST /accounts/stats/refresh``, ``POST /post/stats/refresh``) with a
working refresh engine: the in-process workers, their connectors talking to the emulator.
And without one: the wait ends at the timeout with what there is, and says so."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from socialpulse.config import Settings
from socialpulse.kit.time import utcnow
from socialpulse.models import AccountSnapshot, Post, PostSnapshot, RefreshItem, RefreshRequest
from tests.compat.live import settle
from tests.compat.test_ugcinc import ACCOUNT_STATS, POST_STATS, at, error, ok, post_json
from tests.conftest import Tenant
from tests.tracking.helpers import add_account_snapshot, add_post_snapshot, create_account, create_post

ORIGIN = "compat:ugcinc"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No worker runs in the ``app`` fixture: a short wait keeps the timeout tests short."""
    return settings.model_copy(update={"compat_refresh_timeout_s": 0.5})


async def snapshot_ids(app: Any, model: type[AccountSnapshot] | type[PostSnapshot]) -> set[int]:
    async with app.state.sessions() as s:
        return set(await s.scalars(select(model.id)))


async def ugcinc_requests(app: Any) -> list[RefreshRequest]:
    async with app.state.sessions() as s:
        return list(await s.scalars(select(RefreshRequest).where(RefreshRequest.origin == ORIGIN)))


async def add_post(app: Any, tenant: Tenant, platform: str, social_id: str) -> int:
    async with app.state.sessions() as s, s.begin():
        post = Post(user_id=tenant.user_id, platform=platform, social_id=social_id)
        s.add(post)
        await s.flush()
        return post.id


class TestRefreshAccountStats:
    async def test_document_example_answers_only_the_new_records(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant, emulator: Any
    ) -> None:
        """``refreshStats({accountIds: [...], tag: 'influencer'})``."""
        world = emulator.state.world
        yt = [c.handle for c in world.creators("youtube")[:2]]
        bsky = world.creators("bluesky")[0].handle
        a1 = (await create_account(live_client, carol, "youtube", yt[0], tags=["influencer"]))["id"]
        a2 = (await create_account(live_client, carol, "bluesky", bsky, tags=["influencer"]))["id"]
        other = (await create_account(live_client, carol, "youtube", yt[1]))["id"]
        await settle(live)  # their first refresh is done: those stats are not new
        await add_account_snapshot(live, a1, datetime(2024, 1, 1, tzinfo=UTC), followers=1)
        before = await snapshot_ids(live, AccountSnapshot)
        asked = utcnow()

        body = {"accountIds": [str(a1), str(a2), str(other)], "tag": "influencer"}
        r = await post_json(live_client, carol, "/accounts/stats/refresh", body)

        data = ok(r, ACCOUNT_STATS)
        assert sorted(s["account_id"] for s in data) == sorted([str(a1), str(a2)])
        assert not {int(s["id"]) for s in data} & before
        assert all(at(s["created_at"]) >= asked.replace(microsecond=0) for s in data)
        assert all(isinstance(s["followers"], int) for s in data)
        assert r.json()["message"].startswith("refreshed 2 of 2 accounts")
        # what getStats answers now is what the refresh created
        latest = ok(
            await post_json(live_client, carol, "/accounts/stats", {"accountIds": [str(a1), str(a2)]}),
            ACCOUNT_STATS,
        )
        assert sorted(s["id"] for s in latest) == sorted(s["id"] for s in data)
        # it went to the front of the queue
        [request] = await ugcinc_requests(live)
        assert request.params["priority"] > 0
        assert request.params["account_ids"] == [a1, a2]

    async def test_readme_example_without_tag_match_and_all_accounts(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant, emulator: Any
    ) -> None:
        """``refreshStats({accountIds: ['account-id-1', 'account-id-2'], tag: 'influencer'})`` with
        accounts of another tag refreshes nothing; ``refreshStats()`` refreshes every account."""
        handles = [c.handle for c in emulator.state.world.creators("youtube")[:2]]
        ids = [
            (await create_account(live_client, carol, "youtube", h, tags=["brand"]))["id"] for h in handles
        ]
        await settle(live)
        r = await post_json(
            live_client,
            carol,
            "/accounts/stats/refresh",
            {"accountIds": list(map(str, ids)), "tag": "influencer"},
        )
        assert ok(r, ACCOUNT_STATS) == []
        assert "nothing to refresh" in r.json()["message"]

        r = await live_client.post("/accounts/stats/refresh", headers=carol.headers)
        data = ok(r, ACCOUNT_STATS)
        assert sorted(int(s["account_id"]) for s in data) == sorted(ids)

    async def test_tiktok_and_instagram(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant, emulator: Any
    ) -> None:
        """The platforms ugcinc serves, and the failure of one named with its platform."""
        world = emulator.state.world
        tiktok = (await create_account(live_client, carol, "tiktok", world.creators("tiktok")[0].handle))[
            "id"
        ]
        insta = (
            await create_account(live_client, carol, "instagram", world.creators("instagram")[0].handle)
        )["id"]
        gone = (await create_account(live_client, carol, "tiktok", world.special("tiktok", "not_found")))[
            "id"
        ]
        await settle(live)
        r = await post_json(
            live_client, carol, "/accounts/stats/refresh", {"accountIds": [tiktok, insta, gone]}
        )
        data = ok(r, ACCOUNT_STATS)
        assert sorted(s["account_id"] for s in data) == sorted([str(tiktok), str(insta)])
        assert all(isinstance(s["followers"], int) for s in data)
        assert f"account {gone} (tiktok) failed: not_found" in r.json()["message"]

    async def test_failures_are_reported(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant, emulator: Any
    ) -> None:
        world = emulator.state.world
        good = (await create_account(live_client, carol, "youtube", world.creators("youtube")[0].handle))[
            "id"
        ]
        gone = (await create_account(live_client, carol, "youtube", world.special("youtube", "not_found")))[
            "id"
        ]
        paused = (
            await create_account(
                live_client, carol, "bluesky", world.creators("bluesky")[0].handle, paused=True
            )
        )["id"]
        await settle(live)
        body = {"accountIds": [str(good), str(gone), str(paused)]}
        r = await post_json(live_client, carol, "/accounts/stats/refresh", body)
        data = ok(r, ACCOUNT_STATS)
        assert [s["account_id"] for s in data] == [str(good)]
        message = r.json()["message"]
        assert message.startswith("refreshed 1 of 3 accounts")
        assert f"account {gone} (youtube) failed: not_found" in message
        assert "paused" in message
        assert f"{paused} (bluesky)" in message

    async def test_tenancy(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant, dave: Tenant, emulator: Any
    ) -> None:
        a = (
            await create_account(
                live_client, carol, "youtube", emulator.state.world.creators("youtube")[0].handle
            )
        )["id"]
        await settle(live)
        error(await post_json(live_client, dave, "/accounts/stats/refresh", {"accountIds": [str(a)]}), 404)
        r = await post_json(live_client, dave, "/accounts/stats/refresh")
        assert ok(r, ACCOUNT_STATS) == []
        assert await ugcinc_requests(live) == []  # nothing of Carol's was queued for Dave


class TestRefreshPostStats:
    async def test_document_examples(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant, emulator: Any
    ) -> None:
        """``refreshStats({postIds: [...]})``, then ``refreshStats()`` (every post)."""
        world = emulator.state.world
        video = world.posts(world.creators("youtube")[0], limit=1)[0].social_id
        skeet = world.posts(world.creators("bluesky")[0], limit=1)[0].social_id
        p1 = (await create_post(live_client, carol, platform="youtube", social_id=video))["id"]
        p2 = (await create_post(live_client, carol, platform="bluesky", social_id=skeet))["id"]
        await settle(live)
        await add_post_snapshot(live, p1, datetime(2024, 1, 1, tzinfo=UTC), views=1)
        before = await snapshot_ids(live, PostSnapshot)

        r = await post_json(live_client, carol, "/post/stats/refresh", {"postIds": [str(p1), str(p2)]})
        data = ok(r, POST_STATS)
        assert sorted(s["post_id"] for s in data) == sorted([str(p1), str(p2)])
        assert not {int(s["id"]) for s in data} & before
        assert isinstance(data[0]["views"], int)
        assert r.json()["message"] == "refreshed 2 of 2 posts"

        before = await snapshot_ids(live, PostSnapshot)
        r = await live_client.post("/post/stats/refresh", headers=carol.headers)
        data = ok(r, POST_STATS)
        assert sorted(s["post_id"] for s in data) == sorted([str(p1), str(p2)])
        assert not {int(s["id"]) for s in data} & before

    async def test_posts_without_social_id_and_unsupported_are_reported(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant, emulator: Any
    ) -> None:
        world = emulator.state.world
        video = world.posts(world.creators("youtube")[0], limit=1)[0].social_id
        good = (await create_post(live_client, carol, platform="youtube", social_id=video))["id"]
        await settle(live)
        blank = await add_post(live, carol, "tiktok", "")
        tweet = await add_post(live, carol, "x", "1234567890123456789")

        body = {"postIds": [str(good), str(blank), str(tweet)]}
        r = await post_json(live_client, carol, "/post/stats/refresh", body)
        data = ok(r, POST_STATS)
        assert [s["post_id"] for s in data] == [str(good)]
        message = r.json()["message"]
        assert message.startswith("refreshed 1 of 3 posts")
        assert f"1 post without a social_id cannot be fetched: {blank} (tiktok)" in message
        assert f"post {tweet} (x) failed: unsupported" in message
        async with live.state.sessions() as s:  # the post without a social_id was never queued
            queued = set(await s.scalars(select(RefreshItem.entity_id).where(RefreshItem.kind == "post")))
        assert blank not in queued

    async def test_only_posts_without_social_id(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant
    ) -> None:
        blank = await add_post(live, carol, "instagram", " ")
        r = await post_json(live_client, carol, "/post/stats/refresh", {"postIds": [str(blank)]})
        assert ok(r, POST_STATS) == []
        assert r.json()["message"] == (
            f"nothing was refreshed; 1 post without a social_id cannot be fetched: {blank} (instagram)"
        )
        assert await ugcinc_requests(live) == []

    async def test_tenancy(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant, dave: Tenant
    ) -> None:
        p = await add_post(live, carol, "youtube", "dQw4w9WgXcQ")
        error(await post_json(live_client, dave, "/post/stats/refresh", {"postIds": [str(p)]}), 404)
        r = await post_json(live_client, dave, "/post/stats/refresh")
        assert ok(r, POST_STATS) == []
        assert "nothing to refresh" in r.json()["message"]


class TestTimeout:
    """No worker runs in the ``app`` fixture: the wait ends after ``compat_refresh_timeout_s``."""

    async def test_answers_what_it_has_and_says_so(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        a = (await create_account(client, alice, "youtube", "@natgeo"))["id"]
        b = (await create_account(client, alice, "bluesky", "nasa.bsky.social"))["id"]

        async def one_arrives() -> None:
            """Stands in for a worker that has fetched one account when the wait ends."""
            while True:  # poll the database: the request is created in another task
                if await ugcinc_requests(app):
                    break
                await asyncio.sleep(0.02)
            await add_account_snapshot(app, a, utcnow(), followers=42)

        helper = asyncio.create_task(one_arrives())
        r = await asyncio.wait_for(post_json(client, alice, "/accounts/stats/refresh"), timeout=30)
        await helper

        data = ok(r, ACCOUNT_STATS)
        assert [(s["account_id"], s["followers"]) for s in data] == [(str(a), 42)]
        message = r.json()["message"]
        [request] = await ugcinc_requests(app)
        assert "stopped waiting after 0.5 s with 2 queued and 0 running" in message
        assert f"GET /v1/refresh/{request.public_id}" in message
        assert f"no new stat yet for account {b} (bluesky)" in message
        # the rest stays queued, ahead of background work
        async with app.state.sessions() as s:
            items = list(await s.scalars(select(RefreshItem).where(RefreshItem.kind == "account")))
        assert {(i.entity_id, i.status) for i in items} == {(a, "queued"), (b, "queued")}
        assert all(i.priority >= request.params["priority"] > 0 for i in items)

    async def test_posts(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        p = (await create_post(client, alice))["id"]
        r = await asyncio.wait_for(
            post_json(client, alice, "/post/stats/refresh", {"postIds": [str(p)]}), timeout=30
        )
        assert ok(r, POST_STATS) == []
        message = r.json()["message"]
        assert message.startswith("refreshed 0 of 1 post;")
        assert "stopped waiting after 0.5 s with 1 queued" in message
        assert "their stats will be in POST /post/stats" in message
