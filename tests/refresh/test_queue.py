"""The queue's state machine, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from socialpulse.config import Settings
from socialpulse.db.engine import make_engine, make_sessionmaker, transaction
from socialpulse.kit.time import utcnow
from socialpulse.models import RefreshItem, RefreshRequest, RefreshRequestItem
from socialpulse.platforms.base import (
    AuthExpired,
    NotFound,
    PlatformError,
    Private,
    QuotaExceeded,
    RateLimited,
    Suspended,
    TransientError,
    Unsupported,
)
from socialpulse.refresh import queue
from socialpulse.refresh.apply import Batch, write_batch
from socialpulse.refresh.queue import ItemError, Outcome
from tests.conftest import Tenant
from tests.refresh.conftest import Sessions, items
from tests.refresh.fakes import FakeRegistry


async def new_request(sessions: Sessions, user_id: int) -> int:
    async with transaction(sessions) as s:
        r = RefreshRequest(public_id=str(uuid.uuid4()), user_id=user_id, params={}, notes=[])
        s.add(r)
        await s.flush()
        return r.id


async def enqueue(sessions: Sessions, user_id: int, request_id: int, ids: list[int], **kw: object) -> int:
    async with transaction(sessions) as s:
        n = await queue.enqueue(
            s,
            user_id=user_id,
            entities=[("youtube", "post", i) for i in ids],
            request_id=request_id,
            **kw,  # type: ignore[arg-type]
        )
        await s.execute(update(RefreshRequest).where(RefreshRequest.id == request_id).values(total=n))
        return n


async def links(sessions: Sessions, item_id: int) -> set[int]:
    async with sessions() as s:
        rows = await s.scalars(
            select(RefreshRequestItem.request_id).where(RefreshRequestItem.item_id == item_id)
        )
        return set(rows.all())


class TestEnqueue:
    async def test_same_entity_twice_is_one_item_serving_both_requests(
        self, sessions: Sessions, user: Tenant
    ) -> None:
        r1, r2 = await new_request(sessions, user.user_id), await new_request(sessions, user.user_id)
        assert await enqueue(sessions, user.user_id, r1, [7, 8]) == 2
        assert await enqueue(sessions, user.user_id, r2, [8, 9, 9]) == 2
        rows = await items(sessions)
        assert [(i.entity_id, i.status) for i in rows] == [(7, "queued"), (8, "queued"), (9, "queued")]
        by_entity = {i.entity_id: i for i in rows}
        assert await links(sessions, by_entity[8].id) == {r1, r2}
        assert await links(sessions, by_entity[7].id) == {r1}

    async def test_a_higher_priority_request_moves_the_item_forward(
        self, sessions: Sessions, user: Tenant
    ) -> None:
        r1, r2, r3 = [await new_request(sessions, user.user_id) for _ in range(3)]
        await enqueue(sessions, user.user_id, r1, [1, 2], priority=0)
        await enqueue(sessions, user.user_id, r2, [2], priority=10)
        await enqueue(sessions, user.user_id, r3, [1, 2], priority=-10)  # never lowers
        assert {i.entity_id: i.priority for i in await items(sessions)} == {1: 0, 2: 10}
        claimed = await queue.claim(sessions, "w", platform="youtube", kind="post", limit=1, lease_s=60)
        assert [i.entity_id for i in claimed] == [2]

    async def test_a_finished_entity_is_queued_anew(self, sessions: Sessions, user: Tenant) -> None:
        r1, r2 = await new_request(sessions, user.user_id), await new_request(sessions, user.user_id)
        await enqueue(sessions, user.user_id, r1, [5])
        [item] = await queue.claim(sessions, "w", platform="youtube", kind="post", limit=5, lease_s=60)
        async with transaction(sessions) as s:
            await queue.settle(s, [Outcome(item)])
        await enqueue(sessions, user.user_id, r2, [5])
        rows = await items(sessions)
        assert [i.status for i in rows] == ["succeeded", "queued"]
        assert await links(sessions, rows[1].id) == {r2}

    async def test_ten_thousand_entities_in_bulk(self, sessions: Sessions, user: Tenant) -> None:
        r1, r2 = await new_request(sessions, user.user_id), await new_request(sessions, user.user_id)
        assert await enqueue(sessions, user.user_id, r1, list(range(1, 10_001))) == 10_000
        assert await enqueue(sessions, user.user_id, r2, list(range(5_001, 15_001)), priority=5) == 10_000
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(RefreshItem)) == 15_000
            assert await s.scalar(select(func.count()).select_from(RefreshRequestItem)) == 20_000
            raised = await s.scalar(select(func.count()).where(RefreshItem.priority == 5))
            assert raised == 10_000


class TestClaim:
    async def test_claims_due_items_of_one_group_by_priority_up_to_the_limit(
        self, sessions: Sessions, user: Tenant
    ) -> None:
        r = await new_request(sessions, user.user_id)
        await enqueue(sessions, user.user_id, r, [1, 2, 3])
        await enqueue(sessions, user.user_id, r, [4], priority=3)
        await enqueue(sessions, user.user_id, r, [5], run_after=utcnow() + timedelta(hours=1))
        async with transaction(sessions) as s:
            await queue.enqueue(s, user_id=user.user_id, entities=[("bluesky", "post", 6)], request_id=r)
        got = await queue.claim(sessions, "w1", platform="youtube", kind="post", limit=3, lease_s=60)
        assert [i.entity_id for i in got] == [4, 1, 2]
        assert all(i.status == "running" and i.attempts == 1 and i.worker_id == "w1" for i in got)
        assert all(i.lease_until is not None and i.lease_until > utcnow() for i in got)
        rest = await queue.claim(sessions, "w2", platform="youtube", kind="post", limit=10, lease_s=60)
        assert [i.entity_id for i in rest] == [3]  # 5 is not due, 6 is another group
        assert await queue.claim(sessions, "w2", platform="youtube", kind="post", limit=10, lease_s=60) == []

    async def test_the_first_claim_starts_the_request(self, sessions: Sessions, user: Tenant) -> None:
        r = await new_request(sessions, user.user_id)
        await enqueue(sessions, user.user_id, r, [1, 2])
        await queue.claim(sessions, "w", platform="youtube", kind="post", limit=1, lease_s=60)
        async with sessions() as s:
            row = await s.get(RefreshRequest, r)
            assert row is not None
            assert row.status == "running"
            assert row.started_at is not None

    async def test_groups_are_served_round_robin_and_paused_platforms_skipped(
        self, sessions: Sessions, user: Tenant
    ) -> None:
        r = await new_request(sessions, user.user_id)
        async with transaction(sessions) as s:
            await queue.enqueue(
                s,
                user_id=user.user_id,
                entities=[("youtube", "post", 1), ("youtube", "account", 2), ("bluesky", "post", 3)],
                request_id=r,
            )
        async with sessions() as s:
            assert await queue.due_groups(s) == [
                ("bluesky", "post"),
                ("youtube", "account"),
                ("youtube", "post"),
            ]
            seen = []
            last = None
            for _ in range(4):
                last = await queue.next_group(s, after=last)
                seen.append(last)
            assert seen == [
                ("bluesky", "post"),
                ("youtube", "account"),
                ("youtube", "post"),
                ("bluesky", "post"),
            ]
            assert await queue.next_group(s, paused={"bluesky"}) == ("youtube", "account")
            assert await queue.next_group(s, paused={"bluesky", "youtube"}) is None


class TestLeases:
    async def test_an_expired_lease_makes_the_item_claimable_again(
        self, sessions: Sessions, user: Tenant
    ) -> None:
        r = await new_request(sessions, user.user_id)
        await enqueue(sessions, user.user_id, r, [1, 2])
        await queue.claim(sessions, "dead", platform="youtube", kind="post", limit=2, lease_s=60)
        async with transaction(sessions) as s:
            assert await queue.reap(s) == 0  # leases still valid
            assert await queue.reap(s, now=utcnow() + timedelta(seconds=61)) == 2
        again = await queue.claim(sessions, "alive", platform="youtube", kind="post", limit=5, lease_s=60)
        assert sorted(i.entity_id for i in again) == [1, 2]
        assert all(i.attempts == 2 and i.worker_id == "alive" for i in again)

    async def test_heartbeat_keeps_the_lease(self, sessions: Sessions, user: Tenant) -> None:
        r = await new_request(sessions, user.user_id)
        await enqueue(sessions, user.user_id, r, [1])
        [item] = await queue.claim(sessions, "w", platform="youtube", kind="post", limit=1, lease_s=5)
        async with transaction(sessions) as s:
            assert await queue.extend_leases(s, "w", {item.id}, lease_s=3600) == 1
            assert await queue.extend_leases(s, "someone-else", {item.id}, lease_s=3600) == 0
            assert await queue.reap(s, now=utcnow() + timedelta(seconds=60)) == 0

    async def test_an_item_that_keeps_losing_its_worker_fails(self, sessions: Sessions, user: Tenant) -> None:
        r = await new_request(sessions, user.user_id)
        await enqueue(sessions, user.user_id, r, [1], max_attempts=2)
        for attempt in (1, 2):
            [item] = await queue.claim(sessions, "w", platform="youtube", kind="post", limit=1, lease_s=1)
            assert item.attempts == attempt
            async with transaction(sessions) as s:
                await queue.reap(s, now=utcnow() + timedelta(seconds=2))
        [item] = await items(sessions)
        assert (item.status, item.error_code) == ("failed", "lease_expired")
        async with sessions() as s:
            row = await s.get(RefreshRequest, r)
            assert row is not None
            assert (row.status, row.failed) == ("failed", 1)

    async def test_release_gives_the_attempt_back(self, sessions: Sessions, user: Tenant) -> None:
        r = await new_request(sessions, user.user_id)
        await enqueue(sessions, user.user_id, r, [1, 2])
        await queue.claim(sessions, "w", platform="youtube", kind="post", limit=2, lease_s=60)
        async with transaction(sessions) as s:
            assert await queue.release(s, "other") == 0
            assert await queue.release(s, "w") == 2
        assert [(i.status, i.attempts, i.worker_id) for i in await items(sessions)] == [
            ("queued", 0, None)
        ] * 2

    async def test_a_worker_whose_lease_was_taken_over_holds_nothing(
        self, sessions: Sessions, user: Tenant
    ) -> None:
        r = await new_request(sessions, user.user_id)
        await enqueue(sessions, user.user_id, r, [1])
        [item] = await queue.claim(sessions, "slow", platform="youtube", kind="post", limit=1, lease_s=1)
        async with transaction(sessions) as s:
            await queue.reap(s, now=utcnow() + timedelta(seconds=2))
        await queue.claim(sessions, "fast", platform="youtube", kind="post", limit=1, lease_s=60)
        async with transaction(sessions) as s:
            assert await queue.fence(s, "slow", [item.id]) == set()
            assert await queue.fence(s, "fast", [item.id]) == {item.id}


def item_with(attempts: int, max_attempts: int = 5) -> RefreshItem:
    return RefreshItem(attempts=attempts, max_attempts=max_attempts, priority=0)


class TestNextAttempt:
    @pytest.mark.parametrize(
        "exc",
        [
            NotFound("gone"),
            Private("private"),
            Suspended("suspended"),
            AuthExpired("bad key"),
            QuotaExceeded("spent"),
            Unsupported("no connector"),
            PlatformError("400"),
            ItemError("deleted", "deleted"),
        ],
    )
    def test_permanent_errors_fail_at_once(self, exc: Exception) -> None:
        assert queue.next_attempt(item_with(1), exc) is None

    def test_transient_errors_back_off_exponentially_until_attempts_run_out(self) -> None:
        now = utcnow()
        delays = []
        for attempts in (1, 2, 3, 4):
            when = queue.next_attempt(
                item_with(attempts), TransientError("503"), base_s=10, cap_s=1000, now=now
            )
            assert when is not None
            delays.append((when - now).total_seconds())
        for n, delay in enumerate(delays):
            full = 10 * 2**n
            assert full / 2 <= delay <= full  # jitter: between half and all of the step
        capped = queue.next_attempt(item_with(4), TransientError("503"), base_s=10, cap_s=15, now=now)
        assert capped is not None
        assert (capped - now).total_seconds() <= 15
        assert queue.next_attempt(item_with(5), TransientError("503"), now=now) is None

    def test_unexpected_errors_are_retried_like_transient_ones(self) -> None:
        assert queue.next_attempt(item_with(1), ValueError("bug")) is not None
        assert queue.describe(ValueError("bug")) == ("internal_error", "ValueError: bug")

    def test_rate_limits_are_honoured(self) -> None:
        now = utcnow()
        when = queue.next_attempt(item_with(1), RateLimited("slow down", retry_after=120), now=now)
        assert when == now + timedelta(seconds=120)

    def test_quota_errors_say_when_the_quota_resets(self) -> None:
        resets = utcnow().replace(microsecond=0) + timedelta(hours=3)
        code, message = queue.describe(QuotaExceeded("youtube daily quota is spent", resets_at=resets))
        assert code == "quota_exceeded"
        assert "resets at" in message
        assert resets.isoformat().replace("+00:00", "Z") in message
        assert "did not say" in queue.describe(QuotaExceeded("spent"))[1]


class TestRequestStatus:
    async def _run(self, sessions: Sessions, user: Tenant, fates: list[str]) -> RefreshRequest:
        r = await new_request(sessions, user.user_id)
        await enqueue(sessions, user.user_id, r, list(range(1, len(fates) + 1)))
        claimed = await queue.claim(sessions, "w", platform="youtube", kind="post", limit=99, lease_s=60)
        outcomes = [
            Outcome(i) if fate == "ok" else Outcome(i, error=NotFound("gone"))
            for i, fate in zip(sorted(claimed, key=lambda i: i.entity_id), fates, strict=True)
        ]
        async with transaction(sessions) as s:
            await queue.settle(s, outcomes[:1])
        async with sessions() as s:
            row = await s.get(RefreshRequest, r)
            assert row is not None
            assert (row.status, row.finished_at) == ("running", None)
        async with transaction(sessions) as s:
            await queue.settle(s, outcomes[1:])
        async with sessions() as s:
            row = await s.get(RefreshRequest, r)
            assert row is not None
            return row

    async def test_all_succeeded(self, sessions: Sessions, user: Tenant) -> None:
        row = await self._run(sessions, user, ["ok", "ok"])
        assert (row.status, row.succeeded, row.failed) == ("succeeded", 2, 0)
        assert row.finished_at is not None
        assert row.started_at is not None

    async def test_some_failed(self, sessions: Sessions, user: Tenant) -> None:
        row = await self._run(sessions, user, ["ok", "gone", "ok"])
        assert (row.status, row.succeeded, row.failed) == ("partial", 2, 1)

    async def test_all_failed(self, sessions: Sessions, user: Tenant) -> None:
        row = await self._run(sessions, user, ["gone", "gone"])
        assert (row.status, row.succeeded, row.failed) == ("failed", 0, 2)

    async def test_an_item_counts_for_every_request_it_serves(self, sessions: Sessions, user: Tenant) -> None:
        r1, r2 = await new_request(sessions, user.user_id), await new_request(sessions, user.user_id)
        await enqueue(sessions, user.user_id, r1, [1])
        await enqueue(sessions, user.user_id, r2, [1, 2])
        claimed = await queue.claim(sessions, "w", platform="youtube", kind="post", limit=9, lease_s=60)
        first = next(i for i in claimed if i.entity_id == 1)
        async with transaction(sessions) as s:
            await queue.settle(s, [Outcome(first)])
        async with sessions() as s:
            one, two = await s.get(RefreshRequest, r1), await s.get(RefreshRequest, r2)
            assert one is not None
            assert two is not None
            assert (one.status, one.succeeded) == ("succeeded", 1)
            assert (two.status, two.succeeded, two.total) == ("running", 1, 2)

    async def test_a_retry_is_not_a_result(self, sessions: Sessions, user: Tenant) -> None:
        r = await new_request(sessions, user.user_id)
        await enqueue(sessions, user.user_id, r, [1])
        [item] = await queue.claim(sessions, "w", platform="youtube", kind="post", limit=1, lease_s=60)
        later = utcnow() + timedelta(minutes=5)
        async with transaction(sessions) as s:
            await queue.settle(s, [Outcome(item, error=TransientError("503"), retry_at=later)])
        [row] = await items(sessions)
        assert (row.status, row.error_code, row.worker_id, row.run_after) == (
            "queued",
            "transient",
            None,
            later,
        )
        async with sessions() as s:
            req = await s.get(RefreshRequest, r)
            assert req is not None
            assert (req.status, req.succeeded, req.failed) == ("running", 0, 0)


@pytest.mark.postgres_only
class TestConcurrentClaims:
    async def test_two_workers_never_claim_the_same_item(
        self, db_url: str, settings: Settings, sessions: Sessions, user: Tenant
    ) -> None:
        if db_url.startswith("sqlite"):
            pytest.skip("PostgreSQL only: SQLite serialises writers, so claims cannot overlap there")
        r = await new_request(sessions, user.user_id)
        await enqueue(sessions, user.user_id, r, list(range(1, 2001)))
        engines = [make_engine(settings.database_url, pool_size=4) for _ in range(2)]
        try:

            async def claimer(name: str, sm: Sessions) -> list[int]:
                got: list[int] = []
                while batch := await queue.claim(
                    sm, name, platform="youtube", kind="post", limit=7, lease_s=60
                ):
                    got += [i.id for i in batch]
                return got

            results = await asyncio.gather(
                *(claimer(f"w{n}", make_sessionmaker(e)) for n, e in enumerate(engines) for _ in range(3))
            )
        finally:
            for e in engines:
                await e.dispose()
        claimed = [i for r_ in results for i in r_]
        assert len(claimed) == len(set(claimed)) == 2000
        assert sum(1 for r_ in results if r_) > 1  # the claimers really ran side by side
        assert {(i.status, i.attempts) for i in await items(sessions)} == {("running", 1)}

    async def test_concurrent_requests_workers_and_reaper_never_deadlock(
        self, db_url: str, settings: Settings, sessions: Sessions, user: Tenant
    ) -> None:
        if db_url.startswith("sqlite"):
            pytest.skip("PostgreSQL only: SQLite serialises writers, so nothing can overlap there")
        entities = list(range(1, 301))
        await enqueue(sessions, user.user_id, await new_request(sessions, user.user_id), entities)
        engine = make_engine(settings.database_url, pool_size=12)
        sm = make_sessionmaker(engine)
        stop = asyncio.Event()

        async def asker(n: int) -> list[int]:
            made = []
            for round_ in range(5):
                rid = await new_request(sm, user.user_id)
                chosen = entities[(n * 37 + round_ * 11) % 250 :][:60]
                async with transaction(sm) as s:
                    total = await queue.enqueue(
                        s,
                        user_id=user.user_id,
                        entities=[("youtube", "post", e) for e in reversed(chosen)],
                        request_id=rid,
                        priority=round_,
                    )
                    assert total == len(chosen)
                made.append(rid)
            return made

        async def done(session: AsyncSession, mine: list[RefreshItem]) -> list[Outcome]:
            return [Outcome(i) for i in mine]

        async def worker(name: str) -> None:
            batch = Batch(settings, sm, FakeRegistry(), name)
            while not stop.is_set():
                claimed = await queue.claim(sm, name, platform="youtube", kind="post", limit=13, lease_s=60)
                if claimed:
                    await write_batch(batch, claimed, done)  # retries when chosen as a deadlock's victim
                else:
                    await asyncio.sleep(0.01)

        async def reaper() -> None:
            while not stop.is_set():
                async with transaction(sm) as s:
                    await queue.reap(s)
                    await queue.extend_leases(s, "w0", set(range(1, 2000)), lease_s=60)
                await asyncio.sleep(0.005)

        try:
            background = [asyncio.create_task(worker(f"w{n}")) for n in range(3)] + [
                asyncio.create_task(reaper())
            ]
            made = await asyncio.gather(*(asker(n) for n in range(4)))
            for _ in range(1200):
                if not (await items(sm, status="queued") or await items(sm, status="running")):
                    break
                await asyncio.sleep(0.05)
            stop.set()
            await asyncio.gather(*background)
        finally:
            stop.set()
            await engine.dispose()
        async with sessions() as s:
            rows = (
                await s.scalars(
                    select(RefreshRequest).where(RefreshRequest.id.in_([r for m in made for r in m]))
                )
            ).all()
        assert {(r.status, r.succeeded, r.failed) for r in rows} == {("succeeded", 60, 0)}
