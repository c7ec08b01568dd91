"""Helpers that pick the right SQL construct for the session's dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def dialect_insert(session: AsyncSession | AsyncEngine, table: Any) -> Any:
    """``INSERT`` with ``on_conflict_do_*`` for the session's or engine's dialect (PostgreSQL
    or SQLite)."""
    name = session.dialect.name if isinstance(session, AsyncEngine) else dialect_name(session)
    if name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
