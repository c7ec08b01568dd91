"""Pacing under platform rate limits (placeholder, completed with the connectors)."""

from __future__ import annotations

from typing import Protocol

from socialpulse.config import Settings
from socialpulse.models.enums import Platform


class QuotaGuard(Protocol):
    async def spend(self, platform: str, units: int) -> None: ...


class Pacers:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def get(self, platform: Platform) -> None:
        return None
