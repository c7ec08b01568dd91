"""SQL of the analytics questions. Every statement reads only the columns its question needs
and walks an index: snapshots by ``(account_id | post_id, fetched_at)``, posts by
``(account_id, posted_at)``, accounts by user.

Snapshot rows come back with ``id``, ``fetched_at`` and the counters by name, so they fit
:class:`~socialpulse.analytics.snapshots.AccountSnapshotLike` /
:class:`~socialpulse.analytics.snapshots.PostSnapshotLike` as they are (see
:func:`account_points`, :func:`post_points`): no ORM objects are built for history.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeAlias, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Date,
    Dialect,
    Executable,
    Over,
    Row,
    Select,
    String,
    Subquery,
    TypeDecorator,
    bindparam,
    case,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.types import TypeEngine

from socialpulse.analytics.snapshots import AccountSnapshotLike, PostSnapshotLike
from socialpulse.models import Account, AccountSnapshot, Post, PostSnapshot, Profile, RefreshItem
from socialpulse.models.enums import EntityKind
from socialpulse.models.stats import ACCOUNT_METRICS, POST_METRICS
from socialpulse.stats.repository import utc_day

AnyRow: TypeAlias = "Row[*tuple[Any, ...]]"
"""A result row of any shape."""


@dataclass(frozen=True)
class Query:
    """A statement built once per shape, and the values of its named parameters, given when
    it runs. Binding them with ``.params()`` would copy the statement, and SQLAlchemy would
    then compute the copy's cache key on every run; the shared statement keeps its own."""

    statement: Executable
    params: dict[str, Any]


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


def fetched_times(rows: Sequence[AnyRow]) -> list[datetime]:
    """The ``fetched_at`` column of each row, read by position (cheaper than by name)."""
    if not rows:
        return []
    at = rows[0]._fields.index("fetched_at")
    return [row[at] for row in rows]


# ---------------------------------------------------------------------------- scope


def account_card(user_id: int, account_id: int) -> Query:
    """What a report shows of the account row (one user's account only)."""
    return Query(_account_card(), {"user_id": user_id, "account_id": account_id})


@functools.cache
def _account_card() -> Select[*tuple[Any, ...]]:
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
    ).where(Account.user_id == bindparam("user_id"), Account.id == bindparam("account_id"))


def accounts_by_ids(user_id: int, account_ids: Sequence[int]) -> Query:
    """``(id, platform, handle)`` of the user's accounts among ``account_ids``."""
    return Query(_accounts_by_ids(), {"user_id": user_id, "account_ids": list(account_ids)})


@functools.cache
def _accounts_by_ids() -> Select[*tuple[Any, ...]]:
    return (
        select(Account.id, Account.platform, Account.handle)
        .where(Account.user_id == bindparam("user_id"), Account.id.in_(_ids("account_ids")))
        .order_by(Account.id)
    )


def profile_card(user_id: int, profile_id: int) -> Query:
    return Query(_profile_card(), {"user_id": user_id, "profile_id": profile_id})


@functools.cache
def _profile_card() -> Select[*tuple[Any, ...]]:
    return select(Profile.id, Profile.name).where(
        Profile.user_id == bindparam("user_id"), Profile.id == bindparam("profile_id")
    )


def accounts_of_profile(user_id: int, profile_id: int) -> Query:
    """``(id, platform, handle)`` of the profile's accounts, oldest first."""
    return Query(_accounts_of_profile(), {"user_id": user_id, "profile_id": profile_id})


@functools.cache
def _accounts_of_profile() -> Select[*tuple[Any, ...]]:
    return (
        select(Account.id, Account.platform, Account.handle)
        .where(Account.user_id == bindparam("user_id"), Account.profile_id == bindparam("profile_id"))
        .order_by(Account.id)
    )


# ---------------------------------------------------------------------------- account history
#
# The statements are built once per shape (building one costs more than running it) with
# named parameters; each call returns it with its values as a :class:`Query`. A cached
# statement holds no data, so it cannot go stale.


def _when(name: str) -> BindParameter[datetime]:
    return bindparam(name, type_=AccountSnapshot.__table__.c.fetched_at.type)


def _ids(name: str) -> BindParameter[Any]:
    return bindparam(name, expanding=True)


@functools.cache
def _account_history() -> Select[*tuple[Any, ...]]:
    since = _when("since")
    start = (
        select(AccountSnapshot.fetched_at)
        .where(AccountSnapshot.account_id == bindparam("account_id"), AccountSnapshot.fetched_at <= since)
        .order_by(AccountSnapshot.fetched_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(*ACCOUNT_POINT)
        .where(
            AccountSnapshot.account_id == bindparam("account_id"),
            AccountSnapshot.fetched_at >= func.coalesce(start, since),
            AccountSnapshot.fetched_at <= _when("until"),
        )
        .order_by(AccountSnapshot.fetched_at, AccountSnapshot.id)
    )


def account_history(account_id: int, since: datetime, until: datetime) -> Query:
    """The account's snapshots from the latest one taken at or before ``since`` up to
    ``until`` (both included), oldest first: everything needed to read "the latest
    snapshot at or before t" for any t in ``[since, until]``."""
    return Query(_account_history(), {"account_id": account_id, "since": since, "until": until})


@functools.cache
def _account_points_at(count: int) -> CompoundSelect[*tuple[Any, ...]]:
    parts = []
    for n in range(count):
        probe = (
            select(literal(n).label("probe"), *ACCOUNT_POINT)
            .where(
                AccountSnapshot.account_id == bindparam("account_id"),
                AccountSnapshot.fetched_at <= _when(f"t{n}"),
            )
            .order_by(AccountSnapshot.fetched_at.desc(), AccountSnapshot.id.desc())
            .limit(1)
            .subquery(f"p{n}")
        )
        parts.append(select(probe))
    return union_all(*parts)


def account_points_at(account_id: int, instants: Sequence[datetime]) -> Query:
    """For each instant, the account's latest snapshot taken at or before it (none when
    there is none), tagged with the instant's position as ``probe``: one index probe each."""
    times = {f"t{n}": t for n, t in enumerate(instants)}
    return Query(_account_points_at(len(instants)), {"account_id": account_id, **times})


@functools.cache
def _latest_account_points() -> Select[*tuple[Any, ...]]:
    newest = (
        select(AccountSnapshot.id)
        .where(AccountSnapshot.account_id == Account.id)
        .order_by(AccountSnapshot.fetched_at.desc(), AccountSnapshot.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    ids = select(newest).where(Account.id.in_(_ids("account_ids")))
    return select(AccountSnapshot.account_id, *ACCOUNT_POINT).where(AccountSnapshot.id.in_(ids))


def latest_account_points(account_ids: Sequence[int]) -> Query:
    """The newest snapshot of each account (``account_id`` and :data:`ACCOUNT_POINT`
    columns): one backward index probe per account."""
    return Query(_latest_account_points(), {"account_ids": list(account_ids)})


@functools.lru_cache(maxsize=4096)
def _day_of_text(value: str) -> date:
    return date.fromisoformat(value)


def _day_or_none(value: str | None) -> date | None:
    return None if value is None else _day_of_text(value)


class UTCDay(TypeDecorator[date]):
    """The type of a :class:`~socialpulse.stats.repository.utc_day` column read back. SQLite
    gives the day as ``YYYY-MM-DD`` text: each distinct text is parsed once (a year of daily
    rows of many accounts repeats the same 366 days); other databases give dates as they are."""

    impl = Date
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(String() if dialect.name == "sqlite" else Date())

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any] | None:
        if dialect.name == "sqlite":
            return _day_or_none
        return super().result_processor(dialect, coltype)


def _last_of_day() -> tuple[ColumnElement[Any], Over[Any]]:
    day = type_coerce(utc_day(AccountSnapshot.fetched_at), UTCDay())
    rank = func.row_number().over(
        partition_by=(AccountSnapshot.account_id, day),
        order_by=(AccountSnapshot.fetched_at.desc(), AccountSnapshot.id.desc()),
    )
    return day, rank


@functools.cache
def _day_levels(columns: tuple[str, ...]) -> Select[*tuple[Any, ...]]:
    day, rank = _last_of_day()
    ranked = (
        select(
            AccountSnapshot.account_id,
            day.label("day"),
            *(getattr(AccountSnapshot, c) for c in columns),
            rank.label("day_rank"),
        )
        .where(
            AccountSnapshot.account_id.in_(_ids("account_ids")),
            AccountSnapshot.fetched_at >= _when("since"),
            AccountSnapshot.fetched_at < _when("before"),
        )
        .subquery("ranked")
    )
    return select(ranked.c.account_id, ranked.c.day, *(ranked.c[c] for c in columns)).where(
        ranked.c.day_rank == 1
    )


def day_levels(
    account_ids: Sequence[int], columns: Sequence[str], since: datetime, before: datetime
) -> Query:
    """``(account_id, day, *columns)`` of the last snapshot of each UTC day of each account,
    for snapshots taken in ``[since, before)``."""
    return Query(
        _day_levels(tuple(columns)), {"account_ids": list(account_ids), "since": since, "before": before}
    )


@functools.cache
def _day_extras() -> Select[*tuple[Any, ...]]:
    day, rank = _last_of_day()
    ranked = (
        select(AccountSnapshot.account_id, day.label("day"), AccountSnapshot.extras, rank.label("day_rank"))
        .where(
            AccountSnapshot.account_id.in_(_ids("account_ids")),
            AccountSnapshot.fetched_at >= _when("since"),
            AccountSnapshot.fetched_at < _when("before"),
        )
        .subquery("ranked")
    )
    return select(ranked.c.account_id, ranked.c.day, ranked.c.extras).where(ranked.c.day_rank == 1)


def day_extras(account_ids: Sequence[int], since: datetime, before: datetime) -> Query:
    """``(account_id, day, extras)`` of the last snapshot of each UTC day of each account, for
    snapshots taken in ``[since, before)``: where per-day insights live."""
    return Query(_day_extras(), {"account_ids": list(account_ids), "since": since, "before": before})


@functools.cache
def _carried_levels(column: str) -> Select[*tuple[Any, ...]]:
    day, rank = _last_of_day()
    days = (
        select(
            AccountSnapshot.account_id,
            day.label("day"),
            getattr(AccountSnapshot, column).label("value"),
            rank.label("day_rank"),
        )
        .where(
            AccountSnapshot.account_id.in_(_ids("account_ids")), AccountSnapshot.fetched_at < _when("before")
        )
        .subquery("days")
    )
    newest = func.row_number().over(partition_by=days.c.account_id, order_by=days.c.day.desc())
    reported = (
        select(days.c.account_id, days.c.day, days.c.value, newest.label("newest"))
        .where(days.c.day_rank == 1, days.c.value.is_not(None))
        .subquery("reported")
    )
    return select(reported.c.account_id, reported.c.day, reported.c.value).where(reported.c.newest == 1)


def carried_levels(account_ids: Sequence[int], column: str, before: datetime) -> Query:
    """``(account_id, day, value)``: for each account, the latest UTC day before ``before``
    whose last snapshot reported ``column`` (a level carried into a range that starts there)."""
    return Query(_carried_levels(column), {"account_ids": list(account_ids), "before": before})


# ---------------------------------------------------------------------------- posts


def _chosen_posts() -> Subquery:
    until, after = _when("until"), _when("after")
    cols = (Post.id, Post.posted_at, Post.type)
    mine = (Post.user_id == bindparam("user_id"), Post.account_id == bindparam("account_id"))
    recent = select(*cols).where(*mine, Post.posted_at > after, Post.posted_at <= until)
    before = (
        select(*cols)
        .where(*mine, Post.posted_at <= after)
        .order_by(Post.posted_at.desc(), Post.id.desc())
        .limit(bindparam("older"))
        .subquery("older")
    )
    no_date = (
        select(*cols)
        .where(*mine, Post.posted_at.is_(None))
        .order_by(Post.id.desc())
        .limit(bindparam("undated"))
        .subquery("undated")
    )
    return union_all(recent, select(before), select(no_date)).subquery("chosen")


@functools.cache
def _report_posts() -> Select[*tuple[Any, ...]]:
    until = _when("until")
    posts = _chosen_posts()
    return (
        select(posts.c.id.label("post_id"), posts.c.posted_at, posts.c.type, *POST_POINT)
        .select_from(posts)
        .outerjoin(PostSnapshot, (PostSnapshot.post_id == posts.c.id) & (PostSnapshot.fetched_at <= until))
        .order_by(posts.c.id, PostSnapshot.fetched_at, PostSnapshot.id)
    )


@functools.cache
def _report_post_points(spans: int) -> Select[*tuple[Any, ...]]:
    until = _when("until")
    posts = _chosen_posts()
    fetched = PostSnapshot.fetched_at
    # A snapshot is kept when it is the last of its bucket: its UTC day once past ``daily``,
    # and how many of the ``span`` instants it comes after.
    day = case((fetched > _when("daily"), utc_day(fetched)))
    span: ColumnElement[Any] = literal(0)
    for n in range(spans):
        span = span + case((fetched > _when(f"span{n}"), 1), else_=0)
    last = func.row_number().over(
        partition_by=(posts.c.id, day, span), order_by=(fetched.desc(), PostSnapshot.id.desc())
    )
    ranked = (
        select(posts.c.id.label("post_id"), posts.c.posted_at, posts.c.type, *POST_POINT, last.label("keep"))
        .select_from(posts)
        .outerjoin(PostSnapshot, (PostSnapshot.post_id == posts.c.id) & (fetched <= until))
        .subquery("ranked")
    )
    point = [ranked.c[c.key] for c in POST_POINT]
    return (
        select(ranked.c.post_id, ranked.c.posted_at, ranked.c.type, *point)
        .where(ranked.c.keep == 1)
        .order_by(ranked.c.post_id, ranked.c.fetched_at, ranked.c.id)
    )


def report_post_points(
    user_id: int,
    account_id: int,
    *,
    until: datetime,
    after: datetime,
    older: int,
    undated: int,
    daily: datetime,
    spans: Sequence[datetime],
) -> Query:
    """The posts of :func:`report_post_snapshots` with only the snapshots that are the latest
    at or before some instant: the last of each UTC day after ``daily``, and the last of each
    interval that ``daily`` and the ``spans`` instants cut the time before it into. So for every
    instant that is ``until``, one of the ``spans``, ``daily`` or the end of a UTC day after it,
    each post's latest snapshot at or before it is among the rows (what a report evaluates
    rates at), while the snapshots no such instant reads are left in the database."""
    times = {f"span{n}": t for n, t in enumerate(spans)}
    return Query(
        _report_post_points(len(spans)),
        {
            "user_id": user_id,
            "account_id": account_id,
            "until": until,
            "after": after,
            "older": older,
            "undated": undated,
            "daily": daily,
            **times,
        },
    )


def report_post_snapshots(
    user_id: int, account_id: int, *, until: datetime, after: datetime, older: int, undated: int
) -> Executable:
    """The account's posts a report reads (``post_id``, ``posted_at``, ``type``): every post
    published in ``(after, until]``, the ``older`` newest published at or before ``after``
    and the ``undated`` newest without a publication time; each with its snapshots taken at or
    before ``until`` (:data:`POST_POINT` columns; one row with null ones for a post without
    any), by post, oldest first: one round trip. The statement is built once; only its
    parameters change."""
    return _report_posts().params(
        user_id=user_id, account_id=account_id, until=until, after=after, older=older, undated=undated
    )


POST_CARD: tuple[Any, ...] = (
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
)


def post_cards(user_id: int, post_ids: Sequence[int]) -> Query:
    """What a report or the post analytics show of post rows (one user's posts only)."""
    return Query(_post_cards(), {"user_id": user_id, "post_ids": list(post_ids)})


@functools.cache
def _post_cards() -> Select[*tuple[Any, ...]]:
    return select(*POST_CARD).where(Post.user_id == bindparam("user_id"), Post.id.in_(_ids("post_ids")))


@functools.cache
def _post_overview() -> Select[*tuple[Any, ...]]:
    snap = aliased(PostSnapshot)
    newest = (
        select(snap.id)
        .where(snap.post_id == Post.id)
        .order_by(snap.fetched_at.desc(), snap.id.desc())
        .limit(1)
        .correlate(Post)
        .scalar_subquery()
    )
    queued = aliased(RefreshItem)
    item = (
        select(queued.id)
        .where(queued.kind == EntityKind.post.value, queued.entity_id == Post.id)
        .order_by(queued.id.desc())
        .limit(1)
        .correlate(Post)
        .scalar_subquery()
    )
    return (
        select(
            *POST_CARD,
            *(c.label(f"s_{c.key}") for c in POST_POINT),
            RefreshItem.status.label("refresh_status"),
            RefreshItem.error_message.label("refresh_error"),
        )
        .select_from(Post)
        .outerjoin(PostSnapshot, PostSnapshot.id == newest)
        .outerjoin(RefreshItem, RefreshItem.id == item)
        .where(Post.user_id == bindparam("user_id"), Post.id == bindparam("post_id"))
    )


def post_overview(user_id: int, post_id: int) -> Query:
    """One user's post with its newest snapshot (columns ``s_<name>``, null without one) and
    the status and error of its newest refresh item (``refresh_status``, ``refresh_error``),
    in one round trip. The refresh item is one backward probe of
    ``ix_refresh_items_entity (kind, entity_id, id)``."""
    return Query(_post_overview(), {"user_id": user_id, "post_id": post_id})
