"""The demo's history: 90 days of daily snapshots read from the emulator's world, so that
growth, daily values and impressions answer on a fresh demo database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from socialpulse.config import Settings
from socialpulse.db.engine import transaction
from socialpulse.demo import (
    DEMO_KEY,
    DEMO_PROFILE,
    create_demo_app,
    emulated_platforms,
    ensure_demo_user,
    seed,
)
from socialpulse.demo_history import HISTORY_DAYS, HISTORY_SUFFIX, HistoryWritten, write_history
from socialpulse.emulator.app import EmulatorConfig, create_emulator_app
from socialpulse.emulator.world import DEMO_CREATORS, World
from socialpulse.kit.time import aware
from socialpulse.models import Account, AccountSnapshot, Post, PostSnapshot, Profile, User
from socialpulse.models.stats import ACCOUNT_METRICS, POST_METRICS
from socialpulse.platforms.base import ProfileData
from socialpulse.platforms.pacing import QuotaGuard
from socialpulse.platforms.registry import ConnectorRegistry
from socialpulse.refresh.service import refresh_service
from socialpulse.refresh.worker import Worker
from socialpulse.stats.service import snapshots
from socialpulse.tracking.schemas import AccountCreate
from socialpulse.tracking.service import account_service
from tests.conftest import make_tenant
from tests.refresh.conftest import drain

EMULATOR = "http://emulator.test"
HEADERS = {"Authorization": f"Bearer {DEMO_KEY}"}
Sessions = async_sessionmaker[AsyncSession]


def emulator_app(frozen_at: datetime | None = None) -> Any:
    return create_emulator_app(EmulatorConfig(seed=42, frozen_at=frozen_at))


@pytest.fixture
def emulator() -> Any:
    return emulator_app()


@pytest.fixture
def world(emulator: Any) -> World:
    found: World = emulator.state.world
    return found


def make_registry(settings: Settings, emulator: Any) -> tuple[ConnectorRegistry, httpx.AsyncClient]:
    s = settings.with_emulator(EMULATOR).model_copy(
        update={
            "youtube_rate_per_s": 500.0,
            "bluesky_rate_per_s": 500.0,
            "tiktok_rate_per_s": 500.0,
            "instagram_discovery_rate_per_s": 500.0,
            "instagram_graph_rate_per_s": 500.0,
            "instagram_web_rate_per_s": 500.0,
        }
    )
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator), base_url=EMULATOR)
    return ConnectorRegistry(s, client=client), client


@pytest.fixture
async def registry(settings: Settings, emulator: Any) -> AsyncIterator[ConnectorRegistry]:
    reg, client = make_registry(settings, emulator)
    yield reg
    await reg.aclose()
    await client.aclose()


async def seed_demo(
    sessions: Sessions, world: World, registry: ConnectorRegistry
) -> tuple[int, HistoryWritten]:
    """What the demo does on a fresh database: the demo user, its accounts, their history."""
    async with transaction(sessions) as s:
        user = await ensure_demo_user(s)
        await seed(s, user, emulated_platforms(registry), world)
        written = await write_history(s, world, registry, user.id)
    return user.id, written


async def demo_account(sessions: Sessions, user_id: int, platform: str) -> int:
    async with sessions() as s:
        found = await s.scalar(
            select(Account.id)
            .join(Profile, Profile.id == Account.profile_id)
            .where(Account.user_id == user_id, Account.platform == platform, Profile.name == DEMO_PROFILE)
        )
    assert found is not None
    return found


async def count(sessions: Sessions, model: type[AccountSnapshot] | type[PostSnapshot]) -> int:
    async with sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


class TestHistory:
    async def test_every_demo_account_gets_ninety_daily_snapshots(
        self, app: Any, client: httpx.AsyncClient, world: World, registry: ConnectorRegistry
    ) -> None:
        sessions = app.state.sessions
        user_id, written = await seed_demo(sessions, world, registry)
        platforms = emulated_platforms(registry)
        assert written.accounts == 5 * len(platforms)
        assert written.account_snapshots == written.accounts * HISTORY_DAYS
        account_id = await demo_account(sessions, user_id, "youtube")

        r = await client.get(f"/v1/accounts/{account_id}/stats", params={"interval": "day"}, headers=HEADERS)
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        assert len(items) == HISTORY_DAYS
        followers = [i["followers"] for i in items]
        assert all(f is not None and f > 0 for f in followers)
        assert followers[-1] >= followers[0]
        creator = world.creator("youtube", DEMO_CREATORS["youtube"][0])
        assert creator is not None
        last = aware(datetime.fromisoformat(items[-1]["fetched_at"].replace("Z", "+00:00")))
        assert items[-1]["followers"] == world.followers(creator, last)
        assert items[-1]["views"] == world.stats(creator, last).views
        assert datetime.now(UTC) - last < timedelta(days=1, minutes=5)

        async with sessions() as s:
            connectors = set((await s.scalars(select(AccountSnapshot.connector).distinct())).all())
        assert "youtube-data-v3" + HISTORY_SUFFIX in connectors
        assert all(c.endswith(HISTORY_SUFFIX) for c in connectors)

    async def test_impressions_over_the_last_month_add_up(
        self, app: Any, client: httpx.AsyncClient, world: World, registry: ConnectorRegistry
    ) -> None:
        sessions = app.state.sessions
        user_id, _ = await seed_demo(sessions, world, registry)
        async with sessions() as s:
            profile_id = await s.scalar(
                select(Profile.id).where(Profile.user_id == user_id, Profile.name == DEMO_PROFILE)
            )
        r = await client.get(
            "/v1/analytics/impressions",
            params={"profile": profile_id, "period": "last_month", "breakdown": "true"},
            headers=HEADERS,
        )
        assert r.status_code == 200, r.text
        total = r.json()["total_impressions"]
        assert total["total"] > 0
        assert total["total"] == sum(total["per_day"].values()) == sum(total["per_platform"].values())
        assert total["per_platform"]["youtube"] > 0
        assert total["per_platform"]["instagram"] > 0  # our own account's daily reach insights

    async def test_report_growth_over_a_month_and_a_quarter(
        self, app: Any, client: httpx.AsyncClient, world: World, registry: ConnectorRegistry
    ) -> None:
        sessions = app.state.sessions
        user_id, _ = await seed_demo(sessions, world, registry)
        account_id = await demo_account(sessions, user_id, "bluesky")
        r = await client.get(f"/v1/accounts/{account_id}/report", headers=HEADERS)
        assert r.status_code == 200, r.text
        growth = r.json()["growth"]
        assert growth["followers"]["month"]["value_then"] is not None
        assert growth["followers"]["month"]["percent"] is not None
        assert growth["followers"]["quarter"]["value_then"] is not None
        assert len(growth["followers_by_day"]) >= 29

    async def test_our_instagram_account_keeps_its_daily_insights(
        self, app: Any, world: World, registry: ConnectorRegistry
    ) -> None:
        sessions = app.state.sessions
        user_id, _ = await seed_demo(sessions, world, registry)
        own = await demo_account(sessions, user_id, "instagram")
        async with sessions() as s:
            rows = (
                await s.scalars(
                    select(AccountSnapshot)
                    .where(AccountSnapshot.account_id == own)
                    .order_by(AccountSnapshot.id)
                )
            ).all()
        assert len(rows) == HISTORY_DAYS
        assert all(r.connector == "instagram-graph" + HISTORY_SUFFIX for r in rows)
        insights = [(r.extras or {}).get("insights") for r in rows]
        assert all(i is not None and i["period"] == "day" for i in insights)
        assert sum(i["reach"] for i in insights if i is not None) > 0

    async def test_a_second_run_writes_nothing(
        self, app: Any, world: World, registry: ConnectorRegistry
    ) -> None:
        sessions = app.state.sessions
        user_id, first = await seed_demo(sessions, world, registry)
        before = await count(sessions, AccountSnapshot), await count(sessions, PostSnapshot)
        assert before == (first.account_snapshots, first.post_snapshots)
        async with transaction(sessions) as s:
            again = await write_history(s, world, registry, user_id)
        assert again == HistoryWritten(0, 0, 0, 0)
        assert (await count(sessions, AccountSnapshot), await count(sessions, PostSnapshot)) == before

    async def test_an_account_with_history_is_left_alone(
        self, app: Any, world: World, registry: ConnectorRegistry
    ) -> None:
        sessions = app.state.sessions
        async with transaction(sessions) as s:
            user = await ensure_demo_user(s)
            await seed(s, user, emulated_platforms(registry), world)
            user_id = user.id
        fetched = await demo_account(sessions, user_id, "youtube")
        async with transaction(sessions) as s:
            await snapshots.record_accounts(
                s,
                [(fetched, ProfileData(platform_id="UCx", handle="lenabakes", followers=7))],
                connector="youtube-data-v3",
                api_version="v3",
                fetched_at=datetime.now(UTC),
            )
            written = await write_history(s, world, registry, user_id)
        assert written.accounts == 5 * len(emulated_platforms(registry)) - 1
        async with sessions() as s:
            mine = (
                await s.scalars(select(AccountSnapshot).where(AccountSnapshot.account_id == fetched))
            ).all()
        assert [(r.connector, r.followers) for r in mine] == [("youtube-data-v3", 7)]

    async def test_only_the_demo_creators_get_history(
        self, app: Any, world: World, registry: ConnectorRegistry
    ) -> None:
        sessions = app.state.sessions
        other = await make_tenant(sessions, "someone@example.com")
        regular = world.creators("youtube")[40]
        assert regular.kind != "demo"
        async with transaction(sessions) as s:
            await account_service.create(
                s, other.user_id, AccountCreate(platform="youtube", handle=regular.handle), enqueue=False
            )
            written = await write_history(s, world, registry, other.user_id)
        assert written == HistoryWritten(0, 0, 0, 0)
        assert await count(sessions, AccountSnapshot) == 0


async def test_history_holds_what_the_connectors_store(settings: Settings, app: Any) -> None:
    """A refresh through the real connectors at world time F, and the history written one
    day later for another user, hold the same numbers for the instant F."""
    frozen = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    emulator = emulator_app(frozen_at=frozen)
    world: World = emulator.state.world
    sessions: Sessions = app.state.sessions
    registry, client = make_registry(settings, emulator)
    registry.quota = QuotaGuard(sessions, registry.settings)
    try:
        platforms = emulated_platforms(registry)
        async with transaction(sessions) as s:
            fetched_user = await ensure_demo_user(s)
            fetched_id = fetched_user.id
            await seed(s, fetched_user, platforms, world)
            await refresh_service.create_request(s, user_id=fetched_id)
        await drain(Worker(registry.settings, sessions, registry, worker_id="faithful"))

        other = await make_tenant(sessions, "history@example.com")
        world.set_clock(frozen_at=frozen + timedelta(days=1), clock_offset_s=0.0)
        async with transaction(sessions) as s:
            user = await s.get(User, other.user_id)
            assert user is not None
            await seed(s, user, platforms, world)
            written = await write_history(s, world, registry, other.user_id, days=1)
        assert written.accounts == 5 * len(platforms)
    finally:
        await registry.aclose()
        await client.aclose()

    async with sessions() as s:
        rows = (
            await s.execute(
                select(Account.user_id, Account.platform, Account.handle, AccountSnapshot)
                .join(AccountSnapshot, AccountSnapshot.account_id == Account.id)
                .order_by(AccountSnapshot.id)
            )
        ).all()
        posts = (
            await s.execute(
                select(Post.user_id, Post.platform, Post.social_id, PostSnapshot)
                .join(PostSnapshot, PostSnapshot.post_id == Post.id)
                .order_by(PostSnapshot.id)
            )
        ).all()
    real = {(p, h): snap for uid, p, h, snap in rows if uid == fetched_id}
    history = {(p, h): snap for uid, p, h, snap in rows if uid == other.user_id}
    assert set(real) == set(history)
    for key, snap in history.items():
        assert snap.connector == real[key].connector + HISTORY_SUFFIX
        assert snap.api_version == real[key].api_version
        assert {m: getattr(snap, m) for m in ACCOUNT_METRICS} == {
            m: getattr(real[key], m) for m in ACCOUNT_METRICS
        }, key
        real_extras, history_extras = real[key].extras or {}, snap.extras or {}
        for name in ("insights", "follower_count_by_day"):
            assert history_extras.get(name) == real_extras.get(name), (key, name)

    real_posts = {(p, sid): snap for uid, p, sid, snap in posts if uid == fetched_id}
    history_posts = {(p, sid): snap for uid, p, sid, snap in posts if uid == other.user_id}
    assert {p for p, _ in history_posts} == set(platforms)
    assert len(history_posts) >= 5 * len(platforms) * 10
    for key, post_snap in history_posts.items():
        assert key in real_posts
        assert {m: getattr(post_snap, m) for m in POST_METRICS} == {
            m: getattr(real_posts[key], m) for m in POST_METRICS
        }, key
        assert (post_snap.extras or {}) == {
            k: v for k, v in (real_posts[key].extras or {}).items() if k in (post_snap.extras or {})
        }, key


async def test_the_first_refresh_continues_the_history(
    settings: Settings, app: Any, client: httpx.AsyncClient, emulator: Any, world: World
) -> None:
    """The first refresh adds today's snapshot after the history, and its listing fills in
    the post rows the history added (no duplicates: the same social ids)."""
    sessions: Sessions = app.state.sessions
    registry, http = make_registry(settings, emulator)
    registry.quota = QuotaGuard(sessions, registry.settings)
    try:
        user_id, written = await seed_demo(sessions, world, registry)
        assert written.posts > 0
        async with sessions() as s:
            posts_before = int(await s.scalar(select(func.count()).select_from(Post)) or 0)
        async with transaction(sessions) as s:
            await refresh_service.create_request(s, user_id=user_id)
        await drain(Worker(registry.settings, sessions, registry, worker_id="first-refresh"))
    finally:
        await registry.aclose()
        await http.aclose()

    account_id = await demo_account(sessions, user_id, "youtube")
    r = await client.get(f"/v1/accounts/{account_id}/stats", params={"interval": "day"}, headers=HEADERS)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert len(items) == HISTORY_DAYS + 1
    async with sessions() as s:
        latest = await s.scalar(
            select(AccountSnapshot.connector)
            .where(AccountSnapshot.account_id == account_id)
            .order_by(AccountSnapshot.fetched_at.desc())
            .limit(1)
        )
        posts_after = int(await s.scalar(select(func.count()).select_from(Post)) or 0)
        untyped = int(await s.scalar(select(func.count()).select_from(Post).where(Post.type.is_(None))) or 0)
    assert latest == "youtube-data-v3"
    # a post published between the history and the refresh may push the oldest out of the listing
    accounts = written.accounts
    assert posts_before <= posts_after <= posts_before + accounts
    assert untyped <= accounts


async def test_the_demo_starts_with_history_once(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(
        database_url=sqlite_url,
        secret_key="test-secret-" + "x" * 40,
        embedded_worker=False,
        scheduler_enabled=False,
        http_retries=0,
        _env_file=None,  # type: ignore[call-arg]
    )
    app = create_demo_app(settings, public_url="http://127.0.0.1:8000")
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
            r = await c.get("/v1/accounts", headers=HEADERS)
            assert r.status_code == 200, r.text
        written = await count(app.state.sessions, AccountSnapshot)
    assert written == 20 * HISTORY_DAYS
    out = capsys.readouterr().out
    assert f"20 accounts given {HISTORY_DAYS} days of daily snapshots from the emulator's world" in out

    again = create_demo_app(settings, public_url="http://127.0.0.1:8000")
    async with again.router.lifespan_context(again):
        assert await count(again.state.sessions, AccountSnapshot) == written
    assert "history         none written" in capsys.readouterr().out
