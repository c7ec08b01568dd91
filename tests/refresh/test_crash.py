"""A worker killed with SIGKILL in the middle of a batch loses nothing and writes nothing
twice: another worker takes its items over once their lease has expired. A worker told to
stop (SIGTERM) puts what it holds back in the queue."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from socialpulse.config import Settings
from socialpulse.db.engine import transaction
from socialpulse.emulator.app import EmulatorConfig, create_emulator_app
from socialpulse.models import AccountSnapshot, PostSnapshot, RefreshItem, WorkerHeartbeat
from socialpulse.refresh.runtime import Runtime
from socialpulse.refresh.service import refresh_service
from tests.conftest import Tenant
from tests.refresh.conftest import Sessions, add_accounts, items, snapshot_counts
from tests.refresh.fakes import crash_registry

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = 40  # four batches of ten
WORKER = """
import asyncio
from socialpulse.config import Settings
from socialpulse.refresh.runtime import run_worker
from tests.refresh.fakes import crash_registry

# the first call answers at once, every later one hangs: one batch commits, two are in flight
asyncio.run(run_worker(Settings(), registry=crash_registry({accounts}, delay=3600, slow_after=1)))
"""


EMULATOR = """
from socialpulse.emulator.app import EmulatorConfig, serve

serve({port}, EmulatorConfig(seed=42, latency_ms=3000.0))
"""
STOPPING_WORKER = """
import asyncio
from socialpulse.config import Settings
from socialpulse.refresh.runtime import run_worker
from tests.refresh.fakes import crash_registry

asyncio.run(run_worker(Settings(), registry=crash_registry({accounts}, delay=3600, slow_after=0), stop_grace_s=0.5))
"""
REAL_WORKER = """
import asyncio
from socialpulse.config import Settings
from socialpulse.refresh.runtime import run_worker

asyncio.run(run_worker(Settings()))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start(code: str, env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("w") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, env=env, cwd=log.parent, stdout=out, stderr=asyncio.subprocess.STDOUT
        )


async def stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.kill()
    await asyncio.wait_for(proc.wait(), 30)


@pytest.fixture
async def emulator_url(tmp_path: Path) -> AsyncIterator[str]:
    """The emulator, slow (3 s an answer), served by another process on a free port."""
    port = free_port()
    log = tmp_path / "emulator.log"
    proc = await start(EMULATOR.format(port=port), {**os.environ, "PYTHONPATH": str(ROOT)}, log)
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                try:
                    if (await client.get(f"{url}/_emulator/config")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.returncode is None, log.read_text()
                await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"the emulator never answered\n{log.read_text()}")
        yield url
    finally:
        await stop(proc)


def worker_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        SOCIALPULSE_DATABASE_URL=settings.database_url,
        SOCIALPULSE_SECRET_KEY=settings.secret_key,
        SOCIALPULSE_WORKER_CONCURRENCY="2",
        SOCIALPULSE_WORKER_POLL_S="0.05",
        SOCIALPULSE_LEASE_S="5",
        SOCIALPULSE_HEARTBEAT_S="1",
        SOCIALPULSE_SCHEDULER_ENABLED="false",
    )
    return env


async def counts(sessions: Sessions) -> dict[str, int]:
    async with sessions() as s:
        rows = await s.execute(select(RefreshItem.status, func.count()).group_by(RefreshItem.status))
        return {status: n for status, n in rows}


class TestCrash:
    async def test_a_killed_worker_loses_nothing_and_writes_nothing_twice(
        self, sessions: Sessions, settings: Settings, user: Tenant, tmp_path: Path
    ) -> None:
        ids = await add_accounts(sessions, user.user_id, [f"a{n}" for n in range(ACCOUNTS)])
        async with transaction(sessions) as s:
            request = await refresh_service.create_request(s, user_id=user.user_id, account_ids=ids)

        log = tmp_path / "worker.log"
        proc = await start(WORKER.format(accounts=ACCOUNTS), worker_env(settings), log)
        try:
            seen: dict[str, int] = {}
            for _ in range(600):  # one batch written, two in flight
                seen = await counts(sessions)
                if seen.get("succeeded") == 10 and seen.get("running") == 20:
                    break
                assert proc.returncode is None, log.read_text()
                await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"the worker never got mid-batch: {seen}\n{log.read_text()}")
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            await stop(proc)
        assert proc.returncode == -signal.SIGKILL
        written = await snapshot_counts(sessions)
        assert len(written) == 10
        assert set(written.values()) == {1}
        dead = {i.id for i in await items(sessions, status="running")}

        # another worker, fast this time, with a short lease
        survivor = settings.model_copy(update={"lease_s": 5, "heartbeat_s": 1, "worker_concurrency": 2})
        runtime = Runtime(survivor, sessions, registry=crash_registry(ACCOUNTS, delay=0, slow_after=0))
        await runtime.start()
        try:
            status = await refresh_service.wait_for(sessions, request.public_id, timeout_s=120, poll_s=0.1)
        finally:
            await runtime.stop()

        assert (status.status, status.succeeded, status.failed) == ("succeeded", ACCOUNTS, 0)
        assert await counts(sessions) == {"succeeded": ACCOUNTS}
        assert await snapshot_counts(sessions) == dict.fromkeys(ids, 1)
        taken_over = [i for i in await items(sessions) if i.id in dead]
        assert len(taken_over) == 20
        assert {i.attempts for i in taken_over} == {2}
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(AccountSnapshot)) == ACCOUNTS

    async def test_over_the_emulator(
        self, sessions: Sessions, settings: Settings, user: Tenant, tmp_path: Path, emulator_url: str
    ) -> None:
        world = create_emulator_app(EmulatorConfig(seed=42)).state.world
        creators = world.creators("youtube")[:30]
        ids: list[int] = []
        for c in creators:
            ids += await add_accounts(
                sessions, user.user_id, [c.handle.lstrip("@")], platform_id=c.platform_id
            )
        async with transaction(sessions) as s:
            request = await refresh_service.create_request(s, user_id=user.user_id, account_ids=ids)

        fast = {"youtube_rate_per_s": 500.0, "recent_posts_limit": 3, "http_retries": 0}
        env = worker_env(settings)
        env.update(
            SOCIALPULSE_YOUTUBE_BASE_URL=f"{emulator_url}/youtube/v3",
            SOCIALPULSE_YOUTUBE_API_KEY="emulator-key",
            SOCIALPULSE_YOUTUBE_RATE_PER_S="500",
            SOCIALPULSE_RECENT_POSTS_LIMIT="3",
            SOCIALPULSE_HTTP_RETRIES="0",
        )
        log = tmp_path / "worker.log"
        proc = await start(REAL_WORKER, env, log)
        try:
            for _ in range(600):  # the batch is claimed: its calls are in flight
                seen = await counts(sessions)
                if seen.get("running") == 30:
                    break
                assert proc.returncode is None, log.read_text()
                await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"the worker never claimed the batch\n{log.read_text()}")
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            await stop(proc)
        assert await counts(sessions) == {"running": 30}
        assert await snapshot_counts(sessions) == {}

        async with httpx.AsyncClient() as client:
            r = await client.patch(f"{emulator_url}/_emulator/config", json={"latency_ms": 0})
            assert r.status_code == 200
        survivor = settings.with_emulator(emulator_url).model_copy(
            update={"lease_s": 5, "heartbeat_s": 1, **fast}
        )
        runtime = Runtime(survivor, sessions)  # the real connectors, built from settings
        await runtime.start()
        try:
            status = await refresh_service.wait_for(sessions, request.public_id, timeout_s=120, poll_s=0.1)
        finally:
            await runtime.stop()

        assert (status.status, status.failed) == ("succeeded", 0)
        assert set(await counts(sessions)) == {"succeeded"}
        assert await snapshot_counts(sessions) == dict.fromkeys(ids, 1)
        accounts = [i for i in await items(sessions) if i.kind == "account"]
        assert {i.attempts for i in accounts} == {2}
        post_snapshots = await snapshot_counts(sessions, "post")
        assert post_snapshots
        assert set(post_snapshots.values()) == {1}
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(PostSnapshot)) == len(post_snapshots)


class TestStop:
    async def test_sigterm_puts_the_batch_in_hand_back(
        self, sessions: Sessions, settings: Settings, user: Tenant, tmp_path: Path
    ) -> None:
        ids = await add_accounts(sessions, user.user_id, [f"a{n}" for n in range(ACCOUNTS)])
        async with transaction(sessions) as s:
            await refresh_service.create_request(s, user_id=user.user_id, account_ids=ids)
        log = tmp_path / "worker.log"
        proc = await start(STOPPING_WORKER.format(accounts=ACCOUNTS), worker_env(settings), log)
        try:
            for _ in range(600):
                if (await counts(sessions)).get("running") == 20:
                    break
                assert proc.returncode is None, log.read_text()
                await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"the worker never claimed\n{log.read_text()}")
            async with sessions() as s:
                assert await s.scalar(select(func.count()).select_from(WorkerHeartbeat)) == 1
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), 60) == 0, log.read_text()
        finally:
            await stop(proc)
        assert {(i.status, i.attempts, i.worker_id) for i in await items(sessions)} == {("queued", 0, None)}
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(WorkerHeartbeat)) == 0
        assert "put 20 unfinished item(s) back" in log.read_text()
