"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from socialpulse.db.base import Base
from socialpulse.db.migrate import current_revision, head_revision, upgrade


def _diff(conn: Connection) -> list[Any]:
    ctx = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(ctx, Base.metadata))


def _indexes(conn: Connection, table: str) -> set[str]:
    return {ix["name"] for ix in inspect(conn).get_indexes(table) if ix["name"]}


class TestUpgrade:
    async def test_schema_is_at_head(self, engine: AsyncEngine) -> None:
        assert await current_revision(engine) == head_revision()

    async def test_upgrade_is_idempotent(self, engine: AsyncEngine) -> None:
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()

    async def test_models_and_migrations_agree(self, engine: AsyncEngine) -> None:
        async with engine.connect() as conn:
            diff = await conn.run_sync(_diff)
        assert diff == [], "models changed without a migration: run scripts/new_migration.py"

    async def test_history_range_indexes_exist(self, engine: AsyncEngine) -> None:
        async with engine.connect() as conn:
            acc = await conn.run_sync(_indexes, "account_snapshots")
            post = await conn.run_sync(_indexes, "post_snapshots")
        assert "ix_account_snapshots_account_id_fetched_at" in acc
        assert "ix_post_snapshots_post_id_fetched_at" in post
