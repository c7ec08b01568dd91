"""Builds the connector for a platform from settings; one shared HTTP client and pacer per platform."""

from __future__ import annotations

from typing import Any

import httpx

from socialpulse.config import Settings
from socialpulse.models.enums import Platform
from socialpulse.platforms.base import Connector, Unsupported
from socialpulse.platforms.credentials import TokenStore
from socialpulse.platforms.pacing import Pacers, QuotaBudget, QuotaGuard

__all__ = ["ConnectorRegistry", "QuotaGuard"]


class ConnectorRegistry:
    """One per process (worker pool). ``get`` answers the connector for a platform (and source)."""

    def __init__(
        self,
        settings: Settings,
        *,
        client: httpx.AsyncClient | None = None,
        quota: QuotaBudget | None = None,
        credentials: TokenStore | None = None,
    ) -> None:
        self.settings = settings
        self.client = client or httpx.AsyncClient(
            timeout=settings.http_timeout_s, follow_redirects=False, headers={"User-Agent": "socialpulse/0.1"}
        )
        self._own_client = client is None
        self.pacers = Pacers(settings)
        self.quota = quota
        self.credentials = credentials
        self.calls: dict[str, int] = {}
        self._cache: dict[tuple[str, str | None], Connector] = {}

    def get(self, platform: str, source: str | None = None) -> Connector:
        key = (platform, source)
        if key not in self._cache:
            self._cache[key] = self._build(Platform(platform), source)
        return self._cache[key]

    def _build(self, platform: Platform, source: str | None) -> Connector:
        s = self.settings
        common: dict[str, Any] = {"client": self.client, "retries": s.http_retries, "calls": self.calls}
        if platform is Platform.youtube:
            from socialpulse.platforms.youtube import YouTubeConnector

            return YouTubeConnector(
                base_url=s.youtube_base_url,
                api_key=s.youtube_api_key,
                pacer=self.pacers.get(platform),
                quota=self.quota,
                daily_quota=s.youtube_daily_quota,
                rate_per_s=s.youtube_rate_per_s,
                **common,
            )
        if platform is Platform.bluesky:
            from socialpulse.platforms.bluesky import BlueskyConnector

            return BlueskyConnector(
                base_url=s.bluesky_base_url,
                pacer=self.pacers.get(platform),
                rate_per_s=s.bluesky_rate_per_s,
                **common,
            )
        if platform is Platform.tiktok:
            from socialpulse.platforms.tiktok import build_connector

            if source is None:  # the instance's default source, one connector per source
                return self.get(platform.value, s.tiktok_source)
            return build_connector(
                s, source, pacers=self.pacers, quota=self.quota, tokens=self._token_store(), **common
            )
        if platform is Platform.instagram:
            from socialpulse.platforms import instagram

            chosen = instagram.resolve_source(s, source)  # graph or web; None: the instance default
            if source != chosen:  # one connector per source, whatever name it was asked by
                return self.get(platform.value, chosen)
            return instagram.build_connector(s, chosen, pacers=self.pacers, **common)
        raise Unsupported(
            f"{platform} has no connector yet: its accounts are tracked but cannot be refreshed"
        )

    def _token_store(self) -> TokenStore | None:
        """The accounts' stored user tokens: given, or in the database the quota guard counts in."""
        if self.credentials is None and isinstance(self.quota, QuotaGuard):
            from socialpulse.credentials.service import DBTokenStore

            self.credentials = DBTokenStore(self.quota.sessions)
        return self.credentials

    def supported(self, platform: str) -> bool:
        try:
            self.get(platform)
        except Unsupported:
            return False
        return True

    async def aclose(self) -> None:
        for c in self._cache.values():
            await c.aclose()
        await self.pacers.aclose()
        if self._own_client:
            await self.client.aclose()
