"""Refresh requests: what a request selects, and its status."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from socialpulse.db.engine import transaction
from socialpulse.errors import NotFound
from socialpulse.models import AccountTag, RefreshRequest
from socialpulse.models.enums import Platform
from socialpulse.refresh.service import NEW_ENTITY_PRIORITY, refresh_service
from socialpulse.refresh.worker import Worker
from socialpulse.tracking.schemas import AccountFilters
from tests.conftest import Tenant
from tests.refresh.conftest import Sessions, add_accounts, add_posts, drain, items
from tests.refresh.fakes import FakeConnector


async def create(sessions: Sessions, user: Tenant, **kw: object) -> RefreshRequest:
    async with transaction(sessions) as s:
        return await refresh_service.create_request(s, user_id=user.user_id, **kw)  # type: ignore[arg-type]


def entities(rows: list) -> set[tuple[str, int]]:  # type: ignore[type-arg]
    return {(i.kind, i.entity_id) for i in rows}


class TestCreateRequest:
    async def test_nothing_means_everything_of_the_caller(
        self, sessions: Sessions, user: Tenant, other: Tenant
    ) -> None:
        a1, a2 = await add_accounts(sessions, user.user_id, ["a", "b"])
        p1, p2 = await add_posts(sessions, user.user_id, ["x", "y"])
        await add_accounts(sessions, other.user_id, ["c"])
        await add_posts(sessions, other.user_id, ["z"])
        req = await create(sessions, user)
        assert (req.status, req.total, req.origin) == ("pending", 4, "api")
        assert entities(await items(sessions)) == {
            ("account", a1),
            ("account", a2),
            ("post", p1),
            ("post", p2),
        }

    async def test_filters_select_accounts_and_their_posts(self, sessions: Sessions, user: Tenant) -> None:
        yt, bs = (
            await add_accounts(sessions, user.user_id, ["yt"]),
            await add_accounts(sessions, user.user_id, ["bs"], platform="bluesky"),
        )
        [p_yt] = await add_posts(sessions, user.user_id, ["v"], account_id=yt[0])
        await add_posts(sessions, user.user_id, ["s"], platform="bluesky", account_id=bs[0])
        await add_posts(sessions, user.user_id, ["loose"])  # no account: not selected by filters
        req = await create(sessions, user, filters=AccountFilters(platform=Platform.youtube))
        assert req.total == 2
        assert entities(await items(sessions)) == {("account", yt[0]), ("post", p_yt)}
        assert req.params["filters"] == {"platform": "youtube"}

    async def test_filters_narrow_named_accounts(self, sessions: Sessions, user: Tenant) -> None:
        a, b = await add_accounts(sessions, user.user_id, ["a", "b"])
        async with transaction(sessions) as s:
            s.add(AccountTag(account_id=b, tag="client"))
        req = await create(sessions, user, account_ids=[a, b], filters=AccountFilters(tag="client"))
        assert req.total == 1
        assert entities(await items(sessions)) == {("account", b)}

    async def test_named_posts_alone_or_with_filtered_accounts(
        self, sessions: Sessions, user: Tenant
    ) -> None:
        [yt] = await add_accounts(sessions, user.user_id, ["yt"])
        await add_accounts(sessions, user.user_id, ["bs"], platform="bluesky")
        [p1, _] = await add_posts(sessions, user.user_id, ["x", "y"], account_id=yt)
        only = await create(sessions, user, post_ids=[p1])
        assert only.total == 1
        both = await create(sessions, user, post_ids=[p1], filters=AccountFilters(platform=Platform.youtube))
        assert both.total == 2
        assert entities(await items(sessions)) == {("post", p1), ("account", yt)}

    async def test_paused_accounts_are_skipped_with_a_note(self, sessions: Sessions, user: Tenant) -> None:
        [live] = await add_accounts(sessions, user.user_id, ["live"])
        [paused] = await add_accounts(sessions, user.user_id, ["zzz"], paused=True)
        await add_posts(sessions, user.user_id, ["of-paused"], account_id=paused)
        req = await create(sessions, user)
        assert entities(await items(sessions)) == {("account", live)}
        assert any(f"({paused})" in n and "paused" in n for n in req.notes)
        assert any("1 post(s) of paused accounts" in n for n in req.notes)
        named = await create(sessions, user, account_ids=[paused])
        assert (named.total, named.status) == (0, "succeeded")
        assert named.finished_at is not None
        assert "nothing to refresh" in named.notes

    async def test_unknown_and_other_users_ids_are_named(
        self, sessions: Sessions, user: Tenant, other: Tenant
    ) -> None:
        [mine] = await add_accounts(sessions, user.user_id, ["mine"])
        [theirs] = await add_accounts(sessions, other.user_id, ["theirs"])
        [their_post] = await add_posts(sessions, other.user_id, ["p"])
        with pytest.raises(NotFound) as err:
            await create(sessions, user, account_ids=[mine, theirs, 999])
        assert f"{theirs}, 999" in err.value.detail
        assert err.value.extra == {"missing": {"account_ids": [theirs, 999]}}
        with pytest.raises(NotFound, match=str(their_post)):
            await create(sessions, user, post_ids=[their_post])
        assert await items(sessions) == []

    async def test_new_entities_are_refreshed_first(self, sessions: Sessions, user: Tenant) -> None:
        [a] = await add_accounts(sessions, user.user_id, ["a"])
        async with transaction(sessions) as s:
            assert await refresh_service.enqueue_new_entities(s, user.user_id) is None
            req = await refresh_service.enqueue_new_entities(s, user.user_id, account_ids=[a])
        assert req is not None
        assert req.origin == "track"
        assert [(i.entity_id, i.priority) for i in await items(sessions)] == [(a, NEW_ENTITY_PRIORITY)]


class TestStatus:
    async def test_counts_errors_and_other_users(
        self, sessions: Sessions, user: Tenant, other: Tenant, worker: Worker, connector: FakeConnector
    ) -> None:
        connector.add_account("ok")
        ok, gone = await add_accounts(sessions, user.user_id, ["ok", "gone"])
        req = await create(sessions, user, account_ids=[ok, gone])
        async with sessions() as s:
            before = await refresh_service.get_status(s, user.user_id, req.public_id)
        assert (before.status, before.total, before.queued, before.running, before.errors) == (
            "pending",
            2,
            2,
            0,
            [],
        )
        await drain(worker)
        async with sessions() as s:
            after = await refresh_service.get_status(s, user.user_id, req.public_id)
            with pytest.raises(NotFound):
                await refresh_service.get_status(s, other.user_id, req.public_id)
        assert (after.status, after.succeeded, after.failed, after.queued, after.running) == (
            "partial",
            1,
            1,
            0,
            0,
        )
        assert after.started_at is not None
        assert after.finished_at is not None
        assert after.finished
        [error] = after.errors
        assert error.model_dump() == {
            "kind": "account",
            "entity_id": gone,
            "platform": "youtube",
            "code": "not_found",
            "message": "no account @gone",
            "attempts": 1,
        }

    async def test_wait_for_returns_when_finished_or_timed_out(
        self, sessions: Sessions, user: Tenant, worker: Worker, connector: FakeConnector
    ) -> None:
        connector.add_account("a")
        [a] = await add_accounts(sessions, user.user_id, ["a"])
        req = await create(sessions, user, account_ids=[a])
        waited = await refresh_service.wait_for(sessions, req.public_id, timeout_s=0.05, poll_s=0.01)
        assert not waited.finished
        assert waited.status == "pending"
        await drain(worker)
        done = await refresh_service.wait_for(sessions, req.public_id, timeout_s=5)
        assert done.finished
        assert done.status == "succeeded"
        with pytest.raises(NotFound):
            await refresh_service.wait_for(sessions, "nope", timeout_s=0)

    async def test_request_rows(self, sessions: Sessions, user: Tenant) -> None:
        [a] = await add_accounts(sessions, user.user_id, ["a"])
        req = await create(sessions, user, account_ids=[a], priority=10, origin="compat:ylytic")
        async with sessions() as s:
            row = await s.scalar(select(RefreshRequest).where(RefreshRequest.public_id == req.public_id))
        assert row is not None
        assert row.origin == "compat:ylytic"
        assert row.params == {"priority": 10, "account_ids": [a]}
