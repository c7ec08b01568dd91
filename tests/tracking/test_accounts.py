from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from socialpulse.models import AccountSnapshot, AccountTag, Post, PostSnapshot
from tests.conftest import Tenant
from tests.tracking.helpers import (
    add_account_snapshot,
    add_post_snapshot,
    all_pages,
    create_account,
    create_post,
    create_profile,
    fields,
    problem,
    queued,
)

ACCOUNT_KEYS = {
    "id",
    "platform",
    "handle",
    "platform_id",
    "url",
    "display_name",
    "biography",
    "avatar_url",
    "website",
    "category",
    "location",
    "profile_id",
    "tags",
    "org_group",
    "user_group",
    "is_competitor",
    "refresh_interval_s",
    "paused",
    "status",
    "status_detail",
    "last_refreshed_at",
    "next_refresh_at",
    "created_at",
    "latest",
}


class TestCreateAccount:
    async def test_from_platform_and_handle(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        profile = await create_profile(client, alice, "nat")
        r = await client.post(
            "/v1/accounts",
            json={
                "platform": "YouTube",
                "handle": "@NatGeo",
                "profile_id": profile["id"],
                "tags": ["nature", " travel ", "nature"],
                "org_group": "media",
                "user_group": "team-a",
                "is_competitor": True,
                "refresh_interval_s": 7200,
            },
            headers=alice.headers,
        )
        assert r.status_code == 201, r.text
        a = r.json()
        assert set(a) == ACCOUNT_KEYS
        assert (a["platform"], a["handle"]) == ("youtube", "natgeo")
        assert a["url"] == "https://www.youtube.com/@natgeo"
        assert a["tags"] == ["nature", "travel"]
        assert (a["org_group"], a["user_group"], a["is_competitor"]) == ("media", "team-a", True)
        assert a["refresh_interval_s"] == 7200
        assert (a["paused"], a["status"]) == (False, "active")
        assert a["next_refresh_at"] is not None
        assert a["profile_id"] == profile["id"]
        assert a["latest"] is None

    async def test_from_profile_url(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        r = await client.post(
            "/v1/accounts", json={"url": "https://www.tiktok.com/@Some.User?lang=en"}, headers=alice.headers
        )
        assert r.status_code == 201, r.text
        assert (r.json()["platform"], r.json()["handle"]) == ("tiktok", "some.user")

    async def test_url_with_its_platform(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        r = await client.post(
            "/v1/accounts", json={"platform": "twitter", "url": "https://x.com/NASA"}, headers=alice.headers
        )
        assert r.status_code == 201, r.text
        assert (r.json()["platform"], r.json()["handle"]) == ("x", "nasa")

    async def test_from_channel_id_keeps_platform_id(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        a = await create_account(client, alice, "youtube", "UCuAXFkgsw1L7xaCfnd5JJOw")
        assert a["platform_id"] == "UCuAXFkgsw1L7xaCfnd5JJOw"

    async def test_paused_is_created_paused(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        a = await create_account(client, alice, paused=True)
        assert (a["paused"], a["status"], a["next_refresh_at"]) == (True, "paused", None)
        assert await queued(app, "account") == []

    async def test_first_refresh_is_queued(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        a = await create_account(client, alice)
        assert await queued(app, "account") == [(a["id"], alice.user_id)]

    async def test_duplicate_handle_is_409_with_existing_id(
        self, client: httpx.AsyncClient, alice: Tenant
    ) -> None:
        a = await create_account(client, alice, "x", "@NASA")
        for payload in ({"platform": "twitter", "handle": "nasa"}, {"url": "https://twitter.com/NASA"}):
            body = problem(await client.post("/v1/accounts", json=payload, headers=alice.headers), 409)
            assert body["existing_id"] == a["id"]
            assert f"account {a['id']}" in body["detail"]

    async def test_duplicate_platform_id_is_409(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        a = await create_account(client, alice, "youtube", "@mrbeast")
        async with app.state.sessions() as s, s.begin():
            from socialpulse.models import Account

            acc = await s.get(Account, a["id"])
            assert acc is not None
            acc.platform_id = "UCX6OQ3DkcsbYNE6H8uQQuVA"
        body = problem(
            await client.post(
                "/v1/accounts",
                json={"platform": "youtube", "handle": "UCX6OQ3DkcsbYNE6H8uQQuVA"},
                headers=alice.headers,
            ),
            409,
        )
        assert body["existing_id"] == a["id"]

    async def test_same_handle_for_another_user_is_fine(
        self, client: httpx.AsyncClient, alice: Tenant, bob: Tenant
    ) -> None:
        a = await create_account(client, alice)
        b = await create_account(client, bob)
        assert a["id"] != b["id"]

    async def test_another_users_profile_is_404(
        self, client: httpx.AsyncClient, alice: Tenant, bob: Tenant
    ) -> None:
        p = await create_profile(client, alice, "mine")
        body = problem(
            await client.post(
                "/v1/accounts",
                json={"platform": "x", "handle": "a", "profile_id": p["id"]},
                headers=bob.headers,
            ),
            404,
        )
        assert body["detail"] == f"profile {p['id']} not found"

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"platform": "myspace", "handle": "tom"}, "platform"),
            ({"platform": "youtube", "handle": "has space"}, "handle"),
            ({"url": "https://example.com/someone"}, "url"),
            ({"platform": "x", "handle": "a", "refresh_interval_s": 60}, "refresh_interval_s"),
            ({"platform": "x", "handle": "a", "tags": [""]}, "tags.0"),
            ({"platform": "x", "handle": "a", "tags": ["x" * 101]}, "tags.0"),
            ({"platform": "x", "handle": "a", "org_group": " "}, "org_group"),
            ({"platform": "x", "handle": "a", "is_competitor": "maybe"}, "is_competitor"),
            ({"platform": "x", "handle": "a", "paused": None}, "paused"),
            ({"platform": "x", "handle": "a", "profile_id": "p"}, "profile_id"),
            ({"platform": "x", "handle": "a", "colour": "red"}, "colour"),
            ({"platform": "youtube", "url": "https://x.com/nasa"}, "url"),
        ],
    )
    async def test_bad_input_names_the_field(
        self, client: httpx.AsyncClient, alice: Tenant, payload: dict[str, Any], field: str
    ) -> None:
        body = problem(await client.post("/v1/accounts", json=payload, headers=alice.headers), 422)
        assert field in fields(body), body
        assert body["detail"]

    @pytest.mark.parametrize(
        ("payload", "words"),
        [
            ({}, "'platform' and 'handle'"),
            ({"platform": "x"}, "missing: handle"),
            ({"handle": "nasa"}, "missing: platform"),
            ({"url": "https://x.com/nasa", "handle": "nasa"}, "not both"),
        ],
    )
    async def test_identity_must_be_handle_or_url(
        self, client: httpx.AsyncClient, alice: Tenant, payload: dict[str, Any], words: str
    ) -> None:
        body = problem(await client.post("/v1/accounts", json=payload, headers=alice.headers), 422)
        assert words in body["detail"]

    async def test_not_json(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        problem(await client.post("/v1/accounts", content=b"nope", headers=alice.headers), 422)


class TestListAccounts:
    async def _seed(self, client: httpx.AsyncClient, alice: Tenant) -> dict[str, dict[str, Any]]:
        p = await create_profile(client, alice, "brand")
        return {
            "yt": await create_account(
                client, alice, "youtube", "@one", tags=["a", "b"], org_group="org1", profile_id=p["id"]
            ),
            "x": await create_account(
                client, alice, "x", "two", tags=["b"], user_group="ug", is_competitor=True
            ),
            "tt": await create_account(client, alice, "tiktok", "three", paused=True, org_group="org1"),
        }

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({}, ["yt", "x", "tt"]),
            ({"platform": "youtube"}, ["yt"]),
            ({"platform": "Twitter"}, ["x"]),
            ({"tag": "b"}, ["yt", "x"]),
            ({"tag": "a"}, ["yt"]),
            ({"org_group": "org1"}, ["yt", "tt"]),
            ({"user_group": "ug"}, ["x"]),
            ({"is_competitor": "true"}, ["x"]),
            ({"is_competitor": "false"}, ["yt", "tt"]),
            ({"status": "paused"}, ["tt"]),
            ({"status": "active"}, ["yt", "x"]),
            ({"tag": "b", "platform": "x"}, ["x"]),
            ({"tag": "zzz"}, []),
        ],
    )
    async def test_filters(
        self, client: httpx.AsyncClient, alice: Tenant, params: dict[str, Any], expected: list[str]
    ) -> None:
        seeded = await self._seed(client, alice)
        items = await all_pages(client, alice, "/v1/accounts", **params)
        assert [i["id"] for i in items] == [seeded[k]["id"] for k in expected]

    async def test_profile_filter(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        seeded = await self._seed(client, alice)
        items = await all_pages(client, alice, "/v1/accounts", profile=seeded["yt"]["profile_id"])
        assert [i["id"] for i in items] == [seeded["yt"]["id"]]

    async def test_pagination_across_pages(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        ids = [(await create_account(client, alice, "x", f"user{i}"))["id"] for i in range(7)]
        r = await client.get("/v1/accounts", params={"limit": 3}, headers=alice.headers)
        page = r.json()
        assert [i["id"] for i in page["items"]] == ids[:3]
        r = await client.get(
            "/v1/accounts", params={"limit": 3, "cursor": page["next_cursor"]}, headers=alice.headers
        )
        assert [i["id"] for i in r.json()["items"]] == ids[3:6]
        assert [i["id"] for i in await all_pages(client, alice, "/v1/accounts", limit=3)] == ids
        # exactly one page: no cursor
        r = await client.get("/v1/accounts", params={"limit": 7}, headers=alice.headers)
        assert r.json()["next_cursor"] is None

    async def test_default_limit_is_50(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        for i in range(51):
            await create_account(client, alice, "x", f"u{i}")
        r = await client.get("/v1/accounts", headers=alice.headers)
        assert len(r.json()["items"]) == 50
        assert r.json()["next_cursor"]

    async def test_latest_counters_in_list(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        a = await create_account(client, alice, "x", "one")
        b = await create_account(client, alice, "x", "two")
        t0 = datetime(2024, 5, 1, 12, tzinfo=UTC)
        await add_account_snapshot(app, a["id"], t0, followers=10)
        await add_account_snapshot(app, a["id"], t0 + timedelta(hours=1), followers=12, following=3)
        await add_account_snapshot(app, a["id"], t0 - timedelta(days=1), followers=1)
        items = {i["id"]: i for i in await all_pages(client, alice, "/v1/accounts")}
        latest = items[a["id"]]["latest"]
        assert latest["followers"] == 12
        assert latest["following"] == 3
        assert latest["views"] is None
        assert latest["fetched_at"].startswith("2024-05-01T13:00:00")
        assert items[b["id"]]["latest"] is None

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"platform": "myspace"}, "platform"),
            ({"platform": ""}, "platform"),
            ({"status": "sleeping"}, "status"),
            ({"is_competitor": "maybe"}, "is_competitor"),
            ({"profile": "abc"}, "profile"),
            ({"tag": ""}, "tag"),
            ({"limit": "lots"}, "limit"),
        ],
    )
    async def test_bad_filters(
        self, client: httpx.AsyncClient, alice: Tenant, params: dict[str, Any], field: str
    ) -> None:
        body = problem(await client.get("/v1/accounts", params=params, headers=alice.headers), 422)
        assert field in fields(body), body

    async def test_unknown_profile_filter_is_404(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        body = problem(await client.get("/v1/accounts", params={"profile": 77}, headers=alice.headers), 404)
        assert body["detail"] == "profile 77 not found"


class TestGetAccount:
    async def test_with_latest(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        a = await create_account(client, alice)
        await add_account_snapshot(
            app, a["id"], datetime(2024, 1, 1, tzinfo=UTC), followers=100, views=5, profile_views=None
        )
        r = await client.get(f"/v1/accounts/{a['id']}", headers=alice.headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == ACCOUNT_KEYS
        assert body["latest"]["followers"] == 100
        assert body["latest"]["views"] == 5
        assert body["latest"]["profile_views"] is None

    async def test_unknown_and_bad_ids(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        assert problem(await client.get("/v1/accounts/12", headers=alice.headers), 404)["detail"] == (
            "account 12 not found"
        )
        assert fields(problem(await client.get("/v1/accounts/1.5", headers=alice.headers), 422)) == {
            "account_id"
        }


class TestUpdateAccount:
    async def test_changes_only_given_fields(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        a = await create_account(client, alice, tags=["a", "b"], org_group="g", user_group="u")
        r = await client.patch(
            f"/v1/accounts/{a['id']}",
            json={"tags": ["b", "c"], "org_group": None, "is_competitor": True, "refresh_interval_s": 3600},
            headers=alice.headers,
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["tags"] == ["b", "c"]
        assert body["org_group"] is None
        assert body["user_group"] == "u"
        assert body["is_competitor"] is True
        assert body["refresh_interval_s"] == 3600
        r = await client.get(f"/v1/accounts/{a['id']}", headers=alice.headers)
        assert r.json()["tags"] == ["b", "c"]

    async def test_tags_replace_the_set(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        a = await create_account(client, alice, tags=["a", "b"])
        r = await client.patch(f"/v1/accounts/{a['id']}", json={"tags": []}, headers=alice.headers)
        assert r.json()["tags"] == []
        async with app.state.sessions() as s:
            assert await s.scalar(select(func.count()).select_from(AccountTag)) == 0

    async def test_pause_and_resume(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        a = await create_account(client, alice)
        r = await client.patch(f"/v1/accounts/{a['id']}", json={"paused": True}, headers=alice.headers)
        assert (r.json()["paused"], r.json()["status"]) == (True, "paused")
        before = datetime.now(UTC)
        r = await client.patch(f"/v1/accounts/{a['id']}", json={"paused": False}, headers=alice.headers)
        body = r.json()
        assert (body["paused"], body["status"]) == (False, "active")
        due = datetime.fromisoformat(body["next_refresh_at"].replace("Z", "+00:00"))
        assert due >= before - timedelta(seconds=1)

    async def test_interval_null_means_default(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        a = await create_account(client, alice, refresh_interval_s=7200)
        r = await client.patch(
            f"/v1/accounts/{a['id']}", json={"refresh_interval_s": None}, headers=alice.headers
        )
        assert r.json()["refresh_interval_s"] is None

    async def test_move_between_profiles(self, client: httpx.AsyncClient, alice: Tenant, bob: Tenant) -> None:
        p = await create_profile(client, alice, "one")
        a = await create_account(client, alice)
        r = await client.patch(f"/v1/accounts/{a['id']}", json={"profile_id": p["id"]}, headers=alice.headers)
        assert r.json()["profile_id"] == p["id"]
        r = await client.patch(f"/v1/accounts/{a['id']}", json={"profile_id": None}, headers=alice.headers)
        assert r.json()["profile_id"] is None
        bobs = await create_profile(client, bob, "bobs")
        body = problem(
            await client.patch(
                f"/v1/accounts/{a['id']}", json={"profile_id": bobs["id"]}, headers=alice.headers
            ),
            404,
        )
        assert body["detail"] == f"profile {bobs['id']} not found"

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"paused": None}, "paused"),
            ({"is_competitor": None}, "is_competitor"),
            ({"tags": None}, "tags"),
            ({"tags": "a"}, "tags"),
            ({"refresh_interval_s": 3599}, "refresh_interval_s"),
            ({"handle": "other"}, "handle"),
            ({"status": "active"}, "status"),
        ],
    )
    async def test_bad_input(
        self, client: httpx.AsyncClient, alice: Tenant, payload: dict[str, Any], field: str
    ) -> None:
        a = await create_account(client, alice)
        body = problem(
            await client.patch(f"/v1/accounts/{a['id']}", json=payload, headers=alice.headers), 422
        )
        assert field in fields(body), body

    async def test_unknown(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        problem(await client.patch("/v1/accounts/5", json={"paused": True}, headers=alice.headers), 404)


class TestDeleteAccount:
    async def test_cascades_to_posts_and_history(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        a = await create_account(client, alice, "x", "nasa", tags=["t"])
        other = await create_account(client, alice, "x", "esa")
        post = await create_post(client, alice, url="https://x.com/nasa/status/1234567890")
        kept = await create_post(client, alice, url="https://x.com/esa/status/1234567891")
        assert (post["account_id"], kept["account_id"]) == (a["id"], other["id"])
        now = datetime(2024, 1, 1, tzinfo=UTC)
        await add_account_snapshot(app, a["id"], now, followers=1)
        await add_account_snapshot(app, other["id"], now, followers=1)
        await add_post_snapshot(app, post["id"], now, views=1)
        await add_post_snapshot(app, kept["id"], now, views=1)

        r = await client.delete(f"/v1/accounts/{a['id']}", headers=alice.headers)
        assert r.status_code == 204, r.text
        problem(await client.get(f"/v1/accounts/{a['id']}", headers=alice.headers), 404)
        problem(await client.get(f"/v1/posts/{post['id']}", headers=alice.headers), 404)
        async with app.state.sessions() as s:
            assert set(await s.scalars(select(AccountSnapshot.account_id))) == {other["id"]}
            assert set(await s.scalars(select(PostSnapshot.post_id))) == {kept["id"]}
            assert set(await s.scalars(select(Post.id))) == {kept["id"]}
            assert await s.scalar(select(func.count()).select_from(AccountTag)) == 0
        problem(await client.delete(f"/v1/accounts/{a['id']}", headers=alice.headers), 404)

    async def test_bad_id(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        assert fields(problem(await client.delete("/v1/accounts/-1", headers=alice.headers), 422)) == {
            "account_id"
        }
