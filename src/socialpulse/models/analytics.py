"""What the analytics answers are computed from changed, and the answers kept until it does.

``analytics_changes`` is written only by database triggers (migration 0004): every insert,
update or delete of the rows an analytics answer reads (accounts, profiles, posts, their
snapshots, a post's refresh items) appends one row naming the account, post or profile it
touched. The newest id per (kind, key) is that entity's data version; older rows are pruned.
Appending takes no lock on the changed entity, so concurrent refreshes never wait on each other
for it, and the ids only grow, so a version never comes back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, LargeBinary, String
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
