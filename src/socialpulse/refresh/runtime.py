"""The worker pool and scheduler that ``serve`` runs in-process and ``worker`` runs alone."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from socialpulse.config import Settings


class Runtime:
    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.settings = settings
        self.sessions = sessions

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None
