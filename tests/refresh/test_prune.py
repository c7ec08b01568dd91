"""Pruning refresh bookkeeping: finished requests and replaced items older than the retention
go; an entity's newest item, items serving an unfinished request, and every snapshot stay.
Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from socialpulse.db.engine import transaction
from socialpulse.kit.time import utcnow
from socialpulse.models import AccountSnapshot, RefreshItem, RefreshRequest, RefreshRequestItem
from socialpulse.platforms.base import ProfileData
from socialpulse.refresh import queue
from socialpulse.refresh.service import refresh_service
from socialpulse.refresh.worker import Worker
from tests.conftest import Tenant
from tests.refresh.conftest import Sessions, add_accounts, drain
from tests.refresh.fakes import FakeConnector


async def request(sessions: Sessions, user: Tenant, ids: list[int]) -> str:
    async with transaction(sessions) as s:
        return (await refresh_service.create_request(s, user_id=user.user_id, account_ids=ids)).public_id


async def age(sessions: Sessions, days: int) -> None:
    """Move every finished request and item ``days`` into the past."""
    past = utcnow() - timedelta(days=days)
    async with transaction(sessions) as s:
        await s.execute(
            update(RefreshRequest).where(RefreshRequest.finished_at.is_not(None)).values(finished_at=past)
        )
        await s.execute(
            update(RefreshItem).where(RefreshItem.finished_at.is_not(None)).values(finished_at=past)
        )


async def count(sessions: Sessions, model: type) -> int:
    async with sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_old_requests_and_replaced_items_go_newest_items_and_history_stay(
    sessions: Sessions, worker: Worker, user: Tenant, connector: FakeConnector
) -> None:
    for handle in ("a1", "a2"):
        connector.profiles[handle] = ProfileData(platform_id=f"UC{handle}", handle=handle, followers=10)
    ids = await add_accounts(sessions, user.user_id, ["a1", "a2"])
    old = await request(sessions, user, ids)
    await drain(worker)
    await age(sessions, 40)
    recent = await request(sessions, user, ids)
    await drain(worker)
    snapshots = await count(sessions, AccountSnapshot)
    assert snapshots == 4

    async with transaction(sessions) as s:
        deleted = await queue.prune(s, before=utcnow() - timedelta(days=30))
    assert deleted == (1, 2)  # the old request, and the two items the recent ones replaced
    async with sessions() as s:
        publics = set(await s.scalars(select(RefreshRequest.public_id)))
        kept = list(await s.scalars(select(RefreshItem)))
    assert publics == {recent}
    assert old not in publics
    assert sorted(i.entity_id for i in kept) == sorted(ids)
    assert await count(sessions, AccountSnapshot) == snapshots  # history is never pruned
    async with transaction(sessions) as s:
        assert await queue.prune(s, before=utcnow() - timedelta(days=30)) == (0, 0)

    # everything is old now, but an entity's newest item stays
    await age(sessions, 40)
    async with transaction(sessions) as s:
        assert await queue.prune(s, before=utcnow() - timedelta(days=30)) == (1, 0)
    assert await count(sessions, RefreshItem) == 2
    assert await count(sessions, RefreshRequestItem) == 0


async def test_items_of_an_unfinished_request_stay(sessions: Sessions, worker: Worker, user: Tenant) -> None:
    ids = await add_accounts(sessions, user.user_id, ["b1", "b2"])
    await request(sessions, user, ids)
    await drain(worker)
    await age(sessions, 40)
    async with transaction(sessions) as s:
        waiting = await s.scalar(select(RefreshRequest))
        assert waiting is not None
        waiting.finished_at = None  # as if another of its items were still to come
        waiting.status = "running"
    await request(sessions, user, ids)
    await drain(worker)
    async with transaction(sessions) as s:
        assert await queue.prune(s, before=utcnow() - timedelta(days=30)) == (0, 0)


async def test_limit_bounds_one_call(sessions: Sessions, worker: Worker, user: Tenant) -> None:
    ids = await add_accounts(sessions, user.user_id, [f"c{i}" for i in range(5)])
    for _ in range(3):
        await request(sessions, user, ids)
        await drain(worker)
    await age(sessions, 40)
    async with transaction(sessions) as s:
        assert await queue.prune(s, before=utcnow(), limit=4) == (3, 4)
    async with transaction(sessions) as s:
        assert await queue.prune(s, before=utcnow(), limit=4) == (0, 4)
    async with transaction(sessions) as s:
        assert await queue.prune(s, before=utcnow(), limit=4) == (0, 2)
    assert await count(sessions, RefreshItem) == 5
