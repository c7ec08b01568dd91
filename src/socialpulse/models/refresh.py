"""The durable refresh queue.

An item moves ``queued -> running -> succeeded | failed``; a failed attempt that may be
retried goes back to ``queued`` with a later ``run_after``; a ``running`` item whose lease
has expired is ``queued`` again. A partial unique index keeps at most one queued or
running item per entity. A request is linked to the items that serve it; an item may
serve several requests (an entity asked for twice is fetched once).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from socialpulse.db.base import Base, BigID, JSONType
from socialpulse.kit.time import utcnow

ACTIVE = "status IN ('queued', 'running')"


class RefreshRequest(Base):
    __tablename__ = "refresh_requests"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    origin: Mapped[str] = mapped_column(String(32), default="api")  # api, cli, scheduler, compat:<name>
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    total: Mapped[int] = mapped_column(Integer, default=0)
    succeeded: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class RefreshItem(Base):
    __tablename__ = "refresh_items"
    __table_args__ = (
        Index(
            "uq_refresh_items_active_entity",
            "kind",
            "entity_id",
            unique=True,
            postgresql_where=text(ACTIVE),
            sqlite_where=text(ACTIVE),
        ),
        Index("ix_refresh_items_claim", "platform", "kind", "status", "run_after"),
        Index("ix_refresh_items_lease", "status", "lease_until"),
        Index("ix_refresh_items_entity", "kind", "entity_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))  # account | post
    entity_id: Mapped[int] = mapped_column(BigID)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    worker_id: Mapped[str | None] = mapped_column(String(128))
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class RefreshRequestItem(Base):
    __tablename__ = "refresh_request_items"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("refresh_requests.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("refresh_items.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class WorkerHeartbeat(Base):
    __tablename__ = "worker_heartbeats"

    worker_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuotaUsage(Base):
    """Units of a platform's daily quota spent per quota day (shared by every worker)."""

    __tablename__ = "quota_usage"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # the platform's quota day, YYYY-MM-DD
    units: Mapped[int] = mapped_column(Integer, default=0)
