"""Comments of posts: which posts an account refresh fetches comments for, storing what was
fetched (once per platform id, likes updated later, new ones scored), and reading them back.

Rules:

- An account refresh fetches the top ``settings.comments_per_post`` comments of the account's
  posts younger than ``settings.comments_max_post_age_days``; a post whose comment count has
  not changed since its last comment fetch, and whose last fetch is younger than
  ``settings.comments_refetch_s``, is skipped (its comments cannot have changed much, and
  quota is precious).
- Comment fetching never spends the last ``settings.comments_quota_reserve`` share of a
  platform's daily quota: that part is kept for statistics. A quota that is spent skips the
  comments, with a note in the refresh result.
- A comment is stored once per (post, platform id). Later fetches update its likes, reply
  count and text (edits); a new comment is scored by the sentiment analyser before the
  write, and stored with its label, score and the analyser's name and version, in the same
  transaction as the refresh's other results.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from socialpulse.db.dialect import dialect_insert
from socialpulse.errors import BadRequest
from socialpulse.kit.chunks import chunks
from socialpulse.kit.pagination import decode_cursor, encode_cursor
from socialpulse.kit.time import aware
from socialpulse.models import Comment, Post, PostSnapshot
from socialpulse.platforms.base import CommentData, PostData, PostRef
from socialpulse.sentiment.base import Analyser, Sentiment

CHUNK = 500
BAD_CURSOR = "cursor is not valid: pass the next_cursor value of a previous page"
CommentOrder = Literal["newest", "top"]


# ---------------------------------------------------------------------------- what to fetch


@dataclass
class KnownPost:
    """A stored young post of an account, as the comment planner needs it."""

    id: int
    social_id: str
    posted_at: datetime | None
    author_platform_id: str | None
    author_handle: str | None
    comments_now: int | None  # the post's comment count at its latest snapshot
    fetched_at: datetime | None
    fetched_count: int | None
    stored: frozenset[str] = frozenset()  # platform ids of its stored comments


@dataclass
class CommentTarget:
    """One post whose comments to fetch; ``post_id`` is None for a post first seen in this
    refresh's listing (it gets its id when the listing is written)."""

    social_id: str
    ref: PostRef
    count: int | None
    post_id: int | None = None
    stored: frozenset[str] = frozenset()


@dataclass
class FetchedComments:
    """The comments part of one account's refresh, on its way to the write."""

    targets: list[CommentTarget] = field(default_factory=list)
    comments: dict[str, list[CommentData]] = field(default_factory=dict)  # social id -> comments
    scores: dict[tuple[str, str], Sentiment] = field(default_factory=dict)  # (social id, comment id)
    failed: dict[str, str] = field(default_factory=dict)  # social id -> error
    skipped: str | None = None


async def known_young_posts(
    session: AsyncSession, account_ids: Collection[int], since: datetime
) -> dict[int, list[KnownPost]]:
    """Each account's stored posts published since ``since`` (or with no date yet), with their
    latest comment counts and the ids of the comments already stored."""
    out: dict[int, list[KnownPost]] = defaultdict(list)
    if not account_ids:
        return out
    known = await _known(session, Post.account_id.in_(list(account_ids)), since)
    for account_id, post in known.values():
        if account_id is not None:
            out[account_id].append(post)
    return out


async def known_standalone_posts(
    session: AsyncSession, post_ids: Collection[int], since: datetime
) -> dict[int, KnownPost]:
    """Of ``post_ids``, the young posts tracked without their account (whose comments no
    account refresh fetches), by id."""
    if not post_ids:
        return {}
    known = await _known(session, and_(Post.id.in_(list(post_ids)), Post.account_id.is_(None)), since)
    return {pid: post for pid, (_, post) in known.items()}


async def _known(
    session: AsyncSession, where: ColumnElement[bool], since: datetime
) -> dict[int, tuple[int | None, KnownPost]]:
    rows = await session.execute(
        select(
            Post.account_id,
            Post.id,
            Post.social_id,
            Post.posted_at,
            Post.author_platform_id,
            Post.author_handle,
            Post.comments_fetched_at,
            Post.comments_fetched_count,
        ).where(
            where,
            or_(Post.posted_at >= since, Post.posted_at.is_(None)),
            Post.status == "active",
        )
    )
    posts: dict[int, tuple[int | None, KnownPost]] = {}
    for account_id, pid, social_id, posted_at, author_id, author_handle, fetched_at, fetched_count in rows:
        posts[pid] = (
            account_id,
            KnownPost(
                id=pid,
                social_id=social_id,
                posted_at=posted_at,
                author_platform_id=author_id,
                author_handle=author_handle,
                comments_now=None,
                fetched_at=fetched_at,
                fetched_count=fetched_count,
            ),
        )
    stored: dict[int, set[str]] = defaultdict(set)
    for part in chunks(list(posts), CHUNK):
        latest = (
            select(PostSnapshot.post_id, func.max(PostSnapshot.id).label("sid"))
            .where(PostSnapshot.post_id.in_(part))
            .group_by(PostSnapshot.post_id)
            .subquery()
        )
        for pid, count in await session.execute(
            select(PostSnapshot.post_id, PostSnapshot.comments).join(latest, PostSnapshot.id == latest.c.sid)
        ):
            posts[pid][1].comments_now = count
        for pid, cid in await session.execute(
            select(Comment.post_id, Comment.platform_comment_id).where(Comment.post_id.in_(part))
        ):
            stored[pid].add(cid)
    for pid, (_, known) in posts.items():
        known.stored = frozenset(stored.get(pid, ()))
    return posts


def is_young(posted_at: datetime | None, since: datetime) -> bool:
    return posted_at is None or aware(posted_at) >= since


def plan_targets(
    known: Sequence[KnownPost],
    listed: Sequence[PostData],
    *,
    since: datetime,
    refetch_after: timedelta,
    now: datetime,
    author_handle: str | None,
    author_platform_id: str | None = None,
) -> list[CommentTarget]:
    """The posts of one account whose comments are due: young posts (stored or just listed)
    never fetched, whose comment count changed since the last fetch (when both counts are
    known), or last fetched longer ago than ``refetch_after``. Newest posts first."""
    by_social: dict[str, CommentTarget] = {}
    order: dict[str, datetime] = {}
    for k in known:
        if not is_young(k.posted_at, since):
            continue
        by_social[k.social_id] = CommentTarget(
            social_id=k.social_id,
            ref=PostRef(
                key=k.social_id,
                social_id=k.social_id,
                author_platform_id=k.author_platform_id or author_platform_id,
                author_handle=k.author_handle or author_handle,
            ),
            count=k.comments_now,
            post_id=k.id,
            stored=k.stored,
        )
        if k.posted_at is not None:
            order[k.social_id] = aware(k.posted_at)
    fetched = {k.social_id: (k.fetched_at, k.fetched_count) for k in known}
    for p in listed:
        if not is_young(p.posted_at, since):
            continue
        target = by_social.get(p.social_id)
        count = p.comments if p.has_metrics else None
        if target is None:
            target = by_social[p.social_id] = CommentTarget(
                social_id=p.social_id,
                ref=PostRef(
                    key=p.social_id,
                    social_id=p.social_id,
                    author_platform_id=p.author_platform_id or author_platform_id,
                    author_handle=author_handle,
                ),
                count=count,
            )
        elif count is not None:
            target.count = count
        if p.posted_at is not None:
            order[p.social_id] = aware(p.posted_at)

    due: list[CommentTarget] = []
    for social_id, target in by_social.items():
        if target.count == 0 and not target.stored:
            continue  # nothing to fetch: the platform says there are no comments
        last_at, last_count = fetched.get(social_id, (None, None))
        if (
            last_at is None
            or (target.count is not None and last_count is not None and target.count != last_count)
            or now - aware(last_at) >= refetch_after
        ):
            due.append(target)
    far_past = datetime.min.replace(tzinfo=now.tzinfo)
    due.sort(key=lambda t: order.get(t.social_id, far_past), reverse=True)
    return due


def score_new(analyser: Analyser | None, fetched: FetchedComments) -> None:
    """Score, in one batch, the fetched comments not stored yet (those stored keep their
    label: ``socialpulse sentiment backfill`` recomputes labels)."""
    if analyser is None:
        return
    keys: list[tuple[str, str]] = []
    texts: list[str] = []
    stored = {t.social_id: t.stored for t in fetched.targets}
    for social_id, comments in fetched.comments.items():
        old = stored.get(social_id, frozenset())
        for c in comments:
            if c.platform_id not in old:
                keys.append((social_id, c.platform_id))
                texts.append(c.text)
    if texts:
        fetched.scores.update(zip(keys, analyser.analyse(texts), strict=True))


def score_all(analyser: Analyser, batches: Sequence[FetchedComments]) -> None:
    for fetched in batches:
        score_new(analyser, fetched)


# ---------------------------------------------------------------------------- storing


@dataclass
class StoredCounts:
    posts: int = 0
    fetched: int = 0
    new: int = 0
    updated: int = 0
    scored: int = 0

    def as_result(self, skipped: str | None, failed: Mapping[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "posts": self.posts,
            "fetched": self.fetched,
            "new": self.new,
            "updated": self.updated,
            "scored": self.scored,
            "skipped": skipped,
        }
        if failed:
            out["failed"] = [f"{sid}: {err}" for sid, err in sorted(failed.items())]
        return out


async def store(
    session: AsyncSession,
    fetched: FetchedComments,
    post_ids: Mapping[str, int],
    *,
    analyser: Analyser | None,
    fetched_at: datetime,
) -> StoredCounts:
    """Write one account's fetched comments: insert new ones (with their sentiment), update
    likes, replies and text of known ones, and mark each post's comments as fetched."""
    counts = StoredCounts()
    rows: dict[int, list[CommentData]] = {}
    marks: dict[int, int | None] = {}
    for target in fetched.targets:
        if target.social_id not in fetched.comments:
            continue
        pid = target.post_id or post_ids.get(target.social_id)
        if pid is None:
            continue
        rows[pid] = fetched.comments[target.social_id]
        marks[pid] = target.count
    counts.posts = len(rows)
    if not rows:
        return counts

    existing: dict[tuple[int, str], tuple[int, int | None, int | None, str]] = {}
    for part in chunks(list(rows), CHUNK):
        for cid, pid, platform_id, likes, replies, text in await session.execute(
            select(
                Comment.id,
                Comment.post_id,
                Comment.platform_comment_id,
                Comment.likes,
                Comment.reply_count,
                Comment.text,
            ).where(Comment.post_id.in_(part))
        ):
            existing[(pid, platform_id)] = (cid, likes, replies, text)

    social_of = {pid: sid for sid, pid in post_ids.items()}
    for t in fetched.targets:
        if t.post_id is not None:
            social_of[t.post_id] = t.social_id
    new_rows: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for pid, comments in rows.items():
        seen: set[str] = set()
        for c in comments:
            if c.platform_id in seen:
                continue
            seen.add(c.platform_id)
            counts.fetched += 1
            old = existing.get((pid, c.platform_id))
            if old is not None:
                cid, likes, replies, text = old
                if (likes, replies, text) != (c.likes, c.reply_count, c.text):
                    updates.append(
                        {
                            "cid": cid,
                            "likes": c.likes,
                            "reply_count": c.reply_count,
                            "text": c.text,
                            "updated_at": fetched_at,
                        }
                    )
                continue
            score = fetched.scores.get((social_of.get(pid, ""), c.platform_id))
            if score is None and analyser is not None:
                score = analyser.analyse([c.text])[0]  # stored meanwhile, then deleted: rare
            new_rows.append(
                {
                    "post_id": pid,
                    "platform_comment_id": c.platform_id,
                    "parent_platform_id": c.parent_id,
                    "author": c.author,
                    "author_id": c.author_id,
                    "text": c.text,
                    "posted_at": c.posted_at,
                    "likes": c.likes,
                    "reply_count": c.reply_count,
                    "sentiment_label": score.label if score else None,
                    "sentiment_score": score.score if score else None,
                    "analyser": analyser.name if score and analyser else None,
                    "analyser_version": analyser.version if score and analyser else None,
                    "first_seen_at": fetched_at,
                    "updated_at": fetched_at,
                }
            )
    table: Any = Comment.__table__
    for rows_part in chunks(new_rows, CHUNK // 2):
        result = await session.execute(
            dialect_insert(session, table)
            .values(rows_part)
            .on_conflict_do_nothing(index_elements=["post_id", "platform_comment_id"])
            .returning(table.c.sentiment_label)
        )
        labels = list(result.scalars())
        counts.new += len(labels)
        counts.scored += sum(1 for label in labels if label is not None)
    if updates:
        await session.execute(
            update(table)
            .where(table.c.id == bindparam("cid"))
            .values(
                likes=bindparam("likes"),
                reply_count=bindparam("reply_count"),
                text=bindparam("text"),
                updated_at=bindparam("updated_at"),
            )
            .execution_options(synchronize_session=False),
            updates,
        )
        counts.updated = len(updates)
    for pid, count in marks.items():
        await session.execute(
            update(Post)
            .where(Post.id == pid)
            .values(comments_fetched_at=fetched_at, comments_fetched_count=count)
            .execution_options(synchronize_session=False)
        )
    return counts


# ---------------------------------------------------------------------------- reading


def comments_query(
    *,
    post_ids: Sequence[int] | None = None,
    account_id: int | None = None,
    order: CommentOrder = "newest",
    label: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select[Comment]:
    """Comments of some posts or of an account's posts, newest (by their time on the platform,
    then first seen) or most liked first; ties broken by id so paging is stable."""
    stmt = select(Comment)
    if post_ids is not None:
        stmt = stmt.where(Comment.post_id.in_(list(post_ids)))
    if account_id is not None:
        stmt = stmt.join(Post, Post.id == Comment.post_id).where(Post.account_id == account_id)
    if label is not None:
        stmt = stmt.where(Comment.sentiment_label == label)
    when = func.coalesce(Comment.posted_at, Comment.first_seen_at)
    if since is not None:
        stmt = stmt.where(when >= since)
    if until is not None:
        stmt = stmt.where(when <= until)
    if order == "top":
        return stmt.order_by(func.coalesce(Comment.likes, -1).desc(), Comment.id.desc())
    return stmt.order_by(when.desc(), Comment.id.desc())


@dataclass(frozen=True)
class CommentPage:
    items: list[Comment]
    next_cursor: str | None


def _sort_key(order: CommentOrder) -> Any:
    if order == "top":
        return func.coalesce(Comment.likes, -1)
    return func.coalesce(Comment.posted_at, Comment.first_seen_at)


def _cursor_keys(order: CommentOrder, cursor: str) -> tuple[Any, int]:
    keys = decode_cursor(cursor, 3)
    tag, value, last_id = keys
    if tag != order or not isinstance(last_id, int) or isinstance(last_id, bool):
        raise BadRequest(
            f"cursor is not valid for order={order}: pass the next_cursor of a page in the same order"
        )
    if order == "top":
        if not isinstance(value, int) or isinstance(value, bool):
            raise BadRequest(BAD_CURSOR)
        return value, last_id
    try:
        return aware(datetime.fromisoformat(str(value))), last_id
    except ValueError:
        raise BadRequest(BAD_CURSOR) from None


async def comment_page(
    session: AsyncSession,
    *,
    post_ids: Sequence[int] | None = None,
    account_id: int | None = None,
    order: CommentOrder = "newest",
    label: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> CommentPage:
    """One page of comments in ``order`` (keyset paging on the sort key and id, so new
    comments arriving between pages neither repeat nor hide rows)."""
    stmt = comments_query(
        post_ids=post_ids, account_id=account_id, order=order, label=label, since=since, until=until
    )
    key = _sort_key(order)
    if cursor:
        value, last_id = _cursor_keys(order, cursor)
        stmt = stmt.where(or_(key < value, and_(key == value, Comment.id < last_id)))
    rows = list(await session.scalars(stmt.limit(limit + 1)))
    if len(rows) <= limit:
        return CommentPage(rows, None)
    rows = rows[:limit]
    last = rows[-1]
    value_out: Any = (
        (last.likes if last.likes is not None else -1)
        if order == "top"
        else aware(last.posted_at or last.first_seen_at).isoformat()
    )
    return CommentPage(rows, encode_cursor(order, value_out, last.id))


async def top_comments(
    session: AsyncSession, post_ids: Sequence[int], per_post: int
) -> dict[int, list[Comment]]:
    """The ``per_post`` most liked comments of each post, in one query per chunk of posts."""
    out: dict[int, list[Comment]] = defaultdict(list)
    for part in chunks(list(post_ids), CHUNK):
        rank = (
            func.row_number()
            .over(
                partition_by=Comment.post_id,
                order_by=(func.coalesce(Comment.likes, -1).desc(), Comment.id.desc()),
            )
            .label("rank")
        )
        ranked = select(Comment.id, rank).where(Comment.post_id.in_(part)).subquery()
        rows = await session.scalars(
            select(Comment)
            .join(ranked, and_(ranked.c.id == Comment.id, ranked.c.rank <= per_post))
            .order_by(Comment.post_id, func.coalesce(Comment.likes, -1).desc(), Comment.id.desc())
        )
        for c in rows:
            out[c.post_id].append(c)
    return out
