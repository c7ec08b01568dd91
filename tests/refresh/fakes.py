"""An in-memory connector (like procrastinate's InMemoryConnector) and a registry of them."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import ClassVar

from socialpulse.kit.time import utcnow
from socialpulse.models.enums import Platform
from socialpulse.platforms.base import (
    AccountRef,
    CommentData,
    Connector,
    Limits,
    ListResult,
    NotFound,
    PlatformError,
    PostData,
    PostRef,
    ProfileData,
    Unsupported,
)


class FakeConnector:
    """Answers from dictionaries and records every call.

    ``profiles`` (by handle), ``posts`` (by social id) and ``listings`` (by handle) hold data or
    a :class:`PlatformError` for that entity; ``fail_next`` holds errors raised by the next
    calls, one per call; ``delay`` (seconds) is awaited in every call of the methods named
    in ``slow`` after the first ``slow_after`` calls of that method."""

    platform: ClassVar[Platform] = Platform.youtube
    name: ClassVar[str] = "fake-youtube"
    api_version: ClassVar[str] = "test-1"

    def __init__(
        self,
        *,
        profile_batch: int = 50,
        post_batch: int = 50,
        delay: float = 0.0,
        slow_after: int = 0,
        slow: tuple[str, ...] = ("fetch_profiles", "list_posts", "fetch_posts"),
    ) -> None:
        self.limits = Limits(profile_batch=profile_batch, post_batch=post_batch)
        self.profiles: dict[str, ProfileData | PlatformError] = {}
        self.posts: dict[str, PostData | PlatformError] = {}
        self.listings: dict[str, list[PostData] | PlatformError] = {}
        self.calls: list[tuple[str, list[str]]] = []
        self.fail_next: list[PlatformError] = []
        self.delay = delay
        self.slow_after = slow_after
        self.slow = slow

    # -- world building

    def add_account(self, handle: str, *, posts: int | None = 3, followers: int | None = 100) -> ProfileData:
        profile = ProfileData(
            platform_id=f"id-{handle}",
            handle=handle,
            display_name=handle.title(),
            followers=followers,
            posts=posts,
            url=f"https://example.com/@{handle}",
            details={"uploads": f"UU{handle}"},
        )
        self.profiles[handle] = profile
        return profile

    def add_post(
        self, social_id: str, *, views: int | None = 10, age: timedelta = timedelta(hours=2)
    ) -> PostData:
        data = PostData(
            social_id=social_id,
            caption=f"caption of {social_id}",
            posted_at=utcnow() - age,
            type="video",
            url=f"https://example.com/v/{social_id}",
            views=views,
            likes=1,
        )
        self.posts[social_id] = data
        return data

    # -- the connector protocol

    async def _call(self, name: str, keys: list[str]) -> None:
        self.calls.append((name, keys))
        if self.delay and name in self.slow and self.count(name) > self.slow_after:
            await asyncio.sleep(self.delay)
        if self.fail_next:
            raise self.fail_next.pop(0)

    def count(self, name: str) -> int:
        return sum(1 for n, _ in self.calls if n == name)

    async def fetch_profiles(self, refs: Sequence[AccountRef]) -> dict[str, ProfileData | PlatformError]:
        await self._call("fetch_profiles", [r.handle for r in refs])
        return {r.key: self.profiles.get(r.handle) or NotFound(f"no account @{r.handle}") for r in refs}

    def needs_listing(self, ref: AccountRef, profile: ProfileData) -> bool:
        return ref.last_posts_count is None or profile.posts != ref.last_posts_count

    async def list_posts(self, ref: AccountRef, profile: ProfileData, limit: int) -> ListResult:
        await self._call("list_posts", [ref.handle])
        found = self.listings.get(ref.handle, [])
        if isinstance(found, PlatformError):
            raise found
        return ListResult(posts=list(found)[:limit])

    async def fetch_posts(self, refs: Sequence[PostRef]) -> dict[str, PostData | PlatformError]:
        await self._call("fetch_posts", [r.social_id for r in refs])
        return {r.key: self.posts.get(r.social_id) or NotFound(f"no post {r.social_id}") for r in refs}

    async def fetch_comments(self, ref: PostRef, limit: int) -> list[CommentData]:
        return []

    async def aclose(self) -> None:
        return None


class FakeRegistry:
    """``ConnectorRegistry``'s interface over fake connectors; other platforms are unsupported."""

    def __init__(self, *connectors: Connector) -> None:
        self.connectors = {c.platform.value: c for c in connectors}

    def get(self, platform: str, source: str | None = None) -> Connector:
        try:
            return self.connectors[platform]
        except KeyError:
            raise Unsupported(f"{platform} has no connector yet") from None

    def supported(self, platform: str) -> bool:
        return platform in self.connectors

    async def aclose(self) -> None:
        return None


def listed(social_id: str, *, has_metrics: bool, posted_at: datetime | None = None) -> PostData:
    """A post as an account listing shows it (with or without metrics)."""
    return PostData(
        social_id=social_id,
        caption=f"listed {social_id}",
        posted_at=posted_at or utcnow() - timedelta(hours=1),
        type="video",
        views=5 if has_metrics else None,
        has_metrics=has_metrics,
    )


def crash_registry(handles: int, delay: float, slow_after: int) -> FakeRegistry:
    """For the crash test's worker subprocess: accounts ``a0``.. ``a{handles-1}``; every
    ``fetch_profiles`` after the first ``slow_after`` takes ``delay`` seconds."""
    connector = FakeConnector(profile_batch=10, delay=delay, slow_after=slow_after, slow=("fetch_profiles",))
    for n in range(handles):
        connector.add_account(f"a{n}", posts=0)
    return FakeRegistry(connector)
