"""ylytic's data refresh end to end: the POST queues, the in-process workers fetch from the
emulator, and the GET answers pending, then the creator report (validated against the schema
written from the document) or the refresh's failure."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import jsonschema
import pytest

from tests.compat.test_ylytic import DONE, FAILED, PENDING, URL, accounts_of, error, pending
from tests.conftest import Tenant


@pytest.fixture
def live_settings() -> dict[str, Any]:
    return {"recent_posts_limit": 5, "max_attempts": 2}


async def ask(client: httpx.AsyncClient, tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    return pending(await client.post(URL, json=body, headers=tenant.headers))


async def outcome(
    client: httpx.AsyncClient, tenant: Tenant, request_id: str, timeout_s: float = 60.0
) -> dict[str, Any]:
    """Poll the GET, as a ylytic client does, until the request is no longer pending."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        r = await client.get(f"{URL}/{request_id}", headers=tenant.headers)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        if body["status"]["message"] != "pending":
            return body
        jsonschema.validate(body, PENDING)
        assert body["response"] is None
        assert loop.time() < deadline, "the refresh never finished"
        await asyncio.sleep(0.05)


async def done(client: httpx.AsyncClient, tenant: Tenant, asked: dict[str, Any]) -> dict[str, Any]:
    """Ask, wait, and check the answer against the document's schema: the report."""
    created = await ask(client, tenant, asked)
    body = await outcome(client, tenant, created["request_id"])
    jsonschema.validate(body, DONE)
    assert body["request_id"] == created["request_id"]
    assert body["request"] == asked
    assert body["status"]["request_at"] == created["status"]["request_at"]
    return body


def every_post(report: dict[str, Any]) -> list[dict[str, Any]]:
    posts: list[dict[str, Any]] = [*report["posts"]["video_posts"], *report["posts"]["non_video_posts"]]
    return posts


class TestAccounts:
    async def test_instagram_then_instagram_id(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant, emulator: Any
    ) -> None:
        creator = emulator.state.world.creators("instagram")[0]
        body = await done(live_client, carol, {"request_type": "instagram", "handle": creator.handle})
        report = body["response"]
        overview = report["profile_overview"]
        assert overview["handle"] == creator.handle.lower()
        assert isinstance(overview["followers_count"], int)
        assert overview["followers_count"] > 0
        assert isinstance(overview["ig_user_id"], str)
        assert isinstance(overview["content_per_week"], float)
        assert every_post(report)  # the recent posts came with the profile
        assert all(isinstance(p["likes_count"], int) for p in every_post(report))
        assert all(isinstance(p["views"], int) for p in report["posts"]["video_posts"])
        [(_day, value)] = report["growth_trends"]["followers_trends"][-1].items()
        assert value == {"followers": overview["followers_count"]}
        assert report["profile_details"]["full_name"]
        assert report["reach_and_engagement_details"]["posts_considered"] >= 1
        # the account is tracked for the caller: instagram_id works now
        [account] = await accounts_of(live, carol)
        assert account.platform_id == overview["ig_user_id"]
        again = await done(
            live_client, carol, {"request_type": "instagram_id", "ig_user_id": overview["ig_user_id"]}
        )
        assert again["response"]["profile_overview"]["handle"] == overview["handle"]
        assert len(await accounts_of(live, carol)) == 1

    async def test_youtube(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant, emulator: Any
    ) -> None:
        creator = emulator.state.world.creators("youtube")[0]
        body = await done(live_client, carol, {"request_type": "youtube", "channel_id": creator.platform_id})
        overview = body["response"]["profile_overview"]
        assert overview["ig_user_id"] == creator.platform_id
        assert isinstance(overview["followers_count"], int)
        assert body["response"]["profile_details"]["ig_category"] is None
        assert every_post(body["response"])

    async def test_not_found_is_a_failure_with_its_status(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant
    ) -> None:
        asked = {"request_type": "youtube", "channel_id": "UC" + "z" * 22}
        created = await ask(live_client, carol, asked)
        body = await outcome(live_client, carol, created["request_id"])
        jsonschema.validate(body, FAILED)
        assert body["status"]["code"] == 404
        assert body["status"]["message"].startswith("failed: not_found: ")
        assert body["request"] == asked

    async def test_tenancy(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant, dave: Tenant, emulator: Any
    ) -> None:
        creator = emulator.state.world.creators("youtube")[1]
        body = await done(live_client, carol, {"request_type": "youtube", "channel_id": creator.platform_id})
        r = await live_client.get(f"{URL}/{body['request_id']}", headers=dave.headers)
        error(r, 404)
        assert creator.platform_id not in r.text
        assert await accounts_of(live, dave) == []


class TestPosts:
    async def test_youtube_post_of_an_untracked_channel(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant, emulator: Any
    ) -> None:
        world = emulator.state.world
        creator = world.creators("youtube")[2]
        video = world.posts(creator, limit=1)[0]
        body = await done(live_client, carol, {"request_type": "youtube_post", "video_id": video.social_id})
        report = body["response"]
        [item] = every_post(report)
        assert item["shortcode"] == video.social_id
        assert isinstance(item["likes_count"], int)
        # the channel is not tracked: the overview holds what the post says of it
        overview = report["profile_overview"]
        assert overview["ig_user_id"] == creator.platform_id
        assert overview["followers_count"] is None
        assert report["reach_and_engagement_details"] == {}
        assert await accounts_of(live, carol) == []

    async def test_post_with_its_account_overview(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant, emulator: Any
    ) -> None:
        """``instagram_post`` of an account already requested: the post and its account's overview."""
        world = emulator.state.world
        creator = world.creators("instagram")[1]
        account = await done(live_client, carol, {"request_type": "instagram", "handle": creator.handle})
        shortcode = every_post(account["response"])[0]["shortcode"]
        body = await done(live_client, carol, {"request_type": "instagram_post", "shortcode": shortcode})
        report = body["response"]
        [item] = every_post(report)
        assert item["shortcode"] == shortcode
        overview = report["profile_overview"]
        assert overview["handle"] == creator.handle.lower()
        assert isinstance(overview["followers_count"], int)

    async def test_youtube_post_not_found(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant
    ) -> None:
        created = await ask(live_client, carol, {"request_type": "youtube_post", "video_id": "zzzzzzzzzzz"})
        body = await outcome(live_client, carol, created["request_id"])
        jsonschema.validate(body, FAILED)
        assert body["status"]["code"] == 404

    async def test_instagram_post_of_an_unknown_author(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant, emulator: Any
    ) -> None:
        """Instagram reads a post through its author's username, which a shortcode alone does
        not give: the refresh fails, and says so."""
        world = emulator.state.world
        post = world.posts(world.creators("instagram")[2], limit=1)[0]
        created = await ask(
            live_client, carol, {"request_type": "instagram_post", "shortcode": post.social_id}
        )
        body = await outcome(live_client, carol, created["request_id"])
        jsonschema.validate(body, FAILED)
        assert body["status"]["code"] == 422
        assert body["status"]["message"].startswith("failed: author_unknown: ")
