"""ugcinc compatibility: history, parameters, envelopes, errors and tenancy.

The JSON Schemas below are written from ugcinc's documentation (client ``ugcinc`` 1.0.5 and
its API reference): ``ApiResponse<T>`` is ``{ok: true, data}`` (with ``code`` and ``message``)
or ``{ok: false, code, message}``; ``AccountStat`` and ``PostStat`` carry string ids, counters
that are ``number | null`` and an ISO 8601 ``created_at``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import jsonschema
import pytest

from socialpulse.auth.service import issue_jwt
from socialpulse.models import Post, User
from tests.conftest import Tenant
from tests.tracking.helpers import (
    add_account_snapshot,
    add_post_snapshot,
    create_account,
    create_post,
)

# ---------------------------------------------------------------------------- schemas

ISO_UTC = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$"
ID = {"type": "string", "minLength": 1}
COUNTER = {"type": ["number", "null"]}
TIMESTAMP = {"type": "string", "pattern": ISO_UTC}

ACCOUNT_STAT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": ID,
        "account_id": ID,
        "followers": COUNTER,
        "following": COUNTER,
        "views": COUNTER,
        "likes": COUNTER,
        "created_at": TIMESTAMP,
    },
    "required": ["id", "account_id", "followers", "following", "views", "likes", "created_at"],
    "additionalProperties": False,
}
POST_STAT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": ID,
        "post_id": ID,
        "views": COUNTER,
        "likes": COUNTER,
        "comments": COUNTER,
        "shares": COUNTER,
        "saves": COUNTER,
        "created_at": TIMESTAMP,
    },
    "required": ["id", "post_id", "views", "likes", "comments", "shares", "created_at"],
    "additionalProperties": False,
}


def ok_envelope(item: dict[str, Any]) -> dict[str, Any]:
    """``ApiResponse<T[]>`` when ``ok`` is true."""
    return {
        "type": "object",
        "properties": {
            "ok": {"const": True},
            "code": {"const": 200},
            "message": {"type": "string"},
            "data": {"type": "array", "items": item},
        },
        "required": ["ok", "data"],
        "additionalProperties": False,
    }


ACCOUNT_STATS = ok_envelope(ACCOUNT_STAT)
POST_STATS = ok_envelope(POST_STAT)
ERROR: dict[str, Any] = {
    "type": "object",
    "properties": {
        "ok": {"const": False},
        "code": {"type": "integer"},
        "message": {"type": "string", "minLength": 1},
    },
    "required": ["ok", "code", "message"],
    "additionalProperties": False,
}

ROUTES = ["/accounts/stats", "/accounts/stats/refresh", "/post/stats", "/post/stats/refresh"]


def ok(r: httpx.Response, schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``data`` of a successful answer, after checking it against ``schema``."""
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    jsonschema.validate(body, schema)
    data: list[dict[str, Any]] = body["data"]
    return data


def error(r: httpx.Response, status: int) -> str:
    """The ``message`` of an error answer, after checking its status, shape and ``code``."""
    assert r.status_code == status, r.text
    body = r.json()
    jsonschema.validate(body, ERROR)
    assert body["code"] == status
    message: str = body["message"]
    return message


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def post_json(client: httpx.AsyncClient, tenant: Tenant, path: str, body: Any = None) -> httpx.Response:
    return await client.post(path, json={} if body is None else body, headers=tenant.headers)


class TestSchemas:
    """The schemas accept ugcinc's own documented examples (and so describe the same shapes)."""

    def test_documented_examples_validate(self) -> None:
        jsonschema.validate(
            {
                "ok": True,
                "code": 200,
                "message": "Success",
                "data": [
                    {
                        "id": "stat_abc123",
                        "account_id": "acc_123456",
                        "followers": 15420,
                        "following": 342,
                        "views": 1250000,
                        "likes": 89500,
                        "created_at": "2024-12-25T10:00:00Z",
                    }
                ],
            },
            ACCOUNT_STATS,
        )
        jsonschema.validate(
            {
                "ok": True,
                "data": [
                    {
                        "id": "pstat_abc123",
                        "post_id": "post_123456",
                        "views": 125000,
                        "likes": 8950,
                        "comments": 342,
                        "shares": 567,
                        "saves": 1234,
                        "created_at": "2024-12-25T10:00:00Z",
                    }
                ],
            },
            POST_STATS,
        )
        jsonschema.validate({"ok": False, "code": 400, "message": "Error description"}, ERROR)

    def test_they_reject_other_shapes(self) -> None:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"ok": True, "data": [{"id": 1, "account_id": "1"}]}, ACCOUNT_STATS)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"type": "about:blank", "status": 401, "detail": "no"}, ERROR)


# ---------------------------------------------------------------------------- fixtures


async def two_accounts(client: httpx.AsyncClient, tenant: Tenant) -> tuple[int, int]:
    a = await create_account(
        client, tenant, "tiktok", "@dancer", tags=["influencer"], org_group="group1", user_group="users1"
    )
    b = await create_account(client, tenant, "youtube", "@natgeo", org_group="group2")
    return a["id"], b["id"]


def d(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


# ---------------------------------------------------------------------------- /accounts/stats


class TestGetAccountStats:
    async def test_document_example_dates(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        """``getStats({accountIds: [...], startDate: '2024-01-01', endDate: '2024-12-31'})``."""
        a, b = await two_accounts(client, alice)
        await add_account_snapshot(app, a, d(2023, 12, 31, 23), followers=90)
        await add_account_snapshot(app, a, d(2024, 1, 1, 0), followers=100, following=5, views=7, likes=3)
        await add_account_snapshot(app, a, d(2024, 12, 31, 23), followers=150)
        await add_account_snapshot(app, a, d(2025, 1, 1, 0), followers=160)
        await add_account_snapshot(app, b, d(2024, 6, 1), followers=1000, views=50_000)
        body = {"accountIds": [str(a), str(b)], "startDate": "2024-01-01", "endDate": "2024-12-31"}
        data = ok(await post_json(client, alice, "/accounts/stats", body), ACCOUNT_STATS)
        assert [(s["account_id"], s["followers"]) for s in data] == [
            (str(a), 100),
            (str(a), 150),
            (str(b), 1000),
        ]
        first = data[0]
        assert (first["following"], first["views"], first["likes"]) == (5, 7, 3)
        assert first["created_at"] == "2024-01-01T00:00:00.000Z"
        assert len({s["id"] for s in data}) == 3

    async def test_reference_example_date_times(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        """``{accountIds, startDate: '2024-01-01T00:00:00Z', endDate: '2024-12-31T23:59:59Z'}``."""
        a, _ = await two_accounts(client, alice)
        await add_account_snapshot(app, a, d(2024, 3, 1), followers=1)
        await add_account_snapshot(
            app, a, datetime(2024, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC), followers=2
        )
        body = {
            "accountIds": [str(a)],
            "startDate": "2024-01-01T00:00:00Z",
            "endDate": "2024-12-31T23:59:59Z",
        }
        data = ok(await post_json(client, alice, "/accounts/stats", body), ACCOUNT_STATS)
        assert [s["followers"] for s in data] == [1]

    async def test_without_dates_the_latest_of_each_account(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        a, b = await two_accounts(client, alice)
        await add_account_snapshot(app, a, d(2024, 1, 1), followers=1)
        await add_account_snapshot(app, a, d(2024, 2, 1), followers=2)
        await add_account_snapshot(app, b, d(2024, 1, 5), followers=10)
        for body in (None, {}, {"accountIds": [str(b), str(a)]}):
            r = await client.post("/accounts/stats", json=body, headers=alice.headers)
            data = ok(r, ACCOUNT_STATS)
            got = {s["account_id"]: s["followers"] for s in data}
            assert got == {str(a): 2, str(b): 10}
        ordered = ok(
            await post_json(client, alice, "/accounts/stats", {"accountIds": [str(b), str(a)]}), ACCOUNT_STATS
        )
        assert [s["account_id"] for s in ordered] == [str(b), str(a)]

    async def test_no_body_at_all(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        a, _ = await two_accounts(client, alice)
        await add_account_snapshot(app, a, d(2024, 1, 1), followers=1)
        data = ok(await client.post("/accounts/stats", headers=alice.headers), ACCOUNT_STATS)
        assert [s["account_id"] for s in data] == [str(a)]

    @pytest.mark.parametrize(
        ("filters", "expected"),
        [
            ({"tag": "influencer"}, "a"),
            ({"org_group": "group2"}, "b"),
            ({"user_group": "users1"}, "a"),
            ({"org_group": "group1", "user_group": "users1"}, "a"),
            ({"tag": "nobody"}, ""),
            ({"tag": ""}, "ab"),  # an empty filter is no filter
        ],
    )
    async def test_filters(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any, filters: dict[str, str], expected: str
    ) -> None:
        a, b = await two_accounts(client, alice)
        await add_account_snapshot(app, a, d(2024, 1, 1), followers=1)
        await add_account_snapshot(app, b, d(2024, 1, 1), followers=2)
        data = ok(await post_json(client, alice, "/accounts/stats", filters), ACCOUNT_STATS)
        names = {str(a): "a", str(b): "b"}
        assert "".join(sorted(names[s["account_id"]] for s in data)) == expected

    async def test_filters_narrow_the_named_ids(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        a, b = await two_accounts(client, alice)
        await add_account_snapshot(app, a, d(2024, 1, 1), followers=1)
        await add_account_snapshot(app, b, d(2024, 1, 1), followers=2)
        body = {"accountIds": [str(a), str(b)], "tag": "influencer"}
        data = ok(await post_json(client, alice, "/accounts/stats", body), ACCOUNT_STATS)
        assert [s["account_id"] for s in data] == [str(a)]

    async def test_unreported_counters_are_null_and_zero_stays_zero(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        a, _ = await two_accounts(client, alice)
        await add_account_snapshot(app, a, d(2024, 1, 1), followers=0, views=12)
        [stat] = ok(await post_json(client, alice, "/accounts/stats"), ACCOUNT_STATS)
        assert (stat["followers"], stat["following"], stat["views"], stat["likes"]) == (0, None, 12, None)

    async def test_only_one_side_of_the_range(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        a, _ = await two_accounts(client, alice)
        for month in (1, 2, 3):
            await add_account_snapshot(app, a, d(2024, month, 1), followers=month)
        since = ok(
            await post_json(client, alice, "/accounts/stats", {"startDate": "2024-02-01"}), ACCOUNT_STATS
        )
        until = ok(
            await post_json(client, alice, "/accounts/stats", {"endDate": "2024-02-01"}), ACCOUNT_STATS
        )
        assert [s["followers"] for s in since] == [2, 3]
        assert [s["followers"] for s in until] == [1, 2]

    async def test_ids_naming_nothing_are_left_out(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        a, _ = await two_accounts(client, alice)
        await add_account_snapshot(app, a, d(2024, 1, 1), followers=1)
        body = {"accountIds": [str(a), "999999", "account-id-1", str(2**70)]}
        data = ok(await post_json(client, alice, "/accounts/stats", body), ACCOUNT_STATS)
        assert [s["account_id"] for s in data] == [str(a)]
        assert ok(await post_json(client, alice, "/accounts/stats", {"accountIds": []}), ACCOUNT_STATS) == []

    async def test_integer_ids_are_accepted_too(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        a, _ = await two_accounts(client, alice)
        await add_account_snapshot(app, a, d(2024, 1, 1), followers=1)
        data = ok(await post_json(client, alice, "/accounts/stats", {"accountIds": [a]}), ACCOUNT_STATS)
        assert [s["account_id"] for s in data] == [str(a)]


# ---------------------------------------------------------------------------- /post/stats


class TestGetPostStats:
    async def test_document_parameters(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        """``getStats({postIds: [...], startDate, endDate})``."""
        p = (await create_post(client, alice, platform="youtube", social_id="dQw4w9WgXcQ"))["id"]
        q = (await create_post(client, alice, platform="tiktok", social_id="7234567890123456789"))["id"]
        await add_post_snapshot(app, p, d(2023, 12, 31), views=1)
        await add_post_snapshot(
            app, p, d(2024, 5, 1), views=125000, likes=8950, comments=342, shares=567, saves=1234
        )
        await add_post_snapshot(app, q, d(2024, 6, 1), views=10, plays=99)
        body = {"postIds": [str(p), str(q)], "startDate": "2024-01-01", "endDate": "2024-12-31"}
        data = ok(await post_json(client, alice, "/post/stats", body), POST_STATS)
        assert [s["post_id"] for s in data] == [str(p), str(q)]
        assert {k: data[0][k] for k in ("views", "likes", "comments", "shares", "saves")} == {
            "views": 125000,
            "likes": 8950,
            "comments": 342,
            "shares": 567,
            "saves": 1234,
        }
        # plays are not views, and what was not reported is null
        assert (data[1]["views"], data[1]["likes"], data[1]["shares"]) == (10, None, None)
        assert at(data[0]["created_at"]) == d(2024, 5, 1)

    async def test_without_dates_the_latest_of_each_post(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        p = (await create_post(client, alice))["id"]
        await add_post_snapshot(app, p, d(2024, 1, 1), views=1)
        await add_post_snapshot(app, p, d(2024, 1, 2), views=2)
        [stat] = ok(await post_json(client, alice, "/post/stats", {"postIds": [str(p)]}), POST_STATS)
        assert stat["views"] == 2
        assert ok(await post_json(client, alice, "/post/stats"), POST_STATS) == [stat]

    async def test_posts_found_by_listing_an_account_count_too(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        a, _ = await two_accounts(client, alice)
        async with app.state.sessions() as s, s.begin():
            found = Post(user_id=alice.user_id, account_id=a, platform="tiktok", social_id="1", tracked=False)
            s.add(found)
            await s.flush()
            found_id = found.id
        await add_post_snapshot(app, found_id, d(2024, 1, 1), views=5)
        [stat] = ok(await post_json(client, alice, "/post/stats"), POST_STATS)
        assert stat["post_id"] == str(found_id)

    async def test_account_parameters_are_not_taken(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        message = error(await post_json(client, alice, "/post/stats", {"tag": "influencer"}), 400)
        assert "'tag' is not a parameter" in message


# ---------------------------------------------------------------------------- errors


class TestAuth:
    @pytest.mark.parametrize("path", ROUTES)
    async def test_missing_credentials(self, client: httpx.AsyncClient, alice: Tenant, path: str) -> None:
        message = error(await client.post(path, json={}), 401)
        assert "Authorization: Bearer" in message

    @pytest.mark.parametrize("path", ROUTES)
    @pytest.mark.parametrize(
        "header", ["Bearer sp_not-a-key", "Bearer", "Basic dXNlcjpwYXNz", "Bearer a.b.c"]
    )
    async def test_bad_credentials(
        self, client: httpx.AsyncClient, alice: Tenant, path: str, header: str
    ) -> None:
        error(await client.post(path, json={}, headers={"Authorization": header}), 401)

    async def test_a_jwt_works(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        a, _ = await two_accounts(client, alice)
        await add_account_snapshot(app, a, d(2024, 1, 1), followers=1)
        r = await client.post("/v1/auth/token", data={"username": alice.email, "password": "wonderland-42"})
        token = r.json()["access_token"]
        r = await client.post("/accounts/stats", json={}, headers={"Authorization": f"Bearer {token}"})
        assert [s["account_id"] for s in ok(r, ACCOUNT_STATS)] == [str(a)]

    async def test_a_jwt_of_a_deleted_user(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        token = issue_jwt(app.state.settings, User(id=alice.user_id + 1000, email="gone@example.com"))
        r = await client.post("/accounts/stats", json={}, headers={"Authorization": f"Bearer {token}"})
        error(r, 401)

    async def test_apikey_scheme_works_too(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        r = await client.post("/accounts/stats", json={}, headers={"Authorization": f"Apikey {alice.key}"})
        assert ok(r, ACCOUNT_STATS) == []


class TestBadParameters:
    @pytest.mark.parametrize(
        ("path", "body", "says"),
        [
            ("/accounts/stats", {"startDate": "yesterday"}, "startDate"),
            ("/accounts/stats", {"endDate": "2024-13-01"}, "endDate"),
            ("/accounts/stats", {"startDate": "2024-12-31", "endDate": "2024-01-01"}, "is before startDate"),
            ("/post/stats", {"startDate": "2024-02-01T00:00:00Z", "endDate": "2024-01-01"}, "is before"),
            ("/accounts/stats", {"startDate": 20240101}, "startDate"),
            ("/accounts/stats", {"accountIds": "1"}, "accountIds"),
            ("/accounts/stats", {"accountIds": [{"id": "1"}]}, "accountIds.0"),
            ("/accounts/stats", {"accountIds": [True]}, "accountIds.0"),
            ("/accounts/stats", {"accountId": "1"}, "'accountId' is not a parameter"),
            ("/accounts/stats", {"tag": ["a", "b"]}, "tag"),
            ("/accounts/stats/refresh", {"startDate": "2024-01-01"}, "'startDate' is not a parameter"),
            ("/post/stats/refresh", {"accountIds": ["1"]}, "'accountIds' is not a parameter"),
            ("/post/stats", {"postIds": "1,2"}, "postIds"),
            ("/post/stats", ["1"], "JSON object"),
        ],
    )
    async def test_is_400(
        self, client: httpx.AsyncClient, alice: Tenant, path: str, body: Any, says: str
    ) -> None:
        message = error(await post_json(client, alice, path, body), 400)
        assert says in message

    @pytest.mark.parametrize("path", ROUTES)
    async def test_invalid_json(self, client: httpx.AsyncClient, alice: Tenant, path: str) -> None:
        headers = {**alice.headers, "Content-Type": "application/json"}
        message = error(await client.post(path, content=b"{accountIds: [", headers=headers), 400)
        assert "not valid JSON" in message


class TestRefreshNotFound:
    async def test_unknown_account_ids(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        a, _ = await two_accounts(client, alice)
        body = {"accountIds": [str(a), "999999", "account-id-2"], "tag": "influencer"}
        message = error(await post_json(client, alice, "/accounts/stats/refresh", body), 404)
        assert "999999" in message
        assert "account-id-2" in message
        assert "accountIds" in message

    async def test_unknown_post_ids(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        p = (await create_post(client, alice))["id"]
        body = {"postIds": [str(p), "post-id-2"]}
        message = error(await post_json(client, alice, "/post/stats/refresh", body), 404)
        assert "post-id-2" in message
        assert "postIds" in message


# ---------------------------------------------------------------------------- tenancy


class TestTenancy:
    """Bob's key never sees Alice's data through any ugcinc route: her ids name nothing for him."""

    async def test_bob_never_sees_alices_data(
        self, client: httpx.AsyncClient, alice: Tenant, bob: Tenant, app: Any
    ) -> None:
        a, b = await two_accounts(client, alice)
        p = (await create_post(client, alice))["id"]
        await add_account_snapshot(app, a, d(2024, 1, 1), followers=1)
        await add_post_snapshot(app, p, d(2024, 1, 1), views=1)
        mine = (await create_account(client, bob, "youtube", "@bobs"))["id"]
        await add_account_snapshot(app, mine, d(2024, 1, 1), followers=7)

        account_bodies: list[dict[str, Any]] = [
            {},
            {"accountIds": [str(a), str(b)]},
            {"tag": "influencer"},
            {"startDate": "2000-01-01"},
        ]
        for body in account_bodies:
            data = ok(await post_json(client, bob, "/accounts/stats", body), ACCOUNT_STATS)
            assert {s["account_id"] for s in data} <= {str(mine)}
        post_bodies: list[dict[str, Any]] = [
            {},
            {"postIds": [str(p)]},
            {"postIds": [str(p)], "startDate": "2000-01-01"},
        ]
        for body in post_bodies:
            assert ok(await post_json(client, bob, "/post/stats", body), POST_STATS) == []

        # refreshing her ids is exactly like refreshing ids that do not exist
        theirs = error(await post_json(client, bob, "/accounts/stats/refresh", {"accountIds": [str(a)]}), 404)
        unknown = error(
            await post_json(client, bob, "/accounts/stats/refresh", {"accountIds": ["999999"]}), 404
        )
        assert theirs.replace(str(a), "X") == unknown.replace("999999", "X")
        error(await post_json(client, bob, "/post/stats/refresh", {"postIds": [str(p)]}), 404)
        # and her accounts are not among his to refresh
        r = await post_json(client, bob, "/accounts/stats/refresh", {"tag": "influencer"})
        assert ok(r, ACCOUNT_STATS) == []
        assert "nothing to refresh" in r.json()["message"]
