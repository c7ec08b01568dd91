"""Read-only transactions: on SQLite they begin deferred (no write lock, so they read while a
writer holds it) and cannot write; the next ordinary transaction on the same connection writes
as before. Endpoints opt in with ``reads_only``; only their GET and HEAD requests are read-only."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import Request
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from socialpulse.db.engine import READ_ONLY, make_engine
from socialpulse.db.session import is_read_only, reads_only
from tests.conftest import Tenant
from tests.tracking.helpers import create_account


async def _endpoint() -> None: ...


def _request(method: str, endpoint: Any) -> Request:
    return Request({"type": "http", "method": method, "endpoint": endpoint, "headers": []})


class TestIsReadOnly:
    def test_get_and_head_of_a_marked_endpoint(self) -> None:
        marked = reads_only(_endpoint)
        assert marked is _endpoint
        assert is_read_only(_request("GET", marked))
        assert is_read_only(_request("HEAD", marked))

    def test_other_methods_and_unmarked_endpoints(self) -> None:
        marked = reads_only(_endpoint)
        assert not is_read_only(_request("POST", marked))
        assert not is_read_only(_request("DELETE", marked))

        async def plain() -> None: ...

        assert not is_read_only(_request("GET", plain))
        assert not is_read_only(_request("GET", None))


class TestSQLiteReadOnly:
    async def test_reads_while_a_writer_holds_the_lock(self, tmp_path: Path) -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'ro.db'}", pool_size=2)
        try:
            async with engine.begin() as conn:
                await conn.execute(text("CREATE TABLE t (x INTEGER)"))
                await conn.execute(text("INSERT INTO t VALUES (1)"))
            async with engine.connect() as writer:
                await writer.execute(text("INSERT INTO t VALUES (2)"))  # holds the write lock
                async with engine.connect() as reader:
                    reader = await reader.execution_options(**{READ_ONLY: True})
                    seen = await asyncio.wait_for(reader.scalar(text("SELECT count(*) FROM t")), 5)
                    assert seen == 1  # the committed snapshot, without waiting for the writer
                    await reader.rollback()
                await writer.commit()
        finally:
            await engine.dispose()

    async def test_cannot_write_and_the_connection_writes_again_after(self, tmp_path: Path) -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'ro.db'}", pool_size=1)
        try:
            async with engine.begin() as conn:
                await conn.execute(text("CREATE TABLE t (x INTEGER)"))
            async with engine.connect() as conn:
                conn = await conn.execution_options(**{READ_ONLY: True})
                with pytest.raises(OperationalError, match="readonly"):
                    await conn.execute(text("INSERT INTO t VALUES (1)"))
                await conn.rollback()
            async with engine.begin() as conn:  # the same pooled connection, an ordinary transaction
                await conn.execute(text("INSERT INTO t VALUES (1)"))
            async with engine.connect() as conn:
                assert await conn.scalar(text("SELECT count(*) FROM t")) == 1
        finally:
            await engine.dispose()


class TestReadOnlyEndpoints:
    async def test_report_answers_while_a_writer_holds_the_lock(
        self, app: Any, client: httpx.AsyncClient, alice: Tenant
    ) -> None:
        account = await create_account(client, alice, "instagram", "alice.runs")
        path = f"/v1/accounts/{account['id']}/report"
        engine = app.state.engine
        if engine.dialect.name != "sqlite":
            r = await client.get(path, headers=alice.headers)
            assert r.status_code == 200, r.text
            return
        async with engine.connect() as writer:
            await writer.execute(text("UPDATE accounts SET display_name = 'busy'"))
            r = await asyncio.wait_for(client.get(path, headers=alice.headers), 10)
            assert r.status_code == 200, r.text
            assert r.json()["profile_overview"]["handle"] == "alice.runs"
            await writer.rollback()
        r = await client.post(
            "/v1/accounts", json={"platform": "youtube", "handle": "@natgeo"}, headers=alice.headers
        )
        assert r.status_code == 201, r.text  # writes still work on the pooled connections
