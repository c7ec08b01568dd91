"""The refresh engine with the Instagram connectors over the emulator: accounts on both
sources (Graph API by default, one account on the web profile) refreshed by a Runtime, then
their snapshots, posts and calls checked; then a second refresh with nothing new posted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from socialpulse.config import Settings
from socialpulse.db.engine import transaction
from socialpulse.emulator.app import EmulatorConfig, create_emulator_app
from socialpulse.emulator.instagram import OWN_IG_USER_ID, graph_user_id
from socialpulse.models import Account, AccountSnapshot, Post, PostSnapshot
from socialpulse.platforms.registry import ConnectorRegistry
from socialpulse.refresh.runtime import Runtime
from socialpulse.refresh.service import refresh_service
from tests.conftest import make_tenant

Sessions = async_sessionmaker[AsyncSession]
EMULATOR = "http://emulator.test"
FROZEN = datetime(2026, 6, 1, 12, tzinfo=UTC)
LISTED = 5  # recent_posts_limit


@pytest.fixture
def emulator() -> FastAPI:
    return create_emulator_app(EmulatorConfig(seed=42, creators_per_platform=60, frozen_at=FROZEN))


@pytest.fixture
async def registry(settings: Settings, emulator: FastAPI) -> AsyncIterator[ConnectorRegistry]:
    s = emulated(settings)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator), base_url=EMULATOR)
    reg = ConnectorRegistry(s, client=client)
    yield reg
    await reg.aclose()
    await client.aclose()


def emulated(settings: Settings) -> Settings:
    return settings.with_emulator(EMULATOR).model_copy(
        update={
            "instagram_graph_rate_per_s": 500.0,
            "instagram_discovery_rate_per_s": 500.0,
            "instagram_web_rate_per_s": 500.0,
            "recent_posts_limit": LISTED,
        }
    )


async def calls(emulator: FastAPI, reset: bool = False) -> dict[str, int]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator), base_url=EMULATOR) as c:
        body: dict[str, Any] = (await c.get("/_emulator/calls")).json()
        if reset:
            await c.delete("/_emulator/calls")
    return dict(body["by_endpoint"])


async def refresh(
    settings: Settings, sessions: Sessions, registry: ConnectorRegistry, user_id: int, ids: list[int]
) -> Any:
    async with transaction(sessions) as s:
        request = await refresh_service.create_request(s, user_id=user_id, account_ids=ids)
    runtime = Runtime(emulated(settings), sessions, registry=registry, stop_grace_s=1.0)
    await runtime.start()
    try:
        status = await refresh_service.wait_for(sessions, request.public_id, timeout_s=60, poll_s=0.05)
    finally:
        await runtime.stop()
    return status


async def test_refresh_instagram_accounts_on_both_sources(
    settings: Settings, sessions: Sessions, registry: ConnectorRegistry, emulator: FastAPI
) -> None:
    world = emulator.state.world
    me, creator, web_one = world.creators("instagram")[:3]
    tenant = await make_tenant(sessions, "ig@example.com")
    async with transaction(sessions) as s:
        rows = [
            Account(user_id=tenant.user_id, platform="instagram", handle=me.handle),
            Account(user_id=tenant.user_id, platform="instagram", handle=creator.handle, source="graph"),
            Account(user_id=tenant.user_id, platform="instagram", handle=web_one.handle, source="web"),
            Account(user_id=tenant.user_id, platform="instagram", handle="privatevault", source="web"),
            Account(user_id=tenant.user_id, platform="instagram", handle="nosuchuser404"),
        ]
        s.add_all(rows)
        await s.flush()
        ids = [a.id for a in rows]
    own_id, creator_id, web_id, private_id, missing_id = ids

    status = await refresh(settings, sessions, registry, tenant.user_id, ids)
    assert status.finished
    assert (status.status, status.succeeded, status.failed) == ("partial", 3, 2)

    first = await calls(emulator, reset=True)
    assert first == {
        "instagram.graph.node": 3,  # Business Discovery: one per Graph account, the unknown one too
        "instagram.graph.insights": 2 + LISTED,  # our account's insights, then each listed media's
        "instagram.web.web_profile_info": 2,
    }

    async with sessions() as s:
        accounts = {a.id: a for a in (await s.scalars(select(Account).where(Account.id.in_(ids)))).all()}
        snaps = {
            snap.account_id: snap
            for snap in (await s.scalars(select(AccountSnapshot).order_by(AccountSnapshot.id))).all()
        }
        posts = (await s.scalars(select(Post).where(Post.user_id == tenant.user_id))).all()
        post_snaps = (await s.scalars(select(PostSnapshot))).all()

    assert set(snaps) == {own_id, creator_id, web_id}
    assert accounts[own_id].platform_id == OWN_IG_USER_ID
    assert accounts[creator_id].platform_id == graph_user_id(world, creator)
    assert accounts[web_id].platform_id == web_one.platform_id  # the web's id, not the Graph's
    assert (snaps[own_id].connector, snaps[own_id].api_version) == ("instagram-graph", "v22.0")
    assert snaps[web_id].connector == "instagram-web"
    for account_id, c in ((own_id, me), (creator_id, creator), (web_id, web_one)):
        stats = world.stats(c)
        assert snaps[account_id].followers == stats.followers
        assert snaps[account_id].posts == stats.posts
    assert snaps[own_id].extras is not None
    assert isinstance(snaps[own_id].extras["insights"]["reach"], int)
    assert (accounts[private_id].status, accounts[missing_id].status) == ("private", "not_found")
    assert accounts[missing_id].status_detail
    assert "web source" in accounts[missing_id].status_detail

    by_account: dict[int | None, list[Post]] = {}
    for p in posts:
        by_account.setdefault(p.account_id, []).append(p)
    assert {k: len(v) for k, v in by_account.items()} == {own_id: LISTED, creator_id: LISTED, web_id: LISTED}
    expected = {p.social_id for c in (me, creator, web_one) for p in world.posts(c, limit=LISTED)}
    assert {p.social_id for p in posts} == expected  # shortcodes, whichever source read them
    assert len(post_snaps) == len(posts)  # every listed post came with its counters
    own_posts = {p.id for p in by_account[own_id]}
    assert all(ps.reach is not None for ps in post_snaps if ps.post_id in own_posts)
    assert all(ps.reach is None and ps.likes is not None for ps in post_snaps if ps.post_id not in own_posts)
    assert all(p.type in ("reel", "image", "carousel") and p.posted_at for p in posts)

    # nothing new posted: one call per account, and the recent posts' counters come along free
    again = await refresh(settings, sessions, registry, tenant.user_id, [own_id, creator_id, web_id])
    assert (again.status, again.succeeded) == ("succeeded", 3)
    assert await calls(emulator) == {
        "instagram.graph.node": 2,
        "instagram.graph.insights": 2,
        "instagram.web.web_profile_info": 1,
    }
    async with sessions() as s:
        n_snaps = await s.scalar(select(func.count()).select_from(AccountSnapshot))
        n_post_snaps = await s.scalar(select(func.count()).select_from(PostSnapshot))
    assert n_snaps == 6
    assert n_post_snaps == len(post_snaps) + 2 * LISTED  # the others' listings, not ours


async def test_posts_tracked_by_url_are_read_through_their_author(
    settings: Settings, sessions: Sessions, registry: ConnectorRegistry, emulator: FastAPI
) -> None:
    """A post tracked by its URL carries no author: ours are found among our media; another
    account's waits (a transient error, no call) until its account's refresh names the author."""
    world = emulator.state.world
    me, web_one = world.creators("instagram")[0], world.creators("instagram")[2]
    tenant = await make_tenant(sessions, "urls@example.com")
    async with transaction(sessions) as s:
        accounts = [
            Account(user_id=tenant.user_id, platform="instagram", handle=me.handle),
            Account(user_id=tenant.user_id, platform="instagram", handle=web_one.handle, source="web"),
        ]
        newest = [world.posts(c, limit=1)[0] for c in (me, web_one)]
        posts = [Post(user_id=tenant.user_id, platform="instagram", social_id=p.social_id) for p in newest]
        s.add_all([*accounts, *posts])
        await s.flush()
        account_ids, post_ids = [a.id for a in accounts], [p.id for p in posts]
    async with transaction(sessions) as s:
        request = await refresh_service.create_request(
            s, user_id=tenant.user_id, account_ids=account_ids, post_ids=post_ids
        )
    patient = settings.model_copy(update={"retry_base_s": 0.2})
    runtime = Runtime(emulated(patient), sessions, registry=registry, stop_grace_s=1.0)
    await runtime.start()
    try:
        status = await refresh_service.wait_for(sessions, request.public_id, timeout_s=60, poll_s=0.05)
    finally:
        await runtime.stop()
    assert (status.status, status.failed) == ("succeeded", 0)
    async with sessions() as s:
        rows = {p.id: p for p in (await s.scalars(select(Post).where(Post.id.in_(post_ids)))).all()}
        snapped = set(
            (await s.scalars(select(PostSnapshot.post_id).where(PostSnapshot.post_id.in_(post_ids)))).all()
        )
    assert snapped == set(post_ids)
    assert rows[post_ids[0]].author_platform_id == OWN_IG_USER_ID
    assert rows[post_ids[1]].author_platform_id == web_one.platform_id
    assert rows[post_ids[1]].author_handle == web_one.handle
