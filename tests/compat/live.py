"""A running refresh engine for compatibility tests: the application with its worker pool,
connected to the in-process emulator (the fixtures are in ``conftest.py``)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from socialpulse.models import RefreshItem

EMULATOR = "http://emu"

# fast pacing everywhere (the emulator answers at once), few posts, two workers
LIVE_SETTINGS: dict[str, Any] = {
    "youtube_rate_per_s": 500.0,
    "bluesky_rate_per_s": 500.0,
    "tiktok_rate_per_s": 500.0,
    "instagram_web_rate_per_s": 500.0,
    "instagram_graph_rate_per_s": 500.0,
    "instagram_discovery_rate_per_s": 500.0,
    "recent_posts_limit": 3,
    "worker_concurrency": 2,
    "compat_refresh_timeout_s": 60.0,
}


async def settle(app: Any, timeout_s: float = 60.0) -> None:
    """Wait until the queue has nothing queued or running (the first refreshes of new entities)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        async with app.state.sessions() as s:
            active = await s.scalar(
                select(RefreshItem.id).where(RefreshItem.status.in_(("queued", "running"))).limit(1)
            )
        if active is None:
            return
        assert loop.time() < deadline, "the refresh queue never drained"
        await asyncio.sleep(0.05)
