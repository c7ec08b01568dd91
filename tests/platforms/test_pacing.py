"""Pacing (moving windows in memory or Redis), quota days and the shared daily quota guard."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import limits.aio.storage.memory
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from socialpulse.config import Settings
from socialpulse.models.refresh import QuotaUsage
from socialpulse.platforms.base import AccountRef, QuotaExceeded, TransientError, Unsupported
from socialpulse.platforms.bluesky import BlueskyConnector
from socialpulse.platforms.pacing import (
    JITTER_MARGIN_S,
    MAX_SLEEP_S,
    Pacers,
    QuotaGuard,
    RatePacer,
    quota_day,
    quota_resets_at,
    rate_item,
    storage_uri,
)
from socialpulse.platforms.registry import ConnectorRegistry
from socialpulse.platforms.youtube import YouTubeConnector

REDIS_URL = "redis://127.0.0.1:6379/0"


def make_settings(**over: Any) -> Settings:
    return Settings(secret_key="s" * 40, _env_file=None, **over)


class FakeTime:
    """A clock that only moves when someone sleeps; stands in for ``time`` in the limits storage."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    clock = FakeTime()
    monkeypatch.setattr(limits.aio.storage.memory, "time", clock)
    return clock


def max_in_any_window(times: list[float], window: float) -> int:
    """The most grants that fall in any half-open interval [t, t + window)."""
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


class TestRateItem:
    @pytest.mark.parametrize(
        ("rate", "amount", "window"),
        [(20.0, 19, 1), (10.0, 9, 1), (100.0, 95, 1), (1.0, 1, 1), (0.5, 1, 2), (0.3, 1, 4)],
    )
    def test_paces_a_little_under_the_rate(self, rate: float, amount: int, window: int) -> None:
        item = rate_item(rate)
        assert (item.amount, item.get_expiry()) == (amount, window)
        assert item.amount / item.get_expiry() <= rate

    def test_rejects_non_positive(self) -> None:
        with pytest.raises(ValueError, match="positive"):
            rate_item(0)


class TestStorageUri:
    @pytest.mark.parametrize(
        ("url", "uri"),
        [
            (None, "async+memory://"),
            ("redis://h:6379/0", "async+redis://h:6379/0"),
            ("rediss://:pw@h:6380", "async+rediss://:pw@h:6380"),
            ("unix:///tmp/r.sock", "async+redis+unix:///tmp/r.sock"),
            ("async+redis://h", "async+redis://h"),
        ],
    )
    def test_uri(self, url: str | None, uri: str) -> None:
        assert storage_uri(url) == uri


class TestMemoryPacer:
    async def test_rate_respected_and_close_to_the_limit(self, fake_time: FakeTime) -> None:
        pacers = Pacers(make_settings(youtube_rate_per_s=20.0), sleep=fake_time.sleep, clock=fake_time.time)
        pacer = pacers.pacer("youtube")
        start = fake_time.now
        grants: list[float] = []
        for _ in range(200):
            await pacer.acquire()
            grants.append(fake_time.now)
        assert max_in_any_window(grants, 1.0) <= 19
        # and the 19 calls of a window are spread over a little more than a second
        assert max_in_any_window(grants, 1.0 + JITTER_MARGIN_S) <= 19
        elapsed = grants[-1] - start
        assert elapsed <= 1.2 * 200 / 20  # the benchmark's bound
        assert elapsed >= 200 / 20 - 1.0  # and never faster than the rate
        # it sleeps until the window frees up, once per full window, never in a busy loop
        assert pacer.waits == len(fake_time.sleeps) <= 200 / 19 + 1

    async def test_concurrent_callers_share_the_window(self, fake_time: FakeTime) -> None:
        pacers = Pacers(make_settings(bluesky_rate_per_s=10.0), sleep=fake_time.sleep, clock=fake_time.time)
        pacer = pacers.get("bluesky")
        grants: list[float] = []

        async def caller() -> None:
            for _ in range(10):
                await pacer.acquire()
                grants.append(fake_time.now)

        await asyncio.gather(*(caller() for _ in range(8)))
        assert len(grants) == 80
        assert max_in_any_window(sorted(grants), 1.0) <= 9

    async def test_cost_takes_several_slots(self, fake_time: FakeTime) -> None:
        pacer = Pacers(
            make_settings(youtube_rate_per_s=10.0), sleep=fake_time.sleep, clock=fake_time.time
        ).pacer("youtube")
        await pacer.acquire(cost=5)
        assert await pacer.remaining() == 4
        await pacer.acquire(cost=4)
        assert await pacer.remaining() == 0
        assert pacer.waits == 0

    async def test_one_pacer_per_platform_with_its_rate(self) -> None:
        pacers = Pacers(make_settings(youtube_rate_per_s=20.0, bluesky_rate_per_s=10.0))
        yt, bs = pacers.pacer("youtube"), pacers.pacer("bluesky")
        assert pacers.get("youtube") is yt
        assert isinstance(yt, RatePacer)
        assert (yt.item.amount, bs.item.amount) == (19, 9)
        assert yt.identifiers != bs.identifiers
        assert not pacers.shared
        await pacers.aclose()


async def redis_answers() -> str | None:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        await client.ping()
        return None
    except Exception as exc:  # any failure means "not answering"
        return f"{exc.__class__.__name__}: {exc}"
    finally:
        await client.aclose()


@pytest.fixture
async def redis_settings() -> Settings:
    reason = await redis_answers()
    if reason:
        pytest.skip(f"Redis-backed pacing skipped: {REDIS_URL} does not answer ({reason})")
    return make_settings(redis_url=REDIS_URL, youtube_rate_per_s=0.01)


class WouldWait(Exception):
    pass


async def refuse_to_sleep(seconds: float) -> None:
    raise WouldWait(seconds)


class TestRedisPacer:
    async def test_two_processes_share_one_window(self, redis_settings: Settings) -> None:
        namespace = f"test-{uuid.uuid4().hex}"
        first = Pacers(redis_settings, namespace=namespace, sleep=refuse_to_sleep)
        second = Pacers(redis_settings, namespace=namespace, sleep=refuse_to_sleep)
        try:
            assert first.shared
            a, b = first.pacer("youtube"), second.pacer("youtube")
            assert (a.item.amount, a.item.get_expiry()) == (1, 100)  # 0.01 calls/s: 1 per 100 s
            assert await b.remaining() == 1
            await a.acquire()
            # the other instance sees the call and has to wait for the window
            assert await b.remaining() == 0
            with pytest.raises(WouldWait) as waited:
                await b.acquire()
            assert 0 < waited.value.args[0] <= MAX_SLEEP_S + 0.01  # re-checks at least every second
        finally:
            await first.pacer("youtube").clear()
            await first.aclose()
            await second.aclose()

    async def test_other_namespace_is_independent(self, redis_settings: Settings) -> None:
        one = Pacers(redis_settings, namespace=f"test-{uuid.uuid4().hex}", sleep=refuse_to_sleep)
        two = Pacers(redis_settings, namespace=f"test-{uuid.uuid4().hex}", sleep=refuse_to_sleep)
        try:
            await one.pacer("youtube").acquire()
            await two.pacer("youtube").acquire()  # does not wait
        finally:
            for p in (one, two):
                await p.pacer("youtube").clear()
                await p.aclose()


class TestUnreachableRedis:
    async def test_is_a_transient_error_naming_the_setting(self) -> None:
        pacers = Pacers(make_settings(redis_url="redis://127.0.0.1:1/0"))
        try:
            with pytest.raises(TransientError, match="SOCIALPULSE_REDIS_URL"):
                await pacers.get("youtube").acquire()
        finally:
            await pacers.aclose()


class TestQuotaDays:
    @pytest.mark.parametrize(
        ("now", "day", "resets"),
        [
            # summer (PDT, UTC-7)
            (datetime(2024, 7, 1, 12, tzinfo=UTC), date(2024, 7, 1), datetime(2024, 7, 2, 7, tzinfo=UTC)),
            (datetime(2024, 7, 1, 6, 59, tzinfo=UTC), date(2024, 6, 30), datetime(2024, 7, 1, 7, tzinfo=UTC)),
            # winter (PST, UTC-8)
            (datetime(2024, 1, 15, 12, tzinfo=UTC), date(2024, 1, 15), datetime(2024, 1, 16, 8, tzinfo=UTC)),
            (
                datetime(2024, 1, 15, 7, 30, tzinfo=UTC),
                date(2024, 1, 14),
                datetime(2024, 1, 15, 8, tzinfo=UTC),
            ),
            # the day daylight saving time starts: the reset is the next midnight PDT
            (datetime(2024, 3, 10, 12, tzinfo=UTC), date(2024, 3, 10), datetime(2024, 3, 11, 7, tzinfo=UTC)),
        ],
    )
    def test_youtube_days_are_pacific(self, now: datetime, day: date, resets: datetime) -> None:
        assert quota_day("youtube", now) == day
        assert quota_resets_at("youtube", now) == resets

    def test_other_platforms_use_utc(self) -> None:
        now = datetime(2024, 7, 1, 23, 30, tzinfo=UTC)
        assert quota_day("bluesky", now) == date(2024, 7, 1)
        assert quota_resets_at("bluesky", now) == datetime(2024, 7, 2, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def quota_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"youtube_daily_quota": 5})


class TestQuotaGuard:
    async def test_spends_until_the_budget_then_refuses(
        self, sessions: async_sessionmaker[AsyncSession], quota_settings: Settings
    ) -> None:
        clock = Clock(datetime(2024, 7, 1, 12, tzinfo=UTC))
        guard = QuotaGuard(sessions, quota_settings, clock=clock)
        assert await guard.remaining("youtube") == 5
        await guard.spend("youtube", 3)
        await guard.spend("youtube", 2)
        assert await guard.remaining("youtube") == 0
        with pytest.raises(QuotaExceeded) as exc:
            await guard.spend("youtube", 1)
        assert exc.value.resets_at == datetime(2024, 7, 2, 7, tzinfo=UTC)
        assert "2024-07-02T07:00:00Z" in exc.value.message
        assert "SOCIALPULSE_YOUTUBE_DAILY_QUOTA" in exc.value.message
        assert await guard.used("youtube") == 5  # the refused spend counted nothing

    async def test_a_refused_spend_leaves_room_for_a_smaller_one(
        self, sessions: async_sessionmaker[AsyncSession], quota_settings: Settings
    ) -> None:
        guard = QuotaGuard(sessions, quota_settings)
        await guard.spend("youtube", 4)
        with pytest.raises(QuotaExceeded):
            await guard.spend("youtube", 2)
        await guard.spend("youtube", 1)
        assert await guard.remaining("youtube") == 0

    async def test_more_than_the_whole_budget_is_refused(
        self, sessions: async_sessionmaker[AsyncSession], quota_settings: Settings
    ) -> None:
        guard = QuotaGuard(sessions, quota_settings)
        with pytest.raises(QuotaExceeded):
            await guard.spend("youtube", 6)
        assert await guard.used("youtube") == 0

    async def test_day_rolls_over_at_pacific_midnight(
        self, sessions: async_sessionmaker[AsyncSession], quota_settings: Settings
    ) -> None:
        clock = Clock(datetime(2024, 7, 1, 6, 59, tzinfo=UTC))  # 23:59 on June 30 in Los Angeles
        guard = QuotaGuard(sessions, quota_settings, clock=clock)
        await guard.spend("youtube", 5)
        with pytest.raises(QuotaExceeded) as exc:
            await guard.spend("youtube", 1)
        assert exc.value.resets_at == datetime(2024, 7, 1, 7, tzinfo=UTC)
        clock.now = datetime(2024, 7, 1, 7, 0, tzinfo=UTC)  # midnight in Los Angeles
        assert await guard.remaining("youtube") == 5
        await guard.spend("youtube", 2)
        async with sessions() as s:
            rows = (await s.scalars(select(QuotaUsage).order_by(QuotaUsage.day))).all()
        assert [(r.platform, r.day, r.units) for r in rows] == [
            ("youtube", "2024-06-30", 5),
            ("youtube", "2024-07-01", 2),
        ]

    async def test_concurrent_spends_never_overshoot(
        self, sessions: async_sessionmaker[AsyncSession], settings: Settings
    ) -> None:
        guard = QuotaGuard(sessions, settings.model_copy(update={"youtube_daily_quota": 10}))

        async def one() -> bool:
            try:
                await guard.spend("youtube", 1)
                return True
            except QuotaExceeded:
                return False

        results = await asyncio.gather(*(one() for _ in range(25)))
        assert sum(results) == 10
        assert await guard.used("youtube") == 10

    async def test_exhaust_marks_the_day_spent(
        self, sessions: async_sessionmaker[AsyncSession], quota_settings: Settings
    ) -> None:
        guard = QuotaGuard(sessions, quota_settings)
        await guard.spend("youtube", 1)
        await guard.exhaust("youtube")
        await guard.exhaust("youtube")
        assert await guard.remaining("youtube") == 0
        with pytest.raises(QuotaExceeded):
            await guard.spend("youtube", 1)

    async def test_platform_without_quota_is_never_refused(
        self, sessions: async_sessionmaker[AsyncSession], quota_settings: Settings
    ) -> None:
        guard = QuotaGuard(sessions, quota_settings)
        await guard.spend("bluesky", 1_000_000)
        assert await guard.remaining("bluesky") is None
        async with sessions() as s:
            assert (await s.scalars(select(QuotaUsage))).all() == []

    async def test_youtube_connector_stops_locally_when_spent(
        self, sessions: async_sessionmaker[AsyncSession], settings: Settings
    ) -> None:
        guard = QuotaGuard(sessions, settings.model_copy(update={"youtube_daily_quota": 2}))
        calls: list[httpx.Request] = []

        def answer(request: httpx.Request) -> httpx.Response:
            calls.append(request)
            return httpx.Response(200, json={"items": []})

        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
            yt = YouTubeConnector(
                client, base_url="http://yt/youtube/v3", api_key="k", quota=guard, retries=0
            )
            refs = [AccountRef(key="1", handle="a", platform_id="UCa")]
            await yt.fetch_profiles(refs)
            await yt.fetch_profiles(refs)
            with pytest.raises(QuotaExceeded):
                await yt.fetch_profiles(refs)
        assert len(calls) == 2
        assert await guard.remaining("youtube") == 0


class TestRegistry:
    async def test_builds_paced_connectors_from_settings(self) -> None:
        settings = make_settings(
            youtube_api_key="k",
            youtube_daily_quota=777,
            youtube_rate_per_s=20.0,
            bluesky_rate_per_s=10.0,
            youtube_base_url="http://emu/youtube/v3",
            bluesky_base_url="http://emu/xrpc",
        )
        async with httpx.AsyncClient() as client:
            registry = ConnectorRegistry(settings, client=client)
            yt = registry.get("youtube")
            bs = registry.get("bluesky")
            assert isinstance(yt, YouTubeConnector)
            assert isinstance(bs, BlueskyConnector)
            assert registry.get("youtube") is yt
            assert isinstance(yt.pacer, RatePacer)
            assert yt.pacer is registry.pacers.get("youtube")
            assert isinstance(bs.pacer, RatePacer)
            assert bs.pacer.item.amount == 9
            assert yt.limits.daily_quota == 777
            assert (yt.limits.rate_per_s, bs.limits.rate_per_s) == (20.0, 10.0)
            assert yt.base_url == "http://emu/youtube/v3"
            assert bs.base_url == "http://emu/xrpc"
            assert yt.calls is registry.calls
            assert not registry.supported("linkedin")
            with pytest.raises(Unsupported):
                registry.get("linkedin")
            await registry.aclose()

    def test_quota_is_passed_to_youtube(self) -> None:
        class Budget:
            async def spend(self, platform: str, units: int) -> None:
                return None

        budget = Budget()
        registry = ConnectorRegistry(
            make_settings(youtube_api_key="k"), client=httpx.AsyncClient(), quota=budget
        )
        yt = registry.get("youtube")
        assert isinstance(yt, YouTubeConnector)
        assert yt.quota is budget

    def test_youtube_rate_default(self) -> None:
        assert make_settings().youtube_rate_per_s == 20.0
        assert make_settings().bluesky_rate_per_s == 10.0  # 3000 per 5 min, as the reference says
        assert timedelta(minutes=5).total_seconds() * 10.0 == 3000
