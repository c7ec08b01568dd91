from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from socialpulse import __version__
from socialpulse.app import create_app
from socialpulse.config import Settings
from socialpulse.db.migrate import head_revision
from socialpulse.kit.time import utcnow
from socialpulse.models import RefreshItem, User, WorkerHeartbeat
from socialpulse.models.enums import Platform


async def add_rows(app: Any, *rows: Any) -> None:
    async with app.state.sessions() as s, s.begin():
        s.add_all(rows)


class TestHealthz:
    async def test_no_worker_is_degraded(self, client: httpx.AsyncClient, app: Any) -> None:
        r = await client.get("/healthz")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "degraded"
        assert body["database"] == {"reachable": True, "dialect": app.state.engine.dialect.name}
        assert body["schema"] == {"current": head_revision(), "head": head_revision(), "up_to_date": True}
        assert body["worker"] == {"newest_heartbeat_age_s": None, "workers": 0}
        assert set(body["queue"]) == {p.value for p in Platform}
        assert body["queue"]["youtube"] == {"queued": 0, "running": 0, "failed_last_24h": 0}
        assert body["version"] == __version__

    async def test_live_worker_and_queue(self, client: httpx.AsyncClient, app: Any) -> None:
        now = utcnow()
        async with app.state.sessions() as s, s.begin():
            user = User(email="q@example.com")
            s.add(user)
            await s.flush()
            uid = user.id
        item = {"user_id": uid, "kind": "account"}
        await add_rows(
            app,
            WorkerHeartbeat(worker_id="w1", hostname="h", pid=1, heartbeat_at=now - timedelta(seconds=2)),
            WorkerHeartbeat(worker_id="w2", hostname="h", pid=2, heartbeat_at=now - timedelta(hours=1)),
            RefreshItem(platform="youtube", entity_id=1, status="queued", **item),
            RefreshItem(platform="youtube", entity_id=2, status="queued", **item),
            RefreshItem(platform="youtube", entity_id=3, status="running", **item),
            RefreshItem(
                platform="youtube", entity_id=4, status="failed", finished_at=now - timedelta(hours=1), **item
            ),
            RefreshItem(
                platform="youtube", entity_id=5, status="failed", finished_at=now - timedelta(days=2), **item
            ),
            RefreshItem(platform="youtube", entity_id=6, status="succeeded", finished_at=now, **item),
            RefreshItem(platform="bluesky", entity_id=7, status="failed", finished_at=now, **item),
        )
        r = await client.get("/healthz")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "ok"
        assert body["worker"]["workers"] == 1
        assert 0 <= body["worker"]["newest_heartbeat_age_s"] < 60
        assert body["queue"]["youtube"] == {"queued": 2, "running": 1, "failed_last_24h": 1}
        assert body["queue"]["bluesky"] == {"queued": 0, "running": 0, "failed_last_24h": 1}
        assert body["queue"]["x"] == {"queued": 0, "running": 0, "failed_last_24h": 0}

    async def test_stale_worker_only_is_degraded(self, client: httpx.AsyncClient, app: Any) -> None:
        await add_rows(
            app,
            WorkerHeartbeat(worker_id="w", hostname="h", pid=1, heartbeat_at=utcnow() - timedelta(minutes=5)),
        )
        body = (await client.get("/healthz")).json()
        assert body["status"] == "degraded"
        assert body["worker"]["workers"] == 0
        assert body["worker"]["newest_heartbeat_age_s"] >= 300

    async def test_needs_no_credentials_even_with_a_bad_header(self, client: httpx.AsyncClient) -> None:
        r = await client.get("/healthz", headers={"Authorization": "Bearer nonsense"})
        assert r.status_code == 200


@asynccontextmanager
async def client_of(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app on ``database_url``, which is neither migrated nor checked at start."""
    settings = Settings(
        database_url=database_url,
        secret_key="test-secret-" + "x" * 40,
        embedded_worker=False,
        scheduler_enabled=False,
        _env_file=None,
    )
    application = create_app(settings, run_workers=False, migrate=False)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield c


class TestHealthzDatabaseDown:
    async def test_unreachable_database_is_503_error(self) -> None:
        async with client_of("postgresql://nobody@127.0.0.1:1/nothing") as c:
            r = await c.get("/healthz")
        assert r.status_code == 503, r.text
        body = r.json()
        assert body["status"] == "error"
        assert body["database"] == {"reachable": False, "dialect": "postgresql"}
        assert body["schema"]["up_to_date"] is False
        assert body["schema"]["head"] == head_revision()
        assert body["queue"] == {}

    async def test_database_without_schema_is_degraded(self, tmp_path: Path) -> None:
        async with client_of(f"sqlite:///{tmp_path / 'empty.db'}") as c:
            r = await c.get("/healthz")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "degraded"
        assert body["database"]["reachable"] is True
        assert body["schema"] == {"current": None, "head": head_revision(), "up_to_date": False}
        assert body["worker"] == {"newest_heartbeat_age_s": None, "workers": 0}
