"""End to end over the emulator: the real YouTube and Bluesky connectors, their wire
formats, and the emulator's call counter."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from socialpulse.config import Settings
from socialpulse.db.engine import transaction
from socialpulse.emulator.app import EmulatorConfig, create_emulator_app
from socialpulse.models import Account, Post, PostSnapshot
from socialpulse.platforms.pacing import QuotaGuard
from socialpulse.platforms.registry import ConnectorRegistry
from socialpulse.refresh.service import refresh_service
from socialpulse.refresh.worker import Worker
from tests.conftest import Tenant
from tests.refresh.conftest import Sessions, add_accounts, drain, items, snapshot_counts

EMULATOR = "http://emulator.test"


@pytest.fixture
def emulator() -> Any:
    return create_emulator_app(
        EmulatorConfig(
            seed=42,
            latency_ms=0.0,
            rate_limit_per_s=None,
            fault_rate=0.0,
            frozen_at=None,
            posts_per_creator=None,
        )
    )


@pytest.fixture
async def emulated(settings: Settings, sessions: Sessions, emulator: Any) -> AsyncIterator[Worker]:
    """A worker whose connectors talk to the in-process emulator."""
    s = settings.with_emulator(EMULATOR).model_copy(
        update={"youtube_rate_per_s": 500.0, "bluesky_rate_per_s": 500.0, "recent_posts_limit": 5}
    )
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator), base_url=EMULATOR)
    registry = ConnectorRegistry(s, client=client, quota=QuotaGuard(sessions, s))
    yield Worker(s, sessions, registry, worker_id="emulated")
    await registry.aclose()
    await client.aclose()


async def calls(emulator: Any) -> dict[str, int]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator), base_url=EMULATOR) as c:
        body = (await c.get("/_emulator/calls")).json()
    return dict(body["by_endpoint"])


async def refresh(sessions: Sessions, user: Tenant, ids: list[int]) -> str:
    async with transaction(sessions) as s:
        return (await refresh_service.create_request(s, user_id=user.user_id, account_ids=ids)).public_id


class TestYouTube:
    async def test_channels_in_batches_then_their_videos(
        self, sessions: Sessions, user: Tenant, emulated: Worker, emulator: Any
    ) -> None:
        world = emulator.state.world
        creators = world.creators("youtube")[:60]
        ids = []
        for c in creators:
            ids += await add_accounts(
                sessions, user.user_id, [c.handle.lstrip("@")], platform_id=c.platform_id
            )
        [missing] = await add_accounts(
            sessions, user.user_id, [world.special("youtube", "not_found").lstrip("@")]
        )
        rid = await refresh(sessions, user, [*ids, missing])

        await drain(emulated)

        by_endpoint = await calls(emulator)
        counted = {k: v for k, v in by_endpoint.items() if "channels" in k}
        assert sum(counted.values()) >= math.ceil(60 / 50) + 1  # two batches by id, one lookup by handle
        assert await snapshot_counts(sessions) == dict.fromkeys(ids, 1)
        async with sessions() as s:
            gone = await s.get(Account, missing)
            assert gone is not None
            assert gone.status == "not_found"
            assert gone.status_detail
            n_posts = await s.scalar(select(func.count()).select_from(Post))
            n_snaps = await s.scalar(select(func.count(func.distinct(PostSnapshot.post_id))))
        assert n_posts
        assert n_snaps == n_posts  # every listed video was fetched by a follow-up item
        videos = sum(v for k, v in by_endpoint.items() if "videos" in k)
        assert videos == math.ceil(n_posts / 50)
        status = (await refresh_service.wait_for(sessions, rid, timeout_s=0)).model_dump()
        assert (status["status"], status["failed"], status["succeeded"]) == ("partial", 1, 60 + n_posts)
        assert [e["code"] for e in status["errors"]] == ["not_found"]


class TestBluesky:
    async def test_profiles_and_their_feed(
        self, sessions: Sessions, user: Tenant, emulated: Worker, emulator: Any
    ) -> None:
        creators = emulator.state.world.creators("bluesky")[:30]
        ids = []
        for c in creators:
            ids += await add_accounts(sessions, user.user_id, [c.handle], platform="bluesky")
        rid = await refresh(sessions, user, ids)
        await drain(emulated)
        assert await snapshot_counts(sessions) == dict.fromkeys(ids, 1)
        status = await refresh_service.wait_for(sessions, rid, timeout_s=0)
        assert (status.status, status.succeeded) == ("succeeded", len(await items(sessions)))
        async with sessions() as s:
            accounts = (await s.scalars(select(Account).where(Account.id.in_(ids)))).all()
        assert all(a.platform_id and a.platform_id.startswith("did:") for a in accounts)
