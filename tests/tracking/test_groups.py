"""Cross-platform post groups in the native API: create, list, get, delete; the rules (one post
per platform, one group per post, only your own posts) and tenancy, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import Tenant
from tests.tracking.helpers import all_pages, create_post, fields, problem

YT = {"platform": "youtube", "social_id": "dQw4w9WgXcQ"}
YT2 = {"platform": "youtube", "social_id": "9bZkp7q19f0"}
TT = {"platform": "tiktok", "social_id": "7123456789012345678"}
X = {"platform": "x", "social_id": "1234567890123456789"}


async def posts(client: httpx.AsyncClient, tenant: Tenant, *bodies: dict[str, str]) -> list[int]:
    return [int((await create_post(client, tenant, **b))["id"]) for b in bodies]


async def create_group(
    client: httpx.AsyncClient, tenant: Tenant, post_ids: list[int], **extra: Any
) -> httpx.Response:
    return await client.post("/v1/post-groups", json={"post_ids": post_ids, **extra}, headers=tenant.headers)


async def group(
    client: httpx.AsyncClient, tenant: Tenant, post_ids: list[int], **extra: Any
) -> dict[str, Any]:
    r = await create_group(client, tenant, post_ids, **extra)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


class TestCreate:
    async def test_groups_posts_of_several_platforms(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        yt, tt = await posts(client, alice, YT, TT)
        body = await group(client, alice, [tt, yt], title="  Launch video  ")
        assert body["title"] == "Launch video"
        assert len(body["request_id"]) >= 16
        assert [p["id"] for p in body["posts"]] == [yt, tt]
        assert body["platforms"] == ["youtube", "tiktok"]
        assert body["posts"][0]["social_id"] == "dQw4w9WgXcQ"
        assert body["posts"][0]["latest"] is None

    async def test_a_repeated_id_counts_once(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        (yt,) = await posts(client, alice, YT)
        body = await group(client, alice, [yt, yt])
        assert [p["id"] for p in body["posts"]] == [yt]
        assert body["title"] is None

    async def test_two_posts_on_one_platform_are_refused(
        self, client: httpx.AsyncClient, alice: Tenant
    ) -> None:
        a, b, tt = await posts(client, alice, YT, YT2, TT)
        body = problem(await create_group(client, alice, [a, tt, b]), 422)
        assert fields(body) == {"post_ids"}
        assert "youtube" in body["detail"]
        assert str(a) in body["detail"]
        assert str(b) in body["detail"]
        assert (await client.get("/v1/post-groups", headers=alice.headers)).json()["items"] == []

    async def test_unknown_and_foreign_ids_are_not_found_alike(
        self, client: httpx.AsyncClient, alice: Tenant, bob: Tenant
    ) -> None:
        (mine,) = await posts(client, alice, YT)
        (theirs,) = await posts(client, bob, TT)
        body = problem(await create_group(client, alice, [mine, theirs, 999999]), 404)
        assert body["missing_ids"] == [theirs, 999999]
        assert str(theirs) in body["detail"]
        assert "999999" in body["detail"]

    async def test_a_post_is_in_one_group_at_most(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        yt, tt, x = await posts(client, alice, YT, TT, X)
        first = await group(client, alice, [yt, tt])
        body = problem(await create_group(client, alice, [x, tt]), 409)
        assert first["request_id"] in body["detail"]
        assert body["grouped"] == [{"post_id": tt, "request_id": first["request_id"]}]

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"post_ids": []}, "post_ids"),
            ({"post_ids": list(range(1, 12))}, "post_ids"),
            ({"post_ids": [0]}, "post_ids.0"),
            ({"post_ids": ["abc"]}, "post_ids.0"),
            ({"post_ids": [1], "title": "t" * 501}, "title"),
            ({"post_ids": [1], "colour": "red"}, "colour"),
            ({}, "post_ids"),
        ],
    )
    async def test_bad_bodies_name_the_field(
        self, client: httpx.AsyncClient, alice: Tenant, payload: dict[str, Any], field: str
    ) -> None:
        r = await client.post("/v1/post-groups", json=payload, headers=alice.headers)
        assert field in fields(problem(r, 422))

    async def test_needs_credentials(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        problem(await client.post("/v1/post-groups", json={"post_ids": [1]}), 401)


class TestListAndGet:
    async def test_pages_oldest_first_with_posts(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        yt, tt, x = await posts(client, alice, YT, TT, X)
        made = [await group(client, alice, [i]) for i in (yt, tt, x)]
        r = await client.get("/v1/post-groups", params={"limit": 2}, headers=alice.headers)
        page = r.json()
        assert [g["request_id"] for g in page["items"]] == [m["request_id"] for m in made[:2]]
        assert page["next_cursor"]
        every = await all_pages(client, alice, "/v1/post-groups", limit=2)
        assert [g["request_id"] for g in every] == [m["request_id"] for m in made]
        assert [[p["id"] for p in g["posts"]] for g in every] == [[yt], [tt], [x]]

    async def test_bad_cursor_and_limit(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        problem(await client.get("/v1/post-groups", params={"cursor": "nope"}, headers=alice.headers), 400)
        problem(await client.get("/v1/post-groups", params={"limit": 0}, headers=alice.headers), 422)

    async def test_get_answers_the_group(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        yt, tt = await posts(client, alice, YT, TT)
        made = await group(client, alice, [yt, tt], title="Launch")
        r = await client.get(f"/v1/post-groups/{made['request_id']}", headers=alice.headers)
        assert r.status_code == 200, r.text
        assert r.json() == made

    async def test_unknown_group_is_not_found(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        body = problem(await client.get("/v1/post-groups/abc123-def456", headers=alice.headers), 404)
        assert "abc123-def456" in body["detail"]


class TestDelete:
    async def test_deletes_the_group_not_its_posts(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        yt, tt = await posts(client, alice, YT, TT)
        made = await group(client, alice, [yt, tt])
        path = f"/v1/post-groups/{made['request_id']}"
        assert (await client.delete(path, headers=alice.headers)).status_code == 204
        problem(await client.get(path, headers=alice.headers), 404)
        problem(await client.delete(path, headers=alice.headers), 404)
        assert (await client.get(f"/v1/posts/{yt}", headers=alice.headers)).status_code == 200
        again = await group(client, alice, [yt, tt])  # the posts are free again
        assert again["request_id"] != made["request_id"]

    async def test_deleting_a_post_leaves_the_rest_of_its_group(
        self, client: httpx.AsyncClient, alice: Tenant
    ) -> None:
        yt, tt = await posts(client, alice, YT, TT)
        made = await group(client, alice, [yt, tt])
        assert (await client.delete(f"/v1/posts/{yt}", headers=alice.headers)).status_code == 204
        r = await client.get(f"/v1/post-groups/{made['request_id']}", headers=alice.headers)
        assert [p["id"] for p in r.json()["posts"]] == [tt]


class TestTenancy:
    async def test_another_users_group_does_not_exist_for_you(
        self, client: httpx.AsyncClient, alice: Tenant, bob: Tenant
    ) -> None:
        yt, tt = await posts(client, alice, YT, TT)
        made = await group(client, alice, [yt, tt])
        path = f"/v1/post-groups/{made['request_id']}"
        problem(await client.get(path, headers=bob.headers), 404)
        problem(await client.delete(path, headers=bob.headers), 404)
        assert (await client.get("/v1/post-groups", headers=bob.headers)).json()["items"] == []
        assert (await client.get(path, headers=alice.headers)).status_code == 200
