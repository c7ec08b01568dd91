"""State that only a compatibility API needs: ids in the shape its clients expect."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from socialpulse.db.base import Base, BigID
from socialpulse.kit.time import utcnow


class TrackingTask(Base):
    """A codvid tracking task: a UUID over one tracked account of its user."""

    __tablename__ = "tracking_tasks"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    api: Mapped[str] = mapped_column(String(32), default="codvid")
    # True when creating the task started tracking the account (deleting the task then stops it)
    started_tracking: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_scraped_at: Mapped[datetime | None]
