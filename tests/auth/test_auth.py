from __future__ import annotations

import httpx

from socialpulse.auth.service import issue_jwt
from socialpulse.models import User
from tests.conftest import Tenant


class TestAuthentication:
    async def test_missing_header_says_what_to_send(self, client: httpx.AsyncClient) -> None:
        r = await client.get("/v1/auth/me")
        assert r.status_code == 401
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "missing credentials" in r.json()["detail"]

    async def test_wrong_key(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        r = await client.get("/v1/auth/me", headers={"Authorization": "Bearer sp_nope"})
        assert r.status_code == 401
        assert "API key is not valid" in r.json()["detail"]

    async def test_malformed_scheme(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        r = await client.get("/v1/auth/me", headers={"Authorization": f"Basic {alice.key}"})
        assert r.status_code == 401
        assert "malformed" in r.json()["detail"]

    async def test_bearer_and_apikey_schemes(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        for scheme in ("Bearer", "Apikey", "apikey"):
            r = await client.get("/v1/auth/me", headers={"Authorization": f"{scheme} {alice.key}"})
            assert r.status_code == 200, r.text
            assert r.json() == {"id": alice.user_id, "email": alice.email, "authenticated_with": "api_key"}

    async def test_password_login_gives_working_jwt(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        r = await client.post("/v1/auth/token", data={"username": alice.email, "password": "wonderland-42"})
        assert r.status_code == 200, r.text
        token = r.json()["access_token"]
        me = await client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["authenticated_with"] == "jwt"

    async def test_wrong_password(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        r = await client.post("/v1/auth/token", data={"username": alice.email, "password": "nope"})
        assert r.status_code == 401
        assert r.json()["detail"] == "e-mail or password is wrong"

    async def test_expired_jwt_says_expired(self, client: httpx.AsyncClient, alice: Tenant, app) -> None:  # type: ignore[no-untyped-def]
        settings = app.state.settings.model_copy(update={"jwt_ttl_s": -10})
        token = issue_jwt(settings, User(id=alice.user_id, email=alice.email))
        r = await client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401
        assert "expired" in r.json()["detail"]

    async def test_forged_jwt(self, client: httpx.AsyncClient, alice: Tenant, app) -> None:  # type: ignore[no-untyped-def]
        settings = app.state.settings.model_copy(update={"secret_key": "another-secret-" + "y" * 40})
        token = issue_jwt(settings, User(id=alice.user_id, email=alice.email))
        r = await client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401
        assert "not valid" in r.json()["detail"]
