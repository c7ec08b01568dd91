"""TikTok with a database: stored credentials, the shared daily quota of the Research API, and
whole refreshes through the engine (``Runtime``) against the emulator, for both sources.
Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import httpx
import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from socialpulse.config import Settings
from socialpulse.credentials.service import DBTokenStore, credentials
from socialpulse.db.engine import transaction
from socialpulse.emulator.app import EmulatorConfig, create_emulator_app
from socialpulse.emulator.tiktok import open_id
from socialpulse.kit.time import utcnow
from socialpulse.models import Account, AccountSnapshot, PlatformCredential, Post, PostSnapshot
from socialpulse.platforms.base import AccountRef, ProfileData, QuotaExceeded
from socialpulse.platforms.pacing import QuotaGuard
from socialpulse.platforms.registry import ConnectorRegistry
from socialpulse.platforms.tiktok_display import TikTokDisplayConnector
from socialpulse.platforms.tiktok_research import QUOTA_KEY, TikTokResearchConnector
from socialpulse.refresh.runtime import Runtime
from socialpulse.refresh.service import refresh_service
from tests.conftest import Tenant, make_tenant

Sessions = async_sessionmaker[AsyncSession]
EMULATOR = "http://emulator.test"


@pytest.fixture(autouse=True)
async def credentials_table(engine: AsyncEngine) -> None:
    """``platform_credentials`` until its migration exists (a no-op once it does)."""
    async with engine.begin() as conn:
        table = cast(Table, PlatformCredential.__table__)
        await conn.run_sync(lambda c: table.create(c, checkfirst=True))


@pytest.fixture
async def user(sessions: Sessions) -> Tenant:
    return await make_tenant(sessions, "tiktok@example.com")


@pytest.fixture
def emu() -> Any:
    # the world stands still at the real "now", so that the Research API's date windows (counted
    # from the real date) see it, and nothing new is posted between two refreshes
    return create_emulator_app(EmulatorConfig(seed=42, frozen_at=utcnow(), creators_per_platform=60))


@pytest.fixture
async def emu_client(emu: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emu), base_url=EMULATOR) as client:
        yield client


async def add_account(sessions: Sessions, user: Tenant, handle: str, source: str | None = None) -> int:
    async with transaction(sessions) as s:
        account = Account(user_id=user.user_id, platform="tiktok", handle=handle, source=source)
        s.add(account)
        await s.flush()
        return account.id


async def calls(client: httpx.AsyncClient, reset: bool = False) -> dict[str, int]:
    body = (await client.get("/_emulator/calls")).json()
    if reset:
        await client.delete("/_emulator/calls")
    return dict(body["by_endpoint"])


async def refresh(
    settings: Settings, sessions: Sessions, registry: ConnectorRegistry, user: Tenant, ids: list[int]
) -> Any:
    """One refresh request for ``ids``, served by a running ``Runtime`` until it finishes."""
    async with transaction(sessions) as s:
        rid = (await refresh_service.create_request(s, user_id=user.user_id, account_ids=ids)).public_id
    runtime = Runtime(settings, sessions, registry=registry)
    await runtime.start()
    try:
        status = await refresh_service.wait_for(sessions, rid, timeout_s=60, poll_s=0.05)
    finally:
        await runtime.stop()
    assert status.finished
    return status


async def counts(sessions: Sessions, ids: list[int]) -> tuple[dict[Any, int], dict[Any, int], dict[Any, int]]:
    """Per account: account snapshots, posts, post snapshots."""
    async with sessions() as s:
        snaps = dict(
            (
                await s.execute(
                    select(AccountSnapshot.account_id, func.count())
                    .where(AccountSnapshot.account_id.in_(ids))
                    .group_by(AccountSnapshot.account_id)
                )
            ).all()
        )
        posts = dict(
            (
                await s.execute(
                    select(Post.account_id, func.count())
                    .where(Post.account_id.in_(ids))
                    .group_by(Post.account_id)
                )
            ).all()
        )
        post_snaps = dict(
            (
                await s.execute(
                    select(Post.account_id, func.count())
                    .join(PostSnapshot, PostSnapshot.post_id == Post.id)
                    .where(Post.account_id.in_(ids))
                    .group_by(Post.account_id)
                )
            ).all()
        )
    return snaps, posts, post_snaps


# ---------------------------------------------------------------------------- credentials


class TestCredentials:
    async def test_set_get_replace_and_delete(self, sessions: Sessions, user: Tenant) -> None:
        account_id = await add_account(sessions, user, "lenabakes")
        expires = datetime(2030, 1, 1, tzinfo=UTC)
        async with transaction(sessions) as s:
            row = await credentials.set(
                s,
                user_id=user.user_id,
                account_id=account_id,
                access_token=" act.one ",
                refresh_token="rft.one",
                expires_at=expires,
                scopes=["user.info.basic", " video.list "],
            )
            assert (row.platform, row.access_token, row.scopes) == (
                "tiktok",
                "act.one",
                ["user.info.basic", "video.list"],
            )
        async with transaction(sessions) as s:
            await credentials.set(s, user_id=user.user_id, account_id=account_id, access_token="act.two")
        async with sessions() as s:
            got = await credentials.get(s, user_id=user.user_id, account_id=account_id)
            assert got is not None
            assert (got.access_token, got.refresh_token, got.expires_at) == ("act.two", None, None)
            assert await s.scalar(select(func.count()).select_from(PlatformCredential)) == 1
        async with transaction(sessions) as s:
            assert await credentials.delete(s, user_id=user.user_id, account_id=account_id)
            assert await credentials.get(s, user_id=user.user_id, account_id=account_id) is None

    async def test_only_the_owner_sets_a_token(self, sessions: Sessions, user: Tenant) -> None:
        from socialpulse.errors import NotFound

        account_id = await add_account(sessions, user, "lenabakes")
        other = await make_tenant(sessions, "other@example.com")
        async with transaction(sessions) as s:
            with pytest.raises(NotFound):
                await credentials.set(s, user_id=other.user_id, account_id=account_id, access_token="act.x")
            assert await credentials.get(s, user_id=other.user_id, account_id=account_id) is None

    async def test_the_store_finds_tokens_by_account_and_by_post(
        self, sessions: Sessions, user: Tenant
    ) -> None:
        a = await add_account(sessions, user, "lenabakes")
        b = await add_account(sessions, user, "pixelpilot")
        async with transaction(sessions) as s:
            await credentials.set(
                s, user_id=user.user_id, account_id=a, access_token="act.a", refresh_token="rft.a"
            )
            post = Post(
                user_id=user.user_id, account_id=a, platform="tiktok", social_id="7300000000000000000"
            )
            orphan = Post(
                user_id=user.user_id, account_id=b, platform="tiktok", social_id="7300000000000000001"
            )
            s.add_all([post, orphan])
            await s.flush()
            post_id, orphan_id = post.id, orphan.id
        store = DBTokenStore(sessions)
        found = await store.for_accounts("tiktok", [str(a), str(b), "not-an-id"])
        assert list(found) == [str(a)]
        assert found[str(a)].access_token == "act.a"
        assert list(await store.for_posts("tiktok", [str(post_id), str(orphan_id)])) == [str(post_id)]
        assert await store.for_accounts("instagram", [str(a)]) == {}
        later = datetime(2031, 1, 1, tzinfo=UTC)
        await store.renewed(
            found[str(a)].credential_id,
            access_token="act.new",
            refresh_token="rft.new",
            expires_at=later,
            scopes=["x"],
        )
        again = (await store.for_accounts("tiktok", [str(a)]))[str(a)]
        assert (again.access_token, again.refresh_token, again.expires_at, again.scopes) == (
            "act.new",
            "rft.new",
            later,
            ("x",),
        )


# ---------------------------------------------------------------------------- the Research API's daily quota


class TestResearchQuota:
    async def test_the_shared_budget_stops_calls_until_midnight_utc(
        self, sessions: Sessions, settings: Settings, emu: Any, emu_client: httpx.AsyncClient
    ) -> None:
        s = settings.model_copy(update={"tiktok_research_daily_quota": 2})
        guard = QuotaGuard(sessions, s)
        conn = TikTokResearchConnector(
            emu_client,
            base_url=f"{EMULATOR}/tiktok",
            client_key="k",
            client_secret="s",
            quota=guard,
            retries=0,
        )
        refs = [
            AccountRef(key=str(i), handle=c.handle)
            for i, c in enumerate(emu.state.world.creators("tiktok")[:3])
        ]
        out = await conn.fetch_profiles(refs[:2])
        assert all(isinstance(v, ProfileData) for v in out.values())
        with pytest.raises(QuotaExceeded) as exc:
            await conn.fetch_profiles(refs[2:])
        assert exc.value.resets_at is not None
        assert exc.value.resets_at == datetime.combine(
            utcnow().date() + timedelta(days=1), datetime.min.time(), UTC
        )
        assert "SOCIALPULSE_TIKTOK_RESEARCH_DAILY_QUOTA" in exc.value.message
        assert "midnight UTC" in exc.value.message
        assert await guard.remaining(QUOTA_KEY) == 0
        assert (await calls(emu_client))["tiktok.research.user.info"] == 2


# ---------------------------------------------------------------------------- the engine


def tiktok_settings(settings: Settings, **kw: Any) -> Settings:
    return settings.with_emulator(EMULATOR).model_copy(
        update={"tiktok_rate_per_s": 500.0, "worker_concurrency": 2, **kw}
    )


class TestEngine:
    async def test_research_and_display_refreshes_write_snapshots_and_posts(
        self, settings: Settings, sessions: Sessions, user: Tenant, emu: Any, emu_client: httpx.AsyncClient
    ) -> None:
        world = emu.state.world
        s = tiktok_settings(settings, comments_per_post=0)  # statistics calls only: comments are tested apart
        creators = world.creators("tiktok")[1:5]
        research_ids = [await add_account(sessions, user, c.handle, source="research") for c in creators]
        missing = await add_account(sessions, user, world.special("tiktok", "not_found"), source="research")
        # the Display API through SOCIALPULSE_TIKTOK_ACCESS_TOKEN (the emulator's act. token is lenabakes')
        display_id = await add_account(sessions, user, "lenabakes", source="display")
        ids = [*research_ids, missing, display_id]
        registry = ConnectorRegistry(s, client=emu_client)

        status = await refresh(s, sessions, registry, user, ids)
        assert (status.status, status.failed) == ("partial", 1)
        assert [e.code for e in status.errors] == ["not_found"]
        snaps, posts, post_snaps = await counts(sessions, ids)
        limit = s.recent_posts_limit
        assert snaps == dict.fromkeys([*research_ids, display_id], 1)
        assert posts == dict.fromkeys([*research_ids, display_id], limit)
        assert post_snaps == posts  # listings carry metrics: every post has its snapshot at once
        first = await calls(emu_client, reset=True)
        assert first == {
            "tiktok.oauth.token": 1,
            "tiktok.research.user.info": 5,
            "tiktok.research.video.query": 4,  # one 30-day window holds 25 daily posts
            "tiktok.user.info": 1,
            "tiktok.video.list": 2,  # 20 + 5
        }

        async with sessions() as db:
            accounts = {a.id: a for a in (await db.scalars(select(Account).where(Account.id.in_(ids)))).all()}
            assert accounts[missing].status == "not_found"
            assert accounts[display_id].platform_id == open_id(world.creators("tiktok")[0])
            assert accounts[research_ids[1]].platform_id == creators[1].handle
            snap = await db.scalar(
                select(AccountSnapshot).where(AccountSnapshot.account_id == research_ids[1])
            )
            assert snap is not None
            stats = world.stats(creators[1])
            assert (snap.followers, snap.following, snap.posts) == (
                stats.followers,
                stats.following,
                stats.posts,
            )
            assert snap.connector == "tiktok-research-v2"
            types = set((await db.scalars(select(Post.type).where(Post.account_id.in_(ids)))).all())
            assert types <= {"video", "slideshow"}
            display_snap = await db.scalar(
                select(AccountSnapshot).where(AccountSnapshot.account_id == display_id)
            )
            assert display_snap is not None
            assert display_snap.connector == "tiktok-display-v2"

        # nothing new was posted: one call per account, no listing
        status = await refresh(s, sessions, registry, user, [*research_ids, display_id])
        assert (status.status, status.failed) == ("succeeded", 0)
        assert await calls(emu_client) == {"tiktok.research.user.info": 4, "tiktok.user.info": 1}
        snaps, posts, _ = await counts(sessions, ids)
        assert snaps == dict.fromkeys([*research_ids, display_id], 2)
        assert posts == dict.fromkeys([*research_ids, display_id], limit)
        await registry.aclose()

    async def test_display_accounts_with_stored_tokens(
        self, settings: Settings, sessions: Sessions, user: Tenant, emu: Any, emu_client: httpx.AsyncClient
    ) -> None:
        world = emu.state.world
        s = tiktok_settings(settings, tiktok_access_token=None, recent_posts_limit=5)
        a, b, c = world.creators("tiktok")[1:4]
        ids = [await add_account(sessions, user, x.handle, source="display") for x in (a, b, c)]
        async with transaction(sessions) as db:
            await credentials.set(db, user_id=user.user_id, account_id=ids[0], access_token=f"act.{a.handle}")
            await credentials.set(  # expired: renewed with its refresh token
                db,
                user_id=user.user_id,
                account_id=ids[1],
                access_token="act.expired-b",
                refresh_token=f"rft.{b.handle}",
                expires_at=utcnow() - timedelta(minutes=5),
            )
        # c has no token, and there is no fallback: it needs authorising
        registry = ConnectorRegistry(s, client=emu_client, quota=QuotaGuard(sessions, s))
        assert isinstance(registry.get("tiktok", "display"), TikTokDisplayConnector)
        status = await refresh(s, sessions, registry, user, ids)
        assert (status.status, status.succeeded, status.failed) == ("partial", 2, 1)
        snaps, posts, _ = await counts(sessions, ids)
        assert snaps == {ids[0]: 1, ids[1]: 1}
        assert posts == {ids[0]: 5, ids[1]: 5}
        async with sessions() as db:
            stuck = await db.get(Account, ids[2])
            assert stuck is not None
            assert stuck.status == "auth_error"
            assert "SOCIALPULSE_TIKTOK_ACCESS_TOKEN" in (stuck.status_detail or "")
            renewed = await db.scalar(
                select(PlatformCredential).where(PlatformCredential.account_id == ids[1])
            )
            assert renewed is not None
            assert renewed.access_token.startswith(f"act.{b.handle}!")
            assert renewed.expires_at is not None
            assert renewed.expires_at > utcnow()
        assert (await calls(emu_client))["tiktok.oauth.token"] == 1
        await registry.aclose()
