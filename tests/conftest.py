"""Shared fixtures. Storage tests run on SQLite always and on PostgreSQL when
``SOCIALPULSE_TEST_DATABASE_URL`` answers; otherwise the PostgreSQL cases are skipped
with a reason that says so.

Each test gets an empty, migrated database: on SQLite a copy of a template file that
was upgraded once; on PostgreSQL a database created for this test session (so that
concurrent runs never meet), truncated after each test.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from socialpulse.app import create_app
from socialpulse.auth.service import auth
from socialpulse.config import Settings
from socialpulse.db.base import Base
from socialpulse.db.engine import make_engine, make_sessionmaker
from socialpulse.db.migrate import upgrade

PG_ENV = "SOCIALPULSE_TEST_DATABASE_URL"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _pg_admin_url() -> str | None:
    raw = os.environ.get(PG_ENV)
    if not raw:
        return None
    return Settings(database_url=raw, secret_key="x" * 32).database_url


async def _pg_answers(url: str) -> str | None:
    try:
        eng = create_async_engine(url, isolation_level="AUTOCOMMIT")
        async with eng.connect() as conn:
            await conn.execute(text("SELECT 1"))
        await eng.dispose()
        return None
    except Exception as exc:  # any failure means "not answering"
        return f"{exc.__class__.__name__}: {exc}".splitlines()[0][:200]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")

    async def go() -> None:
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(go())
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A PostgreSQL database of this test session, migrated; dropped at the end."""
    admin = _pg_admin_url()
    if admin is None:
        pytest.skip(f"PostgreSQL cases skipped: {PG_ENV} is not set (.ci/run sets it)")
    reason = asyncio.run(_pg_answers(admin))
    if reason:
        pytest.skip(f"PostgreSQL cases skipped: {PG_ENV}={admin} does not answer ({reason})")
    name = f"sp_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)

    async def create() -> None:
        eng = create_async_engine(admin, isolation_level="AUTOCOMMIT")
        async with eng.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        await eng.dispose()
        e = make_engine(url)
        await upgrade(e)
        await e.dispose()

    async def drop() -> None:
        eng = create_async_engine(admin, isolation_level="AUTOCOMMIT")
        async with eng.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await eng.dispose()

    asyncio.run(create())
    try:
        yield url
    finally:
        asyncio.run(drop())


TABLES = [t.name for t in reversed(Base.metadata.sorted_tables)]


async def _truncate(url: str) -> None:
    eng = create_async_engine(url)
    async with eng.begin() as conn:
        # only the tables the migrations created (a model may be ahead of its migration)
        present = set((await conn.execute(text("SELECT tablename FROM pg_tables"))).scalars())
        tables = [t for t in TABLES if t in present]
        await conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
    await eng.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """The URL of an empty, migrated database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = request.getfixturevalue("pg_database")
    yield url
    asyncio.run(_truncate(url))


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only, for tests that do not touch the dialect-specific parts."""
    path = tmp_path / "test.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(
        database_url=db_url,
        secret_key="test-secret-" + "x" * 40,
        embedded_worker=False,
        scheduler_enabled=False,
        worker_poll_s=0.05,
        analytics_renew_s=0,  # renewal is tested on its own (tests/analytics/test_renewal.py)
        retry_base_s=0.0,
        http_retries=0,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(settings.database_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessions() as s:
        yield s


@dataclass
class Tenant:
    user_id: int
    email: str
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


async def make_tenant(
    sessions: async_sessionmaker[AsyncSession], email: str, password: str | None = None
) -> Tenant:
    async with sessions() as s, s.begin():
        user = await auth.create_user(s, email, password)
        _, key = await auth.create_key(s, user)
        return Tenant(user_id=user.id, email=user.email, key=key)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Any]:
    application = create_app(settings, run_workers=False, migrate=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
async def alice(app: Any) -> Tenant:
    return await make_tenant(app.state.sessions, "alice@example.com", password="wonderland-42")


@pytest.fixture
async def bob(app: Any) -> Tenant:
    return await make_tenant(app.state.sessions, "bob@example.com")
