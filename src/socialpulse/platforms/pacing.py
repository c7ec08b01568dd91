"""Pacing under platform rate limits, and daily quota budgets shared by every worker.

:class:`Pacers` hands out one :class:`RatePacer` per platform. A pacer keeps a moving window
of the calls made (the ``limits`` library): in process memory by default, in Redis when
``SOCIALPULSE_REDIS_URL`` is set, so that every worker process on every machine draws from
the same window. ``acquire`` returns once a call is allowed; while the window is full it
sleeps until the oldest call in it expires (no busy loop). Pacing runs a little under the
configured rate (``HEADROOM``) and spreads each window's calls over slightly more than the
window (``JITTER_MARGIN_S``), so that network jitter never makes the platform count more
calls in its window than it allows.

:class:`QuotaGuard` counts units of a platform's daily quota in the ``quota_usage`` table
(one row per platform and quota day) and refuses a call that would overspend the day's
budget, so a fleet of workers never burns more than ``SOCIALPULSE_YOUTUBE_DAILY_QUOTA``.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from socialpulse.config import Settings
from socialpulse.db.dialect import dialect_insert
from socialpulse.db.engine import transaction
from socialpulse.kit.time import iso, utcnow
from socialpulse.models.enums import Platform
from socialpulse.models.refresh import QuotaUsage
from socialpulse.platforms.base import Pacer, QuotaExceeded, TransientError, quota_day_reset

# ---------------------------------------------------------------------------- quota days

# Platforms whose daily quota resets at local midnight somewhere other than UTC.
QUOTA_TIMEZONES: dict[str, str] = {Platform.youtube.value: "America/Los_Angeles"}
_PACIFIC_STANDARD_OFFSET_H = -8


def _zone(platform: str) -> ZoneInfo | None:
    name = QUOTA_TIMEZONES.get(platform)
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:  # no tz database on this machine: fall back to standard time
        return None


def quota_day(platform: str, now: datetime) -> date:
    """The platform's quota day that ``now`` (aware) falls in: YouTube counts days in Pacific time."""
    zone = _zone(platform)
    if zone is not None:
        return now.astimezone(zone).date()
    if platform in QUOTA_TIMEZONES:
        return (now.astimezone(UTC) + timedelta(hours=_PACIFIC_STANDARD_OFFSET_H)).date()
    return now.astimezone(UTC).date()


def quota_resets_at(platform: str, now: datetime) -> datetime:
    """When the quota day containing ``now`` ends (aware UTC), daylight saving time included."""
    zone = _zone(platform)
    if zone is not None:
        next_day = now.astimezone(zone).date() + timedelta(days=1)
        return datetime.combine(next_day, dtime.min, tzinfo=zone).astimezone(UTC)
    if platform in QUOTA_TIMEZONES:
        return quota_day_reset(now.astimezone(UTC), _PACIFIC_STANDARD_OFFSET_H)
    return quota_day_reset(now.astimezone(UTC), 0)


def _reset_phrase(platform: str, resets_at: datetime) -> str:
    where = "midnight Pacific time" if platform in QUOTA_TIMEZONES else "midnight UTC"
    return f"{iso(resets_at)} ({where})"


class QuotaBudget(Protocol):
    """What a connector needs from a quota budget (implemented by :class:`QuotaGuard`).

    ``spend`` raises :class:`QuotaExceeded` instead of letting a call overspend the day. A budget
    may also offer ``async exhaust(platform)``; connectors call it when the platform itself
    reports the quota spent.
    """

    async def spend(self, platform: str, units: int) -> None: ...


class QuotaGuard:
    """Daily quota units per platform, counted in ``quota_usage`` and shared by every worker.

    ``spend`` adds the units in one statement that only succeeds while the day's total stays
    within the budget; otherwise it raises :class:`QuotaExceeded` and nothing is counted.
    Platforms without a daily quota (no ``<platform>_daily_quota`` setting) are never refused.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.clock = clock

    def budget(self, platform: str) -> int | None:
        value = getattr(self.settings, f"{platform}_daily_quota", None)
        return value if isinstance(value, int) else None

    def _exceeded(self, platform: str, units: int, budget: int, now: datetime) -> QuotaExceeded:
        resets_at = quota_resets_at(platform, now)
        setting = f"SOCIALPULSE_{platform.upper()}_DAILY_QUOTA"
        return QuotaExceeded(
            f"{platform} daily quota is spent: {units} more unit(s) would exceed today's budget of "
            f"{budget} ({setting}); calls resume when the quota resets at {_reset_phrase(platform, resets_at)}",
            resets_at=resets_at,
        )

    async def spend(self, platform: str, units: int) -> None:
        budget = self.budget(platform)
        if budget is None or units <= 0:
            return
        now = self.clock()
        if units > budget:
            raise self._exceeded(platform, units, budget, now)
        day = quota_day(platform, now).isoformat()
        async with transaction(self.sessions) as session:
            ins = dialect_insert(session, QuotaUsage).values(platform=platform, day=day, units=units)
            stmt = ins.on_conflict_do_update(
                index_elements=["platform", "day"],
                set_={"units": QuotaUsage.units + ins.excluded.units},
                where=(QuotaUsage.units + ins.excluded.units) <= budget,
            ).returning(QuotaUsage.units)
            spent = (await session.execute(stmt)).scalar_one_or_none()
        if spent is None:
            raise self._exceeded(platform, units, budget, now)

    async def used(self, platform: str) -> int:
        """Units spent so far in the platform's current quota day."""
        day = quota_day(platform, self.clock()).isoformat()
        async with self.sessions() as session:
            row = await session.get(QuotaUsage, (platform, day))
            return row.units if row is not None else 0

    async def remaining(self, platform: str) -> int | None:
        budget = self.budget(platform)
        if budget is None:
            return None
        return max(0, budget - await self.used(platform))

    async def exhaust(self, platform: str) -> None:
        """Mark today's budget as spent (the platform itself said so): nobody calls before the reset."""
        budget = self.budget(platform)
        if budget is None:
            return
        day = quota_day(platform, self.clock()).isoformat()
        async with transaction(self.sessions) as session:
            ins = dialect_insert(session, QuotaUsage).values(platform=platform, day=day, units=budget)
            await session.execute(
                ins.on_conflict_do_update(
                    index_elements=["platform", "day"],
                    set_={"units": budget},
                    where=QuotaUsage.units < budget,
                )
            )


# ---------------------------------------------------------------------------- pacing

# Pace slightly under the configured rate, and keep the last ``amount`` calls spread over a
# little more than the window: a call reaches the platform some milliseconds after it is
# granted, that delay varies, and the variation must never push the platform's own window
# over its limit.
HEADROOM = 0.05
JITTER_MARGIN_S = 0.05
# A waiter re-checks the window at least this often (in case a shared window was cleared, or
# another machine's clock is off) and never sooner than this after a refusal.
MAX_SLEEP_S = 5.0
MIN_SLEEP_S = 0.001


def rate_item(rate_per_s: float, headroom: float = HEADROOM) -> RateLimitItem:
    """The moving-window limit that paces ``rate_per_s``: ``n`` calls per ``w`` whole seconds.

    A rate of at least one call a second uses a one-second window (so a burst never exceeds
    one second's worth of calls); slower rates use the shortest window holding one call.
    """
    if rate_per_s <= 0:
        raise ValueError("a rate must be positive")
    window = 1 if rate_per_s >= 1 else math.ceil(1 / rate_per_s)
    amount = max(1, math.floor(rate_per_s * window * (1 - headroom) + 1e-9))
    return RateLimitItemPerSecond(amount, window)


class RatePacer:
    """Allows at most ``item.amount`` calls per moving window of ``item`` for one platform.

    Two moving windows live in the storage under the same identifiers: ``item`` itself, hit
    atomically for every call (the hard cap, shared by every process), and a log of the same
    calls kept a little longer, which spaces the ``amount``-th call after a given one by the
    window plus ``margin_s``. Within a process, callers take turns (a lock), so one waiter
    sleeps until the window frees up while the others queue behind it: no thundering herd.
    """

    def __init__(
        self,
        limiter: MovingWindowRateLimiter,
        item: RateLimitItem,
        identifiers: tuple[str, ...],
        *,
        margin_s: float = JITTER_MARGIN_S,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limiter = limiter
        self.item = item
        self.identifiers = identifiers
        self.margin_s = margin_s
        self.sleep = sleep
        self.clock = clock
        self.span_s = item.get_expiry() + margin_s
        # the log keeps every call of the last 2 windows (the cap allows at most 2·amount there)
        self.log_item = RateLimitItemPerSecond(3 * item.amount, 2 * item.get_expiry())
        self.log_identifiers = (*identifiers, "log")
        self._lock = asyncio.Lock()
        self.waits = 0  # how many times acquire had to sleep (for tests and benchmarks)

    @property
    def rate_per_s(self) -> float:
        return self.item.amount / self.item.get_expiry()

    def _pause(self, until: float) -> float:
        delay = min(MAX_SLEEP_S, max(MIN_SLEEP_S, until - self.clock()))
        return delay + random.uniform(0.0005, 0.002)

    async def _try(self, cost: int) -> float | None:
        """Take ``cost`` slots now, or answer how long to sleep before trying again."""
        storage: Any = self.limiter.storage
        oldest, recent = await storage.get_moving_window(
            self.log_item.key_for(*self.log_identifiers), self.log_item.amount, self.span_s
        )
        if recent + cost > self.item.amount:
            return self._pause(oldest + self.span_s)
        if await self.limiter.hit(self.item, *self.identifiers, cost=cost):
            await self.limiter.hit(self.log_item, *self.log_identifiers, cost=cost)
            return None
        stats = await self.limiter.get_window_stats(self.item, *self.identifiers)
        return self._pause(stats.reset_time + self.margin_s)

    async def acquire(self, cost: int = 1) -> None:
        cost = min(max(1, cost), self.item.amount)  # a call dearer than the window waits for an empty one
        async with self._lock:
            while True:
                try:
                    delay = await self._try(cost)
                except StorageError as exc:
                    raise TransientError(
                        f"the shared rate-limit store could not be reached ({exc.storage_error!r}); "
                        "check that Redis answers at SOCIALPULSE_REDIS_URL"
                    ) from exc
                if delay is None:
                    return
                self.waits += 1
                await self.sleep(delay)

    async def remaining(self) -> int:
        """Calls still allowed in the current window."""
        stats = await self.limiter.get_window_stats(self.item, *self.identifiers)
        return max(0, stats.remaining)

    async def clear(self) -> None:
        """Forget every call counted (tests, and operators resetting a shared window)."""
        await self.limiter.clear(self.item, *self.identifiers)
        await self.limiter.clear(self.log_item, *self.log_identifiers)


def storage_uri(redis_url: str | None) -> str:
    """The ``limits`` storage for pacing: process memory, or the given Redis (async client)."""
    if not redis_url:
        return "async+memory://"
    if redis_url.startswith("async+"):
        return redis_url
    if redis_url.startswith("unix://"):
        return "async+redis+unix://" + redis_url.removeprefix("unix://")
    return "async+" + redis_url


DEFAULT_RATE_PER_S = 10.0


class Pacers:
    """One pacer per platform, all drawing from one storage (shared through Redis when configured)."""

    def __init__(
        self,
        settings: Settings,
        *,
        namespace: str = "socialpulse",
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.namespace = namespace
        self._sleep = sleep
        self._clock = clock
        self._storage: Any = None
        self._limiter: MovingWindowRateLimiter | None = None
        self._pacers: dict[str, RatePacer] = {}

    @property
    def shared(self) -> bool:
        """True when the window lives in Redis (shared by every process)."""
        return bool(self.settings.redis_url)

    def rate_for(self, platform: str) -> float:
        value = getattr(self.settings, f"{platform}_rate_per_s", None)
        return float(value) if isinstance(value, int | float) else DEFAULT_RATE_PER_S

    def _get_limiter(self) -> MovingWindowRateLimiter:
        if self._limiter is None:
            uri = storage_uri(self.settings.redis_url)
            options: dict[str, Any] = {"wrap_exceptions": True}
            if uri.startswith(("async+redis", "async+rediss")):
                options["implementation"] = "redispy"  # the `redis` package (coredis is not a dependency)
            self._storage = storage_from_string(uri, **options)
            self._limiter = MovingWindowRateLimiter(self._storage)
        return self._limiter

    def get(self, platform: Platform | str) -> Pacer:
        return self.pacer(platform)

    def pacer(self, platform: Platform | str) -> RatePacer:
        """The concrete pacer of a platform (``get`` answers the same object typed as the protocol)."""
        name = Platform(platform).value
        if name not in self._pacers:
            self._pacers[name] = RatePacer(
                self._get_limiter(),
                rate_item(self.rate_for(name)),
                (self.namespace, "pace", name),
                sleep=self._sleep,
                clock=self._clock,
            )
        return self._pacers[name]

    async def aclose(self) -> None:
        """Close the Redis connection pool, if any."""
        bridge = getattr(self._storage, "bridge", None)
        client = getattr(bridge, "storage", None)
        close = getattr(client, "aclose", None)
        if close is not None:
            await close()
        self._storage = None
        self._limiter = None
        self._pacers.clear()
