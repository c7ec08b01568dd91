"""YouTube Data API v3: channels, uploads, videos and comment threads with an API key.

Every call is a ``*.list`` method costing 1 quota unit (``search.list`` costs 100 and is
never used: recent uploads come from the channel's uploads playlist). Units are spent
through the shared :class:`~socialpulse.platforms.pacing.QuotaGuard` before each attempt, so
workers stop locally, without calling YouTube, once the day's budget is gone.

Wire facts this module relies on (reference section 1): counts in ``statistics`` are
strings, ``hiddenSubscriberCount`` is a boolean, comment ``likeCount`` is an integer;
batch reads leave unknown, deleted or private ids out of ``items`` and still answer 200.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

import httpx

from socialpulse.kit.chunks import chunks
from socialpulse.kit.time import iso, parse_iso, utcnow
from socialpulse.models.enums import Platform, PostType
from socialpulse.platforms.base import (
    AccountRef,
    AuthExpired,
    BadResponse,
    CommentData,
    HTTPConnector,
    Limits,
    ListResult,
    MetricConfig,
    NotFound,
    Pacer,
    PlatformError,
    PostData,
    PostRef,
    ProfileData,
    QuotaExceeded,
    RateLimited,
    TransientError,
    parse_retry_after,
    settle_batch_item,
)
from socialpulse.platforms.metrics import METRIC_CONFIGS
from socialpulse.platforms.pacing import QuotaBudget, quota_resets_at

DEFAULT_BASE_URL = "https://www.googleapis.com/youtube/v3"
API_KEY_SETTING = "SOCIALPULSE_YOUTUBE_API_KEY"
MAX_IDS = 50  # channels.list and videos.list take at most 50 ids
MAX_PLAYLIST_PAGE = 50
MAX_COMMENT_PAGE = 100
SHORT_MAX_S = 60  # a video this short or shorter is counted as a Short

QUOTA_COSTS: dict[str, int] = {
    "channels.list": 1,
    "playlistItems.list": 1,
    "videos.list": 1,
    "commentThreads.list": 1,
    "search.list": 100,  # listed for completeness: never called
}

CHANNEL_GONE = "channel does not exist or was terminated"
VIDEO_GONE = "video does not exist, was deleted, or is private"

QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
AUTH_REASONS = frozenset(
    {
        "keyInvalid",
        "keyExpired",
        "badRequest.keyInvalid",
        "API_KEY_INVALID",
        "forbidden",
        "accessNotConfigured",
        "ipRefererBlocked",
        "authError",
        "unauthorized",
    }
)
NOT_FOUND_REASONS = frozenset(
    {"videoNotFound", "channelNotFound", "playlistNotFound", "commentThreadNotFound", "notFound"}
)

_CHANNEL_ID = re.compile(r"UC[A-Za-z0-9_-]{22}")
_URL_PREFIX = re.compile(r"^(?:https?://)?(?:www\.|m\.)?youtube\.com/", re.IGNORECASE)
_LEGACY_USERNAME = re.compile(r"[A-Za-z0-9]{1,60}")
_DURATION = re.compile(
    r"P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?"
)


class CommentsDisabled(PlatformError):
    """``commentThreads.list`` answered 403 ``commentsDisabled``: the video has no comments to read."""

    code = "comments_disabled"


# ---------------------------------------------------------------------------- parsing helpers


def parse_duration(value: str | None) -> int | None:
    """Seconds in an ISO 8601 duration such as ``PT1M5S`` or ``P1DT2H`` (None when unreadable)."""
    if not value:
        return None
    m = _DURATION.fullmatch(value.strip())
    if m is None or value.strip() in ("P", "PT") or value.strip().endswith("T"):
        return None
    parts = {k: float(v) if v else 0.0 for k, v in m.groupdict().items()}
    total = parts["w"] * 604800 + parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]
    return round(total)


def _count(container: dict[str, Any], key: str, what: str) -> int | None:
    """A counter as YouTube sends it (a decimal string, sometimes a number); None when absent."""
    value = container.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadResponse(f"YouTube sent a boolean for {what} {key}")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    raise BadResponse(f"YouTube sent {value!r} for {what} {key}, not a count")


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(body: Any, call: str) -> list[dict[str, Any]]:
    """``items`` of a list response; a missing ``items`` means nothing matched."""
    if not isinstance(body, dict):
        raise BadResponse(f"YouTube answered {call} with an unexpected body")
    items = body.get("items", [])
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise BadResponse(f"YouTube answered {call} with malformed items")
    return items


def _thumbnail(snippet: dict[str, Any]) -> str | None:
    thumbs = _dict(snippet.get("thumbnails"))
    for size in ("high", "medium", "default"):
        url = _dict(thumbs.get(size)).get("url")
        if isinstance(url, str) and url:
            return url
    return None


def _error_reasons(body: Any) -> list[str]:
    err = _dict(_dict(body).get("error"))
    reasons = [e.get("reason") for e in err.get("errors") or [] if isinstance(e, dict)]
    # newer Google errors put the reason in details[].reason (e.g. API_KEY_INVALID)
    reasons += [d.get("reason") for d in err.get("details") or [] if isinstance(d, dict)]
    return [r for r in reasons if isinstance(r, str)]


def _error_message(body: Any) -> str | None:
    msg = _dict(_dict(body).get("error")).get("message")
    if not isinstance(msg, str) or not msg:
        return None
    return re.sub(r"<[^>]+>", "", msg)  # quota messages carry an HTML link


def channel_lookup(ref: AccountRef) -> tuple[str, str]:
    """How to find a channel: ``("id", UC…)``, ``("forHandle", "@name")`` or ``("forUsername", name)``."""
    if ref.platform_id:
        return "id", ref.platform_id
    h = _URL_PREFIX.sub("", ref.handle.strip()).strip("/")
    if h.startswith("channel/"):
        return "id", h.removeprefix("channel/").split("/")[0]
    if h.startswith("user/"):
        return "forUsername", h.removeprefix("user/").split("/")[0]
    h = h.removeprefix("c/").split("/")[0].split("?")[0]
    if _CHANNEL_ID.fullmatch(h):
        return "id", h
    return "forHandle", "@" + h.lstrip("@")


# ---------------------------------------------------------------------------- connector


class YouTubeConnector(HTTPConnector):
    platform: ClassVar[Platform] = Platform.youtube
    name: ClassVar[str] = "youtube-data-v3"
    api_version: ClassVar[str] = "v3"
    metric_config: ClassVar[MetricConfig] = METRIC_CONFIGS[
        Platform.youtube
    ]  # one source: platforms/metrics.py

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str | None = None,
        pacer: Pacer | None = None,
        quota: QuotaBudget | None = None,
        daily_quota: int | None = 10_000,
        retries: int = 2,
        calls: dict[str, int] | None = None,
        rate_per_s: float = 20.0,
    ) -> None:
        super().__init__(client, base_url=base_url, pacer=pacer, retries=retries, calls=calls)
        self.api_key = api_key
        self.quota = quota
        self.limits = Limits(
            profile_batch=MAX_IDS,
            post_batch=MAX_IDS,
            rate_per_s=rate_per_s,
            daily_quota=daily_quota,
            quota_costs=dict(QUOTA_COSTS),
        )

    # ------------------------------------------------------------------ plumbing

    async def before_request(self, call: str, cost: int) -> None:
        if not self.api_key:
            raise AuthExpired(
                f"YouTube needs an API key: set {API_KEY_SETTING} "
                "(Google Cloud console, with the YouTube Data API v3 enabled)",
                setting=API_KEY_SETTING,
            )
        if self.quota is not None:
            await self.quota.spend(self.platform.value, self.limits.quota_costs.get(call, 1))

    async def _get(self, call: str, path: str, params: dict[str, Any]) -> Any:
        try:
            return await self.request_json("GET", path, call=call, params={**params, "key": self.api_key})
        except QuotaExceeded as exc:
            exhaust = getattr(self.quota, "exhaust", None)
            if exc.status is not None and exhaust is not None:  # YouTube itself said so: stop everyone
                await exhaust(self.platform.value)
            raise

    def map_error(self, response: httpx.Response, body: Any) -> PlatformError:
        status = response.status_code
        reasons = set(_error_reasons(body))
        detail = _error_message(body)
        said = f"YouTube answered HTTP {status}" + (f": {detail}" if detail else "")
        if reasons & QUOTA_REASONS:
            resets_at = quota_resets_at(self.platform.value, utcnow())
            return QuotaExceeded(
                f"YouTube's daily quota for this API key is spent; calls resume after it resets at "
                f"{iso(resets_at)} (midnight Pacific time)",
                resets_at=resets_at,
                status=status,
            )
        if reasons & RATE_REASONS or status == 429:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            return RateLimited(said, retry_after=1.0 if retry_after is None else retry_after, status=status)
        if "commentsDisabled" in reasons:
            return CommentsDisabled("comments are disabled on this video", status=status)
        if reasons & NOT_FOUND_REASONS or status == 404:
            return NotFound(VIDEO_GONE if "videoNotFound" in reasons else said, status=status)
        if reasons & AUTH_REASONS or status in (401, 403):
            return AuthExpired(
                f"{said}. The API key was refused: renew {API_KEY_SETTING} "
                "(check that the key exists and the YouTube Data API v3 is enabled for its project)",
                setting=API_KEY_SETTING,
                status=status,
            )
        if status >= 500:
            return TransientError(said, status=status)
        return PlatformError(said, status=status)

    # ------------------------------------------------------------------ profiles

    def _profile(self, item: dict[str, Any], fallback_handle: str) -> ProfileData:
        snippet = _dict(item.get("snippet"))
        stats = _dict(item.get("statistics"))
        playlists = _dict(_dict(item.get("contentDetails")).get("relatedPlaylists"))
        channel_id = str(item["id"])
        hidden = stats.get("hiddenSubscriberCount") is True
        custom_url = snippet.get("customUrl") if isinstance(snippet.get("customUrl"), str) else None
        handle = (custom_url or fallback_handle).lstrip("@")
        url = (
            f"https://www.youtube.com/{custom_url}"
            if custom_url and custom_url.startswith("@")
            else f"https://www.youtube.com/channel/{channel_id}"
        )
        country = snippet.get("country") if isinstance(snippet.get("country"), str) else None
        return ProfileData(
            platform_id=channel_id,
            handle=handle,
            display_name=snippet.get("title"),
            biography=snippet.get("description") or None,
            avatar_url=_thumbnail(snippet),
            location=country,
            url=url,
            followers=None if hidden else _count(stats, "subscriberCount", "channel"),
            posts=_count(stats, "videoCount", "channel"),
            views=_count(stats, "viewCount", "channel"),
            details={
                "uploads_playlist_id": playlists.get("uploads") or None,
                "custom_url": custom_url,
                "country": country,
                "published_at": snippet.get("publishedAt"),
                "hidden_subscriber_count": hidden,
            },
        )

    async def _channels(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        body = await self._get(
            "channels.list", "channels", {"part": "snippet,statistics,contentDetails", **params}
        )
        items = _items(body, "channels.list")
        for item in items:
            if not isinstance(item.get("id"), str):
                raise BadResponse("YouTube answered channels.list with an item without an id")
        return items

    async def fetch_profiles(self, refs: Sequence[AccountRef]) -> dict[str, ProfileData | PlatformError]:
        out: dict[str, ProfileData | PlatformError] = {}
        by_id: dict[str, list[AccountRef]] = {}
        by_name: dict[tuple[str, str], list[AccountRef]] = {}
        for ref in refs:
            how, value = channel_lookup(ref)
            if how == "id":
                by_id.setdefault(value, []).append(ref)
            else:
                by_name.setdefault((how, value), []).append(ref)

        for ids in chunks(list(by_id), MAX_IDS):
            found = {item["id"]: item for item in await self._channels({"id": ",".join(ids)})}
            for channel_id in ids:
                for ref in by_id[channel_id]:
                    item = found.get(channel_id)
                    out[ref.key] = (
                        self._one(item, ref)
                        if item is not None
                        else NotFound(f"YouTube {CHANNEL_GONE} ({channel_id})")
                    )

        for (how, value), named in by_name.items():
            ref = named[0]
            result: ProfileData | PlatformError
            try:
                items = await self._channels({how: value})
                if not items and how == "forHandle" and _LEGACY_USERNAME.fullmatch(ref.handle.strip()):
                    items = await self._channels({"forUsername": ref.handle.strip()})
                result = self._one(items[0], ref) if items else NotFound(f"YouTube {CHANNEL_GONE} ({value})")
            except (QuotaExceeded, AuthExpired, RateLimited):
                raise  # these stop every call, not just this one
            except PlatformError as exc:
                result = exc
            for r in named:
                out[r.key] = result
        return out

    def _one(self, item: dict[str, Any], ref: AccountRef) -> ProfileData | PlatformError:
        try:
            return self._profile(item, ref.handle)
        except BadResponse as exc:
            return exc

    def needs_listing(self, ref: AccountRef, profile: ProfileData) -> bool:
        return ref.last_posts_count is None or ref.last_posts_count != profile.posts

    # ------------------------------------------------------------------ posts

    async def list_posts(self, ref: AccountRef, profile: ProfileData, limit: int) -> ListResult:
        if limit <= 0 or profile.posts == 0:
            return ListResult(posts=[], complete=True)
        playlist = profile.details.get("uploads_playlist_id")
        if not isinstance(playlist, str) or not playlist:
            # every channel's uploads playlist is its id with UC replaced by UU
            playlist = "UU" + profile.platform_id[2:]
        posts: list[PostData] = []
        seen: set[str] = set()
        token: str | None = None
        max_pages = limit // MAX_PLAYLIST_PAGE + 2
        for _ in range(max_pages):
            params: dict[str, Any] = {
                "part": "contentDetails",
                "playlistId": playlist,
                "maxResults": min(limit - len(posts), MAX_PLAYLIST_PAGE),
            }
            if token:
                params["pageToken"] = token
            body = await self._get("playlistItems.list", "playlistItems", params)
            for item in _items(body, "playlistItems.list"):
                details = _dict(item.get("contentDetails"))
                video_id = details.get("videoId")
                published = _time(details.get("videoPublishedAt"))
                # private and deleted uploads stay in the playlist without a publication time;
                # videos.list cannot read them, so they are not listed
                if not isinstance(video_id, str) or published is None or video_id in seen:
                    continue
                seen.add(video_id)
                posts.append(
                    PostData(
                        social_id=video_id,
                        author_platform_id=profile.platform_id,
                        author_handle=profile.handle,
                        url=f"https://www.youtube.com/watch?v={video_id}",
                        posted_at=published,
                        has_metrics=False,
                    )
                )
                if len(posts) >= limit:
                    return ListResult(posts=posts, complete=True)
            next_token = body.get("nextPageToken")
            if not isinstance(next_token, str) or not next_token:
                return ListResult(posts=posts, complete=True)
            token = next_token
        return ListResult(posts=posts, complete=False)

    def _post(self, item: dict[str, Any]) -> PostData:
        video_id = str(item["id"])
        snippet = _dict(item.get("snippet"))
        stats = _dict(item.get("statistics"))
        status = _dict(item.get("status"))
        content = _dict(item.get("contentDetails"))
        duration = content.get("duration") if isinstance(content.get("duration"), str) else None
        seconds = parse_duration(duration)
        live = snippet.get("liveBroadcastContent") in ("live", "upcoming")
        is_short = not live and seconds is not None and 0 < seconds <= SHORT_MAX_S
        title = snippet.get("title") if isinstance(snippet.get("title"), str) else ""
        description = snippet.get("description") if isinstance(snippet.get("description"), str) else ""
        caption = f"{title}\n{description}" if description else title
        tags = snippet.get("tags")
        return PostData(
            social_id=video_id,
            author_platform_id=snippet.get("channelId"),
            author_handle=None,  # videos.list carries the channel's title, not its handle
            url=f"https://www.youtube.com/watch?v={video_id}",
            type=(PostType.short if is_short else PostType.video).value,
            caption=caption or None,
            posted_at=_time(snippet.get("publishedAt")),
            views=_count(stats, "viewCount", "video"),
            likes=_count(stats, "likeCount", "video"),
            comments=_count(stats, "commentCount", "video"),
            details={
                "title": title,
                "channel_title": snippet.get("channelTitle"),
                "tags": [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
                "duration": duration,
                "duration_s": seconds,
                "privacy_status": status.get("privacyStatus"),
                "live_broadcast_content": snippet.get("liveBroadcastContent"),
                "thumbnail_url": _thumbnail(snippet),
            },
        )

    async def fetch_posts(self, refs: Sequence[PostRef]) -> dict[str, PostData | PlatformError]:
        out: dict[str, PostData | PlatformError] = {}
        by_id: dict[str, list[PostRef]] = {}
        for ref in refs:
            by_id.setdefault(ref.social_id, []).append(ref)
        for ids in chunks(list(by_id), MAX_IDS):
            body = await self._get(
                "videos.list",
                "videos",
                {"part": "snippet,statistics,status,contentDetails", "id": ",".join(ids)},
            )
            found = {
                item["id"]: item for item in _items(body, "videos.list") if isinstance(item.get("id"), str)
            }
            for video_id in ids:
                settle_batch_item(
                    out,
                    by_id[video_id],
                    found.get(video_id),
                    self._post,
                    f"YouTube {VIDEO_GONE} ({video_id})",
                )
        return out

    # ------------------------------------------------------------------ comments

    async def fetch_comments(self, ref: PostRef, limit: int) -> list[CommentData]:
        comments: list[CommentData] = []
        token: str | None = None
        while len(comments) < limit:
            params: dict[str, Any] = {
                "part": "snippet",
                "videoId": ref.social_id,
                "order": "relevance",
                "maxResults": min(limit - len(comments), MAX_COMMENT_PAGE),
                "textFormat": "plainText",
            }
            if token:
                params["pageToken"] = token
            try:
                body = await self._get("commentThreads.list", "commentThreads", params)
            except CommentsDisabled:
                return []
            except NotFound as exc:
                raise NotFound(f"YouTube {VIDEO_GONE} ({ref.social_id})", status=exc.status) from exc
            for item in _items(body, "commentThreads.list"):
                comment = self._comment(item)
                if comment is not None:
                    comments.append(comment)
            next_token = body.get("nextPageToken")
            if not isinstance(next_token, str) or not next_token:
                break
            token = next_token
        return comments[:limit]

    def _comment(self, thread: dict[str, Any]) -> CommentData | None:
        snippet = _dict(thread.get("snippet"))
        top = _dict(snippet.get("topLevelComment"))
        c = _dict(top.get("snippet"))
        comment_id = top.get("id") or thread.get("id")
        if not isinstance(comment_id, str):
            return None
        text = c.get("textDisplay") if isinstance(c.get("textDisplay"), str) else c.get("textOriginal")
        likes = c.get("likeCount")
        replies = snippet.get("totalReplyCount")
        author_id = _dict(c.get("authorChannelId")).get("value")
        return CommentData(
            platform_id=comment_id,
            text=text if isinstance(text, str) else "",
            author=c.get("authorDisplayName") if isinstance(c.get("authorDisplayName"), str) else None,
            author_id=author_id if isinstance(author_id, str) else None,
            posted_at=_time(c.get("publishedAt")),
            likes=_count(c, "likeCount", "comment") if likes is not None else None,
            reply_count=_count(snippet, "totalReplyCount", "comment thread") if replies is not None else None,
        )
