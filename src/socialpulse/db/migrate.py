"""Alembic, driven from code: ``upgrade`` runs at start of ``serve`` and ``worker``."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def _upgrade(connection: Connection, url: str) -> None:
    cfg = alembic_config(url)
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


async def upgrade(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision (idempotent; serialised on PostgreSQL)."""
    async with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            from sqlalchemy import text

            # one upgrader at a time when many processes start together
            await conn.execute(text("SELECT pg_advisory_lock(727274)"))
            await conn.commit()
        try:
            await conn.run_sync(_upgrade, engine.url.render_as_string(hide_password=False))
            await conn.commit()
        finally:
            if conn.dialect.name == "postgresql":
                from sqlalchemy import text

                await conn.execute(text("SELECT pg_advisory_unlock(727274)"))
                await conn.commit()


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


def upgrade_sync(engine: AsyncEngine) -> None:
    asyncio.run(upgrade(engine))
