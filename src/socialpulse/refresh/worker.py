"""The worker loop: pick a (platform, kind) with due work, claim a batch of the connector's
size, refresh it, repeat. Batching happens across requests: a thousand single-video
requests are claimed fifty at a time and cost twenty YouTube calls, not a thousand."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from socialpulse.config import Settings
from socialpulse.db.engine import transaction
from socialpulse.kit.time import utcnow
from socialpulse.models.enums import EntityKind
from socialpulse.platforms.base import QuotaExceeded, RateLimited
from socialpulse.refresh import queue
from socialpulse.refresh.apply import (
    Batch,
    Connectors,
    give_up,
    plan_accounts,
    plan_posts,
    refresh_accounts,
    refresh_posts,
)
from socialpulse.refresh.queue import Group, Outcome

log = logging.getLogger("socialpulse.refresh")

# claim size when a platform has no connector: its items fail fast, many at a time
NO_CONNECTOR_BATCH = 100
QUOTA_PAUSE_UNKNOWN = timedelta(minutes=15)


class Pauses:
    """Platforms this process leaves alone for a while (quota spent, rate limited)."""

    def __init__(self) -> None:
        self._until: dict[str, datetime] = {}

    def pause(self, platform: str, until: datetime) -> None:
        current = self._until.get(platform)
        if current is None or until > current:
            self._until[platform] = until
            log.info("pausing %s until %s", platform, until.isoformat())

    def active(self, now: datetime | None = None) -> set[str]:
        now = now or utcnow()
        return {p for p, until in self._until.items() if until > now}

    def learn(self, platform: str, outcomes: Iterable[Outcome], now: datetime | None = None) -> None:
        now = now or utcnow()
        for o in outcomes:
            if isinstance(o.error, QuotaExceeded):
                self.pause(platform, o.error.resets_at or now + QUOTA_PAUSE_UNKNOWN)
            elif isinstance(o.error, RateLimited) and o.error.retry_after:
                self.pause(platform, now + timedelta(seconds=o.error.retry_after))


class Worker:
    """One worker task. ``in_flight`` (shared with the heartbeat) holds the ids of the
    items it works on, whose leases the heartbeat extends."""

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        registry: Connectors,
        *,
        worker_id: str,
        in_flight: set[int] | None = None,
        pauses: Pauses | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.registry = registry
        self.worker_id = worker_id
        self.in_flight: set[int] = in_flight if in_flight is not None else set()
        self.pauses = pauses or Pauses()
        self.batch = Batch(settings, sessions, registry, worker_id)
        self._last: Group | None = None

    def batch_size(self, platform: str, kind: str) -> int:
        try:
            limits = self.registry.get(platform).limits
        except Exception:
            return NO_CONNECTOR_BATCH
        return max(1, limits.profile_batch if kind == EntityKind.account.value else limits.post_batch)

    async def run_once(self) -> int:
        """Serve one batch; answers how many items were claimed (0: nothing due).

        Picking the group, claiming and reading the claimed entities is one short
        transaction; the platform is called outside any; results are written in one more."""
        async with transaction(self.sessions) as session:
            group = await queue.next_group(session, after=self._last, paused=self.pauses.active())
            if group is None:
                return 0
            self._last = platform, kind = group
            items = await queue.claim_in(
                session,
                self.worker_id,
                platform=platform,
                kind=kind,
                limit=self.batch_size(platform, kind),
                lease_s=self.settings.lease_s,
            )
            if not items:
                return 0
            refresh: Callable[[], Awaitable[list[Outcome]]]
            if kind == EntityKind.account.value:
                refresh = partial(refresh_accounts, self.batch, items, await plan_accounts(session, items))
            else:
                refresh = partial(refresh_posts, self.batch, items, await plan_posts(session, items))
        ids = {i.id for i in items}
        self.in_flight.update(ids)
        try:
            try:
                outcomes = await refresh()
            except Exception as exc:
                log.exception("refreshing %d %s items of %s failed", len(items), kind, platform)
                outcomes = await give_up(self.batch, items, exc)
            self.pauses.learn(platform, outcomes)
        finally:
            self.in_flight.difference_update(ids)
        return len(items)

    async def run(self, stopping: asyncio.Event) -> None:
        """Serve batches until ``stopping`` is set; the batch in hand is finished first."""
        idle = self.settings.worker_poll_s
        while not stopping.is_set():
            try:
                n = await self.run_once()
            except Exception:
                log.exception("worker %s: a batch failed", self.worker_id)
                n = 0
            if n == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), idle)
