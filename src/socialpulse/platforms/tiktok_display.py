"""TikTok Display API v2: an authorised account's own profile and videos, with its user token.

The Display API only reads the data of the user who authorised the token (``act.…``), so
every account needs its own token. Tokens come from an injected
:class:`~socialpulse.platforms.credentials.TokenStore` (the ``platform_credentials`` table:
one row per authorised account); an account without a stored token uses
``SOCIALPULSE_TIKTOK_ACCESS_TOKEN``, the single-account fallback. A stored token close to
its expiry, or refused as expired, is renewed with its refresh token when the client key and
secret are set; otherwise the account needs authorising again.

Calls (reference section 4): ``GET /v2/user/info/`` (one per account: a token reads one
user), ``POST /v2/video/list/`` (newest first, ``max_count`` ≤ 20, a ``cursor`` in ms and
``has_more``; the videos carry their counts, so a listing needs no follow-up) and
``POST /v2/video/query/`` (``filters.video_ids``, at most 20, only the token user's
videos; others, deleted and private ones are left out and are "not found").

There are no comments in the Display API: :meth:`fetch_comments` answers none.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx

from socialpulse.kit.chunks import chunks
from socialpulse.kit.time import iso, utcnow
from socialpulse.platforms.base import (
    AccountRef,
    AuthExpired,
    BadResponse,
    CommentData,
    Limits,
    ListResult,
    Pacer,
    PlatformError,
    PostData,
    PostRef,
    ProfileData,
    QuotaExceeded,
    RateLimited,
    settle_batch_item,
)
from socialpulse.platforms.credentials import StoredToken, TokenStore
from socialpulse.platforms.tiktok import (
    ACCESS_TOKEN_SETTING,
    CLIENT_KEY_SETTING,
    CLIENT_SECRET_SETTING,
    DEFAULT_BASE_URL,
    DEFAULT_RATE_PER_S,
    TOKEN_CODES,
    TOKEN_MARGIN,
    TikTokConnector,
    TikTokRefused,
    as_str,
    count,
    epoch,
    id_string,
    listing_target,
    normalize_username,
    post_type,
    profile_url,
    video_url,
)

T = TypeVar("T")

USER_FIELDS = (
    "open_id,union_id,avatar_url,display_name,bio_description,profile_deep_link,is_verified,"
    "username,follower_count,following_count,likes_count,video_count"
)
VIDEO_FIELDS = (
    "id,create_time,cover_image_url,share_url,video_description,duration,title,"
    "like_count,comment_count,share_count,view_count"
)
SCOPES = "user.info.basic, user.info.profile, user.info.stats, video.list"
MAX_LIST = 20  # /v2/video/list/ max_count
MAX_IDS = 20  # /v2/video/query/ filters.video_ids
CALLS = ("user.info", "video.list", "video.query")
MAX_LIST_PAGES = 50

VIDEO_GONE = (
    "video does not exist, was deleted, is not public, or was not posted by the account "
    "that authorised the token"
)
NO_COMMENTS = "the TikTok Display API has no comments endpoint: comments need the Research API"


@dataclass(frozen=True)
class Grant:
    """The token a call goes out with: a stored one (``stored``) or the settings fallback."""

    token: str
    stored: StoredToken | None = None

    @property
    def who(self) -> str:
        """Whose token this is, for messages."""
        return f"account {self.stored.account_id}" if self.stored else "the tracked account"

    @property
    def described(self) -> str:
        return f"the stored token of {self.who}" if self.stored else f"the token in {ACCESS_TOKEN_SETTING}"


class TikTokDisplayConnector(TikTokConnector):
    name: ClassVar[str] = "tiktok-display-v2"
    surface: ClassVar[str] = "Display API"

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str = DEFAULT_BASE_URL,
        access_token: str | None = None,
        tokens: TokenStore | None = None,
        client_key: str | None = None,
        client_secret: str | None = None,
        pacers: dict[str, Pacer] | None = None,
        retries: int = 2,
        calls: dict[str, int] | None = None,
        rate_per_s: float = DEFAULT_RATE_PER_S,
        concurrency: int = 8,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(client, base_url=base_url, pacers=pacers, retries=retries, calls=calls)
        self.access_token = access_token
        self.tokens = tokens
        self.client_key = client_key
        self.client_secret = client_secret
        self.concurrency = max(1, concurrency)
        self.clock = clock
        self.limits = Limits(profile_batch=MAX_IDS, post_batch=MAX_IDS, rate_per_s=rate_per_s)
        self._renew_locks: dict[int, asyncio.Lock] = {}
        self._renewed: dict[int, StoredToken] = {}

    # ------------------------------------------------------------------ tokens

    def _missing(self, what: str) -> AuthExpired:
        return AuthExpired(
            f"TikTok's Display API needs the user access token of {what}: have its owner authorise "
            f"socialpulse (Login Kit, scopes {SCOPES}) and store the token for the account, or set "
            f"{ACCESS_TOKEN_SETTING} when one account is tracked",
            setting=ACCESS_TOKEN_SETTING,
        )

    def _grant(self, stored: StoredToken | None, what: str) -> Grant | AuthExpired:
        if stored is not None:
            return Grant(stored.access_token, stored)
        if self.access_token:
            return Grant(self.access_token)
        return self._missing(what)

    async def _account_grants(self, refs: Sequence[AccountRef]) -> dict[str, Grant | AuthExpired]:
        stored = (
            await self.tokens.for_accounts(self.platform.value, [r.key for r in refs]) if self.tokens else {}
        )
        return {r.key: self._grant(stored.get(r.key), f"@{normalize_username(r.handle)}") for r in refs}

    async def _post_grants(self, refs: Sequence[PostRef]) -> dict[str, Grant | AuthExpired]:
        stored = (
            await self.tokens.for_posts(self.platform.value, [r.key for r in refs]) if self.tokens else {}
        )
        return {r.key: self._grant(stored.get(r.key), f"the author of video {r.social_id}") for r in refs}

    def _expiring(self, token: StoredToken) -> bool:
        return token.expires_at is not None and token.expires_at <= self.clock() + TOKEN_MARGIN

    def _can_renew(self, grant: Grant) -> bool:
        return bool(grant.stored and grant.stored.refresh_token and self.client_key and self.client_secret)

    def refused(self, grant: Grant, code: str, said: str) -> AuthExpired:
        """What to do about a token TikTok (or its expiry time) turned down."""
        owner = "the account's owner" if grant.stored is None else f"the owner of {grant.who}"
        if code in ("scope_not_authorized", "scope_permission_missed"):
            fix = f"{owner} must authorise socialpulse again, granting the scopes {SCOPES}"
        elif grant.stored is None:
            fix = f"renew {ACCESS_TOKEN_SETTING} with a new user access token (act.…)"
        elif grant.stored.refresh_token and not (self.client_key and self.client_secret):
            fix = (
                f"set {CLIENT_KEY_SETTING} and {CLIENT_SECRET_SETTING} so that socialpulse renews "
                f"the token of {grant.who} with its refresh token, or {owner} must authorise "
                "socialpulse again"
            )
        else:
            fix = f"{owner} must authorise socialpulse again, and the new token be stored"
        setting = ACCESS_TOKEN_SETTING if grant.stored is None else None
        return TikTokRefused(f"{said.rstrip('.')}. To fix: {fix}", wire_code=code, setting=setting)

    async def _renew(self, grant: Grant) -> Grant:
        """Trade the stored refresh token for a new access token (once per process at a time)."""
        stored = grant.stored
        if stored is None or not stored.refresh_token:
            raise self.refused(grant, "access_token_expired", "the TikTok access token expired")
        lock = self._renew_locks.setdefault(stored.credential_id, asyncio.Lock())
        async with lock:
            latest = self._renewed.get(stored.credential_id)
            if latest is not None and latest.access_token != grant.token and not self._expiring(latest):
                return Grant(latest.access_token, latest)  # another call renewed it meanwhile
            body = await self.oauth(
                {
                    "client_key": self.client_key or "",
                    "client_secret": self.client_secret or "",
                    "grant_type": "refresh_token",
                    "refresh_token": stored.refresh_token,
                },
                refused=f"The refresh token of {grant.who} was refused: its owner must authorise "
                "socialpulse again, and the new token be stored (or check "
                f"{CLIENT_KEY_SETTING} and {CLIENT_SECRET_SETTING})",
                setting=None,
            )
            expires_in = body.get("expires_in")
            expires_at = (
                self.clock() + timedelta(seconds=expires_in)
                if isinstance(expires_in, int) and not isinstance(expires_in, bool)
                else None
            )
            scope = as_str(body.get("scope"))
            scopes = tuple(s.strip() for s in scope.split(",") if s.strip()) if scope else stored.scopes
            fresh = StoredToken(
                credential_id=stored.credential_id,
                account_id=stored.account_id,
                access_token=str(body["access_token"]),
                refresh_token=as_str(body.get("refresh_token")) or stored.refresh_token,
                expires_at=expires_at,
                scopes=scopes,
            )
            if self.tokens is not None:
                await self.tokens.renewed(
                    fresh.credential_id,
                    access_token=fresh.access_token,
                    refresh_token=fresh.refresh_token,
                    expires_at=fresh.expires_at,
                    scopes=list(fresh.scopes),
                )
            self._renewed[stored.credential_id] = fresh
            return Grant(fresh.access_token, fresh)

    async def _with(self, grant: Grant, call: Callable[[str], Awaitable[T]]) -> T:
        """Run ``call`` with the grant's token; renew a stored token that expired and try once more."""
        stored = grant.stored
        if stored is not None and stored.expires_at is not None and self._expiring(stored):
            if not self._can_renew(grant):
                raise self.refused(
                    grant,
                    "access_token_expired",
                    f"the stored TikTok access token of {grant.who} expired (valid until {iso(stored.expires_at)})",
                )
            grant = await self._renew(grant)
        try:
            return await call(grant.token)
        except TikTokRefused as exc:
            if exc.wire_code not in TOKEN_CODES or not self._can_renew(grant):
                raise self.refused(grant, exc.wire_code, exc.message) from exc
            renewed = await self._renew(grant)
        try:
            return await call(renewed.token)
        except TikTokRefused as exc:
            raise self.refused(renewed, exc.wire_code, exc.message) from exc

    # ------------------------------------------------------------------ profiles

    def _profile(self, user: dict[str, Any], ref: AccountRef, grant: Grant) -> ProfileData:
        open_id = as_str(user.get("open_id"))
        if open_id is None:
            raise BadResponse("TikTok answered user/info without an open_id")
        username = as_str(user.get("username"))
        wanted = normalize_username(ref.handle)
        same = (
            (username is not None and username.lower() == wanted)
            or (ref.platform_id is not None and ref.platform_id in (open_id, username))
            or (username is None and ref.platform_id is None)
        )
        if not same:
            raise TikTokRefused(
                f"{grant.described} was authorised by TikTok user @{username or open_id}, "
                f"not by @{wanted}: @{wanted} must authorise socialpulse and the token be stored for this account"
                + (f" (or track @{username} instead)" if username else ""),
                wire_code="wrong_user",
                setting=ACCESS_TOKEN_SETTING if grant.stored is None else None,
            )
        handle = (username or wanted).lower()
        bio = as_str(user.get("bio_description"))
        return ProfileData(
            platform_id=open_id,
            handle=handle,
            display_name=as_str(user.get("display_name")),
            biography=bio,
            avatar_url=as_str(user.get("avatar_url")),
            url=profile_url(handle),
            followers=count(user, "follower_count", "user"),
            following=count(user, "following_count", "user"),
            posts=count(user, "video_count", "user"),
            likes=count(user, "likes_count", "user"),
            details={
                "open_id": open_id,
                "union_id": as_str(user.get("union_id")),
                "username": username,
                "is_verified": user.get("is_verified") if isinstance(user.get("is_verified"), bool) else None,
                "profile_deep_link": as_str(user.get("profile_deep_link")),
            },
        )

    async def _user_info(self, ref: AccountRef, grant: Grant) -> ProfileData:
        data = await self._with(
            grant,
            lambda token: self.api(
                "GET", "/v2/user/info/", call="user.info", token=token, fields=USER_FIELDS
            ),
        )
        user = data.get("user")
        if not isinstance(user, dict):
            raise BadResponse("TikTok answered user/info without a user object")
        return self._profile(user, ref, grant)

    async def fetch_profiles(self, refs: Sequence[AccountRef]) -> dict[str, ProfileData | PlatformError]:
        grants = await self._account_grants(refs)
        gate = asyncio.Semaphore(self.concurrency)

        async def one(ref: AccountRef) -> tuple[ProfileData | PlatformError]:
            grant = grants[ref.key]
            if isinstance(grant, PlatformError):
                return (grant,)
            async with gate:
                try:
                    return (await self._user_info(ref, grant),)
                except (RateLimited, QuotaExceeded):
                    raise  # these stop every call, not just this one
                except PlatformError as exc:  # a token is one account's: so is its refusal
                    return (exc,)

        results = await asyncio.gather(*(one(r) for r in refs), return_exceptions=True)
        out: dict[str, ProfileData | PlatformError] = {}
        for ref, result in zip(refs, results, strict=True):
            if isinstance(result, BaseException):
                raise result
            out[ref.key] = result[0]
        return out

    def needs_listing(self, ref: AccountRef, profile: ProfileData) -> bool:
        return ref.last_posts_count is None or ref.last_posts_count != profile.posts

    # ------------------------------------------------------------------ posts

    def _post(self, video: dict[str, Any], author: ProfileData | None = None) -> PostData:
        video_id = id_string(video.get("id"), "video")
        duration = count(video, "duration", "video")
        share_url = as_str(video.get("share_url"))
        kind = post_type(duration, share_url)
        url = video_url(author.handle, video_id, kind) if author else None
        if url is None and share_url:  # the share link, without its tracking parameters
            parts = urlsplit(share_url)
            url = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        title = as_str(video.get("title"))
        description = as_str(video.get("video_description"))
        return PostData(
            social_id=video_id,
            author_platform_id=author.platform_id if author else None,
            author_handle=author.handle if author else None,
            url=url,
            type=kind.value,
            caption=description or title,
            posted_at=epoch(video.get("create_time")),
            views=count(video, "view_count", "video"),
            likes=count(video, "like_count", "video"),
            comments=count(video, "comment_count", "video"),
            shares=count(video, "share_count", "video"),
            details={
                "title": title,
                "duration_s": duration,
                "cover_image_url": as_str(video.get("cover_image_url")),
                "share_url": share_url,
            },
        )

    async def _call(self, call: str, path: str, body: dict[str, Any], token: str) -> dict[str, Any]:
        return await self.api("POST", path, call=call, token=token, fields=VIDEO_FIELDS, json=body)

    @staticmethod
    def _videos(data: dict[str, Any], call: str) -> list[dict[str, Any]]:
        videos = data.get("videos", [])
        if videos is None:
            return []
        if not isinstance(videos, list) or not all(isinstance(v, dict) for v in videos):
            raise BadResponse(f"TikTok answered {call} with malformed videos")
        return videos

    async def list_posts(self, ref: AccountRef, profile: ProfileData, limit: int) -> ListResult:
        target = listing_target(ref, profile, limit)
        if limit <= 0 or profile.posts == 0:
            return ListResult(posts=[], complete=True)
        grant = (await self._account_grants([ref]))[ref.key]
        if isinstance(grant, PlatformError):
            raise grant
        posts: list[PostData] = []
        seen: set[str] = set()
        cursor: int | None = None
        for _ in range(MAX_LIST_PAGES):
            body: dict[str, Any] = {"max_count": min(MAX_LIST, limit - len(posts))}
            if cursor is not None:
                body["cursor"] = cursor
            data = await self._with(grant, partial(self._call, "video.list", "/v2/video/list/", body))
            videos = self._videos(data, "video/list")
            for video in videos:
                post = self._post(video, profile)
                if post.social_id not in seen:
                    seen.add(post.social_id)
                    posts.append(post)
            next_cursor = data.get("cursor")
            more = data.get("has_more") is True and isinstance(next_cursor, int) and bool(videos)
            if len(posts) >= limit:
                return ListResult(posts=posts[:limit], complete=True)
            if not more or len(posts) >= target:
                return ListResult(posts=posts, complete=True)
            cursor = next_cursor if isinstance(next_cursor, int) else None
        return ListResult(posts=posts, complete=False)

    async def fetch_posts(self, refs: Sequence[PostRef]) -> dict[str, PostData | PlatformError]:
        out: dict[str, PostData | PlatformError] = {}
        grants = await self._post_grants(refs)
        groups: dict[str, tuple[Grant, dict[str, list[PostRef]]]] = {}
        for ref in refs:
            grant = grants[ref.key]
            if isinstance(grant, PlatformError):
                out[ref.key] = grant
                continue
            _, wanted = groups.setdefault(grant.token, (grant, {}))
            wanted.setdefault(ref.social_id.strip(), []).append(ref)

        for grant, wanted in groups.values():
            for ids in chunks(list(wanted), MAX_IDS):
                body = {"filters": {"video_ids": ids}}
                try:
                    data = await self._with(
                        grant, partial(self._call, "video.query", "/v2/video/query/", body)
                    )
                except AuthExpired as exc:  # this token's posts only
                    for refs_of_id in wanted.values():
                        for ref in refs_of_id:
                            out.setdefault(ref.key, exc)
                    break
                found: dict[str, dict[str, Any]] = {}
                for video in self._videos(data, "video/query"):
                    try:
                        found[id_string(video.get("id"), "video")] = video
                    except BadResponse:
                        continue
                for video_id in ids:
                    settle_batch_item(
                        out,
                        wanted[video_id],
                        found.get(video_id),
                        self._post,
                        f"TikTok {VIDEO_GONE} ({video_id})",
                    )
        return out

    # ------------------------------------------------------------------ comments

    async def fetch_comments(self, ref: PostRef, limit: int) -> list[CommentData]:
        """None: the Display API has no comments endpoint (see :data:`NO_COMMENTS`)."""
        return []
