"""``POST /v1/refresh`` and ``GET /v1/refresh/{request_id}``."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from socialpulse.db.engine import transaction
from socialpulse.models import AccountTag
from socialpulse.refresh.worker import Worker
from tests.conftest import Tenant
from tests.refresh.conftest import add_accounts, add_posts, drain, items
from tests.refresh.fakes import FakeConnector, FakeRegistry


@pytest.fixture
def app_sessions(app: Any) -> Any:
    return app.state.sessions


class TestCreate:
    async def test_accepted_with_a_request_id(
        self, client: httpx.AsyncClient, alice: Tenant, app_sessions: Any
    ) -> None:
        ids = await add_accounts(app_sessions, alice.user_id, ["a", "b"])
        r = await client.post("/v1/refresh", json={"account_ids": ids}, headers=alice.headers)
        assert r.status_code == 202, r.text
        body = r.json()
        assert set(body) == {"request_id", "status", "total"}
        assert (body["status"], body["total"]) == ("pending", 2)
        uuid.UUID(body["request_id"])

    async def test_no_body_refreshes_everything(
        self, client: httpx.AsyncClient, alice: Tenant, bob: Tenant, app_sessions: Any
    ) -> None:
        await add_accounts(app_sessions, alice.user_id, ["a"])
        await add_posts(app_sessions, alice.user_id, ["p1", "p2"])
        await add_accounts(app_sessions, bob.user_id, ["b"])
        for kwargs in ({}, {"json": {}}):
            r = await client.post("/v1/refresh", headers=alice.headers, **kwargs)  # type: ignore[arg-type]
            assert r.status_code == 202, r.text
            assert r.json()["total"] == 3
        assert len(await items(app_sessions)) == 3  # the second request reuses the queued items

    async def test_filters_at_the_top_level_or_nested(
        self, client: httpx.AsyncClient, alice: Tenant, app_sessions: Any
    ) -> None:
        [yt] = await add_accounts(app_sessions, alice.user_id, ["yt"])
        [bs] = await add_accounts(app_sessions, alice.user_id, ["bs"], platform="bluesky", org_group="team")
        async with transaction(app_sessions) as s:
            s.add(AccountTag(account_id=bs, tag="vip"))
        r1 = await client.post("/v1/refresh", json={"platform": "youtube"}, headers=alice.headers)
        r2 = await client.post("/v1/refresh", json={"filters": {"tag": "vip"}}, headers=alice.headers)
        r3 = await client.post(
            "/v1/refresh",
            json={"org_group": "team", "filters": {"platform": "youtube"}},
            headers=alice.headers,
        )
        assert [r.json()["total"] for r in (r1, r2, r3)] == [1, 1, 0]
        assert {i.entity_id for i in await items(app_sessions)} == {yt, bs}

    async def test_high_priority(self, client: httpx.AsyncClient, alice: Tenant, app_sessions: Any) -> None:
        [a] = await add_accounts(app_sessions, alice.user_id, ["a"])
        r = await client.post(
            "/v1/refresh", json={"account_ids": [a], "priority": "high"}, headers=alice.headers
        )
        assert r.status_code == 202
        [item] = await items(app_sessions)
        assert item.priority == 10

    async def test_unknown_and_other_users_ids_are_404_naming_them(
        self, client: httpx.AsyncClient, alice: Tenant, bob: Tenant, app_sessions: Any
    ) -> None:
        [theirs] = await add_accounts(app_sessions, bob.user_id, ["b"])
        r = await client.post("/v1/refresh", json={"account_ids": [theirs, 424242]}, headers=alice.headers)
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("application/problem+json")
        assert f"{theirs}, 424242" in r.json()["detail"]
        r = await client.post("/v1/refresh", json={"post_ids": [5]}, headers=alice.headers)
        assert r.status_code == 404
        assert "5" in r.json()["detail"]
        assert await items(app_sessions) == []

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"account_ids": ["x"]}, "account_ids.0"),
            ({"account_ids": [0]}, "account_ids.0"),
            ({"post_ids": "7"}, "post_ids"),
            ({"priority": "urgent"}, "priority"),
            ({"platform": "myspace"}, "platform"),
            ({"filters": {"platform": "myspace"}}, "filters.platform"),
            ({"filters": {"colour": "red"}}, "filters.colour"),
            ({"acount_ids": [1]}, "acount_ids"),
            ({"platform": "youtube", "filters": {"platform": "bluesky"}}, "filters.platform"),
        ],
    )
    async def test_bad_input_is_422_naming_the_field(
        self, client: httpx.AsyncClient, alice: Tenant, body: dict[str, Any], field: str
    ) -> None:
        r = await client.post("/v1/refresh", json=body, headers=alice.headers)
        assert r.status_code == 422, r.text
        assert field in [e["field"] for e in r.json()["errors"]]

    async def test_needs_credentials(self, client: httpx.AsyncClient) -> None:
        assert (await client.post("/v1/refresh", json={})).status_code == 401


class TestStatus:
    async def test_status_body_through_the_request(
        self, client: httpx.AsyncClient, alice: Tenant, bob: Tenant, app: Any, app_sessions: Any
    ) -> None:
        ok, gone = await add_accounts(app_sessions, alice.user_id, ["ok", "gone"])
        r = await client.post("/v1/refresh", json={"account_ids": [ok, gone]}, headers=alice.headers)
        rid = r.json()["request_id"]

        pending = (await client.get(f"/v1/refresh/{rid}", headers=alice.headers)).json()
        assert {k: pending[k] for k in ("status", "total", "succeeded", "failed", "queued", "running")} == {
            "status": "pending",
            "total": 2,
            "succeeded": 0,
            "failed": 0,
            "queued": 2,
            "running": 0,
        }
        assert pending["started_at"] is None
        assert pending["errors"] == []
        assert pending["notes"] == []

        connector = FakeConnector()
        connector.add_account("ok")
        await drain(Worker(app.state.settings, app_sessions, FakeRegistry(connector), worker_id="w"))

        r = await client.get(f"/v1/refresh/{rid}", headers=alice.headers)
        assert r.status_code == 200
        body = r.json()
        assert set(body) == {
            "request_id",
            "status",
            "created_at",
            "started_at",
            "finished_at",
            "total",
            "succeeded",
            "failed",
            "queued",
            "running",
            "notes",
            "errors",
            "comments",
        }
        assert (body["request_id"], body["status"], body["succeeded"], body["failed"]) == (
            rid,
            "partial",
            1,
            1,
        )
        assert body["finished_at"] is not None
        assert body["errors"] == [
            {
                "kind": "account",
                "entity_id": gone,
                "platform": "youtube",
                "code": "not_found",
                "message": "no account @gone",
                "attempts": 1,
            }
        ]

        other = await client.get(f"/v1/refresh/{rid}", headers=bob.headers)
        assert other.status_code == 404
        assert other.headers["content-type"].startswith("application/problem+json")
        assert (await client.get("/v1/refresh/no-such-id", headers=alice.headers)).status_code == 404

    async def test_paused_accounts_are_noted(
        self, client: httpx.AsyncClient, alice: Tenant, app_sessions: Any
    ) -> None:
        [paused] = await add_accounts(app_sessions, alice.user_id, ["p"], paused=True)
        r = await client.post("/v1/refresh", json={"account_ids": [paused]}, headers=alice.headers)
        assert r.json() == {"request_id": r.json()["request_id"], "status": "succeeded", "total": 0}
        body = (await client.get(f"/v1/refresh/{r.json()['request_id']}", headers=alice.headers)).json()
        assert any("paused" in n for n in body["notes"])
