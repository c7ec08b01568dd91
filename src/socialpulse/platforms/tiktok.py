"""TikTok API v2: what the Display API and the Research API connectors share.

TikTok offers two ways in, and socialpulse speaks both (``SOCIALPULSE_TIKTOK_SOURCE``, or an
account's ``source``):

* ``display`` (:mod:`.tiktok_display`): the Display API reads the *authorising* user's own
  profile and videos with their user token (``act.…``), one token per authorised account;
* ``research`` (:mod:`.tiktok_research`): the Research API reads any public account with the
  project's client token (``clt.…``), within a daily request quota.

Wire facts both rely on (reference section 4): every answer is an envelope
``{"data": {...}, "error": {"code": "ok", "message": "", "log_id": "…"}}``; errors keep the
envelope with a code: ``access_token_invalid`` / ``access_token_expired`` /
``scope_not_authorized`` (401), ``scope_permission_missed`` / ``invalid_params`` (400),
``rate_limit_exceeded`` (429, no rate-limit headers), ``internal_error`` (500). Fields are
asked for with ``?fields=a,b,c`` and only those come back. Each endpoint allows 600 requests
per 1-minute sliding window, so calls are paced per endpoint.

Video ids carry their creation time: ``id >> 32`` is the Unix second the video was
created (TikTok's ids are time-ordered). The Research API needs a date window around the
videos it is asked for, and this is how the connector finds it.

Photo-mode posts (TikTok's "photo" carousels) are socialpulse's ``slideshow`` type. Neither
API flags them explicitly: a photo post has no video length (``duration`` /
``video_duration`` of 0) and its web link is ``/@user/photo/ID`` rather than
``/@user/video/ID``; either marks a slideshow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import httpx

from socialpulse.config import Settings
from socialpulse.models.enums import Platform, PostType
from socialpulse.platforms.base import (
    AccountRef,
    AuthExpired,
    BadResponse,
    Connector,
    HTTPConnector,
    MetricConfig,
    NotFound,
    Pacer,
    PlatformError,
    ProfileData,
    RateLimited,
    TransientError,
    Unsupported,
    parse_retry_after,
)
from socialpulse.platforms.credentials import TokenStore
from socialpulse.platforms.metrics import METRIC_CONFIGS
from socialpulse.platforms.pacing import Pacers, QuotaBudget, RatePacer, rate_item

DEFAULT_BASE_URL = "https://open.tiktokapis.com"
BASE_URL_SETTING = "SOCIALPULSE_TIKTOK_BASE_URL"
SOURCE_SETTING = "SOCIALPULSE_TIKTOK_SOURCE"
ACCESS_TOKEN_SETTING = "SOCIALPULSE_TIKTOK_ACCESS_TOKEN"
CLIENT_KEY_SETTING = "SOCIALPULSE_TIKTOK_CLIENT_KEY"
CLIENT_SECRET_SETTING = "SOCIALPULSE_TIKTOK_CLIENT_SECRET"
SOURCES = ("display", "research")

TOKEN_PATH = "/v2/oauth/token/"
TOKEN_CALL = "oauth.token"
REQUESTS_PER_MINUTE = 600  # per endpoint, 1-minute sliding window
DEFAULT_RATE_PER_S = REQUESTS_PER_MINUTE / 60
TOKEN_MARGIN = timedelta(seconds=60)  # renew a token this long before it expires

AUTH_CODES = frozenset(
    {"access_token_invalid", "access_token_expired", "scope_not_authorized", "scope_permission_missed"}
)
TOKEN_CODES = frozenset({"access_token_invalid", "access_token_expired"})

# TikTok opened to the world in September 2016: no video id can date from before
TIKTOK_EPOCH = datetime(2016, 9, 1, tzinfo=UTC)

_PROFILE_URL = re.compile(r"^(?:https?://)?(?:www\.|m\.)?tiktok\.com/", re.IGNORECASE)


class TikTokRefused(AuthExpired):
    """TikTok refused a token (``wire_code`` is TikTok's error code, e.g. ``access_token_expired``)."""

    def __init__(self, message: str, *, wire_code: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.wire_code = wire_code


class InvalidParams(PlatformError):
    """``invalid_params``: TikTok found something wrong with what was asked (the message says what)."""

    code = "invalid_params"

    def __init__(self, message: str, *, wire_message: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.wire_message = wire_message


# ---------------------------------------------------------------------------- parsing helpers


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def count(container: dict[str, Any], key: str, what: str) -> int | None:
    """A counter as TikTok sends it (an integer); ``None`` when not sent (a scope not granted)."""
    value = container.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise BadResponse(f"TikTok sent {value!r} for {what} {key}, not a count")


def epoch(value: Any) -> datetime | None:
    """A Unix time in seconds (TikTok's ``create_time``)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def id_string(value: Any, what: str) -> str:
    """A TikTok id: the Display API sends strings, the Research API 64-bit integers."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if isinstance(value, str) and value.isdigit():
        return value
    raise BadResponse(f"TikTok sent {value!r} as a {what} id")


def created_at(video_id: str, now: datetime) -> datetime | None:
    """When a video was created, read from its id (``None``: the id cannot be a TikTok video's)."""
    if not video_id.isdigit() or len(video_id) > 20:
        return None
    when = datetime.fromtimestamp(int(video_id) >> 32, UTC)
    return when if TIKTOK_EPOCH <= when <= now + timedelta(days=1) else None


def normalize_username(handle: str) -> str:
    """A username as TikTok takes it: no ``@``, no profile URL, lower case."""
    h = _PROFILE_URL.sub("", handle.strip()).strip("/").split("?")[0].split("/")[0]
    return h.lstrip("@").lower()


def profile_url(username: str) -> str:
    return f"https://www.tiktok.com/@{username}"


def video_url(username: str | None, video_id: str, kind: PostType) -> str | None:
    if not username:
        return None
    path = "photo" if kind is PostType.slideshow else "video"
    return f"https://www.tiktok.com/@{username}/{path}/{video_id}"


def post_type(duration: int | None, share_url: str | None = None) -> PostType:
    """``slideshow`` for photo mode (no video length, or a ``/photo/`` link), else ``video``."""
    if share_url and "/photo/" in share_url:
        return PostType.slideshow
    return PostType.slideshow if duration == 0 else PostType.video


def listing_target(ref: AccountRef, profile: ProfileData, limit: int) -> int:
    """How many of the newest posts a listing must reach: ``limit`` the first time; later,
    only as many as were published since (the first page or window is read in any case)."""
    if ref.last_posts_count is None or profile.posts is None:
        return limit
    return max(1, min(limit, profile.posts - ref.last_posts_count))


def endpoint_pacers(pacers: Pacers, calls: Iterable[str], rate_per_s: float) -> dict[str, Pacer]:
    """One pacer per endpoint (TikTok limits each endpoint on its own), all in the storage of the
    platform's pacer, so every worker process shares each endpoint's window."""
    base = pacers.pacer(Platform.tiktok)
    item = rate_item(rate_per_s)
    return {
        call: RatePacer(base.limiter, item, (*base.identifiers, call), sleep=base.sleep, clock=base.clock)
        for call in calls
    }


# ---------------------------------------------------------------------------- connector base


class TikTokConnector(HTTPConnector):
    """The envelope, the error codes and per-endpoint pacing of TikTok API v2."""

    platform: ClassVar[Platform] = Platform.tiktok
    api_version: ClassVar[str] = "v2"
    metric_config: ClassVar[MetricConfig] = METRIC_CONFIGS[Platform.tiktok]  # one source: metrics.py
    surface: ClassVar[str] = "API"

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str = DEFAULT_BASE_URL,
        pacers: Mapping[str, Pacer] | None = None,
        retries: int = 2,
        calls: dict[str, int] | None = None,
    ) -> None:
        super().__init__(client, base_url=base_url, pacer=None, retries=retries, calls=calls)
        self.pacers: dict[str, Pacer] = dict(pacers or {})

    # ------------------------------------------------------------------ plumbing

    async def before_request(self, call: str, cost: int) -> None:
        pacer = self.pacers.get(call)
        if pacer is not None:
            await pacer.acquire(cost)

    def error_for(
        self,
        status: int,
        code: str | None,
        message: str | None,
        log_id: str | None,
        retry_after: float | None,
    ) -> PlatformError:
        said = (
            f"TikTok {self.surface} answered HTTP {status}"
            + (f" {code}" if code else "")
            + (f": {message}" if message else "")
        )
        if status == 429 or code == "rate_limit_exceeded":
            return RateLimited(said, retry_after=retry_after, status=status, request_id=log_id)
        if code in AUTH_CODES or status in (401, 403):
            return TikTokRefused(
                said, wire_code=code or "access_token_invalid", status=status, request_id=log_id
            )
        if code == "invalid_params":
            return InvalidParams(said, wire_message=message or "", status=status, request_id=log_id)
        if status == 404:
            return NotFound(said, status=status, request_id=log_id)
        if status >= 500 or code == "internal_error":
            return TransientError(said, status=status, request_id=log_id)
        return PlatformError(said, status=status, request_id=log_id)

    def map_error(self, response: httpx.Response, body: Any) -> PlatformError:
        err = as_dict(as_dict(body).get("error"))
        return self.error_for(
            response.status_code,
            as_str(err.get("code")),
            as_str(err.get("message")),
            as_str(err.get("log_id")),
            parse_retry_after(response.headers.get("retry-after")),
        )

    async def api(
        self,
        method: str,
        path: str,
        *,
        call: str,
        token: str,
        fields: str,
        json: Any = None,
    ) -> dict[str, Any]:
        """``data`` of one API call, or the error its envelope carries."""
        body = await self.request_json(
            method,
            path,
            call=call,
            params={"fields": fields},
            json=json,
            headers={"Authorization": f"Bearer {token}"},
        )
        if not isinstance(body, dict):
            raise BadResponse(f"TikTok answered {call} with an unexpected body")
        err = as_dict(body.get("error"))
        code = as_str(err.get("code"))
        if code is not None and code != "ok":  # an error inside a 200
            raise self.error_for(200, code, as_str(err.get("message")), as_str(err.get("log_id")), None)
        data = body.get("data")
        if not isinstance(data, dict):
            raise BadResponse(f"TikTok answered {call} without a data object")
        return data

    async def oauth(self, form: dict[str, str], *, refused: str, setting: str | None) -> dict[str, Any]:
        """``POST /v2/oauth/token/`` (form-encoded; the answer is a flat token object).

        ``refused`` says what to fix when TikTok turns the request down."""
        self.calls[TOKEN_CALL] = self.calls.get(TOKEN_CALL, 0) + 1
        try:
            response = await self.client.post(
                f"{self.base_url}{TOKEN_PATH}",
                data=form,
                headers={"Cache-Control": "no-cache"},
            )
        except httpx.TimeoutException as exc:
            raise TransientError("TikTok's token endpoint did not answer in time") from exc
        except httpx.TransportError as exc:
            raise TransientError(
                f"TikTok's token endpoint could not be reached: {exc.__class__.__name__}"
            ) from exc
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if response.status_code >= 500 or response.is_success:
                raise BadResponse(
                    "TikTok's token endpoint answered malformed JSON", status=response.status_code
                )
            body = {}
        error = as_str(body.get("error")) or as_str(as_dict(body.get("error")).get("code"))
        if response.is_success and error in (None, "ok"):
            if not as_str(body.get("access_token")):
                raise BadResponse("TikTok's token endpoint answered without an access_token")
            return body
        status = response.status_code
        detail = as_str(body.get("error_description")) or as_str(as_dict(body.get("error")).get("message"))
        said = f"TikTok's token endpoint answered HTTP {status}" + (f" {error}" if error else "")
        said += f": {detail.rstrip('.')}" if detail else ""
        if status == 429:
            raise RateLimited(
                said, retry_after=parse_retry_after(response.headers.get("retry-after")), status=status
            )
        if status >= 500:
            raise TransientError(said, status=status)
        raise AuthExpired(f"{said}. {refused}", setting=setting, status=status)


# ---------------------------------------------------------------------------- building


def build_connector(
    settings: Settings,
    source: str,
    *,
    client: httpx.AsyncClient,
    pacers: Pacers,
    quota: QuotaBudget | None,
    tokens: TokenStore | None,
    retries: int,
    calls: dict[str, int],
) -> Connector:
    """The connector of one source (``display`` or ``research``), configured from settings."""
    s = settings
    if source == "display":
        from socialpulse.platforms.tiktok_display import CALLS as DISPLAY_CALLS
        from socialpulse.platforms.tiktok_display import TikTokDisplayConnector

        return TikTokDisplayConnector(
            client,
            base_url=s.tiktok_base_url,
            access_token=s.tiktok_access_token,
            tokens=tokens,
            client_key=s.tiktok_client_key,
            client_secret=s.tiktok_client_secret,
            pacers=endpoint_pacers(pacers, DISPLAY_CALLS, s.tiktok_rate_per_s),
            retries=retries,
            calls=calls,
            rate_per_s=s.tiktok_rate_per_s,
        )
    if source == "research":
        from socialpulse.platforms.tiktok_research import CALLS as RESEARCH_CALLS
        from socialpulse.platforms.tiktok_research import TikTokResearchConnector

        return TikTokResearchConnector(
            client,
            base_url=s.tiktok_base_url,
            client_key=s.tiktok_client_key,
            client_secret=s.tiktok_client_secret,
            pacers=endpoint_pacers(pacers, RESEARCH_CALLS, s.tiktok_rate_per_s),
            quota=quota,
            daily_quota=s.tiktok_research_daily_quota,
            retries=retries,
            calls=calls,
            rate_per_s=s.tiktok_rate_per_s,
        )
    raise Unsupported(
        f"TikTok has no source {source!r}: use {' or '.join(SOURCES)} ({SOURCE_SETTING}, or the account's source)"
    )
