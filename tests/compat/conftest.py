"""Fixtures of the compatibility tests that need a running refresh engine: ``live`` (the
application with its workers, connected to the emulator), ``live_client``, and two tenants of
it. A module changes the settings by overriding ``live_settings``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from socialpulse.app import create_app
from socialpulse.config import Settings
from socialpulse.emulator.app import EmulatorConfig, create_emulator_app
from socialpulse.platforms.registry import ConnectorRegistry
from tests.compat.live import EMULATOR, LIVE_SETTINGS
from tests.conftest import Tenant, make_tenant


@pytest.fixture
def live_settings() -> dict[str, Any]:
    """Settings of the ``live`` application beyond :data:`LIVE_SETTINGS`."""
    return {}


@pytest.fixture
def emulator() -> Any:
    return create_emulator_app(
        EmulatorConfig(
            seed=42,
            latency_ms=0.0,
            rate_limit_per_s=None,
            fault_rate=0.0,
            frozen_at=None,
            posts_per_creator=None,
        )
    )


@pytest.fixture
async def live(settings: Settings, emulator: Any, live_settings: dict[str, Any]) -> AsyncIterator[Any]:
    """The application with its worker pool running, connected to the in-process emulator."""
    s = settings.with_emulator(EMULATOR).model_copy(update={**LIVE_SETTINGS, **live_settings})
    emu = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator), base_url=EMULATOR)
    registry = ConnectorRegistry(s, client=emu)
    application = create_app(s, run_workers=True, migrate=False, registry=registry)
    async with application.router.lifespan_context(application):
        yield application
    await registry.aclose()
    await emu.aclose()


@pytest.fixture
async def live_client(live: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=live), base_url="http://test") as c:
        yield c


@pytest.fixture
async def carol(live: Any) -> Tenant:
    return await make_tenant(live.state.sessions, "carol@example.com")


@pytest.fixture
async def dave(live: Any) -> Tenant:
    return await make_tenant(live.state.sessions, "dave@example.com")
