from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from socialpulse.db.base import Base, BigID
from socialpulse.kit.time import utcnow


class Profile(Base):
    """A named creator or brand grouping accounts across platforms (upload-post's ``profile_username``)."""

    __tablename__ = "profiles"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    accounts: Mapped[list[Account]] = relationship(back_populates="profile", passive_deletes=True)


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("user_id", "platform", "handle"),
        Index("ix_accounts_user_id_platform_id", "user_id", "platform", "platform_id"),
        Index("ix_accounts_next_refresh_at", "next_refresh_at"),
    )

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[int | None] = mapped_column(ForeignKey("profiles.id", ondelete="SET NULL"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    # normalised handle (no leading @, lower-cased where the platform ignores case)
    handle: Mapped[str] = mapped_column(String(255))
    platform_id: Mapped[str | None] = mapped_column(String(255))
    url: Mapped[str | None] = mapped_column(String(1000))
    display_name: Mapped[str | None] = mapped_column(String(500))
    biography: Mapped[str | None] = mapped_column(Text)
    avatar_url: Mapped[str | None] = mapped_column(String(2000))
    website: Mapped[str | None] = mapped_column(String(2000))
    category: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    org_group: Mapped[str | None] = mapped_column(String(200), index=True)
    user_group: Mapped[str | None] = mapped_column(String(200), index=True)
    is_competitor: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(
        String(32)
    )  # connector variant override (e.g. instagram graph|web)
    refresh_interval_s: Mapped[int | None] = mapped_column(Integer)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="active")
    status_detail: Mapped[str | None] = mapped_column(Text)
    last_refreshed_at: Mapped[datetime | None]
    next_refresh_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    profile: Mapped[Profile | None] = relationship(back_populates="accounts")
    tag_rows: Mapped[list[AccountTag]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin", order_by="AccountTag.tag"
    )

    @property
    def tags(self) -> list[str]:
        return [t.tag for t in self.tag_rows]


class AccountTag(Base):
    __tablename__ = "account_tags"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("user_id", "platform", "social_id"),
        Index("ix_posts_account_id_posted_at", "account_id", "posted_at"),
        Index("ix_posts_next_refresh_at", "next_refresh_at"),
    )

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    social_id: Mapped[str] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2000))
    type: Mapped[str | None] = mapped_column(String(16))
    caption: Mapped[str | None] = mapped_column(Text)
    posted_at: Mapped[datetime | None]
    author_platform_id: Mapped[str | None] = mapped_column(String(255))
    author_handle: Mapped[str | None] = mapped_column(String(255))
    hashtags: Mapped[list[str]] = mapped_column(default=list)
    mentions: Mapped[list[str]] = mapped_column(default=list)
    links: Mapped[list[str]] = mapped_column(default=list)
    sponsored: Mapped[bool | None] = mapped_column(Boolean)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # True when a user asked to track this post; False when found by listing an account's posts
    tracked: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    status_detail: Mapped[str | None] = mapped_column(Text)
    last_refreshed_at: Mapped[datetime | None]
    next_refresh_at: Mapped[datetime | None]
    # when its comments were last fetched, and the post's comment count then (a changed count,
    # or an old fetch, makes an account refresh fetch them again)
    comments_fetched_at: Mapped[datetime | None]
    comments_fetched_count: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PostGroup(Base):
    """The same content published on several platforms: one public id (upload-post's
    ``request_id``) over the posts that carry it."""

    __tablename__ = "post_groups"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PostGroupMember(Base):
    __tablename__ = "post_group_members"
    # a post has one request_id: it belongs to one group at most
    __table_args__ = (Index("ix_post_group_members_post_id", "post_id", unique=True),)

    group_id: Mapped[int] = mapped_column(ForeignKey("post_groups.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
