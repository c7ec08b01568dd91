"""SQL of snapshot history. Every query is a range scan of ``(entity_id, fetched_at)``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Date, Select, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from socialpulse.models import Account, AccountSnapshot, Post, PostSnapshot
from socialpulse.stats.schemas import StatsWindow


class utc_day(FunctionElement[Any]):
    """The UTC calendar day of a timestamp column, rendered for the session's dialect."""

    type = Date()
    inherit_cache = True
    name = "utc_day"


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps UTC timestamps as naive ISO text: date() takes the day part.
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    # timestamptz is shown in the session's time zone unless converted explicitly.
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC' AS DATE)"


def _history(
    model: Any, entity: InstrumentedAttribute[int], entity_id: int, window: StatsWindow
) -> Select[Any]:
    conditions = [entity == entity_id]
    if window.start is not None:
        conditions.append(model.fetched_at >= window.start)
    if window.end is not None:
        conditions.append(model.fetched_at <= window.end)
    if window.interval == "raw":
        return select(model).where(*conditions).order_by(model.fetched_at, model.id)
    # day: the last snapshot of each UTC day, ranked inside the same index range
    rank = (
        func.row_number()
        .over(partition_by=utc_day(model.fetched_at), order_by=(model.fetched_at.desc(), model.id.desc()))
        .label("day_rank")
    )
    ranked = select(model, rank).where(*conditions).subquery("ranked")
    snap = aliased(model, ranked)
    return select(snap).where(ranked.c.day_rank == 1).order_by(snap.fetched_at, snap.id)


def account_history(account_id: int, window: StatsWindow) -> Select[AccountSnapshot]:
    """An account's snapshots in ``window``, oldest first."""
    return _history(AccountSnapshot, AccountSnapshot.account_id, account_id, window)


def post_history(post_id: int, window: StatsWindow) -> Select[PostSnapshot]:
    """A post's snapshots in ``window``, oldest first."""
    return _history(PostSnapshot, PostSnapshot.post_id, post_id, window)


def latest_account_snapshots(account_ids: Sequence[int]) -> Select[AccountSnapshot]:
    """The newest snapshot of each account: one backward index probe per account (ordering by
    ``fetched_at`` alone keeps it a probe on PostgreSQL; a tie on a timestamp would be a double fetch)."""
    newest = (
        select(AccountSnapshot.id)
        .where(AccountSnapshot.account_id == Account.id)
        .order_by(AccountSnapshot.fetched_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    ids = select(newest).where(Account.id.in_(account_ids))
    return select(AccountSnapshot).where(AccountSnapshot.id.in_(ids))


def latest_post_snapshots(post_ids: Sequence[int]) -> Select[PostSnapshot]:
    """The newest snapshot of each post: one backward index probe per post."""
    newest = (
        select(PostSnapshot.id)
        .where(PostSnapshot.post_id == Post.id)
        .order_by(PostSnapshot.fetched_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    ids = select(newest).where(Post.id.in_(post_ids))
    return select(PostSnapshot).where(PostSnapshot.id.in_(ids))
