"""Bluesky through the public AppView (XRPC ``app.bsky.*`` queries, no credentials).

Wire facts this module relies on (reference section 11): array parameters are repeated keys
(``actors=a&actors=b``); ``getProfiles`` and ``getPosts`` take at most 25 and silently leave
out missing, deleted or taken-down items; errors come as ``{"error": Name, "message": ...}``
(HTTP 400 for ``InvalidRequest``, 429 ``RateLimitExceeded`` with ``RateLimit-*`` headers whose
reset is in Unix seconds).

Counts: a profile counter the AppView did not send is ``None`` (not reported); a post
counter it did not send is ``0``, as the lexicon's optional integers mean "none yet"
(the reference says to treat a missing post count as 0). Shares are reposts; quotes and
bookmarks go to ``extras``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, ClassVar

import httpx

from socialpulse.kit.chunks import chunks
from socialpulse.kit.time import parse_iso
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
    Private,
    ProfileData,
    QuotaExceeded,
    RateLimited,
    Suspended,
    TransientError,
    parse_retry_after,
    settle_batch_item,
)
from socialpulse.platforms.metrics import METRIC_CONFIGS

DEFAULT_BASE_URL = "https://public.api.bsky.app/xrpc"
BASE_URL_SETTING = "SOCIALPULSE_BLUESKY_BASE_URL"
MAX_ACTORS = 25  # app.bsky.actor.getProfiles
MAX_URIS = 25  # app.bsky.feed.getPosts
MAX_FEED_PAGE = 100  # app.bsky.feed.getAuthorFeed
POST_COLLECTION = "app.bsky.feed.post"

POST_GONE = "post does not exist or was deleted"

# embed view $type -> post type
EMBED_TYPES: dict[str, PostType] = {
    "app.bsky.embed.images#view": PostType.image,
    "app.bsky.embed.gallery#view": PostType.image,
    "app.bsky.embed.video#view": PostType.video,
    "app.bsky.embed.external#view": PostType.link,
    "app.bsky.embed.record#view": PostType.text,  # a quote post: its own content is text
}


# ---------------------------------------------------------------------------- parsing helpers


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        return None


def _count(container: dict[str, Any], key: str, *, missing: int | None) -> int | None:
    value = container.get(key)
    if value is None:
        return missing
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise BadResponse(f"Bluesky sent {value!r} for {key}, not a count")


def normalize_actor(value: str) -> str:
    """A handle or DID as the AppView takes it: no ``@``, no profile URL, handles lower-cased."""
    v = value.strip()
    for prefix in ("https://bsky.app/profile/", "http://bsky.app/profile/", "bsky.app/profile/"):
        if v.lower().startswith(prefix):
            v = v[len(prefix) :].split("/")[0]
    v = v.lstrip("@")
    return v if v.startswith("did:") else v.lower()


def split_at_uri(uri: str) -> tuple[str, str, str] | None:
    """``at://authority/collection/rkey`` -> (authority, collection, rkey)."""
    if not uri.startswith("at://"):
        return None
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or not all(parts):
        return None
    return parts[0], parts[1], parts[2]


def post_url(handle: str | None, did: str | None, uri: str) -> str | None:
    parts = split_at_uri(uri)
    if parts is None:
        return None
    actor = handle if handle and handle != "handle.invalid" else (did or parts[0])
    return f"https://bsky.app/profile/{actor}/post/{parts[2]}"


def post_type(embed: Any) -> PostType:
    embed = _dict(embed)
    kind = embed.get("$type")
    if kind == "app.bsky.embed.recordWithMedia#view":
        return post_type(embed.get("media"))
    return EMBED_TYPES.get(kind, PostType.text) if isinstance(kind, str) else PostType.text


def _facets(record: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
    """Hashtags, mentioned DIDs and links of a post record (rich-text facets plus ``tags``)."""
    tags: list[str] = []
    mentions: list[str] = []
    links: list[str] = []
    for facet in record.get("facets") or []:
        for feature in _dict(facet).get("features") or []:
            f = _dict(feature)
            kind = f.get("$type")
            if kind == "app.bsky.richtext.facet#tag" and _str(f.get("tag")):
                tags.append(f["tag"])
            elif kind == "app.bsky.richtext.facet#mention" and _str(f.get("did")):
                mentions.append(f["did"])
            elif kind == "app.bsky.richtext.facet#link" and _str(f.get("uri")):
                links.append(f["uri"])
    tags += [t for t in record.get("tags") or [] if isinstance(t, str)]
    return list(dict.fromkeys(tags)), list(dict.fromkeys(mentions)), list(dict.fromkeys(links))


# ---------------------------------------------------------------------------- connector


class BlueskyConnector(HTTPConnector):
    platform: ClassVar[Platform] = Platform.bluesky
    name: ClassVar[str] = "bluesky-appview"
    api_version: ClassVar[str] = "app.bsky"
    metric_config: ClassVar[MetricConfig] = METRIC_CONFIGS[
        Platform.bluesky
    ]  # one source: platforms/metrics.py

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str = DEFAULT_BASE_URL,
        pacer: Pacer | None = None,
        retries: int = 2,
        calls: dict[str, int] | None = None,
        rate_per_s: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(client, base_url=base_url, pacer=pacer, retries=retries, calls=calls)
        self.clock = clock
        self.limits = Limits(profile_batch=MAX_ACTORS, post_batch=MAX_URIS, rate_per_s=rate_per_s)

    # ------------------------------------------------------------------ plumbing

    async def _get(self, method: str, params: Any) -> dict[str, Any]:
        body = await self.request_json("GET", method, call=method, params=params)
        if not isinstance(body, dict):
            raise BadResponse(f"Bluesky answered {method} with an unexpected body")
        return body

    def _retry_after(self, response: httpx.Response) -> float | None:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if retry_after is not None:
            return retry_after
        reset = response.headers.get("ratelimit-reset")
        if reset:
            try:
                return max(0.0, float(reset) - self.clock())
            except ValueError:
                return None
        return None

    def map_error(self, response: httpx.Response, body: Any) -> PlatformError:
        status = response.status_code
        err = _dict(body)
        name = err.get("error") if isinstance(err.get("error"), str) else None
        message = err.get("message") if isinstance(err.get("message"), str) else None
        said = (
            f"Bluesky answered HTTP {status}"
            + (f" {name}" if name else "")
            + (f": {message}" if message else "")
        )
        if status == 429 or name == "RateLimitExceeded":
            return RateLimited(said, retry_after=self._retry_after(response), status=status)
        if name == "AccountTakedown":
            return Suspended(f"Bluesky account has been suspended ({message or name})", status=status)
        if name == "AccountDeactivated":
            return NotFound("Bluesky account is deactivated", status=status)
        if name in ("BlockedActor", "BlockedByActor"):
            return Private(f"Bluesky account blocks this viewer ({name})", status=status)
        if name == "NotFound" or (name == "InvalidRequest" and message and "not found" in message.lower()):
            return NotFound(f"Bluesky: {message or 'not found'}", status=status)
        if status in (401, 403) or name in ("AuthenticationRequired", "ExpiredToken", "InvalidToken"):
            return AuthExpired(
                f"{said}. The public AppView needs no credentials: check {BASE_URL_SETTING} "
                f"(default {DEFAULT_BASE_URL})",
                setting=BASE_URL_SETTING,
                status=status,
            )
        if status == 404:
            return NotFound(said, status=status)
        if status >= 500:
            return TransientError(said, status=status)
        return PlatformError(said, status=status)

    # ------------------------------------------------------------------ profiles

    def _profile(self, p: dict[str, Any]) -> ProfileData:
        did, handle = _str(p.get("did")), _str(p.get("handle"))
        if did is None or handle is None:
            raise BadResponse("Bluesky sent a profile without did or handle")
        associated = _dict(p.get("associated"))
        return ProfileData(
            platform_id=did,
            handle=handle.lower(),
            display_name=_str(p.get("displayName")),
            biography=_str(p.get("description")),
            avatar_url=_str(p.get("avatar")),
            website=_str(p.get("website")),
            url=f"https://bsky.app/profile/{handle if handle != 'handle.invalid' else did}",
            followers=_count(p, "followersCount", missing=None),
            following=_count(p, "followsCount", missing=None),
            posts=_count(p, "postsCount", missing=None),
            details={
                "did": did,
                "created_at": p.get("createdAt"),
                "indexed_at": p.get("indexedAt"),
                "lists": associated.get("lists"),
                "feedgens": associated.get("feedgens"),
                "starter_packs": associated.get("starterPacks"),
                "pinned_post": _dict(p.get("pinnedPost")).get("uri"),
            },
        )

    def _one(self, p: dict[str, Any]) -> ProfileData | PlatformError:
        try:
            return self._profile(p)
        except BadResponse as exc:
            return exc

    @staticmethod
    def _actor(ref: AccountRef) -> str:
        return ref.platform_id or normalize_actor(ref.handle)

    async def _profile_alone(self, actor: str) -> ProfileData | PlatformError:
        """``getProfile`` for one actor, to learn why ``getProfiles`` left it out."""
        try:
            return self._one(await self._get("app.bsky.actor.getProfile", {"actor": actor}))
        except (QuotaExceeded, AuthExpired, RateLimited):
            raise
        except NotFound as exc:
            if "deactivated" in exc.message:
                return exc
            return NotFound(f"Bluesky profile not found ({actor})", status=exc.status)
        except PlatformError as exc:
            return exc

    async def fetch_profiles(self, refs: Sequence[AccountRef]) -> dict[str, ProfileData | PlatformError]:
        out: dict[str, ProfileData | PlatformError] = {}
        wanted: dict[str, list[AccountRef]] = {}
        for ref in refs:
            wanted.setdefault(self._actor(ref), []).append(ref)

        for actors in chunks(list(wanted), MAX_ACTORS):
            try:
                body = await self._get("app.bsky.actor.getProfiles", [("actors", a) for a in actors])
                profiles = body.get("profiles")
                if not isinstance(profiles, list):
                    raise BadResponse("Bluesky answered getProfiles without a profiles list")
            except PlatformError as exc:
                # one malformed identifier makes the whole call a 400: ask for each one instead
                if exc.retryable or exc.status != 400:
                    raise
                profiles = []
            found: dict[str, dict[str, Any]] = {}
            for p in profiles:
                p = _dict(p)
                for key in (_str(p.get("did")), _str(p.get("handle"))):
                    if key:
                        found[key if key.startswith("did:") else key.lower()] = p
            for actor in actors:
                item = found.get(actor)
                result = self._one(item) if item is not None else await self._profile_alone(actor)
                for ref in wanted[actor]:
                    out[ref.key] = result
        return out

    def needs_listing(self, ref: AccountRef, profile: ProfileData) -> bool:
        return ref.last_posts_count is None or ref.last_posts_count != profile.posts

    # ------------------------------------------------------------------ posts

    def _post(self, view: dict[str, Any]) -> PostData:
        uri = _str(view.get("uri"))
        if uri is None:
            raise BadResponse("Bluesky sent a post without a uri")
        author = _dict(view.get("author"))
        record = _dict(view.get("record"))
        did, handle = _str(author.get("did")), _str(author.get("handle"))
        hashtags, mentions, links = _facets(record)
        reply = _dict(record.get("reply"))
        text = record.get("text")
        return PostData(
            social_id=uri,
            author_platform_id=did,
            author_handle=handle.lower() if handle else None,
            url=post_url(handle, did, uri),
            type=post_type(view.get("embed")).value,
            caption=text if isinstance(text, str) else None,
            posted_at=_time(record.get("createdAt")) or _time(view.get("indexedAt")),
            likes=_count(view, "likeCount", missing=0),
            comments=_count(view, "replyCount", missing=0),
            shares=_count(view, "repostCount", missing=0),
            details={
                "cid": view.get("cid"),
                "langs": [lang for lang in record.get("langs") or [] if isinstance(lang, str)],
                "reply_to": _dict(reply.get("parent")).get("uri"),
                "hashtags": hashtags,
                "mentions": mentions,
                "links": links,
            },
            extras={
                "quotes": _count(view, "quoteCount", missing=0),
                "bookmarks": _count(view, "bookmarkCount", missing=0),
            },
        )

    async def list_posts(self, ref: AccountRef, profile: ProfileData, limit: int) -> ListResult:
        if limit <= 0:
            return ListResult(posts=[], complete=True)
        actor = profile.platform_id or self._actor(ref)
        posts: list[PostData] = []
        seen: set[str] = set()
        cursor: str | None = None
        max_pages = limit // MAX_FEED_PAGE + 10  # reposts are skipped, so allow a few more pages
        for _ in range(max_pages):
            params: dict[str, Any] = {
                "actor": actor,
                "limit": min(limit - len(posts), MAX_FEED_PAGE),
                "filter": "posts_and_author_threads",
            }
            if cursor:
                params["cursor"] = cursor
            body = await self._get("app.bsky.feed.getAuthorFeed", params)
            feed = body.get("feed")
            if not isinstance(feed, list):
                raise BadResponse("Bluesky answered getAuthorFeed without a feed list")
            for entry in feed:
                entry = _dict(entry)
                if entry.get("reason") is not None:  # a repost (or a pin): not a new post of the author
                    continue
                view = _dict(entry.get("post"))
                if _dict(view.get("author")).get("did") not in (None, profile.platform_id):
                    continue
                post = self._post(view)
                if post.social_id in seen:
                    continue
                seen.add(post.social_id)
                posts.append(post)
                if len(posts) >= limit:
                    return ListResult(posts=posts, complete=True)
            cursor = _str(body.get("cursor"))
            if cursor is None or not feed:
                return ListResult(posts=posts, complete=True)
            if profile.posts is not None and len(posts) >= profile.posts:
                # every post the profile counts is in hand: another page would hold only reposts
                return ListResult(posts=posts, complete=True)
        return ListResult(posts=posts, complete=False)

    async def fetch_posts(self, refs: Sequence[PostRef]) -> dict[str, PostData | PlatformError]:
        out: dict[str, PostData | PlatformError] = {}
        wanted: dict[str, list[PostRef]] = {}
        for ref in refs:
            wanted.setdefault(ref.social_id.strip(), []).append(ref)
        for uris in chunks(list(wanted), MAX_URIS):
            body = await self._get("app.bsky.feed.getPosts", [("uris", u) for u in uris])
            views = body.get("posts")
            if not isinstance(views, list):
                raise BadResponse("Bluesky answered getPosts without a posts list")
            found: dict[str, dict[str, Any]] = {}
            for view in views:
                view = _dict(view)
                uri = _str(view.get("uri"))
                parts = split_at_uri(uri) if uri else None
                if uri is None or parts is None:
                    continue
                found[uri] = view
                handle = _str(_dict(view.get("author")).get("handle"))
                if handle:  # asked with the handle in the at-uri
                    found[f"at://{handle.lower()}/{parts[1]}/{parts[2]}"] = view
            for uri in uris:
                parts = split_at_uri(uri)
                view = found.get(uri) or (
                    found.get(f"at://{normalize_actor(parts[0])}/{parts[1]}/{parts[2]}") if parts else None
                )
                settle_batch_item(out, wanted[uri], view, self._post, f"Bluesky {POST_GONE} ({uri})")
        return out

    # ------------------------------------------------------------------ comments

    async def fetch_comments(self, ref: PostRef, limit: int) -> list[CommentData]:
        if limit <= 0:
            return []
        body = await self._get(
            "app.bsky.feed.getPostThread", {"uri": ref.social_id, "depth": 1, "parentHeight": 0}
        )
        thread = _dict(body.get("thread"))
        if thread.get("notFound") is True or thread.get("$type") == "app.bsky.feed.defs#notFoundPost":
            raise NotFound(f"Bluesky {POST_GONE} ({ref.social_id})")
        if thread.get("blocked") is True or thread.get("$type") == "app.bsky.feed.defs#blockedPost":
            raise Private(f"Bluesky post is hidden from this viewer by a block ({ref.social_id})")
        replies: list[CommentData] = []
        for reply in thread.get("replies") or []:
            reply = _dict(reply)
            if reply.get("notFound") or reply.get("blocked"):
                continue
            view = _dict(reply.get("post"))
            uri = _str(view.get("uri"))
            if uri is None:
                continue
            author = _dict(view.get("author"))
            record = _dict(view.get("record"))
            text = record.get("text")
            handle = _str(author.get("handle"))
            replies.append(
                CommentData(
                    platform_id=uri,
                    text=text if isinstance(text, str) else "",
                    author=handle.lower() if handle else None,
                    author_id=_str(author.get("did")),
                    posted_at=_time(record.get("createdAt")) or _time(view.get("indexedAt")),
                    likes=_count(view, "likeCount", missing=0),
                    reply_count=_count(view, "replyCount", missing=0),
                )
            )
        replies.sort(key=lambda c: c.likes or 0, reverse=True)
        return replies[:limit]
