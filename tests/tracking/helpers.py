"""Small factories for API tests: accounts, posts and snapshots of one tenant."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import select

from socialpulse.models import AccountSnapshot, PostSnapshot, RefreshItem
from tests.conftest import Tenant


async def create_profile(client: httpx.AsyncClient, tenant: Tenant, name: str) -> dict[str, Any]:
    r = await client.post("/v1/profiles", json={"name": name}, headers=tenant.headers)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def create_account(
    client: httpx.AsyncClient,
    tenant: Tenant,
    platform: str = "youtube",
    handle: str = "@natgeo",
    **extra: Any,
) -> dict[str, Any]:
    r = await client.post(
        "/v1/accounts", json={"platform": platform, "handle": handle, **extra}, headers=tenant.headers
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def create_post(client: httpx.AsyncClient, tenant: Tenant, **body: Any) -> dict[str, Any]:
    body = body or {"platform": "youtube", "social_id": "dQw4w9WgXcQ"}
    r = await client.post("/v1/posts", json=body, headers=tenant.headers)
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


async def add_account_snapshot(app: Any, account_id: int, fetched_at: datetime, **counters: Any) -> None:
    async with app.state.sessions() as s, s.begin():
        s.add(
            AccountSnapshot(
                account_id=account_id,
                fetched_at=fetched_at,
                connector=counters.pop("connector", "test"),
                api_version=counters.pop("api_version", "v1"),
                **counters,
            )
        )


async def add_post_snapshot(app: Any, post_id: int, fetched_at: datetime, **counters: Any) -> None:
    async with app.state.sessions() as s, s.begin():
        s.add(
            PostSnapshot(
                post_id=post_id,
                fetched_at=fetched_at,
                connector=counters.pop("connector", "test"),
                api_version=counters.pop("api_version", "v1"),
                **counters,
            )
        )


async def all_pages(
    client: httpx.AsyncClient, tenant: Tenant, path: str, **params: Any
) -> list[dict[str, Any]]:
    """Every item of a paginated list, following next_cursor."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        r = await client.get(path, params=query, headers=tenant.headers)
        assert r.status_code == 200, r.text
        page = r.json()
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def queued(app: Any, kind: str) -> list[tuple[int, int]]:
    """(entity id, user id) of the refresh queue's items of ``kind``."""
    async with app.state.sessions() as s:
        rows = await s.execute(
            select(RefreshItem.entity_id, RefreshItem.user_id)
            .where(RefreshItem.kind == kind)
            .order_by(RefreshItem.id)
        )
        return [(e, u) for e, u in rows]


def problem(r: httpx.Response, status: int) -> dict[str, Any]:
    """The problem+json body of an error answer, after checking its status and media type."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers["content-type"]
    body: dict[str, Any] = r.json()
    return body


def fields(body: dict[str, Any]) -> set[str]:
    """The fields a 422 problem names."""
    return {e["field"] for e in body.get("errors", [])}
