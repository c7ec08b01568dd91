"""What the analytics answers are computed from changed, and the answers kept until it does.

``analytics_changes`` is written only by database triggers (migration 0004): every insert,
update or delete of the rows an analytics answer reads (accounts, profiles, posts, their
snapshots, a post's refresh items) appends one row naming the account, post or profile it
touched. The newest id per (kind, key) is that entity's data version; older rows are pruned.
Appending takes no lock on the changed entity, so concurrent refreshes never wait on each other
for it, and the ids only grow, so a version never comes back.

``analytics_cache_reads`` names, for each kept answer, the accounts, posts and profiles it read,
so that a change to one of them finds the answers to compute again; ``analytics_renewal`` holds
the newest change id whose answers have been renewed (see :mod:`socialpulse.analytics.renewal`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from socialpulse.db.base import Base, BigID


class AnalyticsChange(Base):
    __tablename__ = "analytics_changes"
    __table_args__ = (
        Index("ix_analytics_changes_kind_key_id", "kind", "key", "id"),
        {"sqlite_autoincrement": True},  # ids never reused, even after the newest row is deleted
    )

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # account | post | profile
    key: Mapped[int] = mapped_column(BigInteger)


class AnalyticsCacheEntry(Base):
    """One computed analytics answer: valid while its fingerprint (the versions of what it
    read) is current and ``expires_at`` has not passed."""

    __tablename__ = "analytics_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    etag: Mapped[str] = mapped_column(String(40))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    computed_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    # the request it answers, to ask it again when what it read changes (None: not renewable)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    path: Mapped[str | None] = mapped_column(String(512))
    query: Mapped[str | None] = mapped_column(Text)


class AnalyticsCacheRead(Base):
    """An account, post or profile that a kept answer read."""

    __tablename__ = "analytics_cache_reads"
    __table_args__ = (Index("ix_analytics_cache_reads_kind_entity", "kind", "entity"),)

    key: Mapped[str] = mapped_column(
        String(64), ForeignKey("analytics_cache.key", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # account | post | profile
    entity: Mapped[int] = mapped_column(BigInteger, primary_key=True)


class AnalyticsRenewal(Base):
    """One row: the newest ``analytics_changes`` id whose answers have been renewed."""

    __tablename__ = "analytics_renewal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mark: Mapped[int] = mapped_column(BigInteger)
