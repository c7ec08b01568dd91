"""The worker pool and scheduler that ``serve`` runs in-process and ``worker`` runs alone.

A :class:`Runtime` runs ``settings.worker_concurrency`` worker tasks, a heartbeat (extends
the leases of the items in hand, records the process in ``worker_heartbeats``), a reaper
(requeues items whose lease expired: their worker died) and, when
``settings.scheduler_enabled``, the scheduler.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import uuid
from collections.abc import Awaitable, Callable, Collection
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from socialpulse.analytics import cache as analytics_cache
from socialpulse.config import Settings
from socialpulse.db.engine import make_engine, make_sessionmaker, transaction
from socialpulse.db.migrate import upgrade
from socialpulse.kit.time import utcnow
from socialpulse.models.enums import Platform
from socialpulse.refresh import queue
from socialpulse.refresh.apply import Connectors
from socialpulse.refresh.scheduler import run_scheduler
from socialpulse.refresh.worker import Pauses, Worker

log = logging.getLogger("socialpulse.refresh")

PRUNE_EVERY_S = 3600.0
PRUNE_CHUNK = 5_000  # queue.prune's default limit


def default_registry(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> Connectors:
    """The platforms' real connectors, sharing a DB-backed quota guard when there is one."""
    from socialpulse.platforms import pacing
    from socialpulse.platforms.registry import ConnectorRegistry

    guard_cls = getattr(pacing, "QuotaGuard", None)
    quota = None
    if guard_cls is not None and not getattr(guard_cls, "_is_protocol", False):
        quota = guard_cls(sessions, settings)
    return ConnectorRegistry(settings, quota=quota)


class Runtime:
    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        registry: Connectors | None = None,
        *,
        worker_id: str | None = None,
        stop_grace_s: float = 15.0,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self._registry = registry
        self._own_registry = registry is None
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.stop_grace_s = stop_grace_s
        self.started_at = utcnow()
        self.in_flight: set[int] = set()
        self.pauses = Pauses()
        self.workers: list[Worker] = []
        self._stopping = asyncio.Event()
        self._workers: list[asyncio.Task[None]] = []
        self._services: list[asyncio.Task[None]] = []

    @property
    def registry(self) -> Connectors:
        if self._registry is None:
            self._registry = default_registry(self.settings, self.sessions)
        return self._registry

    def supported_platforms(self) -> list[str]:
        out = []
        for p in Platform:
            try:
                if self.registry.supported(p.value):
                    out.append(p.value)
            except Exception:
                log.exception("the %s connector could not be built", p.value)
        return out

    async def start(self) -> None:
        if self._workers:
            return
        self._stopping.clear()
        self.started_at = utcnow()
        await self._beat()
        for n in range(self.settings.worker_concurrency):
            worker = Worker(
                self.settings,
                self.sessions,
                self.registry,
                worker_id=self.worker_id,
                in_flight=self.in_flight,
                pauses=self.pauses,
            )
            self.workers.append(worker)
            self._workers.append(asyncio.create_task(worker.run(self._stopping), name=f"refresh-worker-{n}"))
        self._services.append(
            asyncio.create_task(self._every(self.settings.heartbeat_s, self._beat), name="refresh-heartbeat")
        )
        self._services.append(
            asyncio.create_task(self._every(self.settings.heartbeat_s, self._reap), name="refresh-reaper")
        )
        self._services.append(
            asyncio.create_task(self._every(PRUNE_EVERY_S, self._prune), name="refresh-pruner")
        )
        if self.settings.scheduler_enabled:
            platforms: Collection[str] = self.supported_platforms()
            self._services.append(
                asyncio.create_task(
                    run_scheduler(self.sessions, self.settings, self._stopping, platforms=platforms),
                    name="refresh-scheduler",
                )
            )
        log.info("worker %s started %d worker task(s)", self.worker_id, len(self._workers))

    async def stop(self) -> None:
        """Stop gracefully: batches in hand are finished (for up to ``stop_grace_s``), then
        anything still held is put back in the queue for another worker."""
        if not self._workers and not self._services:
            return
        self._stopping.set()
        if self._workers:
            _, pending = await asyncio.wait(self._workers, timeout=self.stop_grace_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*self._workers, return_exceptions=True)
        for task in self._services:
            task.cancel()
        await asyncio.gather(*self._services, return_exceptions=True)
        self._workers.clear()
        self._services.clear()
        self.workers.clear()
        try:
            async with transaction(self.sessions) as session:
                released = await queue.release(session, self.worker_id)
                await queue.forget_worker(session, self.worker_id)
            if released:
                log.info("worker %s put %d unfinished item(s) back in the queue", self.worker_id, released)
        except Exception:
            log.exception("worker %s could not release its items; their leases will expire", self.worker_id)
        if self._own_registry and self._registry is not None:
            await self._registry.aclose()
            self._registry = None

    async def _every(self, seconds: float, job: Callable[[], Awaitable[None]]) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), seconds)
            if self._stopping.is_set():
                return
            try:
                await job()
            except Exception:
                log.exception("worker %s: %s failed", self.worker_id, getattr(job, "__name__", "a job"))

    async def _beat(self) -> None:
        async with transaction(self.sessions) as session:
            await queue.beat(
                session,
                self.worker_id,
                hostname=socket.gethostname(),
                pid=os.getpid(),
                started_at=self.started_at,
            )
            await queue.extend_leases(
                session, self.worker_id, set(self.in_flight), lease_s=self.settings.lease_s
            )

    async def _prune(self) -> None:
        """Forget finished refresh requests and replaced items older than
        ``settings.refresh_history_days`` (0 keeps them), a chunk per transaction; then expired
        analytics answers and superseded analytics change rows."""
        before = utcnow() - timedelta(days=self.settings.refresh_history_days)
        total = [0, 0]
        while self.settings.refresh_history_days > 0 and not self._stopping.is_set():
            async with transaction(self.sessions) as session:
                requests, items = await queue.prune(session, before=before)
            total[0] += requests
            total[1] += items
            if requests < PRUNE_CHUNK and items < PRUNE_CHUNK:
                break
        if any(total):
            log.info("pruned %d finished refresh request(s) and %d replaced item(s)", *total)
        async with transaction(self.sessions) as session:
            answers, changes = await analytics_cache.prune(session)
        if answers or changes:
            log.info(
                "pruned %d expired analytics answer(s) and %d superseded change row(s)", answers, changes
            )

    async def _reap(self) -> None:
        async with transaction(self.sessions) as session:
            n = await queue.reap(session)
        if n:
            log.warning("requeued %d item(s) whose worker stopped answering", n)


async def run_worker(
    settings: Settings, *, registry: Connectors | None = None, stop_grace_s: float = 15.0
) -> None:
    """``socialpulse worker``: upgrade the schema, then run workers (and the scheduler, if
    enabled) until SIGTERM or SIGINT, and stop gracefully: batches in hand get
    ``stop_grace_s`` to finish, then what is left goes back to the queue."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    engine = make_engine(
        settings.database_url, pool_size=max(settings.db_pool_size, settings.worker_concurrency + 4)
    )
    try:
        await upgrade(engine)
        runtime = Runtime(settings, make_sessionmaker(engine), registry=registry, stop_grace_s=stop_grace_s)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        signals = (signal.SIGTERM, signal.SIGINT)
        for sig in signals:
            loop.add_signal_handler(sig, stop.set)
        try:
            await runtime.start()
            await stop.wait()
            log.info("worker %s stopping", runtime.worker_id)
        finally:
            for sig in signals:
                loop.remove_signal_handler(sig)
            await runtime.stop()
    finally:
        await engine.dispose()
