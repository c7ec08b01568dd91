"""TikTok Research API: any public account, with the research project's client token.

The client token (``clt.…``) comes from ``POST /v2/oauth/token/`` with the client key and
secret (``grant_type=client_credentials``); it is kept until shortly before it expires, and
fetched again when TikTok refuses it (401).

Calls (reference section 4), each ``POST`` with a JSON body:

* ``/v2/research/user/info/`` with ``{"username"}``: one account per call. An unknown,
  private or banned account answers an error (``invalid_params``; its message says which),
  mapped to not found, private or suspended.
* ``/v2/research/video/query/`` with a query, a ``start_date``/``end_date`` window
  (``YYYYMMDD``, at most 30 days) and ``max_count`` ≤ 100, paged with ``cursor`` and
  ``search_id``. An account's recent videos are found window by window back from today
  (``username`` EQ); videos by id (``video_id`` IN, up to 100 a call) are grouped into windows
  by the creation time their ids carry. Deleted and private videos are left out: not found.
* ``/v2/research/video/comment/list/`` with ``{"video_id", "max_count", "cursor"}``: 100 a
  page, only the first 1000 reachable.

Every call counts against the project's daily quota (``SOCIALPULSE_TIKTOK_RESEARCH_DAILY_QUOTA``,
1,000 by default; days end at midnight UTC), spent through the shared quota budget before the
call goes out, so workers stop locally once the day's requests are gone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

import httpx

from socialpulse.kit.time import iso, utcnow
from socialpulse.platforms.base import (
    AccountRef,
    AuthExpired,
    BadResponse,
    CommentData,
    Limits,
    ListResult,
    NotFound,
    Pacer,
    PlatformError,
    PostData,
    PostRef,
    Private,
    ProfileData,
    QuotaExceeded,
    Suspended,
    quota_day_reset,
    settle_batch_item,
)
from socialpulse.platforms.pacing import QuotaBudget
from socialpulse.platforms.tiktok import (
    CLIENT_KEY_SETTING,
    CLIENT_SECRET_SETTING,
    DEFAULT_BASE_URL,
    DEFAULT_RATE_PER_S,
    TOKEN_CODES,
    TOKEN_MARGIN,
    InvalidParams,
    TikTokConnector,
    TikTokRefused,
    as_dict,
    as_str,
    count,
    created_at,
    epoch,
    id_string,
    listing_target,
    normalize_username,
    post_type,
    profile_url,
    video_url,
)

USER_FIELDS = "display_name,bio_description,avatar_url,is_verified,follower_count,following_count,likes_count,video_count"
VIDEO_FIELDS = (
    "id,video_description,create_time,region_code,share_count,view_count,like_count,comment_count,"
    "music_id,hashtag_names,username,effect_ids,playlist_id,voice_to_text,is_stem_verified,"
    "favorites_count,video_duration"
)
COMMENT_FIELDS = "id,video_id,text,like_count,reply_count,parent_comment_id,create_time"

QUOTA_KEY = "tiktok_research"  # the quota budget's name: SOCIALPULSE_TIKTOK_RESEARCH_DAILY_QUOTA
QUOTA_SETTING = "SOCIALPULSE_TIKTOK_RESEARCH_DAILY_QUOTA"
DAILY_QUOTA = 1_000
CALLS = ("research.user.info", "research.video.query", "research.video.comment.list")
QUOTA_COSTS: dict[str, int] = dict.fromkeys(CALLS, 1)
# TikTok's own word that the day's requests are spent (unverified: the reference documents
# only rate_limit_exceeded, so a 429 whose message speaks of the daily quota counts too)
QUOTA_CODES = frozenset({"daily_quota_limit_exceeded", "quota_exceeded"})

MAX_PAGE = 100  # video/query and comment/list max_count
MAX_IDS = 100  # video_id values per query
WINDOW_DAYS = 30  # start_date .. end_date, both included
MAX_COMMENTS = 1000  # cursor + max_count <= 1000
MAX_PAGES_PER_WINDOW = 20
DEFAULT_LOOKBACK_DAYS = 180

VIDEO_GONE = "video does not exist, was deleted, or is not public"


def _ymd(d: date) -> str:
    return d.strftime("%Y%m%d")


def _windows(days: list[date]) -> list[tuple[date, date]]:
    """The fewest windows of at most :data:`WINDOW_DAYS` days covering ``days`` (sorted)."""
    out: list[tuple[date, date]] = []
    for d in days:
        if out and (d - out[-1][0]).days < WINDOW_DAYS:
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


class TikTokResearchConnector(TikTokConnector):
    name: ClassVar[str] = "tiktok-research-v2"
    surface: ClassVar[str] = "Research API"

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str = DEFAULT_BASE_URL,
        client_key: str | None = None,
        client_secret: str | None = None,
        pacers: dict[str, Pacer] | None = None,
        quota: QuotaBudget | None = None,
        daily_quota: int | None = DAILY_QUOTA,
        retries: int = 2,
        calls: dict[str, int] | None = None,
        rate_per_s: float = DEFAULT_RATE_PER_S,
        lookback_days: int = DEFAULT_LOOKBACK_DAYS,
        concurrency: int = 4,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(client, base_url=base_url, pacers=pacers, retries=retries, calls=calls)
        self.client_key = client_key
        self.client_secret = client_secret
        self.quota = quota
        self.lookback_days = max(1, lookback_days)
        self.concurrency = max(1, concurrency)
        self.clock = clock
        self.limits = Limits(
            profile_batch=20,
            post_batch=MAX_IDS,
            rate_per_s=rate_per_s,
            daily_quota=daily_quota,
            quota_costs=dict(QUOTA_COSTS),
        )
        self._token: str | None = None
        self._token_expires_at: datetime | None = None
        self._token_lock = asyncio.Lock()

    # ------------------------------------------------------------------ plumbing

    async def before_request(self, call: str, cost: int) -> None:
        if self.quota is not None and call in QUOTA_COSTS:
            await self.quota.spend(QUOTA_KEY, QUOTA_COSTS[call])
        await super().before_request(call, cost)

    def error_for(
        self,
        status: int,
        code: str | None,
        message: str | None,
        log_id: str | None,
        retry_after: float | None,
    ) -> PlatformError:
        if code in QUOTA_CODES or (status == 429 and message and "quota" in message.lower()):
            resets_at = quota_day_reset(self.clock(), 0)
            return QuotaExceeded(
                f"TikTok's Research API says the project's daily requests are spent ({message or code}); "
                f"calls resume after the quota resets at {iso(resets_at)} (midnight UTC)",
                resets_at=resets_at,
                status=status,
                request_id=log_id,
            )
        return super().error_for(status, code, message, log_id, retry_after)

    def _credentials_refused(self, said: str, code: str) -> AuthExpired:
        if code in ("scope_not_authorized", "scope_permission_missed"):
            fix = (
                "the client is not approved for the Research API scopes (research.data.basic): "
                f"check that {CLIENT_KEY_SETTING} is the key of an approved research project"
            )
        else:
            fix = (
                f"check {CLIENT_KEY_SETTING} and {CLIENT_SECRET_SETTING} "
                "(the client key and secret of an approved Research API project)"
            )
        return TikTokRefused(f"{said.rstrip('.')}; {fix}", wire_code=code, setting=CLIENT_KEY_SETTING)

    async def _client_token(self, *, renew: bool = False) -> str:
        """The client token, fetched with the client key and secret when missing, expiring or refused."""
        if not self.client_key or not self.client_secret:
            raise AuthExpired(
                f"TikTok's Research API needs a client key and secret: set {CLIENT_KEY_SETTING} and "
                f"{CLIENT_SECRET_SETTING} (an approved Research API project's)",
                setting=CLIENT_KEY_SETTING,
            )
        stale = self._token
        async with self._token_lock:
            fresh = (
                self._token is not None
                and (self._token_expires_at is None or self._token_expires_at > self.clock() + TOKEN_MARGIN)
                and not (renew and self._token == stale)
            )
            if fresh and self._token is not None:
                return self._token
            body = await self.oauth(
                {
                    "client_key": self.client_key,
                    "client_secret": self.client_secret,
                    "grant_type": "client_credentials",
                },
                refused=f"Check {CLIENT_KEY_SETTING} and {CLIENT_SECRET_SETTING} "
                "(the client key and secret of an approved Research API project)",
                setting=CLIENT_KEY_SETTING,
            )
            expires_in = body.get("expires_in")
            self._token = str(body["access_token"])
            self._token_expires_at = (
                self.clock() + timedelta(seconds=expires_in)
                if isinstance(expires_in, int) and not isinstance(expires_in, bool)
                else None
            )
            return self._token

    async def _research(self, call: str, path: str, fields: str, body: dict[str, Any]) -> dict[str, Any]:
        token = await self._client_token()
        try:
            try:
                return await self.api("POST", path, call=call, token=token, fields=fields, json=body)
            except TikTokRefused as exc:
                if exc.wire_code not in TOKEN_CODES:
                    raise self._credentials_refused(exc.message, exc.wire_code) from exc
            token = await self._client_token(renew=True)  # refused: a new one, and once more
            try:
                return await self.api("POST", path, call=call, token=token, fields=fields, json=body)
            except TikTokRefused as exc:
                raise self._credentials_refused(exc.message, exc.wire_code) from exc
        except QuotaExceeded as exc:
            exhaust = getattr(self.quota, "exhaust", None)
            if exc.status is not None and exhaust is not None:  # TikTok itself said so: stop everyone
                await exhaust(QUOTA_KEY)
            raise

    # ------------------------------------------------------------------ profiles

    def _profile(self, user: dict[str, Any], username: str) -> ProfileData:
        verified = user.get("is_verified")
        return ProfileData(
            platform_id=username,
            handle=username,
            display_name=as_str(user.get("display_name")),
            biography=as_str(user.get("bio_description")),
            avatar_url=as_str(user.get("avatar_url")),
            url=profile_url(username),
            followers=count(user, "follower_count", "user"),
            following=count(user, "following_count", "user"),
            posts=count(user, "video_count", "user"),
            likes=count(user, "likes_count", "user"),
            details={"username": username, "is_verified": verified if isinstance(verified, bool) else None},
        )

    @staticmethod
    def _user_error(exc: InvalidParams, username: str) -> PlatformError:
        said = exc.wire_message.lower()
        if "private" in said:
            return Private(f"TikTok account @{username} is private", status=exc.status)
        if "ban" in said or "suspend" in said:
            return Suspended(f"TikTok account @{username} is banned ({exc.wire_message})", status=exc.status)
        return NotFound(
            f"TikTok has no public account @{username} ({exc.wire_message or 'invalid_params'})",
            status=exc.status,
        )

    async def _user_info(self, username: str) -> ProfileData | PlatformError:
        try:
            data = await self._research(
                "research.user.info", "/v2/research/user/info/", USER_FIELDS, {"username": username}
            )
        except InvalidParams as exc:
            return self._user_error(exc, username)
        try:
            return self._profile(data, username)
        except BadResponse as exc:
            return exc

    async def fetch_profiles(self, refs: Sequence[AccountRef]) -> dict[str, ProfileData | PlatformError]:
        wanted: dict[str, list[AccountRef]] = {}
        for ref in refs:
            wanted.setdefault(normalize_username(ref.handle), []).append(ref)
        gate = asyncio.Semaphore(self.concurrency)

        async def one(username: str) -> tuple[ProfileData | PlatformError]:
            async with gate:
                return (await self._user_info(username),)

        results = await asyncio.gather(*(one(u) for u in wanted), return_exceptions=True)
        out: dict[str, ProfileData | PlatformError] = {}
        for username, result in zip(wanted, results, strict=True):
            if isinstance(result, BaseException):
                # not this account's fault (rate limit, quota, credentials, outage): the batch stops
                raise result
            for ref in wanted[username]:
                out[ref.key] = result[0]
        return out

    def needs_listing(self, ref: AccountRef, profile: ProfileData) -> bool:
        return ref.last_posts_count is None or ref.last_posts_count != profile.posts

    # ------------------------------------------------------------------ posts

    def _post(self, video: dict[str, Any]) -> PostData:
        video_id = id_string(video.get("id"), "video")
        username = as_str(video.get("username"))
        username = username.lower() if username else None
        duration = count(video, "video_duration", "video")
        kind = post_type(duration)
        hashtags = video.get("hashtag_names")
        effects = video.get("effect_ids")
        return PostData(
            social_id=video_id,
            author_platform_id=username,
            author_handle=username,
            url=video_url(username, video_id, kind),
            type=kind.value,
            caption=as_str(video.get("video_description")),
            posted_at=epoch(video.get("create_time")),
            views=count(video, "view_count", "video"),
            likes=count(video, "like_count", "video"),
            comments=count(video, "comment_count", "video"),
            shares=count(video, "share_count", "video"),
            saves=count(video, "favorites_count", "video"),
            details={
                "duration_s": duration,
                "region_code": as_str(video.get("region_code")),
                "music_id": str(video["music_id"]) if isinstance(video.get("music_id"), int | str) else None,
                "hashtags": [h for h in hashtags if isinstance(h, str)] if isinstance(hashtags, list) else [],
                "effect_ids": [str(e) for e in effects if isinstance(e, int | str)]
                if isinstance(effects, list)
                else [],
                "playlist_id": str(video["playlist_id"])
                if isinstance(video.get("playlist_id"), int | str) and video.get("playlist_id")
                else None,
                "voice_to_text": as_str(video.get("voice_to_text")),
                "is_stem_verified": video.get("is_stem_verified")
                if isinstance(video.get("is_stem_verified"), bool)
                else None,
            },
        )

    async def _query(
        self, condition: dict[str, Any], start: date, end: date, *, max_pages: int = MAX_PAGES_PER_WINDOW
    ) -> tuple[list[dict[str, Any]], bool]:
        """Every video matching ``condition`` created from ``start`` to ``end`` (UTC dates), and
        whether the pages ran out before TikTok said there were no more."""
        videos: list[dict[str, Any]] = []
        cursor: int | None = None
        search_id: str | None = None
        for _ in range(max_pages):
            body: dict[str, Any] = {
                "query": {"and": [condition]},
                "start_date": _ymd(start),
                "end_date": _ymd(end),
                "max_count": MAX_PAGE,
            }
            if cursor is not None:
                body["cursor"] = cursor
            if search_id is not None:
                body["search_id"] = search_id
            data = await self._research(
                "research.video.query", "/v2/research/video/query/", VIDEO_FIELDS, body
            )
            page = data.get("videos") or []
            if not isinstance(page, list) or not all(isinstance(v, dict) for v in page):
                raise BadResponse("TikTok answered video/query with malformed videos")
            videos.extend(page)
            next_cursor = data.get("cursor")
            if data.get("has_more") is not True or not page or not isinstance(next_cursor, int):
                return videos, False
            cursor = next_cursor
            search_id = as_str(data.get("search_id")) or search_id
        return videos, True

    async def list_posts(self, ref: AccountRef, profile: ProfileData, limit: int) -> ListResult:
        if limit <= 0 or profile.posts == 0:
            return ListResult(posts=[], complete=True)
        target = listing_target(ref, profile, limit)
        username = profile.handle or normalize_username(ref.handle)
        condition = {"operation": "EQ", "field_name": "username", "field_values": [username]}
        today = self.clock().date()
        earliest = today - timedelta(days=self.lookback_days - 1)
        found: dict[str, PostData] = {}
        end = today
        truncated = False
        while end >= earliest:
            start = max(end - timedelta(days=WINDOW_DAYS - 1), earliest)
            videos, cut = await self._query(condition, start, end)
            truncated = truncated or cut
            for video in videos:
                post = self._post(video)
                found.setdefault(post.social_id, post)
            if len(found) >= target or (profile.posts is not None and len(found) >= profile.posts):
                break
            end = start - timedelta(days=1)
        newest = sorted(
            found.values(), key=lambda p: p.posted_at or datetime.min.replace(tzinfo=UTC), reverse=True
        )
        reached = len(found) >= target or (profile.posts is not None and len(found) >= profile.posts)
        return ListResult(posts=newest[:limit], complete=reached and not truncated)

    async def fetch_posts(self, refs: Sequence[PostRef]) -> dict[str, PostData | PlatformError]:
        out: dict[str, PostData | PlatformError] = {}
        wanted: dict[str, list[PostRef]] = {}
        for ref in refs:
            wanted.setdefault(ref.social_id.strip(), []).append(ref)
        now = self.clock()
        by_day: dict[date, list[str]] = {}
        for video_id in wanted:
            when = created_at(video_id, now)
            if when is None:
                for ref in wanted[video_id]:
                    out[ref.key] = NotFound(
                        f"{video_id} is not a TikTok video id (it carries no creation time)"
                    )
            else:
                by_day.setdefault(when.date(), []).append(video_id)
        for start, end in _windows(sorted(by_day)):
            ids = [v for d in sorted(by_day) if start <= d <= end for v in by_day[d]]
            for i in range(0, len(ids), MAX_IDS):
                chunk = ids[i : i + MAX_IDS]
                condition = {"operation": "IN", "field_name": "video_id", "field_values": chunk}
                videos, _ = await self._query(condition, start, end, max_pages=2)
                found: dict[str, dict[str, Any]] = {}
                for video in videos:
                    try:
                        found[id_string(video.get("id"), "video")] = video
                    except BadResponse:
                        continue
                for video_id in chunk:
                    settle_batch_item(
                        out,
                        wanted[video_id],
                        found.get(video_id),
                        self._post,
                        f"TikTok {VIDEO_GONE} ({video_id})",
                    )
        return out

    # ------------------------------------------------------------------ comments

    def _comment(self, c: dict[str, Any], video_id: str) -> CommentData | None:
        try:
            comment_id = id_string(c.get("id"), "comment")
        except BadResponse:
            return None
        parent = c.get("parent_comment_id")
        parent_id = str(parent) if isinstance(parent, int | str) and str(parent) else None
        text = c.get("text")
        return CommentData(
            platform_id=comment_id,
            text=text if isinstance(text, str) else "",
            posted_at=epoch(c.get("create_time")),
            likes=count(c, "like_count", "comment"),
            reply_count=count(c, "reply_count", "comment"),
            parent_id=None if parent_id in (None, video_id, "0") else parent_id,  # top level: the video's id
        )

    async def fetch_comments(self, ref: PostRef, limit: int) -> list[CommentData]:
        """The top comments by likes (``limit`` at most; TikTok serves the first 1000)."""
        video_id = ref.social_id.strip()
        if limit <= 0:
            return []
        if not video_id.isdigit():
            raise NotFound(f"{video_id} is not a TikTok video id")
        comments: dict[str, CommentData] = {}
        cursor = 0
        while len(comments) < limit and cursor < MAX_COMMENTS:
            body = {
                "video_id": int(video_id),
                "max_count": min(MAX_PAGE, MAX_COMMENTS - cursor),
                "cursor": cursor,
            }
            try:
                data = await self._research(
                    "research.video.comment.list", "/v2/research/video/comment/list/", COMMENT_FIELDS, body
                )
            except InvalidParams as exc:
                raise NotFound(
                    f"TikTok {VIDEO_GONE}, or its comments cannot be read ({video_id}: {exc.wire_message})",
                    status=exc.status,
                ) from exc
            page = data.get("comments") or []
            if not isinstance(page, list):
                raise BadResponse("TikTok answered comment/list with malformed comments")
            for c in page:
                comment = self._comment(as_dict(c), video_id)
                if comment is not None:
                    comments.setdefault(comment.platform_id, comment)
            next_cursor = data.get("cursor")
            if data.get("has_more") is not True or not page or not isinstance(next_cursor, int):
                break
            cursor = max(next_cursor, cursor + 1)
        top = sorted(comments.values(), key=lambda c: c.likes or 0, reverse=True)
        return top[:limit]
