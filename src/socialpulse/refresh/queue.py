"""The refresh queue: SQL for every state transition of ``refresh_items``.

State machine of an item (each arrow is one statement)::

    enqueue ──► queued ──claim──► running ──complete──► succeeded
                  ▲                  │ │
                  │   retry (later   │ └──────fail────► failed
                  ├── run_after) ◄───┤
                  ├── reap (lease    │   (also: reap when out of attempts)
                  │   expired) ◄─────┤
                  └── release ◄──────┘   (the worker is stopping)

At most one ``queued`` or ``running`` item exists per entity (partial unique index
``uq_refresh_items_active_entity``); a request asking for an entity that already has one is
linked to it instead, and raises its priority. A request's ``succeeded``/``failed`` counters
and status move in the same transaction as its items' terminal transitions.

Everything here works unchanged on SQLite and PostgreSQL: ``FOR UPDATE [SKIP LOCKED]``
compiles to nothing on SQLite, where ``BEGIN IMMEDIATE`` serialises writers instead.
"""

from __future__ import annotations

import asyncio
import functools
import random
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Integer,
    Table,
    bindparam,
    case,
    delete,
    exists,
    func,
    literal,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from socialpulse.db.dialect import dialect_insert
from socialpulse.db.engine import transaction
from socialpulse.kit.chunks import chunks
from socialpulse.kit.time import iso, utcnow
from socialpulse.models import RefreshItem, RefreshRequest, RefreshRequestItem, WorkerHeartbeat
from socialpulse.models.enums import EntityKind, ItemStatus, Platform, RequestStatus
from socialpulse.models.refresh import ACTIVE
from socialpulse.platforms.base import PlatformError, QuotaExceeded, RateLimited

# (platform, kind, entity id)
Entity = tuple[str, str, int]
Group = tuple[str, str]  # (platform, kind)

QUEUED = ItemStatus.queued.value
RUNNING = ItemStatus.running.value
SUCCEEDED = ItemStatus.succeeded.value
FAILED = ItemStatus.failed.value

# Rows per INSERT/IN list: far below SQLite's and asyncpg's bound-parameter limits.
CHUNK = 500
_LINK_TRIES = 5
_DEADLOCK_TRIES = 5

_items = cast(Table, RefreshItem.__table__)
_links = cast(Table, RefreshRequestItem.__table__)
_requests = cast(Table, RefreshRequest.__table__)
_is_active = RefreshItem.status.in_((QUEUED, RUNNING))


# ---------------------------------------------------------------------------- enqueue


async def enqueue(
    session: AsyncSession,
    *,
    user_id: int,
    entities: Sequence[Entity],
    request_id: int,
    priority: int = 0,
    run_after: datetime | None = None,
    max_attempts: int | None = None,
) -> int:
    """Queue ``entities`` for ``request_id`` and link the request to their active items.

    An entity that already has a queued or running item is not queued twice: the request
    is linked to that item, whose priority is raised to ``priority`` when lower. Bulk
    statements, :data:`CHUNK` entities at a time. Returns the number of distinct entities
    linked to the request."""
    wanted = {(str(p), str(k), int(e)): _Want(user_id, priority, {request_id}) for p, k, e in entities}
    linked, _ = await _enqueue(session, wanted, run_after=run_after, max_attempts=max_attempts)
    return linked


async def enqueue_follow_ups(
    session: AsyncSession,
    found: Sequence[tuple[RefreshItem, Sequence[Entity]]],
    *,
    max_attempts: int | None = None,
) -> int:
    """Queue entities found while refreshing items of a batch (an account's posts without
    metrics), each with its parent's priority and for every request its parent serves;
    those requests' totals grow to match. Answers how many entities were queued or linked."""
    parents = [parent.id for parent, entities in found if entities]
    if not parents:
        return 0
    serving: dict[int, set[int]] = defaultdict(set)
    for chunk in chunks(parents, CHUNK):
        rows = await session.execute(
            select(RefreshRequestItem.item_id, RefreshRequestItem.request_id).where(
                RefreshRequestItem.item_id.in_(chunk)
            )
        )
        for item_id, request_id in rows:
            serving[item_id].add(request_id)
    wanted: dict[Entity, _Want] = {}
    for parent, entities in found:
        for entity in entities:
            want = wanted.setdefault(entity, _Want(parent.user_id, parent.priority, set()))
            want.priority = max(want.priority, parent.priority)
            want.request_ids |= serving[parent.id]
    linked, added = await _enqueue(session, wanted, max_attempts=max_attempts)
    if added:
        await session.execute(
            update(_requests)
            .where(_requests.c.id == bindparam("b_id"))
            .values(total=_requests.c.total + bindparam("b_added")),
            [{"b_id": request_id, "b_added": n} for request_id, n in sorted(added.items())],
        )
    return linked


@dataclass
class _Want:
    user_id: int
    priority: int
    request_ids: set[int]


async def _enqueue(
    session: AsyncSession,
    wanted: dict[Entity, _Want],
    *,
    run_after: datetime | None = None,
    max_attempts: int | None = None,
) -> tuple[int, Counter[int]]:
    """Queue and link ``wanted``; answers the number of entities linked and, per request,
    how many links are new."""
    now = utcnow()
    linked = 0
    added: Counter[int] = Counter()
    # one order for every writer: share locks taken in the same order rarely meet
    for chunk in chunks(sorted(wanted), CHUNK):
        for attempt in range(1, _DEADLOCK_TRIES + 1):
            try:
                # a savepoint per chunk: when PostgreSQL picks this chunk as a deadlock's
                # victim, only the chunk is undone (its locks with it) and tried again
                async with session.begin_nested():
                    n, new_links = await _enqueue_chunk(
                        session, wanted, chunk, run_after or now, max_attempts, now
                    )
                break
            except DBAPIError as exc:
                if attempt == _DEADLOCK_TRIES or not is_deadlock(exc):
                    raise
                await asyncio.sleep(random.uniform(0.01, 0.05) * attempt)
        linked += n
        added.update(new_links)
    return linked, added


async def _enqueue_chunk(
    session: AsyncSession,
    wanted: dict[Entity, _Want],
    chunk: list[Entity],
    run_after: datetime,
    max_attempts: int | None,
    now: datetime,
) -> tuple[int, Counter[int]]:
    linked = 0
    added: Counter[int] = Counter()
    pending = chunk
    for _ in range(_LINK_TRIES):
        await _insert_items(session, wanted, pending, run_after, max_attempts, now)
        # raise before share-locking: upgrading a share lock could deadlock two enqueuers
        await _raise_priority(session, wanted, pending)
        active = await _lock_active(session, pending)
        links = [
            {"request_id": r, "item_id": active[e]}
            for e in pending
            if e in active
            for r in wanted[e].request_ids
        ]
        if links:
            inserted = await session.execute(
                dialect_insert(session, _links)
                .on_conflict_do_nothing(index_elements=["request_id", "item_id"])
                .returning(_links.c.request_id),
                links,
            )
            added.update(inserted.scalars())
        linked += len(active)
        # On PostgreSQL an item may finish between the insert and the lock: queue it anew.
        pending = [e for e in pending if e not in active]
        if not pending:
            return linked, added
    raise RuntimeError(  # pragma: no cover - needs a pathological interleaving of writers
        f"could not queue {len(pending)} entities: they kept finishing meanwhile"
    )


def is_deadlock(exc: DBAPIError) -> bool:
    """PostgreSQL gave up on this statement to break a deadlock (or a serialization failure)."""
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return code in ("40P01", "40001") or "deadlock detected" in str(exc.orig)


async def _insert_items(
    session: AsyncSession,
    wanted: dict[Entity, _Want],
    entities: Sequence[Entity],
    run_after: datetime,
    max_attempts: int | None,
    now: datetime,
) -> None:
    rows: list[dict[str, Any]] = []
    for entity in entities:
        platform, kind, entity_id = entity
        row: dict[str, Any] = {
            "user_id": wanted[entity].user_id,
            "platform": platform,
            "kind": kind,
            "entity_id": entity_id,
            "status": QUEUED,
            "priority": wanted[entity].priority,
            "attempts": 0,
            "run_after": run_after,
            "created_at": now,
        }
        if max_attempts is not None:
            row["max_attempts"] = max_attempts
        rows.append(row)
    stmt = dialect_insert(session, _items).on_conflict_do_nothing(
        index_elements=["kind", "entity_id"], index_where=text(ACTIVE)
    )
    await session.execute(stmt, rows)


async def _raise_priority(
    session: AsyncSession, wanted: dict[Entity, _Want], entities: Sequence[Entity]
) -> None:
    """Move queued items forward to the priority now asked for (one statement per kind
    and priority)."""
    by: dict[tuple[str, int], list[int]] = defaultdict(list)
    for entity in entities:
        by[(entity[1], wanted[entity].priority)].append(entity[2])
    for (kind, priority), entity_ids in by.items():
        await session.execute(
            update(RefreshItem)
            .where(
                RefreshItem.kind == kind,
                RefreshItem.entity_id.in_(entity_ids),
                RefreshItem.status == QUEUED,
                RefreshItem.priority < priority,
            )
            .values(priority=priority),
            execution_options={"synchronize_session": False},
        )


async def _lock_active(session: AsyncSession, entities: Sequence[Entity]) -> dict[Entity, int]:
    """The active items of ``entities``, share-locked so that none finishes before this
    transaction commits its links: ``{entity: item id}``."""
    by_kind: dict[str, dict[int, Entity]] = defaultdict(dict)
    for entity in entities:
        by_kind[entity[1]][entity[2]] = entity
    found: dict[Entity, int] = {}
    for kind, of_kind in by_kind.items():
        rows = await session.execute(
            select(RefreshItem.id, RefreshItem.entity_id)
            .where(RefreshItem.kind == kind, RefreshItem.entity_id.in_(list(of_kind)), _is_active)
            .order_by(RefreshItem.id)
            .with_for_update(read=True)
        )
        for item_id, entity_id in rows:
            found[of_kind[entity_id]] = item_id
    return found


# ---------------------------------------------------------------------------- claim


@functools.cache
def _due_groups_statement() -> Any:
    """Built once: one ``EXISTS`` index probe per (platform, kind), ``:now`` bound."""
    probes = [
        select(literal(p.value).label("platform"), literal(k.value).label("kind")).where(
            exists().where(
                RefreshItem.platform == p.value,
                RefreshItem.kind == k.value,
                RefreshItem.status == QUEUED,
                RefreshItem.run_after <= bindparam("now"),
            )
        )
        for p in Platform
        for k in EntityKind
    ]
    return union_all(*probes)


async def due_groups(
    session: AsyncSession, *, now: datetime | None = None, paused: Collection[str] = ()
) -> list[Group]:
    """Every (platform, kind) with due queued work, in a fixed order. One statement of one
    index probe per group, however long the queue."""
    rows = await session.execute(_due_groups_statement(), {"now": now or utcnow()})
    return sorted((str(p), str(k)) for p, k in rows if p not in paused)


async def next_group(
    session: AsyncSession,
    *,
    after: Group | None = None,
    paused: Collection[str] = (),
    now: datetime | None = None,
) -> Group | None:
    """The (platform, kind) a worker should serve next: round robin over groups with due
    work, starting after the group it served last, so that no platform waits behind
    another's backlog. Platforms in ``paused`` (quota spent, rate limited) are skipped."""
    groups = await due_groups(session, now=now, paused=paused)
    if not groups:
        return None
    if after is not None:
        for g in groups:
            if g > after:
                return g
    return groups[0]


async def claim(
    sessions: async_sessionmaker[AsyncSession],
    worker_id: str,
    *,
    platform: str,
    kind: str,
    limit: int,
    lease_s: float,
    now: datetime | None = None,
) -> list[RefreshItem]:
    """Claim up to ``limit`` due items of one (platform, kind) in one statement, highest
    priority first, in a short transaction of its own. ``SKIP LOCKED`` lets any number of
    workers claim at once on PostgreSQL without meeting; SQLite serialises them."""
    async with transaction(sessions) as session:
        return await claim_in(
            session, worker_id, platform=platform, kind=kind, limit=limit, lease_s=lease_s, now=now
        )


async def claim_in(
    session: AsyncSession,
    worker_id: str,
    *,
    platform: str,
    kind: str,
    limit: int,
    lease_s: float,
    now: datetime | None = None,
) -> list[RefreshItem]:
    """:func:`claim` inside the caller's transaction, which must be short and commit at once
    (the worker picks the group, claims and reads the claimed entities in one)."""
    now = now or utcnow()
    claimable = (
        select(RefreshItem.id)
        .where(
            RefreshItem.status == QUEUED,
            RefreshItem.platform == platform,
            RefreshItem.kind == kind,
            RefreshItem.run_after <= now,
        )
        .order_by(RefreshItem.priority.desc(), RefreshItem.run_after, RefreshItem.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        update(RefreshItem)
        .where(RefreshItem.id.in_(claimable.scalar_subquery()))
        .values(
            status=RUNNING,
            attempts=RefreshItem.attempts + 1,
            worker_id=worker_id,
            lease_until=now + timedelta(seconds=lease_s),
        )
        .returning(RefreshItem)
    )
    items = list((await session.scalars(stmt, execution_options={"synchronize_session": False})).all())
    if items:
        await _mark_started(session, [i.id for i in items], now)
    items.sort(key=lambda i: (-i.priority, i.run_after, i.id))
    return items


async def _mark_started(session: AsyncSession, item_ids: Sequence[int], now: datetime) -> None:
    await session.execute(
        update(RefreshRequest)
        .where(
            RefreshRequest.status == RequestStatus.pending.value,
            RefreshRequest.id.in_(
                select(RefreshRequestItem.request_id).where(RefreshRequestItem.item_id.in_(item_ids))
            ),
        )
        .values(status=RequestStatus.running.value, started_at=now),
        execution_options={"synchronize_session": False},
    )


# ---------------------------------------------------------------------------- retry decision


class ItemError(Exception):
    """A reason found by the engine itself that an item cannot be done (the entity was
    deleted or paused meanwhile). Never retried."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def describe(exc: BaseException) -> tuple[str, str]:
    """The (code, message) kept on a failed item and shown to users."""
    if isinstance(exc, ItemError):
        return exc.code, exc.message
    if isinstance(exc, QuotaExceeded):
        if exc.resets_at is not None:
            when = f"the quota resets at {iso(exc.resets_at)}"
        else:
            when = "the platform did not say when the quota resets"
        return exc.code, f"{exc.message} ({when})"
    if isinstance(exc, PlatformError):
        return exc.code, exc.message
    return "internal_error", f"{exc.__class__.__name__}: {exc}"


def next_attempt(
    item: RefreshItem,
    exc: BaseException,
    *,
    base_s: float = 2.0,
    cap_s: float = 3600.0,
    now: datetime | None = None,
) -> datetime | None:
    """When to try ``item`` again after ``exc``, or ``None`` when it has failed for good.

    Permanent platform errors (not found, private, suspended, auth, quota, unsupported)
    fail at once; a rate limit that says when to come back is honoured; other transient
    errors (and unexpected exceptions) back off exponentially with jitter, until the
    item's ``max_attempts`` are spent."""
    if isinstance(exc, ItemError) or (isinstance(exc, PlatformError) and not exc.retryable):
        return None
    if item.attempts >= item.max_attempts:
        return None
    now = now or utcnow()
    if isinstance(exc, RateLimited) and exc.retry_after is not None:
        return now + timedelta(seconds=exc.retry_after)
    delay = min(cap_s, base_s * 2 ** max(0, item.attempts - 1))
    return now + timedelta(seconds=delay * random.uniform(0.5, 1.0))


@dataclass
class Outcome:
    """What became of one claimed item: done (``error`` is None), to retry at ``retry_at``,
    or failed (an error and no ``retry_at``)."""

    item: RefreshItem
    error: BaseException | None = None
    retry_at: datetime | None = None
    result: dict[str, Any] | None = None

    @property
    def succeeded(self) -> bool:
        return self.error is None

    @property
    def terminal(self) -> bool:
        return self.error is None or self.retry_at is None


# ---------------------------------------------------------------------------- finish


async def fence(session: AsyncSession, worker_id: str, item_ids: Collection[int]) -> set[int]:
    """Lock the items ``worker_id`` still holds (running, its lease not taken over) and
    answer their ids. Called first in the transaction that writes a batch's results, so
    a worker whose lease was reaped writes nothing."""
    if not item_ids:
        return set()
    rows = await session.scalars(
        select(RefreshItem.id)
        .where(
            RefreshItem.id.in_(list(item_ids)),
            RefreshItem.status == RUNNING,
            RefreshItem.worker_id == worker_id,
        )
        .order_by(RefreshItem.id)
        .with_for_update()
    )
    return set(rows.all())


async def settle(session: AsyncSession, outcomes: Sequence[Outcome], *, now: datetime | None = None) -> None:
    """Write every outcome's transition (one statement per kind of transition) and move
    the counters and status of the requests the finished items serve."""
    now = now or utcnow()
    done = [o for o in outcomes if o.succeeded]
    failed = [o for o in outcomes if not o.succeeded and o.retry_at is None]
    retried = [o for o in outcomes if not o.succeeded and o.retry_at is not None]
    if done:
        await complete(session, done, now=now)
    if failed:
        await fail(session, failed, now=now)
    if retried:
        await retry(session, retried)
    if done or failed:
        await settle_requests(
            session, succeeded=[o.item.id for o in done], failed=[o.item.id for o in failed], now=now
        )


async def complete(session: AsyncSession, outcomes: Sequence[Outcome], *, now: datetime) -> None:
    stmt = (
        update(_items)
        .where(_items.c.id == bindparam("b_id"))
        .values(
            status=SUCCEEDED,
            finished_at=now,
            lease_until=None,
            error_code=None,
            error_message=None,
            result=bindparam("b_result"),
        )
    )
    await session.execute(stmt, [{"b_id": o.item.id, "b_result": o.result} for o in outcomes])


async def fail(session: AsyncSession, outcomes: Sequence[Outcome], *, now: datetime) -> None:
    stmt = (
        update(_items)
        .where(_items.c.id == bindparam("b_id"))
        .values(
            status=FAILED,
            finished_at=now,
            lease_until=None,
            error_code=bindparam("b_code"),
            error_message=bindparam("b_message"),
            result=bindparam("b_result"),
        )
    )
    await session.execute(stmt, [_error_params(o) for o in outcomes])


async def retry(session: AsyncSession, outcomes: Sequence[Outcome]) -> None:
    stmt = (
        update(_items)
        .where(_items.c.id == bindparam("b_id"))
        .values(
            status=QUEUED,
            run_after=bindparam("b_run_after"),
            lease_until=None,
            worker_id=None,
            error_code=bindparam("b_code"),
            error_message=bindparam("b_message"),
            result=bindparam("b_result"),
        )
    )
    await session.execute(stmt, [{**_error_params(o), "b_run_after": o.retry_at} for o in outcomes])


def _error_params(o: Outcome) -> dict[str, Any]:
    assert o.error is not None
    code, message = describe(o.error)
    return {"b_id": o.item.id, "b_code": code, "b_message": message, "b_result": o.result}


async def release(
    session: AsyncSession, worker_id: str, item_ids: Collection[int] | None = None, *, refund: bool = True
) -> int:
    """Put items a worker holds (``item_ids``, or all of them) back in the queue: it is
    stopping. ``refund`` gives the attempt back, as its result was never written."""
    held = [RefreshItem.status == RUNNING, RefreshItem.worker_id == worker_id]
    if item_ids is not None:
        if not item_ids:
            return 0
        held.append(RefreshItem.id.in_(list(item_ids)))
    values: dict[str, Any] = {"status": QUEUED, "worker_id": None, "lease_until": None}
    if refund:
        values["attempts"] = case((RefreshItem.attempts > 0, RefreshItem.attempts - 1), else_=0)
    result = await session.execute(
        update(RefreshItem).where(*held).values(**values),
        execution_options={"synchronize_session": False},
    )
    return cast(CursorResult[Any], result).rowcount


async def settle_requests(
    session: AsyncSession,
    *,
    succeeded: Collection[int] = (),
    failed: Collection[int] = (),
    now: datetime,
) -> None:
    """Count items that just finished into every request they serve, and set those
    requests' status: ``running`` until every item has finished, then ``succeeded``,
    ``partial`` or ``failed``. One statement per request, in request id order, so workers
    finishing items of the same requests lock them in the same order and never deadlock."""
    fate = dict.fromkeys(succeeded, 0) | dict.fromkeys(failed, 1)
    deltas: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for chunk in chunks(list(fate), CHUNK):
        rows = await session.execute(
            select(RefreshRequestItem.request_id, RefreshRequestItem.item_id).where(
                RefreshRequestItem.item_id.in_(chunk)
            )
        )
        for request_id, item_id in rows:
            deltas[request_id][fate[item_id]] += 1
    if not deltas:
        return
    r = _requests.c
    ok = r.succeeded + bindparam("b_ok", type_=Integer)
    ko = r.failed + bindparam("b_ko", type_=Integer)
    done = ok + ko >= r.total
    stmt = (
        update(_requests)
        .where(r.id == bindparam("b_id"))
        .values(
            succeeded=ok,
            failed=ko,
            status=case(
                (
                    done,
                    case(
                        (ko == 0, RequestStatus.succeeded.value),
                        (ok == 0, RequestStatus.failed.value),
                        else_=RequestStatus.partial.value,
                    ),
                ),
                else_=RequestStatus.running.value,
            ),
            started_at=func.coalesce(r.started_at, now),
            finished_at=case((done, func.coalesce(r.finished_at, now)), else_=None),
        )
    )
    await session.execute(
        stmt, [{"b_id": rid, "b_ok": n_ok, "b_ko": n_ko} for rid, (n_ok, n_ko) in sorted(deltas.items())]
    )


# ---------------------------------------------------------------------------- leases


def _lockable(*where: Any) -> Any:
    """Ids of items matching ``where`` that no other transaction holds, in id order: a
    background statement (heartbeat, reaper) never waits for a worker writing its batch,
    so it can never deadlock with one."""
    return (
        select(RefreshItem.id)
        .where(*where)
        .order_by(RefreshItem.id)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )


async def extend_leases(
    session: AsyncSession, worker_id: str, item_ids: Collection[int], *, lease_s: float
) -> int:
    """Heartbeat: push the lease of the items this worker is working on (those it is
    writing right now are locked, skipped, and about to finish anyway)."""
    if not item_ids:
        return 0
    held = _lockable(
        RefreshItem.id.in_(list(item_ids)),
        RefreshItem.status == RUNNING,
        RefreshItem.worker_id == worker_id,
    )
    result = await session.execute(
        update(RefreshItem)
        .where(RefreshItem.id.in_(held))
        .values(lease_until=utcnow() + timedelta(seconds=lease_s)),
        execution_options={"synchronize_session": False},
    )
    return cast(CursorResult[Any], result).rowcount


async def reap(session: AsyncSession, *, now: datetime | None = None) -> int:
    """Running items whose lease has passed (their worker died or hangs) go back to the
    queue; those that have used up their attempts fail instead (an item that keeps
    killing workers must stop). Answers how many were requeued."""
    now = now or utcnow()
    expired = (RefreshItem.status == RUNNING, RefreshItem.lease_until < now)
    failed_ids = list(
        (
            await session.scalars(
                update(RefreshItem)
                .where(
                    RefreshItem.id.in_(_lockable(*expired, RefreshItem.attempts >= RefreshItem.max_attempts))
                )
                .values(
                    status=FAILED,
                    finished_at=now,
                    lease_until=None,
                    error_code="lease_expired",
                    error_message="the worker refreshing this stopped answering on every attempt",
                )
                .returning(RefreshItem.id),
                execution_options={"synchronize_session": False},
            )
        ).all()
    )
    if failed_ids:
        await settle_requests(session, failed=failed_ids, now=now)
    result = await session.execute(
        update(RefreshItem)
        .where(RefreshItem.id.in_(_lockable(*expired)))
        .values(status=QUEUED, worker_id=None, lease_until=None),
        execution_options={"synchronize_session": False},
    )
    return cast(CursorResult[Any], result).rowcount


async def beat(
    session: AsyncSession, worker_id: str, *, hostname: str, pid: int, started_at: datetime
) -> None:
    """Record that ``worker_id`` is alive (``worker_heartbeats``)."""
    now = utcnow()
    stmt = dialect_insert(session, WorkerHeartbeat.__table__).values(
        worker_id=worker_id, hostname=hostname, pid=pid, started_at=started_at, heartbeat_at=now
    )
    await session.execute(
        stmt.on_conflict_do_update(index_elements=["worker_id"], set_={"heartbeat_at": now})
    )


async def forget_worker(session: AsyncSession, worker_id: str) -> None:
    await session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.worker_id == worker_id))


# ---------------------------------------------------------------------------- pruning


async def prune(session: AsyncSession, *, before: datetime, limit: int = 5_000) -> tuple[int, int]:
    """Forget refresh bookkeeping that finished before ``before``: requests, and items that a
    newer item of the same entity has replaced (an entity's newest item stays: it holds the
    last error shown with the entity). Items still serving an unfinished request stay too.
    At most ``limit`` of each per call. Answers (requests, items) deleted. Statistics are
    never touched: they live in the snapshot tables."""
    newer = aliased(RefreshItem)
    link = aliased(RefreshRequestItem)
    open_request = aliased(RefreshRequest)
    item_ids = list(
        await session.scalars(
            select(RefreshItem.id)
            .where(
                RefreshItem.status.in_((SUCCEEDED, FAILED)),
                RefreshItem.finished_at < before,
                exists().where(
                    newer.kind == RefreshItem.kind,
                    newer.entity_id == RefreshItem.entity_id,
                    newer.id > RefreshItem.id,
                ),
                ~exists()
                .where(link.item_id == RefreshItem.id)
                .where(open_request.id == link.request_id, open_request.finished_at.is_(None)),
            )
            .limit(limit)
        )
    )
    if item_ids:
        await session.execute(delete(RefreshRequestItem).where(RefreshRequestItem.item_id.in_(item_ids)))
        await session.execute(delete(RefreshItem).where(RefreshItem.id.in_(item_ids)))
    request_ids = list(
        await session.scalars(
            select(RefreshRequest.id)
            .where(RefreshRequest.finished_at.is_not(None), RefreshRequest.finished_at < before)
            .limit(limit)
        )
    )
    if request_ids:
        await session.execute(
            delete(RefreshRequestItem).where(RefreshRequestItem.request_id.in_(request_ids))
        )
        await session.execute(delete(RefreshRequest).where(RefreshRequest.id.in_(request_ids)))
    return len(request_ids), len(item_ids)
