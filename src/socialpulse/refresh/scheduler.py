"""The scheduler: every tick, queue what is due for a refresh, one request per user.

Due accounts: not paused, not ``not_found``/``suspended``, never refreshed or
``next_refresh_at`` passed. Due posts: not ``not_found``, their account (if any) not paused,
never refreshed or ``next_refresh_at`` passed. Entities that already have a queued or running
item are left alone.

A tick's request of a user has a public id derived from ``scheduler:{user}:{tick}``, which
the unique ``public_id`` makes an atomic dedupe: any number of schedulers (one per server
and worker process) may run; each tick queues every due entity once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import Select, exists, or_, select, union, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from socialpulse.config import Settings
from socialpulse.db.dialect import dialect_insert
from socialpulse.db.engine import transaction
from socialpulse.kit.time import iso, utcnow
from socialpulse.models import Account, Post, RefreshItem, RefreshRequest
from socialpulse.models.enums import AccountStatus, EntityKind, PostStatus, RequestStatus
from socialpulse.refresh import queue
from socialpulse.refresh.queue import Entity
from socialpulse.refresh.service import SCHEDULED_PRIORITY

log = logging.getLogger("socialpulse.refresh")

ORIGIN = "scheduler"
_NAMESPACE = uuid.UUID("6f3c2a57-0d1e-4c59-9a43-52b1b8e0c7d4")
NOT_SCHEDULED_ACCOUNT = (AccountStatus.not_found.value, AccountStatus.suspended.value)


def tick_of(now: datetime, tick_s: int) -> datetime:
    """The start of the tick ``now`` falls in (ticks are aligned on the epoch)."""
    ts = int(now.timestamp())
    return datetime.fromtimestamp(ts - ts % tick_s, tz=UTC)


def dedupe_key(user_id: int, tick: datetime) -> str:
    return f"scheduler:{user_id}:{tick:%Y%m%dT%H%M%S}"


def public_id_for(key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, key))


def due_accounts(now: datetime, platforms: Collection[str] | None = None) -> Select[int, str, int]:
    """(user id, platform, account id) of accounts due for a refresh."""
    stmt = select(Account.user_id, Account.platform, Account.id).where(
        Account.paused.is_(False),
        Account.status.not_in(NOT_SCHEDULED_ACCOUNT),
        or_(Account.next_refresh_at.is_(None), Account.next_refresh_at <= now),
        ~exists().where(
            RefreshItem.kind == EntityKind.account.value,
            RefreshItem.entity_id == Account.id,
            RefreshItem.status.in_((queue.QUEUED, queue.RUNNING)),
        ),
    )
    if platforms is not None:
        stmt = stmt.where(Account.platform.in_(list(platforms)))
    return stmt


def due_posts(now: datetime, platforms: Collection[str] | None = None) -> Select[int, str, int]:
    """(user id, platform, post id) of posts due for a refresh."""
    stmt = (
        select(Post.user_id, Post.platform, Post.id)
        .outerjoin(Account, Account.id == Post.account_id)
        .where(
            Post.status != PostStatus.not_found.value,
            or_(Post.next_refresh_at.is_(None), Post.next_refresh_at <= now),
            or_(Post.account_id.is_(None), Account.paused.is_(False)),
            ~exists().where(
                RefreshItem.kind == EntityKind.post.value,
                RefreshItem.entity_id == Post.id,
                RefreshItem.status.in_((queue.QUEUED, queue.RUNNING)),
            ),
        )
    )
    if platforms is not None:
        stmt = stmt.where(Post.platform.in_(list(platforms)))
    return stmt


async def _due_for(
    session: AsyncSession, user_id: int, now: datetime, platforms: Collection[str] | None
) -> list[Entity]:
    accounts = await session.execute(due_accounts(now, platforms).where(Account.user_id == user_id))
    posts = await session.execute(due_posts(now, platforms).where(Post.user_id == user_id))
    return [(p, EntityKind.account.value, i) for _, p, i in accounts] + [
        (p, EntityKind.post.value, i) for _, p, i in posts
    ]


async def run_tick(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    now: datetime | None = None,
    platforms: Collection[str] | None = None,
) -> list[str]:
    """Queue what is due now; answers the public ids of the requests this call created
    (none for users another scheduler already served this tick). ``platforms`` limits it
    to platforms that can be refreshed."""
    now = now or utcnow()
    tick = tick_of(now, settings.scheduler_tick_s)
    async with transaction(sessions) as session:
        users = sorted(
            (
                await session.scalars(
                    union(
                        due_accounts(now, platforms).with_only_columns(Account.user_id),
                        due_posts(now, platforms).with_only_columns(Post.user_id),
                    )
                )
            ).all()
        )
    created: list[str] = []
    for user_id in users:
        async with transaction(sessions) as session:
            entities = await _due_for(session, user_id, now, platforms)
            if not entities:
                continue
            key = dedupe_key(user_id, tick)
            public_id = public_id_for(key)
            inserted = await session.execute(
                dialect_insert(session, RefreshRequest.__table__)
                .values(
                    public_id=public_id,
                    user_id=user_id,
                    origin=ORIGIN,
                    params={"dedupe_key": key, "tick": iso(tick), "priority": SCHEDULED_PRIORITY},
                    status=RequestStatus.pending.value,
                    total=0,
                    succeeded=0,
                    failed=0,
                    notes=[],
                    created_at=now,
                )
                .on_conflict_do_nothing(index_elements=["public_id"])
                .returning(RefreshRequest.__table__.c.id)
            )
            request_id = inserted.scalar_one_or_none()
            if request_id is None:
                continue  # another scheduler has served this user this tick
            total = await queue.enqueue(
                session,
                user_id=user_id,
                entities=entities,
                request_id=request_id,
                priority=SCHEDULED_PRIORITY,
                max_attempts=settings.max_attempts,
            )
            await session.execute(
                update(RefreshRequest).where(RefreshRequest.id == request_id).values(total=total),
                execution_options={"synchronize_session": False},
            )
            created.append(public_id)
    if created:
        log.info("scheduler queued refreshes for %d user(s)", len(created))
    return created


async def run_scheduler(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    stopping: asyncio.Event,
    *,
    platforms: Collection[str] | None = None,
) -> None:
    """Run :func:`run_tick` once per tick until ``stopping`` is set."""
    while not stopping.is_set():
        now = utcnow()
        try:
            await run_tick(sessions, settings, now=now, platforms=platforms)
        except Exception:
            log.exception("a scheduler tick failed")
        wait = (tick_of(now, settings.scheduler_tick_s) - now).total_seconds() + settings.scheduler_tick_s
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), max(0.01, wait))
