from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Executable, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from socialpulse.models import Account, Post, User
from socialpulse.models.stats import ACCOUNT_METRICS, POST_METRICS
from socialpulse.stats import repository as stats_repo
from socialpulse.stats.schemas import StatsWindow
from tests.conftest import Tenant
from tests.tracking.helpers import (
    add_account_snapshot,
    add_post_snapshot,
    create_account,
    create_post,
    fields,
    problem,
)

D1 = datetime(2024, 5, 1, tzinfo=UTC)

# (offset from May 1st 00:00 UTC, followers): the last of each UTC day is marked
ACCOUNT_HISTORY = [
    (timedelta(hours=8), 10),
    (timedelta(hours=20), 12),
    (timedelta(days=1, microseconds=-500_000), 13),  # May 1st 23:59:59.5 <- last of May 1st
    (timedelta(days=1), 14),  # May 2nd 00:00:00
    (timedelta(days=1, hours=12), None),  # <- last of May 2nd (followers not reported)
    (timedelta(days=3, hours=9), 20),  # May 4th <- last of May 4th
]


async def seed_account(client: httpx.AsyncClient, alice: Tenant, app: Any) -> int:
    a = await create_account(client, alice)
    for offset, followers in ACCOUNT_HISTORY:
        await add_account_snapshot(
            app,
            a["id"],
            D1 + offset,
            followers=followers,
            views=int(offset.total_seconds()),
            extras={"hour": (D1 + offset).hour},
            connector="youtube-data-v3",
            api_version="v3",
        )
    return int(a["id"])


def followers(body: dict[str, Any]) -> list[int | None]:
    return [i["followers"] for i in body["items"]]


class TestAccountStats:
    async def test_raw_is_every_snapshot_in_time_order(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        account_id = await seed_account(client, alice, app)
        r = await client.get(f"/v1/accounts/{account_id}/stats", headers=alice.headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["account_id"], body["interval"], body["start"], body["end"]) == (
            account_id,
            "raw",
            None,
            None,
        )
        assert followers(body) == [10, 12, 13, 14, None, 20]
        item = body["items"][0]
        assert set(item) == {"fetched_at", *ACCOUNT_METRICS, "source", "extras"}
        assert item["fetched_at"].startswith("2024-05-01T08:00:00")
        assert item["source"] == {"connector": "youtube-data-v3", "api_version": "v3"}
        assert item["extras"] == {"hour": 8}
        assert item["following"] is None

    async def test_day_is_the_last_snapshot_of_each_utc_day(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        account_id = await seed_account(client, alice, app)
        r = await client.get(
            f"/v1/accounts/{account_id}/stats", params={"interval": "day"}, headers=alice.headers
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["interval"] == "day"
        assert followers(body) == [13, None, 20]
        assert [i["fetched_at"][:10] for i in body["items"]] == ["2024-05-01", "2024-05-02", "2024-05-04"]

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            (
                {"start": "2024-05-02", "end": "2024-05-02"},
                [14, None],
            ),  # a date-only end is the end of that day
            (
                {"start": "2024-05-01T20:00:00Z", "end": "2024-05-02T00:00:00Z"},
                [12, 13, 14],
            ),  # both inclusive
            (
                {"start": "2024-05-01T22:00:00+02:00", "end": "2024-05-01T22:00:00"},
                [12],
            ),  # offsets; naive is UTC
            ({"start": "2024-05-03"}, [20]),
            ({"end": "2024-05-01"}, [10, 12, 13]),
            ({"start": "2024-06-01"}, []),
            ({"start": "2024-05-01", "end": "2024-05-02", "interval": "day"}, [13, None]),
        ],
    )
    async def test_window(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        app: Any,
        params: dict[str, str],
        expected: list[int | None],
    ) -> None:
        account_id = await seed_account(client, alice, app)
        r = await client.get(f"/v1/accounts/{account_id}/stats", params=params, headers=alice.headers)
        assert r.status_code == 200, r.text
        assert followers(r.json()) == expected

    async def test_window_is_echoed_in_utc(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        account_id = await seed_account(client, alice, app)
        r = await client.get(
            f"/v1/accounts/{account_id}/stats",
            params={"start": "2024-05-01T02:00:00+02:00", "end": "2024-05-02"},
            headers=alice.headers,
        )
        body = r.json()
        assert datetime.fromisoformat(body["start"]) == datetime(2024, 5, 1, tzinfo=UTC)
        assert datetime.fromisoformat(body["end"]) == datetime(2024, 5, 2, 23, 59, 59, 999999, tzinfo=UTC)

    async def test_end_before_start_is_400_naming_both(
        self, client: httpx.AsyncClient, alice: Tenant
    ) -> None:
        a = await create_account(client, alice)
        body = problem(
            await client.get(
                f"/v1/accounts/{a['id']}/stats",
                params={"start": "2024-05-02", "end": "2024-05-01"},
                headers=alice.headers,
            ),
            400,
        )
        assert "end" in body["detail"]
        assert "start" in body["detail"]

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"start": "yesterday"}, "start"),
            ({"end": "2024-02-30"}, "end"),
            ({"start": "2024-05-01T25:00:00"}, "start"),
            ({"interval": "week"}, "interval"),
        ],
    )
    async def test_bad_parameters_name_the_field(
        self, client: httpx.AsyncClient, alice: Tenant, params: dict[str, str], field: str
    ) -> None:
        a = await create_account(client, alice)
        body = problem(
            await client.get(f"/v1/accounts/{a['id']}/stats", params=params, headers=alice.headers), 422
        )
        assert fields(body) == {field}
        assert field in body["detail"]

    async def test_unknown_and_bad_ids(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        body = problem(await client.get("/v1/accounts/12/stats", headers=alice.headers), 404)
        assert body["detail"] == "account 12 not found"
        problem(await client.get("/v1/accounts/twelve/stats", headers=alice.headers), 422)


class TestPostStats:
    async def test_raw_and_day(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        p = await create_post(client, alice)
        for hours, views in [(1, 100), (5, 150), (26, 400), (27, 420)]:
            await add_post_snapshot(app, p["id"], D1 + timedelta(hours=hours), views=views, plays=None)
        r = await client.get(f"/v1/posts/{p['id']}/stats", headers=alice.headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["post_id"] == p["id"]
        assert [i["views"] for i in body["items"]] == [100, 150, 400, 420]
        assert set(body["items"][0]) == {"fetched_at", *POST_METRICS, "source", "extras"}
        assert body["items"][0]["plays"] is None
        r = await client.get(f"/v1/posts/{p['id']}/stats", params={"interval": "day"}, headers=alice.headers)
        assert [i["views"] for i in r.json()["items"]] == [150, 420]
        r = await client.get(
            f"/v1/posts/{p['id']}/stats",
            params={"start": "2024-05-02", "interval": "day"},
            headers=alice.headers,
        )
        assert [i["views"] for i in r.json()["items"]] == [420]

    async def test_bad_input(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        p = await create_post(client, alice)
        problem(
            await client.get(
                f"/v1/posts/{p['id']}/stats",
                params={"start": "2024-05-03T00:00:00Z", "end": "2024-05-02"},
                headers=alice.headers,
            ),
            400,
        )
        assert fields(
            problem(
                await client.get(f"/v1/posts/{p['id']}/stats", params={"end": "soon"}, headers=alice.headers),
                422,
            )
        ) == {"end"}
        assert problem(await client.get("/v1/posts/44/stats", headers=alice.headers), 404)["detail"] == (
            "post 44 not found"
        )


class explain(Executable, ClauseElement):
    """``EXPLAIN`` of a statement, with its parameters bound as usual."""

    inherit_cache = False

    def __init__(self, statement: Any) -> None:
        self.statement = statement


@compiles(explain, "sqlite")
def _explain_sqlite(element: explain, compiler: SQLCompiler, **kw: Any) -> str:
    return "EXPLAIN QUERY PLAN " + compiler.process(element.statement, **kw)


@compiles(explain, "postgresql")
def _explain_postgresql(element: explain, compiler: SQLCompiler, **kw: Any) -> str:
    return "EXPLAIN " + compiler.process(element.statement, **kw)


async def plan(session: AsyncSession, statement: Any) -> str:
    rows = (await session.execute(explain(statement))).all()
    return "\n".join(" ".join(str(c) for c in row) for row in rows)


class TestHistoryQueryPlan:
    """History is read with an index range scan on (entity id, fetched_at), on both dialects."""

    @pytest.mark.parametrize("interval", ["raw", "day"])
    async def test_account_history_uses_the_index(self, session: AsyncSession, interval: str) -> None:
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(text("SET LOCAL enable_seqscan = off"))
        window = StatsWindow(start=D1, end=D1 + timedelta(days=30), interval=interval)  # type: ignore[arg-type]
        found = await plan(session, stats_repo.account_history(1, window))
        assert "ix_account_snapshots_account_id_fetched_at" in found, found
        if session.get_bind().dialect.name == "sqlite":
            assert "USING INDEX ix_account_snapshots_account_id_fetched_at" in found, found
        await session.rollback()

    async def test_post_history_and_latest_use_the_index(self, session: AsyncSession) -> None:
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(text("SET LOCAL enable_seqscan = off"))
        found = await plan(session, stats_repo.post_history(1, StatsWindow(start=D1, interval="day")))
        assert "ix_post_snapshots_post_id_fetched_at" in found, found
        found = await plan(session, stats_repo.latest_account_snapshots([1, 2, 3]))
        assert "ix_account_snapshots_account_id_fetched_at" in found, found
        found = await plan(session, stats_repo.latest_post_snapshots([1, 2, 3]))
        assert "ix_post_snapshots_post_id_fetched_at" in found, found
        await session.rollback()


class TestDayBucketsAreUTC:
    async def test_session_time_zone_does_not_move_days(self, session: AsyncSession) -> None:
        """PostgreSQL shows timestamptz in the session's zone: days must still be UTC days."""
        user = User(email="tz@example.com")
        session.add(user)
        await session.flush()
        account = Account(user_id=user.id, platform="x", handle="tz")
        post = Post(user_id=user.id, platform="x", social_id="1")
        session.add_all([account, post])
        await session.flush()
        from socialpulse.models import AccountSnapshot

        for hours, followers in [(1, 1), (23, 2), (25, 3)]:  # May 1st 01:00, 23:00; May 2nd 01:00 UTC
            session.add(
                AccountSnapshot(
                    account_id=account.id,
                    fetched_at=D1 + timedelta(hours=hours),
                    connector="t",
                    api_version="1",
                    followers=followers,
                )
            )
        await session.flush()
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(text("SET LOCAL TIME ZONE 'Asia/Tokyo'"))  # UTC+9 would split differently
        rows = await session.scalars(stats_repo.account_history(account.id, StatsWindow(interval="day")))
        assert [s.followers for s in rows] == [2, 3]
        await session.rollback()
