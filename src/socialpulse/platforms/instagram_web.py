"""Instagram's public web profile: what instagram.com's own pages read, with no credentials.

A scraper's endpoint, not an API contract (reference section 3). One call reads a profile
and its 12 latest posts:

``GET {base}/api/v1/users/web_profile_info/?username=NAME`` with the headers instagram.com's
web client sends (``x-ig-app-id: 936619743392459``, a browser ``User-Agent``) →
``data.user``: ``edge_followed_by.count``, ``edge_follow.count``,
``edge_owner_to_timeline_media.{count, page_info, edges[].node}``, ``biography``,
``external_url``/``bio_links``, ``category_name``, ``is_private``, ``is_business_account``...

Instagram limits anonymous reads hard and unpublished. It objects with 429, with 401 "Please
wait a few minutes before you try again", or by redirecting to its login page; each is a
:class:`RateLimited` with a long ``retry_after`` (at least five minutes), and the connector
itself refuses further calls until then (the queue retries later), so it never hammers. Its
default pace is 200 calls per 11 minutes (``SOCIALPULSE_INSTAGRAM_WEB_RATE_PER_S``), the
pace instaloader keeps. The client must not follow redirects (the registry's does not).

Posts: there is no batch read. A post is refreshed by reading its author's profile again
(one call covers their 12 latest posts; calls are shared by every post of the same author in
a batch). A post older than those 12 is not reachable this way: it answers
:class:`~socialpulse.platforms.instagram.PostOutOfReach` (the Graph source's Business Discovery
reads further back) rather than a made-up "not found"; a post missing from a profile that
shows all its posts was deleted (:class:`NotFound`). The private ``api/v1/media/{id}/info/``
read is not used: Instagram serves it to logged-in sessions only.

Comments: ``GET {base}/api/v1/media/{media_id}/comments/?can_support_threading=true
&permalink_enabled=false`` (the app API instaloader uses; the media id is the shortcode read
as base 64), up to :data:`COMMENT_PAGES` pages, most liked first.

Calls per account: 1 for a first refresh and 1 for a refresh with nothing new (listing reuses
the profile call's posts, and refreshes their counters at no cost).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import httpx

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
    RateLimited,
    TransientError,
    parse_retry_after,
)
from socialpulse.platforms.instagram import (
    AuthorUnknown,
    InstagramConnector,
    PostOutOfReach,
    _count,
    _dict,
    _str,
    _time,
    normalize_username,
    post_url,
    profile_url,
    require_dict,
    shortcode_to_pk,
    web_post_type,
)

DEFAULT_BASE_URL = "https://i.instagram.com"
BASE_URL_SETTING = "SOCIALPULSE_INSTAGRAM_WEB_BASE_URL"
RATE_SETTING = "SOCIALPULSE_INSTAGRAM_WEB_RATE_PER_S"
WEB_APP_ID = "936619743392459"
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
HEADERS = {
    "x-ig-app-id": WEB_APP_ID,
    "User-Agent": USER_AGENT,
    "Accept": "*/*",
    "Accept-Language": "en-US,en;q=0.9",
    "X-Requested-With": "XMLHttpRequest",
    "Referer": "https://www.instagram.com/",
}
DEFAULT_RATE_PER_S = 200 / 660  # instaloader's pace: 200 calls per 11 minutes
WEB_EDGES = 12  # posts a profile shows
COMMENT_PAGES = 2
DEFAULT_PROFILE_BATCH = 10
MAX_POST_BATCH = 50

PROFILE_CALL = "web_profile_info"
COMMENTS_CALL = "media_comments"

# how long to leave Instagram alone after it objected (seconds)
TOO_MANY_S = 300.0  # 429 without a Retry-After
PLEASE_WAIT_S = 600.0  # 401 "Please wait a few minutes before you try again"
LOGIN_WALL_S = 900.0  # a redirect to the login page
STOP_S = 3600.0  # feedback_required / checkpoint_required / challenge_required
_STOP_WORDS = ("feedback_required", "checkpoint_required", "challenge_required")


class InstagramWebConnector(InstagramConnector):
    name: ClassVar[str] = "instagram-web"
    api_version: ClassVar[str] = "web_profile_info"
    source: ClassVar[str] = "web"

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str = DEFAULT_BASE_URL,
        pacer: Pacer | None = None,
        retries: int = 2,
        calls: dict[str, int] | None = None,
        rate_per_s: float = DEFAULT_RATE_PER_S,
        profile_batch: int = DEFAULT_PROFILE_BATCH,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(client, base_url=base_url, pacer=pacer, retries=retries, calls=calls)
        self.limits = Limits(profile_batch=profile_batch, post_batch=MAX_POST_BATCH, rate_per_s=rate_per_s)
        self.clock = clock
        self.blocked_until = 0.0  # clock() before which we leave Instagram alone

    # ------------------------------------------------------------------ plumbing

    async def before_request(self, call: str, cost: int) -> None:
        left = self.blocked_until - self.clock()
        if left > 0:
            raise RateLimited(
                f"Instagram's web profile asked us to back off; {left:.0f} s left before we call it again",
                retry_after=left,
            )

    def _throttled(self, message: str, wait_s: float, status: int | None) -> RateLimited:
        self.blocked_until = max(self.blocked_until, self.clock() + wait_s)
        return RateLimited(
            f"{message}; leaving it alone for {wait_s:.0f} s", retry_after=wait_s, status=status
        )

    def map_error(self, response: httpx.Response, body: Any) -> PlatformError:
        status = response.status_code
        message = _str(_dict(body).get("message")) or ""
        lower = message.lower()
        said = f"Instagram answered HTTP {status}" + (f": {message}" if message else "")
        if 300 <= status < 400:
            location = response.headers.get("location", "")
            if "login" in location or "challenge" in location:
                return self._throttled(
                    f"Instagram redirected us to its login page ({location}): it wants a login before it "
                    "serves more anonymous reads",
                    LOGIN_WALL_S,
                    status,
                )
            return TransientError(f"Instagram answered a redirect to {location or 'nowhere'}", status=status)
        if any(word in lower for word in _STOP_WORDS):
            return self._throttled(f"{said} (Instagram wants a human check)", STOP_S, status)
        if status == 429:
            wait = max(parse_retry_after(response.headers.get("retry-after")) or 0.0, TOO_MANY_S)
            return self._throttled(said, wait, status)
        if status == 401 or "please wait" in lower or "login_required" in lower:
            return self._throttled(said, PLEASE_WAIT_S, status)
        if "not authorized to view user" in lower:
            return Private(f"{said} (the account is private)", status=status)
        if status == 404 or "not found" in lower or "invalid media_id" in lower:
            return NotFound(said, status=status)
        if "useragent mismatch" in lower:
            return PlatformError(
                f"{said}: Instagram refused the headers we send as its web client (x-ig-app-id {WEB_APP_ID}); "
                "it may have changed what it expects",
                status=status,
            )
        if status >= 500:
            return TransientError(said, status=status)
        if status == 403:
            return self._throttled(said, LOGIN_WALL_S, status)
        return PlatformError(said, status=status)

    async def _get(self, call: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        body = require_dict(
            await self.request_json("GET", path, call=call, params=params, headers=HEADERS), call
        )
        status = body.get("status")
        if status is not None and status != "ok":  # 200 with {"status": "fail", "message": ...}
            message = _str(body.get("message")) or "no message"
            if any(word in message.lower() for word in _STOP_WORDS) or "wait" in message.lower():
                raise self._throttled(f"Instagram answered status {status}: {message}", PLEASE_WAIT_S, 200)
            raise PlatformError(f"Instagram answered status {status}: {message}", status=200)
        return body

    async def _read_user(self, username: str) -> dict[str, Any]:
        try:
            body = await self._get(PROFILE_CALL, "api/v1/users/web_profile_info/", {"username": username})
        except NotFound as exc:
            raise NotFound(f"Instagram has no account @{username}", status=exc.status) from exc
        user = _dict(body.get("data")).get("user")
        if user is None:
            raise NotFound(f"Instagram has no account @{username} (or it is deactivated)")
        if not isinstance(user, dict):
            raise BadResponse("Instagram answered web_profile_info with a malformed data.user")
        return user

    # ------------------------------------------------------------------ parsing

    def _profile(self, user: dict[str, Any]) -> ProfileData:
        uid, username = _str(user.get("id")), _str(user.get("username"))
        if uid is None or username is None:
            raise BadResponse("Instagram sent a profile without id or username")
        self.learn_author(uid, username)
        media = _dict(user.get("edge_owner_to_timeline_media"))
        links = [
            url
            for link in user.get("bio_links") or []
            if isinstance(link, dict) and (url := _str(link.get("url")))
        ]
        return ProfileData(
            platform_id=uid,
            handle=username.lower(),
            display_name=_str(user.get("full_name")),
            biography=_str(user.get("biography")),
            avatar_url=_str(user.get("profile_pic_url_hd")) or _str(user.get("profile_pic_url")),
            website=_str(user.get("external_url")) or (links[0] if links else None),
            category=_str(user.get("category_name")) or _str(user.get("business_category_name")),
            url=profile_url(username.lower()),
            followers=_count(_dict(user.get("edge_followed_by")), "count"),
            following=_count(_dict(user.get("edge_follow")), "count"),
            posts=_count(media, "count"),
            details={
                "source": "web",
                "web_id": uid,
                "is_private": user.get("is_private") is True,
                "is_verified": user.get("is_verified") is True,
                "is_business_account": user.get("is_business_account") is True,
                "is_professional_account": user.get("is_professional_account") is True,
                "business_category_name": _str(user.get("business_category_name")),
                "bio_links": links,
            },
        )

    def _post(self, node: dict[str, Any], author_id: str | None, author: str | None) -> PostData:
        shortcode = _str(node.get("shortcode"))
        if shortcode is None:
            raise BadResponse("Instagram sent a post without a shortcode")
        owner = _dict(node.get("owner"))
        is_video = node.get("is_video") is True
        kind = web_post_type(_str(node.get("__typename")), is_video, _str(node.get("product_type")))
        captions = _dict(node.get("edge_media_to_caption")).get("edges")
        caption = None
        if isinstance(captions, list) and captions:
            text = _dict(_dict(captions[0]).get("node")).get("text")
            caption = text if isinstance(text, str) else None
        likes = _count(_dict(node.get("edge_media_preview_like")), "count")
        if likes is None:
            likes = _count(_dict(node.get("edge_liked_by")), "count")
        comments = _count(_dict(node.get("edge_media_to_comment")), "count")
        if comments is None:
            comments = _count(_dict(node.get("edge_media_to_parent_comment")), "count")
        author_handle = _str(owner.get("username")) or author
        return PostData(
            social_id=shortcode,
            author_platform_id=_str(owner.get("id")) or author_id,
            author_handle=author_handle.lower() if author_handle else None,
            url=post_url(shortcode, kind.value),
            type=kind.value,
            caption=caption,
            posted_at=_time(node.get("taken_at_timestamp")),
            views=_count(node, "video_view_count") if is_video else None,
            plays=_count(node, "video_play_count") if is_video else None,
            likes=likes,
            comments=comments,
            details={
                "media_id": _str(node.get("id")),
                "shortcode": shortcode,
                "typename": node.get("__typename"),
                "product_type": _str(node.get("product_type")),
                "video_duration": node.get("video_duration") if is_video else None,
                "comments_disabled": node.get("comments_disabled") is True,
            },
        )

    def _posts(self, user: dict[str, Any], author_id: str, author: str) -> tuple[list[PostData], bool]:
        """The profile's latest posts, and whether they are all the posts it has."""
        media = _dict(user.get("edge_owner_to_timeline_media"))
        edges = media.get("edges") or []
        if not isinstance(edges, list):
            raise BadResponse("Instagram sent malformed edge_owner_to_timeline_media.edges")
        posts = [self._post(_dict(_dict(e).get("node")), author_id, author) for e in edges]
        complete = _dict(media.get("page_info")).get("has_next_page") is not True
        return posts, complete

    # ------------------------------------------------------------------ profiles

    async def _fetch_profile(self, username: str, refs: Sequence[AccountRef]) -> ProfileData:
        user = await self._read_user(username)
        profile = self._profile(user)
        if user.get("is_private") is True:
            raise Private(
                f"Instagram account @{profile.handle} is private: its posts and statistics are hidden"
            )
        posts, complete = self._posts(user, profile.platform_id, profile.handle)
        self.remember_listing(refs, profile, posts, complete)
        return profile

    async def fetch_profiles(self, refs: Sequence[AccountRef]) -> dict[str, ProfileData | PlatformError]:
        out: dict[str, ProfileData | PlatformError] = {}
        wanted: dict[str, list[AccountRef]] = {}
        for ref in refs:
            name = normalize_username(ref.handle)
            if name is None:
                out[ref.key] = NotFound(f"{ref.handle!r} is not an Instagram username")
            else:
                wanted.setdefault(name, []).append(ref)
        stop: PlatformError | None = None  # once Instagram objects, nobody else is asked
        for name, named in wanted.items():
            result: ProfileData | PlatformError
            if stop is not None:
                result = stop
            else:
                try:
                    result = await self._fetch_profile(name, named)
                except (RateLimited, AuthExpired, QuotaExceeded) as exc:
                    stop = result = exc
                except PlatformError as exc:
                    result = exc
            for ref in named:
                out[ref.key] = result
        return out

    async def list_fresh(self, ref: AccountRef, profile: ProfileData, limit: int) -> ListResult:
        user = await self._read_user(profile.handle)
        posts, complete = self._posts(user, profile.platform_id, profile.handle)
        return ListResult(posts=posts[:limit], complete=complete or len(posts) >= limit)

    # ------------------------------------------------------------------ posts

    async def _author_posts(
        self, author: str, refs: Sequence[PostRef]
    ) -> dict[str, PostData | PlatformError]:
        try:
            user = await self._read_user(author)
        except NotFound as exc:
            return {r.key: NotFound(f"{exc.message}: its posts are gone with it") for r in refs}
        uid = _str(user.get("id")) or ""
        self.learn_author(uid, author)
        if user.get("is_private") is True:
            return {
                r.key: Private(f"Instagram account @{author} is private: its posts are hidden") for r in refs
            }
        posts, complete = self._posts(user, uid, author)
        found = {p.social_id: p for p in posts}
        out: dict[str, PostData | PlatformError] = {}
        for ref in refs:
            sc = ref.social_id.strip()
            if sc in found:
                out[ref.key] = found[sc]
            elif complete:
                out[ref.key] = NotFound(f"Instagram post {sc} of @{author} does not exist or was deleted")
            else:
                out[ref.key] = PostOutOfReach(
                    f"Instagram post {sc} is not among the {WEB_EDGES} latest posts of @{author}, the only ones "
                    "the public web profile shows (or it was deleted); the Graph API source reads further back "
                    "through Business Discovery"
                )
        return out

    async def fetch_posts(self, refs: Sequence[PostRef]) -> dict[str, PostData | PlatformError]:
        out: dict[str, PostData | PlatformError] = {}
        by_author: dict[str, list[PostRef]] = {}
        for ref in refs:
            author = self.author_of(ref)
            if author is None:
                out[ref.key] = AuthorUnknown(
                    f"Instagram post {ref.social_id}: its author is not known to this worker yet (the web "
                    "profile is read by username); it is refreshed once its account has been read"
                )
            else:
                by_author.setdefault(author, []).append(ref)
        out.update(await self._by_author(by_author, self._author_posts))
        return out

    # ------------------------------------------------------------------ comments

    async def fetch_comments(self, ref: PostRef, limit: int) -> list[CommentData]:
        if limit <= 0:
            return []
        pk = shortcode_to_pk(ref.social_id)
        if pk is None:
            raise NotFound(f"{ref.social_id!r} is not an Instagram shortcode")
        comments: list[CommentData] = []
        min_id: str | None = None
        for _ in range(COMMENT_PAGES):
            params: dict[str, Any] = {"can_support_threading": "true", "permalink_enabled": "false"}
            if min_id:
                params["min_id"] = min_id
            try:
                body = await self._get(COMMENTS_CALL, f"api/v1/media/{pk}/comments/", params)
            except NotFound as exc:
                raise NotFound(
                    f"Instagram post {ref.social_id} does not exist or was deleted", status=exc.status
                ) from exc
            items = body.get("comments") or []
            if not isinstance(items, list):
                raise BadResponse("Instagram answered comments with a malformed comments list")
            for item in items:
                comment = self._comment(_dict(item))
                if comment is not None:
                    comments.append(comment)
            min_id = _str(body.get("next_min_id"))
            if body.get("has_more_comments") is not True or not min_id:
                break
        comments.sort(key=lambda c: c.likes or 0, reverse=True)
        return comments[:limit]

    @staticmethod
    def _comment(item: dict[str, Any]) -> CommentData | None:
        pk = item.get("pk")
        if not isinstance(pk, str | int) or isinstance(pk, bool):
            return None
        user = _dict(item.get("user"))
        user_pk = user.get("pk")
        text = item.get("text")
        return CommentData(
            platform_id=str(pk),
            text=text if isinstance(text, str) else "",
            author=_str(user.get("username")),
            author_id=str(user_pk)
            if isinstance(user_pk, str | int) and not isinstance(user_pk, bool)
            else None,
            posted_at=_time(item.get("created_at_utc") or item.get("created_at")),
            likes=_count(item, "comment_like_count"),
            reply_count=_count(item, "child_comment_count"),
        )
