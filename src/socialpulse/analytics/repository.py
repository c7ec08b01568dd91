"""SQL of the analytics questions. Every statement reads only the columns its question needs
and walks an index: snapshots by ``(account_id | post_id, fetched_at)``, posts by
``(account_id, posted_at)``, accounts by user.

Snapshot rows come back with ``id``, ``fetched_at`` and the counters by name, so they fit
:class:`~socialpulse.analytics.snapshots.AccountSnapshotLike` /
:class:`~socialpulse.analytics.snapshots.PostSnapshotLike` as they are (see
:func:`account_points`, :func:`post_points`): no ORM objects are built for history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeAlias, cast

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Row,
    Select,
    func,
    literal,
    select,
    union_all,
)

from socialpulse.analytics.snapshots import AccountSnapshotLike, PostSnapshotLike
from socialpulse.models import Account, AccountSnapshot, Post, PostSnapshot, Profile, RefreshItem
from socialpulse.models.enums import EntityKind
from socialpulse.models.stats import ACCOUNT_METRICS, POST_METRICS
from socialpulse.stats.repository import utc_day

AnyRow: TypeAlias = "Row[*tuple[Any, ...]]"
"""A result row of any shape."""

ACCOUNT_POINT: tuple[Any, ...] = (
    AccountSnapshot.id,
    AccountSnapshot.fetched_at,
    *(getattr(AccountSnapshot, m) for m in ACCOUNT_METRICS),
)
POST_POINT: tuple[Any, ...] = (
    PostSnapshot.id,
    PostSnapshot.fetched_at,
    *(getattr(PostSnapshot, m) for m in POST_METRICS),
)


def account_points(rows: Sequence[AnyRow]) -> list[AccountSnapshotLike]:
    """Rows selected with :data:`ACCOUNT_POINT` columns, read as account snapshots."""
    return cast(list[AccountSnapshotLike], list(rows))


def post_points(rows: Sequence[AnyRow]) -> list[PostSnapshotLike]:
    """Rows selected with :data:`POST_POINT` columns, read as post snapshots."""
    return cast(list[PostSnapshotLike], list(rows))


def _at(value: datetime) -> ColumnElement[datetime]:
    """A timestamp parameter typed like ``fetched_at`` (SQLite stores naive UTC text)."""
    return literal(value, AccountSnapshot.__table__.c.fetched_at.type)


# ---------------------------------------------------------------------------- scope


def account_card(user_id: int, account_id: int) -> Select[*tuple[Any, ...]]:
    """What a report shows of the account row (one user's account only)."""
    return select(
        Account.id,
        Account.platform,
        Account.handle,
        Account.platform_id,
        Account.url,
        Account.display_name,
        Account.biography,
        Account.avatar_url,
        Account.website,
        Account.category,
        Account.location,
        Account.status,
        Account.status_detail,
        Account.last_refreshed_at,
    ).where(Account.user_id == user_id, Account.id == account_id)


def accounts_by_ids(user_id: int, account_ids: Sequence[int]) -> Select[*tuple[Any, ...]]:
    """``(id, platform, handle)`` of the user's accounts among ``account_ids``."""
    return (
        select(Account.id, Account.platform, Account.handle)
        .where(Account.user_id == user_id, Account.id.in_(account_ids))
        .order_by(Account.id)
    )


def profile_card(user_id: int, profile_id: int) -> Select[*tuple[Any, ...]]:
    return select(Profile.id, Profile.name).where(Profile.user_id == user_id, Profile.id == profile_id)


def accounts_of_profile(user_id: int, profile_id: int) -> Select[*tuple[Any, ...]]:
    """``(id, platform, handle)`` of the profile's accounts, oldest first."""
    return (
        select(Account.id, Account.platform, Account.handle)
        .where(Account.user_id == user_id, Account.profile_id == profile_id)
        .order_by(Account.id)
    )


# ---------------------------------------------------------------------------- account history


def account_history(account_id: int, since: datetime, until: datetime) -> Select[*tuple[Any, ...]]:
    """The account's snapshots from the latest one taken at or before ``since`` up to
    ``until`` (both included), oldest first: everything needed to read "the latest
    snapshot at or before t" for any t in ``[since, until]``."""
    start = (
        select(AccountSnapshot.fetched_at)
        .where(AccountSnapshot.account_id == account_id, AccountSnapshot.fetched_at <= _at(since))
        .order_by(AccountSnapshot.fetched_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(*ACCOUNT_POINT)
        .where(
            AccountSnapshot.account_id == account_id,
            AccountSnapshot.fetched_at >= func.coalesce(start, _at(since)),
            AccountSnapshot.fetched_at <= _at(until),
        )
        .order_by(AccountSnapshot.fetched_at, AccountSnapshot.id)
    )


def account_points_at(account_id: int, instants: Sequence[datetime]) -> CompoundSelect[*tuple[Any, ...]]:
    """For each instant, the account's latest snapshot taken at or before it (none when
    there is none), tagged with the instant's position as ``probe``: one index probe each."""
    parts = []
    for n, instant in enumerate(instants):
        probe = (
            select(literal(n).label("probe"), *ACCOUNT_POINT)
            .where(AccountSnapshot.account_id == account_id, AccountSnapshot.fetched_at <= _at(instant))
            .order_by(AccountSnapshot.fetched_at.desc(), AccountSnapshot.id.desc())
            .limit(1)
            .subquery(f"p{n}")
        )
        parts.append(select(probe))
    return union_all(*parts)


def latest_account_points(account_ids: Sequence[int]) -> Select[*tuple[Any, ...]]:
    """The newest snapshot of each account (``account_id`` and :data:`ACCOUNT_POINT`
    columns): one backward index probe per account."""
    newest = (
        select(AccountSnapshot.id)
        .where(AccountSnapshot.account_id == Account.id)
        .order_by(AccountSnapshot.fetched_at.desc(), AccountSnapshot.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    ids = select(newest).where(Account.id.in_(account_ids))
    return select(AccountSnapshot.account_id, *ACCOUNT_POINT).where(AccountSnapshot.id.in_(ids))


def day_levels(
    account_ids: Sequence[int], columns: Sequence[str], since: datetime, before: datetime
) -> Select[*tuple[Any, ...]]:
    """``(account_id, day, *columns)`` of the last snapshot of each UTC day of each account,
    for snapshots taken in ``[since, before)``."""
    cols = [getattr(AccountSnapshot, c) for c in columns]
    day = utc_day(AccountSnapshot.fetched_at)
    rank = (
        func.row_number()
        .over(
            partition_by=(AccountSnapshot.account_id, day),
            order_by=(AccountSnapshot.fetched_at.desc(), AccountSnapshot.id.desc()),
        )
        .label("day_rank")
    )
    ranked = (
        select(AccountSnapshot.account_id, day.label("day"), *cols, rank)
        .where(
            AccountSnapshot.account_id.in_(account_ids),
            AccountSnapshot.fetched_at >= _at(since),
            AccountSnapshot.fetched_at < _at(before),
        )
        .subquery("ranked")
    )
    return select(ranked.c.account_id, ranked.c.day, *(ranked.c[c] for c in columns)).where(
        ranked.c.day_rank == 1
    )


def carried_levels(account_ids: Sequence[int], column: str, before: datetime) -> Select[*tuple[Any, ...]]:
    """``(account_id, day, value)``: for each account, the latest UTC day before ``before``
    whose last snapshot reported ``column`` (a level carried into a range that starts there)."""
    col = getattr(AccountSnapshot, column)
    day = utc_day(AccountSnapshot.fetched_at)
    rank = func.row_number().over(
        partition_by=(AccountSnapshot.account_id, day),
        order_by=(AccountSnapshot.fetched_at.desc(), AccountSnapshot.id.desc()),
    )
    days = (
        select(AccountSnapshot.account_id, day.label("day"), col.label("value"), rank.label("day_rank"))
        .where(AccountSnapshot.account_id.in_(account_ids), AccountSnapshot.fetched_at < _at(before))
        .subquery("days")
    )
    newest = func.row_number().over(partition_by=days.c.account_id, order_by=days.c.day.desc())
    reported = (
        select(days.c.account_id, days.c.day, days.c.value, newest.label("newest"))
        .where(days.c.day_rank == 1, days.c.value.is_not(None))
        .subquery("reported")
    )
    return select(reported.c.account_id, reported.c.day, reported.c.value).where(reported.c.newest == 1)


# ---------------------------------------------------------------------------- posts


def report_posts(
    user_id: int, account_id: int, *, until: datetime, after: datetime, older: int, undated: int
) -> CompoundSelect[*tuple[Any, ...]]:
    """``(id, posted_at, type)`` of the account's posts a report reads: every post
    published in ``(after, until]``, the ``older`` newest published at or before
    ``after``, and the ``undated`` newest without a publication time."""
    cols = (Post.id, Post.posted_at, Post.type)
    mine = (Post.user_id == user_id, Post.account_id == account_id)
    recent = select(*cols).where(*mine, Post.posted_at > _at(after), Post.posted_at <= _at(until))
    before = (
        select(*cols)
        .where(*mine, Post.posted_at <= _at(after))
        .order_by(Post.posted_at.desc(), Post.id.desc())
        .limit(older)
        .subquery("older")
    )
    no_date = (
        select(*cols)
        .where(*mine, Post.posted_at.is_(None))
        .order_by(Post.id.desc())
        .limit(undated)
        .subquery("undated")
    )
    return union_all(recent, select(before), select(no_date))


def post_cards(user_id: int, post_ids: Sequence[int]) -> Select[*tuple[Any, ...]]:
    """What a report or the post analytics show of post rows (one user's posts only)."""
    return select(
        Post.id,
        Post.account_id,
        Post.platform,
        Post.social_id,
        Post.url,
        Post.type,
        Post.caption,
        Post.posted_at,
        Post.author_handle,
        Post.hashtags,
        Post.mentions,
        Post.links,
        Post.sponsored,
        Post.details,
        Post.status,
        Post.status_detail,
        Post.last_refreshed_at,
    ).where(Post.user_id == user_id, Post.id.in_(post_ids))


def post_snapshots(post_ids: Sequence[int], until: datetime) -> Select[*tuple[Any, ...]]:
    """``post_id`` and :data:`POST_POINT` columns of the posts' snapshots taken at or
    before ``until``, by post, oldest first."""
    return (
        select(PostSnapshot.post_id, *POST_POINT)
        .where(PostSnapshot.post_id.in_(post_ids), PostSnapshot.fetched_at <= _at(until))
        .order_by(PostSnapshot.post_id, PostSnapshot.fetched_at, PostSnapshot.id)
    )


def latest_post_point(post_id: int) -> Select[*tuple[Any, ...]]:
    """The post's newest snapshot (:data:`POST_POINT` columns): one backward index probe."""
    return (
        select(*POST_POINT)
        .where(PostSnapshot.post_id == post_id)
        .order_by(PostSnapshot.fetched_at.desc(), PostSnapshot.id.desc())
        .limit(1)
    )


def last_refresh_of_post(platform: str, post_id: int) -> Select[*tuple[Any, ...]]:
    """``(status, error_code, error_message, attempts, finished_at, created_at)`` of the
    post's newest refresh item. The platform (an item's is its entity's) lets the claim index
    narrow the search to one platform's items; an index on ``refresh_items (kind, entity_id)``
    would make it a probe."""
    return (
        select(
            RefreshItem.status,
            RefreshItem.error_code,
            RefreshItem.error_message,
            RefreshItem.attempts,
            RefreshItem.finished_at,
            RefreshItem.created_at,
        )
        .where(
            RefreshItem.platform == platform,
            RefreshItem.kind == EntityKind.post.value,
            RefreshItem.entity_id == post_id,
        )
        .order_by(RefreshItem.id.desc())
        .limit(1)
    )
