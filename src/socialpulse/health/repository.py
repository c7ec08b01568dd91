"""SQL of the health check: worker heartbeats and the refresh queue, one aggregate each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select

from socialpulse.models import RefreshItem, WorkerHeartbeat
from socialpulse.models.enums import ItemStatus


def heartbeats(fresh_since: datetime) -> Select[Any, Any]:
    """(newest heartbeat, workers that beat since ``fresh_since``)."""
    fresh = func.count(case((WorkerHeartbeat.heartbeat_at >= fresh_since, 1)))
    return select(func.max(WorkerHeartbeat.heartbeat_at), fresh)


def queue_by_platform(failed_since: datetime) -> Select[Any, Any, Any, Any]:
    """(platform, queued, running, failed since ``failed_since``) for each platform with any."""
    status = RefreshItem.status
    recent_failure = and_(status == ItemStatus.failed.value, RefreshItem.finished_at >= failed_since)

    def count(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return (
        select(
            RefreshItem.platform,
            count(status == ItemStatus.queued.value),
            count(status == ItemStatus.running.value),
            count(recent_failure),
        )
        .where(or_(status.in_((ItemStatus.queued.value, ItemStatus.running.value)), recent_failure))
        .group_by(RefreshItem.platform)
    )
