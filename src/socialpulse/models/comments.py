from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from socialpulse.db.base import Base, BigID


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("post_id", "platform_comment_id"),
        Index("ix_comments_post_id_posted_at", "post_id", "posted_at"),
        Index("ix_comments_post_id_likes", "post_id", "likes"),
    )

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    platform_comment_id: Mapped[str] = mapped_column(String(500))
    parent_platform_id: Mapped[str | None] = mapped_column(String(500))
    author: Mapped[str | None] = mapped_column(String(500))
    author_id: Mapped[str | None] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text, default="")
    posted_at: Mapped[datetime | None]
    likes: Mapped[int | None] = mapped_column(BigInteger)
    reply_count: Mapped[int | None] = mapped_column(BigInteger)
    sentiment_label: Mapped[str | None] = mapped_column(String(16))
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    analyser: Mapped[str | None] = mapped_column(String(64))
    analyser_version: Mapped[str | None] = mapped_column(String(32))
    first_seen_at: Mapped[datetime]
    updated_at: Mapped[datetime]
