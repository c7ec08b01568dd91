"""Bluesky's AppView (XRPC) over the world, under ``/xrpc``.

``app.bsky.actor.getProfile`` / ``getProfiles`` and ``app.bsky.feed.getAuthorFeed`` /
``getPosts`` / ``getPostThread``, shaped by the ``app.bsky.*`` lexicons. Errors use the
XRPC envelope ``{"error": Name, "message": ...}`` (HTTP 400 for named errors); batch reads
leave missing, suspended and deactivated items out. Comments are the post's replies in
``getPostThread``; they are rendered there only (a reply's own at-uri is not resolvable).
When a rate limit is set, every answer carries the ``RateLimit-*`` headers.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response

from socialpulse.emulator import ids
from socialpulse.emulator.gate import Gate, GatedRoute, Wire, WireError, json_response
from socialpulse.emulator.world import Actor, CommentSeed, Creator, PostSeed, World

PLATFORM = "bluesky"
MAX_BATCH = 25
POST_COLLECTION = "app.bsky.feed.post"
FEED_FILTERS = (
    "posts_with_replies",
    "posts_no_replies",
    "posts_with_media",
    "posts_and_author_threads",
    "posts_with_video",
)


def error(status: int, name: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return json_response({"error": name, "message": message}, status, headers=headers)


def fail(name: str, message: str, status: int = 400) -> WireError:
    return WireError(error(status, name, message))


def _rate_headers(gate: Gate) -> dict[str, str]:
    limit = gate.config.rate_limit_per_s
    if limit is None:
        return {}
    win = gate.window(PLATFORM)
    now = time.monotonic()
    return {
        "RateLimit-Limit": str(math.floor(limit)),
        "RateLimit-Remaining": str(win.remaining(limit, now)),
        "RateLimit-Reset": str(win.reset_epoch(now)),
        "RateLimit-Policy": f"{math.floor(limit)};w=1",
    }


class BlueskyWire(Wire):
    platform = PLATFORM

    def rate_limited(self, gate: Gate, limit: int, reset_epoch: int) -> Response:
        return error(
            429,
            "RateLimitExceeded",
            "Rate Limit Exceeded",
            headers={**_rate_headers(gate), "Retry-After": "1"},
        )

    def fault(self, kind: str) -> Response:
        if kind == "429":
            return error(429, "RateLimitExceeded", "Rate Limit Exceeded", headers={"Retry-After": "1"})
        return error(500, "InternalServerError", "Internal Server Error")

    def decorate(self, response: Response, gate: Gate) -> None:
        for name, value in _rate_headers(gate).items():
            response.headers.setdefault(name, value)


class BlueskyRoute(GatedRoute):
    wire = BlueskyWire()


router = APIRouter(prefix="/xrpc", route_class=BlueskyRoute, tags=["Bluesky AppView (XRPC)"])


# ----------------------------------------------------------------------------- parameters


def _world(request: Request) -> World:
    world: World = request.app.state.world
    return world


def _required(request: Request, name: str) -> str:
    value = request.query_params.get(name)
    if not value:
        raise fail("InvalidRequest", f'Error: Params must have the property "{name}"')
    return value


def _array(request: Request, name: str) -> list[str]:
    values = [v for v in request.query_params.getlist(name) if v]
    if not values:
        raise fail("InvalidRequest", f'Error: Params must have the property "{name}"')
    if len(values) > MAX_BATCH:
        raise fail("InvalidRequest", f"Error: {name} must not have more than {MAX_BATCH} elements")
    return list(dict.fromkeys(values))


def _int(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise fail("InvalidRequest", f"Error: {name} must be an integer") from None
    if value < lo:
        raise fail("InvalidRequest", f"Error: {name} can not be less than {lo}")
    if value > hi:
        raise fail("InvalidRequest", f"Error: {name} can not be greater than {hi}")
    return value


def _valid_actor(actor: str) -> bool:
    if actor.startswith("did:"):
        return len(actor.split(":")) >= 3
    labels = actor.split(".")
    return len(labels) >= 2 and all(lbl and all(c.isalnum() or c == "-" for c in lbl) for lbl in labels)


def _lookup(world: World, actor: str) -> Creator | None:
    actor = actor.strip()
    return world.by_id(PLATFORM, actor) if actor.startswith("did:") else world.by_handle(PLATFORM, actor)


def _resolve_actor(world: World, actor: str) -> Creator:
    if not _valid_actor(actor):
        raise fail("InvalidRequest", "Error: actor must be a valid did or a handle")
    c = _lookup(world, actor)
    if c is None:
        raise fail("InvalidRequest", "Profile not found")
    if c.kind == "suspended":
        raise fail("AccountTakedown", "Account has been suspended")
    if c.kind == "private":
        raise fail("AccountDeactivated", "Account is deactivated")
    return c


def _visible_post(world: World, uri: str, now_ms: int) -> PostSeed | None:
    p = world.post_by_id(PLATFORM, uri, now_ms)
    if p is None or not p.creator.listed:
        return None
    return p


# ----------------------------------------------------------------------------- views


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


def parse_iso(value: str) -> int | None:
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return round(dt.timestamp() * 1000)


def _avatar(did: str, kind: str = "avatar") -> str:
    return f"https://cdn.bsky.app/img/{kind}/plain/{did}/{ids.blob_cid(kind, did)}@jpeg"


def profile_basic(actor: Creator | Actor) -> dict[str, Any]:
    did = actor.platform_id
    view: dict[str, Any] = {"did": did, "handle": actor.handle}
    if actor.display_name:
        view["displayName"] = actor.display_name
    if ids.h64("avatar", did) % 20:  # a few accounts keep the default avatar
        view["avatar"] = _avatar(did)
    view["associated"] = {"activitySubscription": {"allowSubscriptions": "followers"}}
    view["viewer"] = {"muted": False, "blockedBy": False}
    view["labels"] = []
    view["createdAt"] = iso(int(actor.created_at.timestamp() * 1000))
    return view


def profile_detailed(world: World, c: Creator, now_ms: int) -> dict[str, Any]:
    stats = world.stats(c, now_ms)
    view: dict[str, Any] = {"did": c.platform_id, "handle": c.handle, "displayName": c.display_name}
    if c.biography:
        view["description"] = c.biography
    if c.website:
        view["website"] = c.website
    if ids.h64("avatar", c.platform_id) % 20:
        view["avatar"] = _avatar(c.platform_id)
        view["banner"] = _avatar(c.platform_id, "banner")
    view.update(
        {
            "followersCount": stats.followers,
            "followsCount": stats.following,
            "postsCount": stats.posts,
            "associated": {
                "lists": 0,
                "feedgens": 0,
                "starterPacks": 1 if c.kind == "demo" else 0,
                "labeler": False,
                "activitySubscription": {"allowSubscriptions": "followers"},
            },
            "indexedAt": iso(
                min(now_ms, int(c.created_ts * 1000) + ids.h64("indexed", c.platform_id) % 2_592_000_000)
            ),
            "createdAt": iso(int(c.created_ts * 1000)),
            "viewer": {"muted": False, "blockedBy": False},
            "labels": [],
        }
    )
    return view


def _byte_span(text: str, needle: str, start: int = 0) -> tuple[int, int, int] | None:
    """UTF-8 byte offsets of ``needle`` in ``text`` (from character ``start``), and its char end."""
    at = text.find(needle, start)
    if at < 0:
        return None
    begin = len(text[:at].encode())
    return begin, begin + len(needle.encode()), at + len(needle)


def facets(world: World, p: PostSeed) -> list[dict[str, Any]]:
    out: list[tuple[int, dict[str, Any]]] = []
    text = p.text
    for handle in p.mentions:
        other = world.by_handle(PLATFORM, handle)
        span = _byte_span(text, "@" + handle.lstrip("@"))
        if other is not None and span is not None:
            feature = {"$type": "app.bsky.richtext.facet#mention", "did": other.platform_id}
            out.append(
                (span[0], {"index": {"byteStart": span[0], "byteEnd": span[1]}, "features": [feature]})
            )
    for tag in p.hashtags:
        span = _byte_span(text, "#" + tag)
        if span is not None:
            feature = {"$type": "app.bsky.richtext.facet#tag", "tag": tag}
            out.append(
                (span[0], {"index": {"byteStart": span[0], "byteEnd": span[1]}, "features": [feature]})
            )
    for link in p.links:
        span = _byte_span(text, link)
        if span is not None:
            feature = {"$type": "app.bsky.richtext.facet#link", "uri": link}
            out.append(
                (span[0], {"index": {"byteStart": span[0], "byteEnd": span[1]}, "features": [feature]})
            )
    return [f for _, f in sorted(out, key=lambda t: t[0])]


def post_view(world: World, p: PostSeed, now_ms: int) -> dict[str, Any]:
    st = world.post_stats(p, now_ms)
    record: dict[str, Any] = {"$type": POST_COLLECTION, "createdAt": iso(p.published_ms), "text": p.text}
    found = facets(world, p)
    if found:
        record["facets"] = found
    record["langs"] = [p.language]
    return {
        "uri": p.social_id,
        "cid": ids.cid(p.social_id),
        "author": profile_basic(p.creator),
        "record": record,
        "bookmarkCount": st.bookmarks,
        "replyCount": st.top_level_comments,
        "repostCount": st.reposts,
        "likeCount": st.likes,
        "quoteCount": st.quotes,
        "indexedAt": iso(p.published_ms + 400 + p.index % 900),
        "viewer": {"bookmarked": False, "threadMuted": False, "embeddingDisabled": False},
        "labels": [],
    }


def reply_uri(world: World, cm: CommentSeed) -> str:
    micros = cm.published_ms * 1000 + ids.h64(world.seed, cm.post.social_id, cm.index, "us") % 1000
    clock = ids.h64(world.seed, cm.post.social_id, cm.index, "clock") % 1024
    return f"at://{cm.author.platform_id}/{POST_COLLECTION}/{ids.tid_encode((micros << 10) | clock)}"


def reply_view(world: World, cm: CommentSeed, reply_count: int, now_ms: int) -> dict[str, Any]:
    root = cm.post
    root_ref = {"uri": root.social_id, "cid": ids.cid(root.social_id)}
    if cm.parent is None:
        parent_ref = root_ref
    else:
        parent = world.comment(root, cm.parent)
        parent_uri = reply_uri(world, parent)
        parent_ref = {"uri": parent_uri, "cid": ids.cid(parent_uri)}
    uri = reply_uri(world, cm)
    record = {
        "$type": POST_COLLECTION,
        "createdAt": iso(cm.published_ms),
        "langs": [cm.language],
        "reply": {"parent": parent_ref, "root": root_ref},
        "text": cm.text,
    }
    return {
        "uri": uri,
        "cid": ids.cid(uri),
        "author": profile_basic(cm.author.creator or cm.author),
        "record": record,
        "bookmarkCount": 0,
        "replyCount": reply_count,
        "repostCount": 0,
        "likeCount": cm.likes_at(now_ms),
        "quoteCount": 0,
        "indexedAt": iso(cm.published_ms + 300),
        "viewer": {"bookmarked": False, "threadMuted": False, "embeddingDisabled": False},
        "labels": [],
    }


# ----------------------------------------------------------------------------- endpoints


@router.get("/app.bsky.actor.getProfile", name="bluesky.app.bsky.actor.getProfile")
async def get_profile(request: Request) -> Response:
    world = _world(request)
    c = _resolve_actor(world, _required(request, "actor"))
    return json_response(profile_detailed(world, c, world.now_ms()))


@router.get("/app.bsky.actor.getProfiles", name="bluesky.app.bsky.actor.getProfiles")
async def get_profiles(request: Request) -> Response:
    world = _world(request)
    now_ms = world.now_ms()
    profiles = []
    seen: set[str] = set()
    for actor in _array(request, "actors"):
        c = _lookup(world, actor)
        if c is None or not c.listed or c.platform_id in seen:
            continue
        seen.add(c.platform_id)
        profiles.append(profile_detailed(world, c, now_ms))
    return json_response({"profiles": profiles})


@router.get("/app.bsky.feed.getAuthorFeed", name="bluesky.app.bsky.feed.getAuthorFeed")
async def get_author_feed(request: Request) -> Response:
    world = _world(request)
    c = _resolve_actor(world, _required(request, "actor"))
    limit = _int(request, "limit", 50, 1, 100)
    flt = request.query_params.get("filter") or "posts_with_replies"
    now_ms = world.now_ms()
    before_ms = now_ms + 1
    cursor = request.query_params.get("cursor")
    if cursor:
        parsed = parse_iso(cursor)
        if parsed is None:  # a clearly bad cursor: nothing more
            return json_response({"feed": []})
        before_ms = min(parsed, before_ms)
    if flt in ("posts_with_media", "posts_with_video"):
        return json_response({"feed": []})  # the world's Bluesky posts carry no media
    feed: list[dict[str, Any]] = []
    last_sort: int | None = None
    # a slot's repost falls between its post and the next slot's post, so the newest slot with
    # a post older than the cursor is the newest slot with anything older than the cursor
    slot = world.post_count(c, min(before_ms - 1, now_ms)) - 1
    more = False
    while slot >= 0:
        entries: list[tuple[int, dict[str, Any]]] = []
        repost = world.repost_after(c, slot)
        if repost is not None and repost.at_ms <= now_ms:
            rkey = ids.tid_encode((repost.at_ms * 1000 << 10) | (slot % 1024))
            repost_uri = f"at://{c.platform_id}/app.bsky.feed.repost/{rkey}"
            entries.append(
                (
                    repost.at_ms,
                    {
                        "post": post_view(world, repost.post, now_ms),
                        "reason": {
                            "$type": "app.bsky.feed.defs#reasonRepost",
                            "by": profile_basic(c),
                            "uri": repost_uri,
                            "cid": ids.cid(repost_uri),
                            "indexedAt": iso(repost.at_ms),
                        },
                    },
                )
            )
        p = world.post(c, slot)
        if p.published_ms <= now_ms:
            entries.append((p.published_ms, {"post": post_view(world, p, now_ms)}))
        for sort_ms, entry in entries:
            if sort_ms >= before_ms:
                continue
            if len(feed) == limit:
                more = True
                break
            feed.append(entry)
            last_sort = sort_ms
        if more:
            break
        slot -= 1
    body: dict[str, Any] = {"feed": feed}
    if more and last_sort is not None:
        body["cursor"] = iso(last_sort)
    return json_response(body)


@router.get("/app.bsky.feed.getPosts", name="bluesky.app.bsky.feed.getPosts")
async def get_posts(request: Request) -> Response:
    world = _world(request)
    now_ms = world.now_ms()
    posts = []
    seen: set[str] = set()
    for uri in _array(request, "uris"):
        p = _visible_post(world, uri, now_ms)
        if p is None or p.social_id in seen:
            continue
        seen.add(p.social_id)
        posts.append(post_view(world, p, now_ms))
    return json_response({"posts": posts})


def _thread_replies(world: World, p: PostSeed, depth: int, now_ms: int) -> list[dict[str, Any]]:
    rng = world.listed_comment_range(p, now_ms)
    count = rng.stop
    out: list[tuple[int, int, dict[str, Any]]] = []
    for k in rng:
        if world.parent_of(p, k) is not None:
            continue
        cm = world.comment(p, k)
        answers = world.replies_to(p, k, count)
        node: dict[str, Any] = {
            "$type": "app.bsky.feed.defs#threadViewPost",
            "post": reply_view(world, cm, len(answers), now_ms),
        }
        if depth > 1:
            node["replies"] = [
                {
                    "$type": "app.bsky.feed.defs#threadViewPost",
                    "post": reply_view(world, world.comment(p, r), 0, now_ms),
                    "replies": [],
                }
                for r in answers
            ]
        out.append((cm.likes_at(now_ms), cm.published_ms, node))
    out.sort(key=lambda t: (-t[0], -t[1]))
    return [node for _, _, node in out]


@router.get("/app.bsky.feed.getPostThread", name="bluesky.app.bsky.feed.getPostThread")
async def get_post_thread(request: Request) -> Response:
    world = _world(request)
    uri = _required(request, "uri")
    depth = _int(request, "depth", 6, 0, 1000)
    _int(request, "parentHeight", 80, 0, 1000)
    now_ms = world.now_ms()
    p = _visible_post(world, uri, now_ms)
    if p is None:
        raise fail("NotFound", f"Post not found: {uri}")
    thread: dict[str, Any] = {
        "$type": "app.bsky.feed.defs#threadViewPost",
        "post": post_view(world, p, now_ms),
    }
    if depth > 0:
        thread["replies"] = _thread_replies(world, p, depth, now_ms)
    return json_response({"thread": thread})


@router.get("/{method}", name="bluesky.unknown", include_in_schema=False)
async def unknown(request: Request, method: str) -> Response:
    return error(501, "MethodNotImplemented", "Method Not Implemented")
