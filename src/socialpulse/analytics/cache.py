"""Computed analytics answers, kept until what they were computed from changes.

An answer (a creator report, impressions, a profile's or a post's analytics) is a pure function
of stored rows, the request and the moment it is asked. It is kept in ``analytics_cache`` under
a key of (user, path, query, configuration) with a *fingerprint*: the newest
``analytics_changes`` id of every account, post and profile it read, which the database's
triggers advance on every write to those rows (see :mod:`socialpulse.models.analytics`). A kept
answer is served while

- its fingerprint equals the current one: any new snapshot, edited post, refresh failure or
  profile change makes the next request compute afresh, at once, in every process;
- it is younger than ``SOCIALPULSE_ANALYTICS_CACHE_TTL_S`` and was computed today (UTC), since
  defaults such as "now" and "today" move: an answer states the moment it describes (``at``,
  ``end_date``), and a kept one is never older than the TTL.

The fingerprint is read in the request's own transaction before anything else, so an answer is
never stored under a fingerprint newer than the data it was computed from. A miss stores its
answer after the response is sent, in a transaction of its own; a failure to store only costs
the next request a recomputation. Every answer carries an ``ETag`` (the body's hash);
``If-None-Match`` with it answers 304. ``SOCIALPULSE_ANALYTICS_CACHE_TTL_S=0`` turns keeping off.

Most hits never reach the endpoints: :mod:`socialpulse.analytics.kept` serves them before
routing, with the same lookup. Each kept answer also records its request and what it read, so
that :mod:`socialpulse.analytics.renewal` can compute it again after a write.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from fastapi import Request, Response
from pydantic import BaseModel
from sqlalchemy import (
    BigInteger,
    LargeBinary,
    String,
    and_,
    bindparam,
    cast,
    delete,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from starlette.background import BackgroundTask

from socialpulse import __version__
from socialpulse.config import Settings
from socialpulse.db.dialect import dialect_insert
from socialpulse.db.engine import SQLITE_BUSY_TIMEOUT_MS
from socialpulse.kit.time import start_of_day, utcnow
from socialpulse.models import (
    Account,
    AnalyticsCacheEntry,
    AnalyticsCacheRead,
    AnalyticsChange,
    Post,
    Profile,
)

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the stored body's meaning changes without a version change
CACHE_HEADER = "X-Analytics-Cache"
STORE_WAIT_MS = 100  # SQLite: how long keeping an answer waits for the write lock
ScopeKind = Literal["account", "post", "profile", "accounts"]
RENEW_UNTIL = "socialpulse.renew_until"
"""ASGI scope key of a renewal's request (:mod:`socialpulse.analytics.renewal`): the kept
answer's expiry, which the renewed answer keeps. Set only in-process: no client can set it."""


@dataclass(frozen=True, slots=True)
class Scope:
    """What an answer reads: one account (with its posts), one post (with its account), one
    profile (with its accounts), or a list of accounts."""

    kind: ScopeKind
    ids: tuple[int, ...]

    @classmethod
    def account(cls, account_id: int) -> Scope:
        return cls("account", (account_id,))

    @classmethod
    def post(cls, post_id: int) -> Scope:
        return cls("post", (post_id,))

    @classmethod
    def profile(cls, profile_id: int) -> Scope:
        return cls("profile", (profile_id,))

    @classmethod
    def accounts(cls, account_ids: Sequence[int]) -> Scope:
        return cls("accounts", tuple(sorted(set(account_ids))))


def _latest(kind: str, key: Any) -> Any:
    """The newest change id of (kind, key): one probe of ``ix_analytics_changes_kind_key_id``."""
    return (
        select(func.max(AnalyticsChange.id))
        .where(AnalyticsChange.kind == kind, AnalyticsChange.key == key)
        .scalar_subquery()
    )


# The lookups are built once, with bound parameters, and run as one statement per request.
_KEPT = (AnalyticsCacheEntry.fingerprint, AnalyticsCacheEntry.etag, AnalyticsCacheEntry.body)
_NO_KEPT = (cast(null(), String(64)), cast(null(), String(40)), cast(null(), LargeBinary))
_ON = and_(AnalyticsCacheEntry.key == bindparam("key"), AnalyticsCacheEntry.expires_at > bindparam("now"))
_NO_ID = cast(null(), BigInteger)

ACCOUNT_LOOKUP = (
    select(Account.id, _latest("account", Account.id), *_KEPT)
    .outerjoin(AnalyticsCacheEntry, _ON)
    .where(Account.id == bindparam("id"), Account.user_id == bindparam("user"))
)
POST_LOOKUP = (
    select(Post.id, Post.account_id, _latest("post", Post.id), _latest("account", Post.account_id), *_KEPT)
    .outerjoin(AnalyticsCacheEntry, _ON)
    .where(Post.id == bindparam("id"), Post.user_id == bindparam("user"))
)
# rows: ("p", profile id, its version, kept answer) then ("a", account id, its version, nulls)
PROFILE_LOOKUP = union_all(
    select(literal("p"), Profile.id, _latest("profile", Profile.id), *_KEPT)
    .outerjoin(AnalyticsCacheEntry, _ON)
    .where(Profile.id == bindparam("id"), Profile.user_id == bindparam("user")),
    select(literal("a"), Account.id, _latest("account", Account.id), *_NO_KEPT).where(
        Account.profile_id == bindparam("id"), Account.user_id == bindparam("user")
    ),
)
# rows: ("c", nulls, kept answer) if one is kept, then ("a", account id, its version, nulls)
ACCOUNTS_LOOKUP = union_all(
    select(literal("c"), _NO_ID, _NO_ID, *_KEPT).where(_ON),
    select(literal("a"), Account.id, _latest("account", Account.id), *_NO_KEPT).where(
        Account.id.in_(bindparam("ids", expanding=True)), Account.user_id == bindparam("user")
    ),
)


Read = tuple[str, int]  # (kind, id) of an account, post or profile an answer reads


@dataclass(frozen=True, slots=True)
class Kept:
    """The current fingerprint of a scope, the answer kept under the key if unexpired, and what
    the scope reads."""

    fingerprint: str | None
    answer: tuple[str, str, bytes] | None  # (fingerprint, etag, body)
    reads: tuple[Read, ...] = ()


def _answer_of(row: Any) -> tuple[str, str, bytes] | None:
    return (row[-3], row[-2], row[-1]) if row[-1] is not None else None


async def lookup(session: AsyncSession, user_id: int, scope: Scope, key: str, now: datetime) -> Kept:
    """The versions of everything ``scope`` reads, hashed, and the answer kept under ``key``,
    in one statement. The fingerprint is None when the user has no such account, post or
    profile (the computation then answers the 404)."""
    params: dict[str, Any] = {"user": user_id, "key": key, "now": now}
    conn = await session.connection()  # plain rows: no ORM layer on the hot path of a hit
    answer = None
    if scope.kind in ("account", "post"):
        stmt = ACCOUNT_LOOKUP if scope.kind == "account" else POST_LOOKUP
        row = (await conn.execute(stmt, {**params, "id": scope.ids[0]})).first()
        if row is None:
            return Kept(None, None)
        parts: list[Any] = [tuple(row)[:-3]]
        answer = _answer_of(row)
        reads: list[Read] = [("account", row[0])] if scope.kind == "account" else [("post", row[0])]
        if scope.kind == "post" and row[1] is not None:
            reads.append(("account", row[1]))
    else:
        if scope.kind == "profile":
            rows = (await conn.execute(PROFILE_LOOKUP, {**params, "id": scope.ids[0]})).all()
            head = [r for r in rows if r[0] == "p"]
            if not head:
                return Kept(None, None)
            parts = [tuple(head[0])[1:3]]
            answer = _answer_of(head[0])
            reads = [("profile", head[0][1])]
        else:
            rows = (await conn.execute(ACCOUNTS_LOOKUP, {**params, "ids": list(scope.ids)})).all()
            parts = []
            answer = next((_answer_of(r) for r in rows if r[0] == "c"), None)
            reads = []
        accounts = sorted(tuple(r)[1:3] for r in rows if r[0] == "a")
        parts += accounts
        reads += [("account", a[0]) for a in accounts]
    fingerprint = hashlib.sha256(repr((scope.kind, parts)).encode()).hexdigest()
    return Kept(fingerprint, answer, tuple(reads))


def build_id(settings: Settings) -> str:
    """The code and configuration an answer was computed with: a change to either (a tier
    threshold, an enabled connector, an upgrade) makes every kept answer a miss."""
    config = settings.model_dump_json().encode()
    return f"{FORMAT}:{__version__}:{hashlib.sha256(config).hexdigest()[:16]}"


def cache_key(request: Request, user_id: int) -> str:
    settings: Settings = request.app.state.settings
    build = getattr(request.app.state, "analytics_build", None)
    if build is None:
        build = request.app.state.analytics_build = build_id(settings)
    query = sorted(request.query_params.multi_items())
    return hashlib.sha256(repr((build, user_id, request.scope["path"], query)).encode()).hexdigest()


def _etag(body: bytes) -> str:
    return hashlib.sha1(body, usedforsecurity=False).hexdigest()


def _not_modified(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {t.strip().removeprefix("W/").strip('"') for t in header.split(",")}
    return etag in tags or "*" in tags


def _answer(
    request: Request, body: bytes, etag: str, state: str, background: BackgroundTask | None = None
) -> Response:
    headers = {"ETag": f'"{etag}"', CACHE_HEADER: state}
    if _not_modified(request, etag):
        return Response(status_code=304, headers=headers, background=background)
    return Response(body, media_type="application/json", headers=headers, background=background)


def hit(request: Request, answer: tuple[str, str, bytes]) -> Response:
    """The response of a current kept ``answer`` (fingerprint, etag, body)."""
    return _answer(request, answer[2], answer[1], "hit")


def expiry(now: datetime, ttl_s: int) -> datetime:
    """When an answer computed at ``now`` stops being served: after the TTL, and at the latest
    at the end of the UTC day (defaults such as "today" move then)."""
    return min(now + timedelta(seconds=ttl_s), start_of_day(now) + timedelta(days=1))


async def cached_answer(
    request: Request,
    session: AsyncSession,
    user_id: int,
    scope: Scope,
    compute: Callable[[], Awaitable[BaseModel]],
) -> Response:
    """The answer of ``compute`` for this request: kept if current, else computed (and kept)."""
    settings: Settings = request.app.state.settings
    ttl = settings.analytics_cache_ttl_s
    if ttl <= 0:
        body = (await compute()).model_dump_json().encode()
        return _answer(request, body, _etag(body), "off")
    key = cache_key(request, user_id)
    now = utcnow()
    kept = await lookup(session, user_id, scope, key, now)
    current = kept.fingerprint
    if current is not None and kept.answer is not None and kept.answer[0] == current:
        return hit(request, kept.answer)
    body = (await compute()).model_dump_json().encode()
    etag = _etag(body)
    if current is None:  # computed without raising: the entity appeared meanwhile; keep nothing
        return _answer(request, body, etag, "miss")
    expires = expiry(now, ttl)
    renew_until: datetime | None = request.scope.get(RENEW_UNTIL)
    if renew_until is not None:  # a renewal keeps the answer as long as its reader asked for, no longer
        expires = min(expires, renew_until)
    entry = {
        "key": key,
        "fingerprint": current,
        "etag": etag,
        "body": body,
        "computed_at": now,
        "expires_at": expires,
        "user_id": user_id,
        "path": request.scope["path"],
        "query": request.scope["query_string"].decode("latin-1"),
    }
    task = BackgroundTask(store, request.app.state.engine, entry, kept.reads)
    return _answer(request, body, etag, "miss", background=task)


async def store(engine: AsyncEngine, entry: dict[str, Any], reads: Sequence[Read] = ()) -> None:
    """Keep one answer (replacing the key's older one) and what it read; failures are logged,
    never raised."""
    stmt = dialect_insert(engine, AnalyticsCacheEntry).values(**entry)
    stmt = stmt.on_conflict_do_update(
        index_elements=[AnalyticsCacheEntry.key],
        set_={name: stmt.excluded[name] for name in entry if name != "key"},
    )
    rows = [{"key": entry["key"], "kind": kind, "entity": entity} for kind, entity in sorted(set(reads))]
    reads_stmt = dialect_insert(engine, AnalyticsCacheRead).on_conflict_do_nothing()
    sqlite_db = engine.dialect.name == "sqlite"
    try:
        async with engine.connect() as conn:
            if sqlite_db:  # a refresh holding the write lock: give up soon rather than queue
                await _busy_timeout(conn, STORE_WAIT_MS)
            try:
                async with conn.begin():
                    await conn.execute(stmt)
                    if rows:
                        await conn.execute(reads_stmt, rows)
            finally:
                if sqlite_db:
                    await _busy_timeout(conn, SQLITE_BUSY_TIMEOUT_MS)
    except Exception as exc:  # a busy database: the next request computes again
        log.info("did not keep an analytics answer: %s", exc)


async def _busy_timeout(conn: AsyncConnection, ms: int) -> None:
    """Set SQLite's lock wait on the driver's connection, outside any transaction (through
    SQLAlchemy the statement would first begin one, and wait for the lock with the old value)."""
    raw = await conn.get_raw_connection()
    await raw.driver_connection.execute(f"PRAGMA busy_timeout = {int(ms)}")  # type: ignore[union-attr]


async def prune(session: AsyncSession, *, now: datetime | None = None) -> tuple[int, int]:
    """Delete expired answers and change rows that a newer row of the same entity supersedes.
    Returns (answers, change rows) deleted."""
    moment = now or utcnow()
    answers = await session.execute(
        delete(AnalyticsCacheEntry).where(AnalyticsCacheEntry.expires_at <= moment)
    )
    newer = AnalyticsChange.__table__.alias("newer")
    superseded = (
        select(newer.c.id)
        .where(
            newer.c.kind == AnalyticsChange.kind,
            newer.c.key == AnalyticsChange.key,
            newer.c.id > AnalyticsChange.id,
        )
        .exists()
    )
    changes = await session.execute(delete(AnalyticsChange).where(superseded))
    return int(getattr(answers, "rowcount", 0) or 0), int(getattr(changes, "rowcount", 0) or 0)
