"""History: one row per fetch. Counters are as the platform reported them; null = not reported."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from socialpulse.db.base import Base, BigID, JSONType

Counter = BigInteger


class AccountSnapshot(Base):
    __tablename__ = "account_snapshots"
    __table_args__ = (Index("ix_account_snapshots_account_id_fetched_at", "account_id", "fetched_at"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    fetched_at: Mapped[datetime]
    connector: Mapped[str] = mapped_column(String(64))
    api_version: Mapped[str] = mapped_column(String(32))
    followers: Mapped[int | None] = mapped_column(Counter)
    following: Mapped[int | None] = mapped_column(Counter)
    posts: Mapped[int | None] = mapped_column(Counter)
    views: Mapped[int | None] = mapped_column(Counter)
    impressions: Mapped[int | None] = mapped_column(Counter)
    reach: Mapped[int | None] = mapped_column(Counter)
    likes: Mapped[int | None] = mapped_column(Counter)
    comments: Mapped[int | None] = mapped_column(Counter)
    shares: Mapped[int | None] = mapped_column(Counter)
    saves: Mapped[int | None] = mapped_column(Counter)
    profile_views: Mapped[int | None] = mapped_column(Counter)
    extras: Mapped[dict[str, Any] | None] = mapped_column(JSONType())


class PostSnapshot(Base):
    __tablename__ = "post_snapshots"
    __table_args__ = (Index("ix_post_snapshots_post_id_fetched_at", "post_id", "fetched_at"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    fetched_at: Mapped[datetime]
    connector: Mapped[str] = mapped_column(String(64))
    api_version: Mapped[str] = mapped_column(String(32))
    views: Mapped[int | None] = mapped_column(Counter)
    plays: Mapped[int | None] = mapped_column(Counter)
    likes: Mapped[int | None] = mapped_column(Counter)
    comments: Mapped[int | None] = mapped_column(Counter)
    shares: Mapped[int | None] = mapped_column(Counter)
    saves: Mapped[int | None] = mapped_column(Counter)
    reach: Mapped[int | None] = mapped_column(Counter)
    impressions: Mapped[int | None] = mapped_column(Counter)
    extras: Mapped[dict[str, Any] | None] = mapped_column(JSONType())


ACCOUNT_METRICS = (
    "followers",
    "following",
    "posts",
    "views",
    "impressions",
    "reach",
    "likes",
    "comments",
    "shares",
    "saves",
    "profile_views",
)
POST_METRICS = ("views", "plays", "likes", "comments", "shares", "saves", "reach", "impressions")
