"""Fixtures: the emulator app in-process, reached through ``httpx.ASGITransport``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from socialpulse.emulator.app import EmulatorConfig, create_emulator_app
from socialpulse.emulator.world import World

FROZEN = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
KEY = "test-key"


@dataclass
class Emu:
    app: FastAPI
    client: httpx.AsyncClient

    @property
    def world(self) -> World:
        world: World = self.app.state.world
        return world

    async def yt(self, resource: str, **params: Any) -> httpx.Response:
        """GET a YouTube resource with an API key (``key=None`` leaves it out)."""
        if "key" not in params:
            params["key"] = KEY
        elif params["key"] is None:
            del params["key"]
        return await self.client.get(f"/youtube/v3/{resource}", params=params)

    async def bsky(self, method: str, params: Any = None) -> httpx.Response:
        return await self.client.get(f"/xrpc/{method}", params=params)

    async def patch(self, **changes: Any) -> httpx.Response:
        response = await self.client.patch("/_emulator/config", json=changes)
        assert response.status_code == 200, response.text
        return response


MakeEmu = Callable[..., Awaitable[Emu]]


@pytest.fixture
async def make_emu() -> AsyncIterator[MakeEmu]:
    """Build an emulator: frozen clock and 300 accounts per platform unless told otherwise."""
    opened: list[httpx.AsyncClient] = []

    async def make(**overrides: Any) -> Emu:
        settings: dict[str, Any] = {"frozen_at": FROZEN, "creators_per_platform": 300, **overrides}
        app = create_emulator_app(EmulatorConfig(**settings))
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emu")
        opened.append(client)
        return Emu(app, client)

    yield make
    for client in opened:
        await client.aclose()


@pytest.fixture
async def emu(make_emu: MakeEmu) -> Emu:
    return await make_emu()
