"""Credentials a platform issued for one tracked account (OAuth user tokens).

Kept apart from ``accounts`` so that no API shape that renders an account (its ``details``
included) can ever carry a token. One row per (account, platform).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialpulse.db.base import Base, BigID
from socialpulse.kit.time import utcnow


class PlatformCredential(Base):
    """An account's user access token (and refresh token) on its platform, e.g. TikTok's ``act.…``."""

    __tablename__ = "platform_credentials"
    __table_args__ = (UniqueConstraint("account_id", "platform"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None]  # when access_token stops working (None: unknown)
    scopes: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
