"""The scheduler: what is due, and one request per user per tick however many schedulers run."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from socialpulse.config import Settings
from socialpulse.kit.time import utcnow
from socialpulse.models import RefreshRequest
from socialpulse.refresh.scheduler import dedupe_key, public_id_for, run_tick, tick_of
from socialpulse.refresh.service import SCHEDULED_PRIORITY
from socialpulse.refresh.worker import Worker
from tests.conftest import Tenant
from tests.refresh.conftest import Sessions, add_accounts, add_posts, drain, items
from tests.refresh.fakes import FakeConnector


async def requests(sessions: Sessions) -> list[RefreshRequest]:
    async with sessions() as s:
        return list((await s.scalars(select(RefreshRequest).order_by(RefreshRequest.id))).all())


class TestDue:
    async def test_what_is_due(self, sessions: Sessions, settings: Settings, user: Tenant) -> None:
        now = utcnow()
        past, future = now - timedelta(minutes=1), now + timedelta(hours=1)
        [never] = await add_accounts(sessions, user.user_id, ["never"])
        [due] = await add_accounts(sessions, user.user_id, ["due"], next_refresh_at=past)
        await add_accounts(sessions, user.user_id, ["later"], next_refresh_at=future)
        [paused] = await add_accounts(sessions, user.user_id, ["paused"], paused=True)
        await add_accounts(sessions, user.user_id, ["gone"], status="not_found", next_refresh_at=past)
        await add_accounts(sessions, user.user_id, ["banned"], status="suspended", next_refresh_at=past)
        [private] = await add_accounts(
            sessions, user.user_id, ["private"], status="private", next_refresh_at=past
        )
        [p_due] = await add_posts(sessions, user.user_id, ["p-due"], next_refresh_at=past)
        [p_new] = await add_posts(sessions, user.user_id, ["p-new"])
        await add_posts(sessions, user.user_id, ["p-later"], next_refresh_at=future)
        await add_posts(sessions, user.user_id, ["p-gone"], status="not_found", next_refresh_at=past)
        await add_posts(sessions, user.user_id, ["p-of-paused"], account_id=paused, next_refresh_at=past)

        [public_id] = await run_tick(sessions, settings, now=now)

        assert {(i.kind, i.entity_id) for i in await items(sessions)} == {
            ("account", never),
            ("account", due),
            ("account", private),
            ("post", p_due),
            ("post", p_new),
        }
        assert {i.priority for i in await items(sessions)} == {SCHEDULED_PRIORITY}
        [req] = await requests(sessions)
        assert (req.public_id, req.origin, req.total, req.status) == (public_id, "scheduler", 5, "pending")
        assert req.params["dedupe_key"] == dedupe_key(user.user_id, tick_of(now, settings.scheduler_tick_s))

    async def test_entities_already_queued_are_left_alone(
        self, sessions: Sessions, settings: Settings, user: Tenant
    ) -> None:
        await add_accounts(sessions, user.user_id, ["a"])
        now = utcnow()
        assert len(await run_tick(sessions, settings, now=now)) == 1
        # next tick: the item is still queued, so nothing new is due
        assert (
            await run_tick(sessions, settings, now=now + timedelta(seconds=settings.scheduler_tick_s)) == []
        )
        assert len(await items(sessions)) == 1

    async def test_refreshed_entities_wait_for_their_next_refresh(
        self, sessions: Sessions, settings: Settings, user: Tenant, worker: Worker, connector: FakeConnector
    ) -> None:
        connector.add_account("a")
        await add_accounts(sessions, user.user_id, ["a"])
        await run_tick(sessions, settings)
        await drain(worker)
        assert await run_tick(sessions, settings, now=utcnow() + timedelta(hours=1)) == []
        later = utcnow() + timedelta(seconds=settings.account_refresh_s + 60)
        assert len(await run_tick(sessions, settings, now=later)) == 1

    async def test_only_platforms_that_can_be_refreshed(
        self, sessions: Sessions, settings: Settings, user: Tenant
    ) -> None:
        [yt] = await add_accounts(sessions, user.user_id, ["yt"])
        await add_accounts(sessions, user.user_id, ["ig"], platform="instagram")
        await run_tick(sessions, settings, platforms=["youtube", "bluesky"])
        assert [i.entity_id for i in await items(sessions)] == [yt]


class TestDedupe:
    async def test_one_request_per_user_per_tick(
        self, sessions: Sessions, settings: Settings, user: Tenant, other: Tenant
    ) -> None:
        await add_accounts(sessions, user.user_id, ["a"])
        await add_accounts(sessions, other.user_id, ["b"])
        now = datetime(2025, 3, 1, 12, 0, 30, tzinfo=UTC)
        # three schedulers in the same tick
        created = await asyncio.gather(*(run_tick(sessions, settings, now=now) for _ in range(3)))
        assert sum(len(c) for c in created) == 2
        rows = await requests(sessions)
        assert sorted(r.params["dedupe_key"] for r in rows) == [
            f"scheduler:{user.user_id}:20250301T120000",
            f"scheduler:{other.user_id}:20250301T120000",
        ]
        assert len(await items(sessions)) == 2
        # a late scheduler of the same tick finds the key taken even if something became due
        await add_accounts(sessions, user.user_id, ["c"])
        assert await run_tick(sessions, settings, now=now + timedelta(seconds=10)) == []
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(RefreshRequest)) == 2

    def test_ticks_and_keys(self) -> None:
        now = datetime(2025, 3, 1, 12, 7, 42, tzinfo=UTC)
        assert tick_of(now, 60) == datetime(2025, 3, 1, 12, 7, tzinfo=UTC)
        assert tick_of(now, 300) == datetime(2025, 3, 1, 12, 5, tzinfo=UTC)
        assert dedupe_key(7, tick_of(now, 60)) == "scheduler:7:20250301T120700"
        assert public_id_for("scheduler:7:20250301T120700") == public_id_for("scheduler:7:20250301T120700")
        assert public_id_for("scheduler:7:20250301T120700") != public_id_for("scheduler:8:20250301T120700")
