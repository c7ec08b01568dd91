"""Fixtures of the refresh tests: a fake connector, a worker over it, users and accounts."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from socialpulse.config import Settings
from socialpulse.db.engine import transaction
from socialpulse.models import Account, AccountSnapshot, Post, PostSnapshot, RefreshItem, RefreshRequest
from socialpulse.refresh.worker import Worker
from tests.conftest import Tenant, make_tenant
from tests.refresh.fakes import FakeConnector, FakeRegistry

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def connector() -> FakeConnector:
    return FakeConnector()


@pytest.fixture
def registry(connector: FakeConnector) -> FakeRegistry:
    return FakeRegistry(connector)


@pytest.fixture
def worker(settings: Settings, sessions: Sessions, registry: FakeRegistry) -> Worker:
    return Worker(settings, sessions, registry, worker_id="test-worker")


@pytest.fixture
async def user(sessions: Sessions) -> Tenant:
    return await make_tenant(sessions, "carol@example.com")


@pytest.fixture
async def other(sessions: Sessions) -> Tenant:
    return await make_tenant(sessions, "dave@example.com")


async def add_accounts(
    sessions: Sessions, user_id: int, handles: Sequence[str], *, platform: str = "youtube", **fields: object
) -> list[int]:
    async with transaction(sessions) as s:
        rows = [Account(user_id=user_id, platform=platform, handle=h, **fields) for h in handles]
        s.add_all(rows)
        await s.flush()
        return [a.id for a in rows]


async def add_posts(
    sessions: Sessions,
    user_id: int,
    social_ids: Sequence[str],
    *,
    platform: str = "youtube",
    **fields: object,
) -> list[int]:
    async with transaction(sessions) as s:
        rows = [Post(user_id=user_id, platform=platform, social_id=sid, **fields) for sid in social_ids]
        s.add_all(rows)
        await s.flush()
        return [p.id for p in rows]


async def drain(worker: Worker, *, rounds: int = 10_000) -> int:
    """Run the worker until nothing is due; answers how many items it claimed."""
    total = 0
    for _ in range(rounds):
        n = await worker.run_once()
        if n == 0:
            return total
        total += n
    raise AssertionError("the queue never drained")


async def items(sessions: Sessions, **where: object) -> list[RefreshItem]:
    async with sessions() as s:
        stmt = select(RefreshItem).filter_by(**where).order_by(RefreshItem.id)
        return list((await s.scalars(stmt)).all())


async def request_row(sessions: Sessions, public_id: str) -> RefreshRequest:
    async with sessions() as s:
        row = await s.scalar(select(RefreshRequest).where(RefreshRequest.public_id == public_id))
        assert row is not None
        return row


async def get(sessions: Sessions, model: type, id_: int) -> object:
    async with sessions() as s:
        return await s.get(model, id_)


async def snapshot_counts(sessions: Sessions, kind: str = "account") -> dict[int, int]:
    model = AccountSnapshot if kind == "account" else PostSnapshot
    key = model.account_id if model is AccountSnapshot else model.post_id  # type: ignore[attr-defined]
    async with sessions() as s:
        rows = await s.execute(select(key, func.count()).group_by(key))
        return {k: n for k, n in rows}
