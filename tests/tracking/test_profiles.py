from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import Tenant
from tests.tracking.helpers import all_pages, create_account, create_profile, fields, problem


class TestCreateProfile:
    async def test_creates(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        r = await client.post("/v1/profiles", json={"name": "acme-brand.01_x"}, headers=alice.headers)
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["name"] == "acme-brand.01_x"
        assert set(body) == {"id", "name", "created_at"}

    async def test_duplicate_name_is_409_with_existing_id(
        self, client: httpx.AsyncClient, alice: Tenant
    ) -> None:
        first = await create_profile(client, alice, "acme")
        r = await client.post("/v1/profiles", json={"name": "acme"}, headers=alice.headers)
        body = problem(r, 409)
        assert body["existing_id"] == first["id"]
        assert "acme" in body["detail"]

    async def test_same_name_for_another_user_is_fine(
        self, client: httpx.AsyncClient, alice: Tenant, bob: Tenant
    ) -> None:
        await create_profile(client, alice, "acme")
        await create_profile(client, bob, "acme")

    @pytest.mark.parametrize("name", ["", "has space", "a/b", "x" * 101, "émile", "a?b"])
    async def test_bad_names(self, client: httpx.AsyncClient, alice: Tenant, name: str) -> None:
        body = problem(await client.post("/v1/profiles", json={"name": name}, headers=alice.headers), 422)
        assert fields(body) == {"name"}
        assert "letters, digits" in body["detail"]

    async def test_missing_name_and_unknown_fields(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        body = problem(await client.post("/v1/profiles", json={"nmae": "acme"}, headers=alice.headers), 422)
        assert fields(body) == {"name", "nmae"}

    async def test_needs_credentials(self, client: httpx.AsyncClient) -> None:
        problem(await client.post("/v1/profiles", json={"name": "acme"}), 401)


class TestListProfiles:
    async def test_pages_through_own_profiles_only(
        self, client: httpx.AsyncClient, alice: Tenant, bob: Tenant
    ) -> None:
        names = [f"p{i}" for i in range(5)]
        for n in names:
            await create_profile(client, alice, n)
        await create_profile(client, bob, "bobs")
        r = await client.get("/v1/profiles", params={"limit": 2}, headers=alice.headers)
        first = r.json()
        assert [p["name"] for p in first["items"]] == ["p0", "p1"]
        assert first["next_cursor"]
        items = await all_pages(client, alice, "/v1/profiles", limit=2)
        assert [p["name"] for p in items] == names
        assert [p["name"] for p in await all_pages(client, bob, "/v1/profiles")] == ["bobs"]

    @pytest.mark.parametrize(("params", "field"), [({"limit": 0}, "limit"), ({"limit": 501}, "limit")])
    async def test_bad_limit(
        self, client: httpx.AsyncClient, alice: Tenant, params: dict[str, Any], field: str
    ) -> None:
        body = problem(await client.get("/v1/profiles", params=params, headers=alice.headers), 422)
        assert fields(body) == {field}

    @pytest.mark.parametrize(
        "cursor", ["not-a-cursor", "WyJ4Il0", "WzEsMl0", "WzE4NDQ2NzQ0MDczNzA5NTUxNjE2XQ"]
    )
    async def test_bad_cursor(self, client: httpx.AsyncClient, alice: Tenant, cursor: str) -> None:
        body = problem(
            await client.get("/v1/profiles", params={"cursor": cursor}, headers=alice.headers), 400
        )
        assert "cursor" in body["detail"]


class TestGetProfile:
    async def test_with_its_accounts(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        profile = await create_profile(client, alice, "acme")
        a = await create_account(client, alice, "youtube", "@acme", profile_id=profile["id"])
        await create_account(client, alice, "x", "someone_else")
        r = await client.get(f"/v1/profiles/{profile['id']}", headers=alice.headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["name"] == "acme"
        assert [acc["id"] for acc in body["accounts"]] == [a["id"]]
        assert body["accounts"][0]["latest"] is None

    async def test_unknown_and_bad_ids(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        body = problem(await client.get("/v1/profiles/999", headers=alice.headers), 404)
        assert body["detail"] == "profile 999 not found"
        body = problem(await client.get("/v1/profiles/abc", headers=alice.headers), 422)
        assert fields(body) == {"profile_id"}
        problem(await client.get("/v1/profiles/0", headers=alice.headers), 422)
        problem(await client.get(f"/v1/profiles/{2**63}", headers=alice.headers), 422)


class TestRenameProfile:
    async def test_renames(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        p = await create_profile(client, alice, "old")
        r = await client.patch(f"/v1/profiles/{p['id']}", json={"name": "new"}, headers=alice.headers)
        assert r.status_code == 200, r.text
        assert r.json()["name"] == "new"
        r = await client.get(f"/v1/profiles/{p['id']}", headers=alice.headers)
        assert r.json()["name"] == "new"

    async def test_same_name_is_a_no_op(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        p = await create_profile(client, alice, "same")
        r = await client.patch(f"/v1/profiles/{p['id']}", json={"name": "same"}, headers=alice.headers)
        assert r.status_code == 200, r.text

    async def test_taken_name_is_409(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        a = await create_profile(client, alice, "a")
        b = await create_profile(client, alice, "b")
        body = problem(
            await client.patch(f"/v1/profiles/{b['id']}", json={"name": "a"}, headers=alice.headers), 409
        )
        assert body["existing_id"] == a["id"]

    async def test_bad_body(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        p = await create_profile(client, alice, "a")
        body = problem(
            await client.patch(
                f"/v1/profiles/{p['id']}", json={"name": "a b", "x": 1}, headers=alice.headers
            ),
            422,
        )
        assert fields(body) == {"name", "x"}


class TestDeleteProfile:
    async def test_accounts_stay_detached(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        p = await create_profile(client, alice, "gone")
        a = await create_account(client, alice, profile_id=p["id"])
        r = await client.delete(f"/v1/profiles/{p['id']}", headers=alice.headers)
        assert r.status_code == 204
        assert r.content == b""
        problem(await client.get(f"/v1/profiles/{p['id']}", headers=alice.headers), 404)
        r = await client.get(f"/v1/accounts/{a['id']}", headers=alice.headers)
        assert r.status_code == 200
        assert r.json()["profile_id"] is None

    async def test_unknown(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        problem(await client.delete("/v1/profiles/12", headers=alice.headers), 404)


class TestAttachAccounts:
    async def test_attaches_and_moves(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        p1 = await create_profile(client, alice, "one")
        p2 = await create_profile(client, alice, "two")
        a = await create_account(client, alice, "x", "first", profile_id=p1["id"])
        b = await create_account(client, alice, "x", "second")
        r = await client.post(
            f"/v1/profiles/{p2['id']}/accounts",
            json={"account_ids": [a["id"], b["id"], a["id"]]},
            headers=alice.headers,
        )
        assert r.status_code == 200, r.text
        assert [acc["id"] for acc in r.json()["accounts"]] == [a["id"], b["id"]]
        r = await client.get(f"/v1/profiles/{p1['id']}", headers=alice.headers)
        assert r.json()["accounts"] == []

    async def test_unknown_ids_named_and_nothing_attached(
        self, client: httpx.AsyncClient, alice: Tenant
    ) -> None:
        p = await create_profile(client, alice, "one")
        a = await create_account(client, alice)
        body = problem(
            await client.post(
                f"/v1/profiles/{p['id']}/accounts",
                json={"account_ids": [a["id"], 998, 999]},
                headers=alice.headers,
            ),
            404,
        )
        assert body["detail"].startswith("accounts 998, 999 not found")
        assert body["missing_ids"] == [998, 999]
        r = await client.get(f"/v1/profiles/{p['id']}", headers=alice.headers)
        assert r.json()["accounts"] == []

    @pytest.mark.parametrize(
        "payload",
        [{"account_ids": []}, {"account_ids": ["x"]}, {"account_ids": [0]}, {}, {"account_ids": [1], "y": 2}],
    )
    async def test_bad_body(self, client: httpx.AsyncClient, alice: Tenant, payload: dict[str, Any]) -> None:
        p = await create_profile(client, alice, "one")
        body = problem(
            await client.post(f"/v1/profiles/{p['id']}/accounts", json=payload, headers=alice.headers), 422
        )
        assert any(f.startswith("account_ids") or f == "y" for f in fields(body))


class TestDetachAccount:
    async def test_detaches(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        p = await create_profile(client, alice, "one")
        a = await create_account(client, alice, profile_id=p["id"])
        r = await client.delete(f"/v1/profiles/{p['id']}/accounts/{a['id']}", headers=alice.headers)
        assert r.status_code == 204, r.text
        r = await client.get(f"/v1/accounts/{a['id']}", headers=alice.headers)
        assert r.json()["profile_id"] is None

    async def test_not_attached(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        p = await create_profile(client, alice, "one")
        a = await create_account(client, alice)
        body = problem(
            await client.delete(f"/v1/profiles/{p['id']}/accounts/{a['id']}", headers=alice.headers), 404
        )
        assert body["detail"] == f"account {a['id']} is not attached to profile {p['id']}"

    async def test_bad_ids(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        body = problem(await client.delete("/v1/profiles/1/accounts/x", headers=alice.headers), 422)
        assert fields(body) == {"account_id"}
