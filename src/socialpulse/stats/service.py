"""Writing history: snapshots of accounts and posts, and the rows a refresh updates.

Counters are stored exactly as the platform reported them; a metric it did not report
stays ``None``. Nothing here commits: the refresh engine writes a batch's results and its
queue items' statuses in one transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from socialpulse.analytics.text import extract
from socialpulse.db.dialect import dialect_insert
from socialpulse.kit.chunks import chunks
from socialpulse.models import Account, AccountSnapshot, Post, PostSnapshot
from socialpulse.models.enums import AccountStatus, PostStatus
from socialpulse.models.stats import ACCOUNT_METRICS, POST_METRICS
from socialpulse.platforms.base import PostData, ProfileData

CHUNK = 500


def text_features(post: Post, paid_partnership: bool | None = None) -> None:
    """Hook: derive ``hashtags``, ``mentions``, ``links`` and ``sponsored`` from the post's
    caption (and the platform's own paid-partnership flag, when it reports one)."""
    found = extract(
        post.caption, platform=post.platform, author=post.author_handle, paid_partnership=paid_partnership
    )
    post.hashtags = list(found.hashtags)
    post.mentions = list(found.mentions)
    post.links = list(found.links)
    post.sponsored = found.sponsored


class SnapshotService:
    # ------------------------------------------------------------------ accounts

    def apply_profile(self, account: Account, profile: ProfileData) -> None:
        """Copy what the platform says about the account onto its row."""
        account.platform_id = profile.platform_id or account.platform_id
        for name in ("display_name", "biography", "avatar_url", "website", "category", "location", "url"):
            value = getattr(profile, name)
            if value is not None:
                setattr(account, name, value)
        if profile.details:
            account.details = {**(account.details or {}), **profile.details}
        account.status = AccountStatus.active.value
        account.status_detail = None

    async def record_accounts(
        self,
        session: AsyncSession,
        rows: Sequence[tuple[int, ProfileData]],
        *,
        connector: str,
        api_version: str,
        fetched_at: datetime,
    ) -> None:
        """One :class:`AccountSnapshot` per ``(account id, profile)``."""
        if not rows:
            return
        values = [
            {
                "account_id": account_id,
                "fetched_at": fetched_at,
                "connector": connector,
                "api_version": api_version,
                **{m: getattr(profile, m) for m in ACCOUNT_METRICS},
                "extras": profile.extras or None,
            }
            for account_id, profile in rows
        ]
        await session.execute(insert(AccountSnapshot), values)

    async def latest_posts_counts(
        self, session: AsyncSession, account_ids: Collection[int]
    ) -> dict[int, int | None]:
        """The post count of each account's latest snapshot (absent: never fetched)."""
        out: dict[int, int | None] = {}
        for chunk in chunks(list(account_ids), CHUNK):
            latest = (
                select(func.max(AccountSnapshot.id))
                .where(AccountSnapshot.account_id.in_(chunk))
                .group_by(AccountSnapshot.account_id)
            )
            rows = await session.execute(
                select(AccountSnapshot.account_id, AccountSnapshot.posts).where(
                    AccountSnapshot.id.in_(latest)
                )
            )
            out.update({account_id: posts for account_id, posts in rows})
        return out

    # ------------------------------------------------------------------ posts

    def apply_post(self, post: Post, data: PostData) -> None:
        """Copy what the platform says about the post onto its row. Text features are
        derived again only when the caption changed, the platform newly flags a paid
        partnership, or they were never derived (``sponsored`` is None)."""
        caption_changed = data.caption is not None and data.caption != post.caption
        for name in ("url", "type", "posted_at", "author_platform_id", "author_handle", "caption"):
            value = getattr(data, name)
            if value is not None:
                setattr(post, name, value)
        if post.caption is not None or data.sponsored is not None:
            if caption_changed or post.sponsored is None or (data.sponsored and not post.sponsored):
                text_features(post, data.sponsored)
        if data.details:
            post.details = {**(post.details or {}), **data.details}
        post.status = PostStatus.active.value
        post.status_detail = None

    async def upsert_posts(
        self,
        session: AsyncSession,
        *,
        user_id: int,
        platform: str,
        account_id: int,
        posts: Sequence[PostData],
    ) -> list[Post]:
        """The rows of posts found by listing an account: new ones are added untracked
        (``tracked=False``), known ones updated. Answers them in ``posts`` order."""
        social_ids = list(dict.fromkeys(p.social_id for p in posts))
        if not social_ids:
            return []
        new_rows: list[dict[str, Any]] = [
            {
                "user_id": user_id,
                "platform": platform,
                "social_id": p.social_id,
                "account_id": account_id,
                "tracked": False,
                "status": PostStatus.active.value,
                "hashtags": [],
                "mentions": [],
                "links": [],
                "details": {},
            }
            for p in {p.social_id: p for p in posts}.values()
        ]
        for chunk in chunks(new_rows, CHUNK):
            await session.execute(
                dialect_insert(session, Post.__table__).on_conflict_do_nothing(
                    index_elements=["user_id", "platform", "social_id"]
                ),
                chunk,
            )
        rows: dict[str, Post] = {}
        for chunk_ids in chunks(social_ids, CHUNK):
            found = await session.scalars(
                select(Post).where(
                    Post.user_id == user_id, Post.platform == platform, Post.social_id.in_(chunk_ids)
                )
            )
            rows.update({p.social_id: p for p in found})
        for data in posts:
            post = rows[data.social_id]
            if post.account_id is None:
                post.account_id = account_id
            self.apply_post(post, data)
        return [rows[s] for s in social_ids]

    async def record_posts(
        self,
        session: AsyncSession,
        rows: Sequence[tuple[int, PostData]],
        *,
        connector: str,
        api_version: str,
        fetched_at: datetime,
    ) -> None:
        """One :class:`PostSnapshot` per ``(post id, data)``."""
        if not rows:
            return
        values = [
            {
                "post_id": post_id,
                "fetched_at": fetched_at,
                "connector": connector,
                "api_version": api_version,
                **{m: getattr(data, m) for m in POST_METRICS},
                "extras": data.extras or None,
            }
            for post_id, data in rows
        ]
        await session.execute(insert(PostSnapshot), values)

    async def last_fetched(self, session: AsyncSession, post_ids: Collection[int]) -> dict[int, datetime]:
        """When each of ``post_ids`` was last fetched (absent: never)."""
        out: dict[int, datetime] = {}
        for chunk in chunks(list(post_ids), CHUNK):
            rows = await session.execute(
                select(PostSnapshot.post_id, func.max(PostSnapshot.fetched_at))
                .where(PostSnapshot.post_id.in_(chunk))
                .group_by(PostSnapshot.post_id)
            )
            out.update({post_id: fetched_at for post_id, fetched_at in rows})
        return out


snapshots = SnapshotService()
