"""The connector protocol, the data it returns, and the typed errors it raises.

A connector speaks one platform's real wire format. The refresh engine calls it with
batches of up to ``limits.profile_batch`` / ``limits.post_batch`` entities and gets back a
result per entity: the data, or a :class:`PlatformError` for that entity alone (a batch
read that leaves an id out means "not found" for that id, not a failed call). An error
raised from a call fails the whole batch.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, Protocol

import httpx

from socialpulse.models.enums import Platform

# ---------------------------------------------------------------------------- errors


class PlatformError(Exception):
    """Base of every error a connector raises. ``code`` is stable and shown to users."""

    code: ClassVar[str] = "platform_error"
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, status: int | None = None, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.request_id = request_id


class TransientError(PlatformError):
    """5xx, timeouts, connection resets: worth another try later."""

    code = "transient"
    retryable = True


class BadResponse(TransientError):
    """The platform answered something we could not parse (malformed JSON, missing fields)."""

    code = "bad_response"


class RateLimited(TransientError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class QuotaExceeded(PlatformError):
    """A daily or monthly quota is spent; nothing succeeds before ``resets_at``."""

    code = "quota_exceeded"

    def __init__(self, message: str, *, resets_at: datetime | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.resets_at = resets_at


class AuthExpired(PlatformError):
    """Credentials missing, expired or revoked; ``setting`` names what to renew."""

    code = "auth_error"

    def __init__(self, message: str, *, setting: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.setting = setting


class NotFound(PlatformError):
    code = "not_found"


class Private(PlatformError):
    code = "private"


class Suspended(PlatformError):
    code = "suspended"


class Unsupported(PlatformError):
    """This platform, or this variant of it, cannot do what was asked (e.g. no connector yet)."""

    code = "unsupported"


# ---------------------------------------------------------------------------- data


@dataclass(frozen=True)
class AccountRef:
    """What the engine knows about an account when asking for it."""

    key: str  # the engine's id for this entity (str of the DB id); results are keyed by it
    handle: str
    platform_id: str | None = None
    last_posts_count: int | None = None


@dataclass(frozen=True)
class PostRef:
    key: str
    social_id: str
    author_platform_id: str | None = None
    author_handle: str | None = None  # the author's handle, when known (from the post or its account)


@dataclass
class ProfileData:
    platform_id: str
    handle: str
    display_name: str | None = None
    biography: str | None = None
    avatar_url: str | None = None
    website: str | None = None
    category: str | None = None
    location: str | None = None
    url: str | None = None
    followers: int | None = None
    following: int | None = None
    posts: int | None = None
    views: int | None = None
    impressions: int | None = None
    reach: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    profile_views: int | None = None
    details: dict[str, Any] = field(default_factory=dict)  # platform ids and facts (uploads playlist, did...)
    extras: dict[str, Any] = field(default_factory=dict)  # further platform metrics kept in the snapshot


@dataclass
class PostData:
    social_id: str
    author_platform_id: str | None = None
    author_handle: str | None = None
    url: str | None = None
    type: str | None = None
    caption: str | None = None
    posted_at: datetime | None = None
    views: int | None = None
    plays: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    reach: int | None = None
    impressions: int | None = None
    sponsored: bool | None = None
    details: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    # False when the listing gave no metrics (e.g. YouTube playlistItems): fetch_posts must follow
    has_metrics: bool = True


@dataclass
class CommentData:
    platform_id: str
    text: str
    author: str | None = None
    author_id: str | None = None
    posted_at: datetime | None = None
    likes: int | None = None
    reply_count: int | None = None
    parent_id: str | None = None


@dataclass(frozen=True)
class Limits:
    """A platform's limits. Defaults come from the platform's published numbers."""

    profile_batch: int = 1
    post_batch: int = 1
    rate_per_s: float = 10.0
    daily_quota: int | None = None  # units per quota day, when the platform has one
    quota_costs: Mapping[str, int] = field(default_factory=dict)  # call name -> units


@dataclass(frozen=True)
class MetricConfig:
    """What a platform reports and which metric counts as its impressions."""

    primary_impressions_field: str
    metric_type: str
    available_metrics: tuple[str, ...]
    labels: Mapping[str, str]


@dataclass
class ListResult:
    """Recent posts of one account. ``complete`` is False when the listing stopped early."""

    posts: list[PostData]
    complete: bool = True


def settle_batch_item(
    out: dict[str, PostData | PlatformError],
    refs: Sequence[PostRef],
    item: Any,
    parse: Callable[[Any], PostData],
    gone: str,
) -> None:
    """Give every ref asking for one id its result: the parsed post, ``NotFound(gone)`` when the
    batch read left the id out, or the parse error (a bad item fails itself, not the batch)."""
    result: PostData | PlatformError
    if item is None:
        result = NotFound(gone)
    else:
        try:
            result = parse(item)
        except BadResponse as exc:
            result = exc
    for ref in refs:
        out[ref.key] = result


Result = Mapping[str, "ProfileData | PostData | PlatformError"]


class Connector(Protocol):
    platform: ClassVar[Platform]
    name: ClassVar[str]  # connector name stored in snapshots, e.g. "youtube-data-v3"
    api_version: ClassVar[str]
    limits: Limits

    async def fetch_profiles(self, refs: Sequence[AccountRef]) -> dict[str, ProfileData | PlatformError]: ...

    def needs_listing(self, ref: AccountRef, profile: ProfileData) -> bool:
        """True when the account may have posts we have not seen (its post count changed)."""
        ...

    async def list_posts(self, ref: AccountRef, profile: ProfileData, limit: int) -> ListResult: ...

    async def fetch_posts(self, refs: Sequence[PostRef]) -> dict[str, PostData | PlatformError]: ...

    async def fetch_comments(self, ref: PostRef, limit: int) -> list[CommentData]: ...

    async def aclose(self) -> None: ...


# ---------------------------------------------------------------------------- HTTP base


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        from socialpulse.kit.time import utcnow

        return max(0.0, (when - utcnow()).total_seconds())


def backoff_delay(attempt: int, base: float = 0.5, cap: float = 8.0) -> float:
    """Capped exponential backoff with full jitter (attempt counts from 1)."""
    return random.uniform(0, min(cap, base * 2 ** (attempt - 1)))


class Pacer(Protocol):
    async def acquire(self, cost: int = 1) -> None: ...


class HTTPConnector:
    """Shared HTTP plumbing: pacing, one short retry loop, and one status-to-error mapper.

    Subclasses override :meth:`map_error` for their platform's error bodies and call
    :meth:`get_json` / :meth:`post_json`.
    """

    platform: ClassVar[Platform]
    name: ClassVar[str]
    api_version: ClassVar[str]

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str,
        pacer: Pacer | None = None,
        retries: int = 2,
        calls: dict[str, int] | None = None,
    ) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.pacer = pacer
        self.retries = retries
        self.calls: dict[str, int] = calls if calls is not None else {}

    async def aclose(self) -> None:
        return None

    async def before_request(self, call: str, cost: int) -> None:
        """Runs before every HTTP attempt (retries included), ahead of pacing.

        Platforms override it to refuse a call locally: missing credentials, a spent quota.
        An error raised here is not retried.
        """
        return None

    def map_error(self, response: httpx.Response, body: Any) -> PlatformError:
        """Turn a non-2xx answer into a typed error. Platforms refine this."""
        status = response.status_code
        msg = f"{self.platform} answered HTTP {status}"
        if isinstance(body, dict):
            detail = body.get("message") or body.get("error")
            if isinstance(detail, str):
                msg = f"{msg}: {detail}"
        if status == 429:
            return RateLimited(
                msg, retry_after=parse_retry_after(response.headers.get("retry-after")), status=status
            )
        if status in (401, 403):
            return AuthExpired(msg, status=status)
        if status == 404:
            return NotFound(msg, status=status)
        if status >= 500:
            return TransientError(msg, status=status)
        return PlatformError(msg, status=status)

    async def request_json(
        self,
        method: str,
        path: str,
        *,
        call: str,
        params: Any = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        cost: int = 1,
    ) -> Any:
        url = path if path.startswith("http") else f"{self.base_url}/{path.lstrip('/')}"
        attempt = 0
        while True:
            attempt += 1
            await self.before_request(call, cost)
            if self.pacer is not None:
                await self.pacer.acquire(cost)
            self.calls[call] = self.calls.get(call, 0) + 1
            try:
                response = await self.client.request(method, url, params=params, json=json, headers=headers)
                error: PlatformError | None = None
                body: Any = None
                try:
                    body = response.json() if response.content else None
                except ValueError:
                    if response.is_success:
                        error = BadResponse(
                            f"{self.platform} answered malformed JSON", status=response.status_code
                        )
                if error is None and not response.is_success:
                    error = self.map_error(response, body)
                if error is None:
                    return body
            except httpx.TimeoutException:
                error = TransientError(f"{self.platform} did not answer in time")
            except httpx.TransportError as exc:
                error = TransientError(f"{self.platform} could not be reached: {exc.__class__.__name__}")
            if not error.retryable or attempt > self.retries:
                raise error
            if isinstance(error, RateLimited) and error.retry_after is not None:
                if error.retry_after > 30:  # a long wait goes back to the queue
                    raise error
                await asyncio.sleep(error.retry_after)
            else:
                await asyncio.sleep(backoff_delay(attempt))


def quota_day_reset(now: datetime, tz_offset_hours: int) -> datetime:
    """When a quota day that resets at local midnight (UTC offset given) ends."""
    local = now + timedelta(hours=tz_offset_hours)
    next_midnight = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return next_midnight - timedelta(hours=tz_offset_hours)
