"""Another user's ids answer 404 on every route, exactly like ids that never existed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.conftest import Tenant
from tests.tracking.helpers import (
    add_account_snapshot,
    add_post_snapshot,
    all_pages,
    create_account,
    create_post,
    create_profile,
    problem,
)


@pytest.fixture
async def alices(client: httpx.AsyncClient, alice: Tenant, app: Any) -> dict[str, int]:
    profile = await create_profile(client, alice, "alices")
    account = await create_account(client, alice, "x", "nasa", profile_id=profile["id"], tags=["secret"])
    post = await create_post(client, alice, url="https://x.com/nasa/status/1234567890123456789")
    await add_account_snapshot(app, account["id"], datetime(2024, 1, 1, tzinfo=UTC), followers=1)
    await add_post_snapshot(app, post["id"], datetime(2024, 1, 1, tzinfo=UTC), views=1)
    return {"profile": profile["id"], "account": account["id"], "post": post["id"]}


ROUTES = [
    ("GET", "/v1/profiles/{profile}", None),
    ("PATCH", "/v1/profiles/{profile}", {"name": "stolen"}),
    ("DELETE", "/v1/profiles/{profile}", None),
    ("POST", "/v1/profiles/{profile}/accounts", {"account_ids": [1]}),
    ("DELETE", "/v1/profiles/{profile}/accounts/{account}", None),
    ("GET", "/v1/accounts/{account}", None),
    ("PATCH", "/v1/accounts/{account}", {"paused": True}),
    ("DELETE", "/v1/accounts/{account}", None),
    ("GET", "/v1/accounts/{account}/stats", None),
    ("GET", "/v1/posts/{post}", None),
    ("DELETE", "/v1/posts/{post}", None),
    ("GET", "/v1/posts/{post}/stats", None),
    ("GET", "/v1/accounts?profile={profile}", None),
    ("GET", "/v1/posts?account_id={account}", None),
]


class TestOtherUsersIds:
    @pytest.mark.parametrize(("method", "path", "body"), ROUTES)
    async def test_every_route_answers_404(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        bob: Tenant,
        alices: dict[str, int],
        method: str,
        path: str,
        body: dict[str, Any] | None,
    ) -> None:
        url = path.format(**alices)
        theirs = problem(await client.request(method, url, json=body, headers=bob.headers), 404)
        assert "not found" in theirs["detail"]
        # the same answer as for an id nobody has: nothing tells "exists, not yours"
        missing = {k: v + 1000 for k, v in alices.items()}
        nobody = problem(
            await client.request(method, path.format(**missing), json=body, headers=bob.headers), 404
        )
        assert re.sub(r"\d+", "N", theirs["detail"]) == re.sub(r"\d+", "N", nobody["detail"])
        # and alice's things are untouched
        for route in (f"/v1/profiles/{alices['profile']}", f"/v1/accounts/{alices['account']}"):
            assert (await client.get(route, headers=alice.headers)).status_code == 200
        r = await client.get(f"/v1/posts/{alices['post']}", headers=alice.headers)
        assert r.status_code == 200
        assert r.json()["tracked"] is True

    async def test_attach_another_users_account(
        self, client: httpx.AsyncClient, alice: Tenant, bob: Tenant, alices: dict[str, int]
    ) -> None:
        bobs = await create_profile(client, bob, "bobs")
        body = problem(
            await client.post(
                f"/v1/profiles/{bobs['id']}/accounts",
                json={"account_ids": [alices["account"]]},
                headers=bob.headers,
            ),
            404,
        )
        assert body["detail"].startswith(f"account {alices['account']} not found")
        r = await client.get(f"/v1/accounts/{alices['account']}", headers=alice.headers)
        assert r.json()["profile_id"] == alices["profile"]

    async def test_detach_another_users_account_from_own_profile(
        self, client: httpx.AsyncClient, alice: Tenant, bob: Tenant, alices: dict[str, int]
    ) -> None:
        bobs = await create_profile(client, bob, "bobs")
        body = problem(
            await client.delete(
                f"/v1/profiles/{bobs['id']}/accounts/{alices['account']}", headers=bob.headers
            ),
            404,
        )
        assert body["detail"] == f"account {alices['account']} not found"

    async def test_lists_show_only_own_rows(
        self, client: httpx.AsyncClient, alice: Tenant, bob: Tenant, alices: dict[str, int]
    ) -> None:
        for path in ("/v1/profiles", "/v1/accounts", "/v1/posts"):
            assert await all_pages(client, bob, path) == []
            assert len(await all_pages(client, alice, path)) == 1
        assert await all_pages(client, bob, "/v1/accounts", tag="secret") == []

    async def test_creating_the_same_things_is_independent(
        self, client: httpx.AsyncClient, alice: Tenant, bob: Tenant, alices: dict[str, int]
    ) -> None:
        await create_profile(client, bob, "alices")
        account = await create_account(client, bob, "x", "nasa")
        post = await create_post(client, bob, url="https://x.com/nasa/status/1234567890123456789")
        assert post["account_id"] == account["id"]
        r = await client.get(f"/v1/accounts/{account['id']}", headers=bob.headers)
        assert r.json()["latest"] is None  # alice's snapshots are not bob's
