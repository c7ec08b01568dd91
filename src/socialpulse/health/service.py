"""The health check: database reachable, schema current, workers alive, queue depth."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncEngine

from socialpulse import __version__
from socialpulse.config import Settings
from socialpulse.db.migrate import current_revision, head_revision
from socialpulse.health import repository as repo
from socialpulse.health.schemas import (
    DatabaseHealth,
    Health,
    HealthStatus,
    QueueHealth,
    SchemaHealth,
    WorkerHealth,
)
from socialpulse.kit.time import utcnow
from socialpulse.models.enums import Platform

log = logging.getLogger(__name__)

DATABASE_TIMEOUT_S = 5.0
MISSED_HEARTBEATS = 3  # a worker silent for this many heartbeat periods is not counted as alive


@lru_cache(maxsize=1)
def _head() -> str | None:
    return head_revision()


class HealthService:
    async def check(self, engine: AsyncEngine, settings: Settings, now: datetime | None = None) -> Health:
        now = now or utcnow()
        dialect = engine.dialect.name
        head = _head()
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT_S):
                current = await current_revision(engine)
        except Exception as exc:  # any failure to answer means the database is not usable
            log.warning("health check: database unreachable: %s: %s", exc.__class__.__name__, exc)
            return Health(
                status="error",
                database=DatabaseHealth(reachable=False, dialect=dialect),
                schema_=SchemaHealth(current=None, head=head, up_to_date=False),
                worker=WorkerHealth(newest_heartbeat_age_s=None, workers=0),
                queue={},
                version=__version__,
            )
        up_to_date = current is not None and current == head
        worker, queue = await self._activity(engine, settings, now)
        status: HealthStatus = "ok" if up_to_date and worker.workers > 0 else "degraded"
        return Health(
            status=status,
            database=DatabaseHealth(reachable=True, dialect=dialect),
            schema_=SchemaHealth(current=current, head=head, up_to_date=up_to_date),
            worker=worker,
            queue=queue,
            version=__version__,
        )

    async def _activity(
        self, engine: AsyncEngine, settings: Settings, now: datetime
    ) -> tuple[WorkerHealth, dict[str, QueueHealth]]:
        """Workers alive and queue depth; none when the tables cannot be read (schema not created)."""
        queue = {p.value: QueueHealth() for p in Platform}
        fresh_since = now - timedelta(seconds=MISSED_HEARTBEATS * settings.heartbeat_s)
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT_S), engine.connect() as conn:
                newest, alive = (await conn.execute(repo.heartbeats(fresh_since))).one()
                rows = (await conn.execute(repo.queue_by_platform(now - timedelta(days=1)))).all()
        except Exception as exc:
            log.warning("health check: cannot read workers and queue: %s: %s", exc.__class__.__name__, exc)
            return WorkerHealth(newest_heartbeat_age_s=None, workers=0), queue
        for platform, queued, running, failed in rows:
            queue[platform] = QueueHealth(queued=queued, running=running, failed_last_24h=failed)
        age = round((now - newest).total_seconds(), 3) if newest is not None else None
        return WorkerHealth(newest_heartbeat_age_s=age, workers=alive), queue


health_service = HealthService()
