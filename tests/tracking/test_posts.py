from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from socialpulse.models import Comment, Post, PostSnapshot
from tests.conftest import Tenant
from tests.tracking.helpers import (
    add_post_snapshot,
    all_pages,
    create_account,
    create_post,
    fields,
    problem,
    queued,
)

POST_KEYS = {
    "id",
    "platform",
    "social_id",
    "url",
    "account_id",
    "author_handle",
    "author_platform_id",
    "type",
    "caption",
    "posted_at",
    "hashtags",
    "mentions",
    "links",
    "sponsored",
    "tracked",
    "status",
    "status_detail",
    "last_refreshed_at",
    "next_refresh_at",
    "created_at",
    "latest",
}


async def set_post(app: Any, post_id: int, **values: Any) -> None:
    async with app.state.sessions() as s, s.begin():
        post = await s.get(Post, post_id)
        assert post is not None
        for k, v in values.items():
            setattr(post, k, v)


class TestCreatePost:
    async def test_from_platform_and_social_id(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        r = await client.post(
            "/v1/posts", json={"platform": "yt", "social_id": "dQw4w9WgXcQ"}, headers=alice.headers
        )
        assert r.status_code == 201, r.text
        p = r.json()
        assert set(p) == POST_KEYS
        assert (p["platform"], p["social_id"], p["tracked"], p["status"]) == (
            "youtube",
            "dQw4w9WgXcQ",
            True,
            "active",
        )
        assert p["url"] == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
        assert p["account_id"] is None
        assert p["latest"] is None
        assert p["next_refresh_at"] is not None
        assert await queued(app, "post") == [(p["id"], alice.user_id)]

    async def test_from_url_links_the_authors_account(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        a = await create_account(client, alice, "tiktok", "@Some.User")
        p = await create_post(
            client, alice, url="https://www.tiktok.com/@some.user/video/7234567890123456789"
        )
        assert (p["platform"], p["social_id"]) == ("tiktok", "7234567890123456789")
        assert p["author_handle"] == "some.user"
        assert p["account_id"] == a["id"]

    async def test_author_not_tracked_leaves_it_unlinked(
        self, client: httpx.AsyncClient, alice: Tenant, bob: Tenant
    ) -> None:
        await create_account(client, bob, "x", "nasa")  # another user's account is never linked
        p = await create_post(client, alice, url="https://x.com/nasa/status/1234567890123456789")
        assert p["account_id"] is None
        assert p["author_handle"] == "nasa"

    async def test_duplicate_is_409_with_existing_id(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        p = await create_post(client, alice, platform="youtube", social_id="dQw4w9WgXcQ")
        body = problem(
            await client.post(
                "/v1/posts", json={"url": "https://youtu.be/dQw4w9WgXcQ"}, headers=alice.headers
            ),
            409,
        )
        assert body["existing_id"] == p["id"]

    async def test_post_found_by_listing_becomes_tracked(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        p = await create_post(client, alice, platform="youtube", social_id="dQw4w9WgXcQ")
        await set_post(app, p["id"], tracked=False)
        r = await client.post(
            "/v1/posts", json={"platform": "youtube", "social_id": "dQw4w9WgXcQ"}, headers=alice.headers
        )
        assert r.status_code == 200, r.text
        assert (r.json()["id"], r.json()["tracked"]) == (p["id"], True)

    async def test_same_post_for_another_user_is_fine(
        self, client: httpx.AsyncClient, alice: Tenant, bob: Tenant
    ) -> None:
        a = await create_post(client, alice)
        b = await create_post(client, bob)
        assert a["id"] != b["id"]

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"platform": "myspace", "social_id": "1"}, "platform"),
            ({"platform": "youtube", "social_id": "not a video id"}, "social_id"),
            ({"url": "https://example.com/watch?v=1"}, "url"),
            ({"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "tracked": True}, "tracked"),
            ({"platform": "youtube", "social_id": 12}, "social_id"),
        ],
    )
    async def test_bad_input_names_the_field(
        self, client: httpx.AsyncClient, alice: Tenant, payload: dict[str, Any], field: str
    ) -> None:
        body = problem(await client.post("/v1/posts", json=payload, headers=alice.headers), 422)
        assert field in fields(body), body

    @pytest.mark.parametrize(
        ("payload", "words"),
        [
            ({}, "'platform' and 'social_id'"),
            ({"platform": "youtube"}, "missing: social_id"),
            ({"url": "https://youtu.be/dQw4w9WgXcQ", "social_id": "dQw4w9WgXcQ"}, "not both"),
        ],
    )
    async def test_identity_must_be_id_or_url(
        self, client: httpx.AsyncClient, alice: Tenant, payload: dict[str, Any], words: str
    ) -> None:
        body = problem(await client.post("/v1/posts", json=payload, headers=alice.headers), 422)
        assert words in body["detail"]


class TestListPosts:
    async def _seed(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> dict[str, dict[str, Any]]:
        nasa = await create_account(client, alice, "x", "nasa")
        seeded = {
            "x1": await create_post(client, alice, url="https://x.com/nasa/status/1000000000000000001"),
            "x2": await create_post(client, alice, url="https://x.com/nasa/status/1000000000000000002"),
            "yt": await create_post(client, alice, platform="youtube", social_id="dQw4w9WgXcQ"),
            "yt2": await create_post(client, alice, platform="youtube", social_id="9bZkp7q19f0"),
        }
        assert seeded["x1"]["account_id"] == nasa["id"]
        await set_post(app, seeded["x1"]["id"], posted_at=datetime(2024, 5, 1, 10, tzinfo=UTC))
        await set_post(
            app, seeded["x2"]["id"], posted_at=datetime(2024, 5, 2, 23, 59, tzinfo=UTC), tracked=False
        )
        await set_post(app, seeded["yt"]["id"], posted_at=datetime(2024, 5, 3, 0, 0, tzinfo=UTC))
        seeded["nasa"] = nasa
        return seeded

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({}, ["x1", "x2", "yt", "yt2"]),
            ({"platform": "twitter"}, ["x1", "x2"]),
            ({"platform": "youtube"}, ["yt", "yt2"]),
            ({"tracked": "true"}, ["x1", "yt", "yt2"]),
            ({"tracked": "false"}, ["x2"]),
            ({"posted_after": "2024-05-02"}, ["x2", "yt"]),
            ({"posted_after": "2024-05-01T10:00:00Z"}, ["x1", "x2", "yt"]),
            ({"posted_after": "2024-05-01T12:00:00+02:00"}, ["x1", "x2", "yt"]),
            ({"posted_after": "2024-05-01T10:00:01"}, ["x2", "yt"]),
            ({"posted_before": "2024-05-03"}, ["x1", "x2"]),
            ({"posted_before": "2024-05-03T00:00:01Z"}, ["x1", "x2", "yt"]),
            ({"posted_after": "2024-05-02", "posted_before": "2024-05-03"}, ["x2"]),
        ],
    )
    async def test_filters(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any, params: dict[str, Any], expected: list[str]
    ) -> None:
        seeded = await self._seed(client, alice, app)
        items = await all_pages(client, alice, "/v1/posts", **params)
        assert [i["id"] for i in items] == [seeded[k]["id"] for k in expected]

    async def test_account_filter(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        seeded = await self._seed(client, alice, app)
        items = await all_pages(client, alice, "/v1/posts", account_id=seeded["nasa"]["id"])
        assert [i["id"] for i in items] == [seeded["x1"]["id"], seeded["x2"]["id"]]

    async def test_pagination_across_pages(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        seeded = await self._seed(client, alice, app)
        r = await client.get("/v1/posts", params={"limit": 3}, headers=alice.headers)
        page = r.json()
        assert len(page["items"]) == 3
        r = await client.get(
            "/v1/posts", params={"limit": 3, "cursor": page["next_cursor"]}, headers=alice.headers
        )
        assert [i["id"] for i in r.json()["items"]] == [seeded["yt2"]["id"]]
        assert r.json()["next_cursor"] is None

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"posted_after": "yesterday"}, "posted_after"),
            ({"posted_before": "2024-13-01"}, "posted_before"),
            ({"tracked": "perhaps"}, "tracked"),
            ({"account_id": "x"}, "account_id"),
            ({"platform": "myspace"}, "platform"),
        ],
    )
    async def test_bad_filters(
        self, client: httpx.AsyncClient, alice: Tenant, params: dict[str, Any], field: str
    ) -> None:
        body = problem(await client.get("/v1/posts", params=params, headers=alice.headers), 422)
        assert field in fields(body), body
        assert field in body["detail"]

    async def test_reversed_range_is_400_naming_both(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        body = problem(
            await client.get(
                "/v1/posts",
                params={"posted_after": "2024-05-02", "posted_before": "2024-05-01"},
                headers=alice.headers,
            ),
            400,
        )
        assert "posted_after" in body["detail"]
        assert "posted_before" in body["detail"]

    async def test_unknown_account_filter_is_404(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        body = problem(await client.get("/v1/posts", params={"account_id": 31}, headers=alice.headers), 404)
        assert body["detail"] == "account 31 not found"


class TestGetPost:
    async def test_with_latest(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        p = await create_post(client, alice)
        await add_post_snapshot(app, p["id"], datetime(2024, 1, 1, tzinfo=UTC), views=10)
        await add_post_snapshot(app, p["id"], datetime(2024, 1, 2, tzinfo=UTC), views=20, likes=2)
        r = await client.get(f"/v1/posts/{p['id']}", headers=alice.headers)
        assert r.status_code == 200, r.text
        latest = r.json()["latest"]
        assert (latest["views"], latest["likes"], latest["plays"]) == (20, 2, None)

    async def test_unknown_and_bad_ids(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        assert (
            problem(await client.get("/v1/posts/3", headers=alice.headers), 404)["detail"]
            == "post 3 not found"
        )
        assert fields(problem(await client.get("/v1/posts/three", headers=alice.headers), 422)) == {"post_id"}


class TestDeletePost:
    async def test_removes_history_and_comments(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        p = await create_post(client, alice)
        keep = await create_post(client, alice, platform="youtube", social_id="9bZkp7q19f0")
        await add_post_snapshot(app, p["id"], datetime(2024, 1, 1, tzinfo=UTC), views=10)
        await add_post_snapshot(app, keep["id"], datetime(2024, 1, 1, tzinfo=UTC), views=10)
        async with app.state.sessions() as s, s.begin():
            now = datetime(2024, 1, 1, tzinfo=UTC)
            s.add(
                Comment(
                    post_id=p["id"], platform_comment_id="c1", text="hi", first_seen_at=now, updated_at=now
                )
            )
        r = await client.delete(f"/v1/posts/{p['id']}", headers=alice.headers)
        assert r.status_code == 204, r.text
        problem(await client.get(f"/v1/posts/{p['id']}", headers=alice.headers), 404)
        async with app.state.sessions() as s:
            assert set(await s.scalars(select(PostSnapshot.post_id))) == {keep["id"]}
            assert list(await s.scalars(select(Comment.id))) == []
        problem(await client.delete(f"/v1/posts/{p['id']}", headers=alice.headers), 404)
