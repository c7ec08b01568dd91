"""YouTube Data API v3 over the world, under ``/youtube/v3``.

``channels``, ``playlistItems``, ``videos``, ``commentThreads``, ``comments`` and ``search``
(``list`` only), with the resource shapes of the discovery document: counts in
``statistics`` are strings, ``hiddenSubscriberCount`` a boolean, every response carries
``kind`` and ``etag``. Unknown, terminated and private channels and videos are left out of
``items``; errors use Google's ``{"error": {"code", "message", "errors": [...]}}`` envelope.
A request needs ``key=`` (any non-empty value) or an ``Authorization: Bearer`` token, and
costs quota units (1 per list call, 100 per search) against ``youtube_daily_quota``.
"""

from __future__ import annotations

import base64
import functools
import json
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Request, Response

from socialpulse.emulator import ids
from socialpulse.emulator.gate import Gate, GatedRoute, Wire, WireError, json_response
from socialpulse.emulator.text import NICHE_BY_KEY
from socialpulse.emulator.world import MAX_LISTED_COMMENTS, CommentSeed, Creator, PostSeed, World

PLATFORM = "youtube"
MAX_IDS = 50
SEARCH_COST = 100
try:  # the quota day ends at midnight Pacific time
    PACIFIC: tzinfo = ZoneInfo("America/Los_Angeles")
except ZoneInfoNotFoundError:  # no time-zone database on this machine: standard time all year
    PACIFIC = timezone(timedelta(hours=-8), "PST")

QUOTA_MESSAGE = (
    'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">'
    "quota</a>."
)
KEY_MISSING = "The request is missing a valid API key."

CHANNEL_PARTS = {
    "auditDetails", "brandingSettings", "contentDetails", "contentOwnerDetails", "id", "localizations",
    "snippet", "statistics", "status", "topicDetails",
}  # fmt: skip
VIDEO_PARTS = {
    "contentDetails", "fileDetails", "id", "liveStreamingDetails", "localizations", "paidProductPlacementDetails",
    "player", "processingDetails", "recordingDetails", "snippet", "statistics", "status", "suggestions",
    "topicDetails",
}  # fmt: skip
PLAYLIST_ITEM_PARTS = {"contentDetails", "id", "snippet", "status"}
THREAD_PARTS = {"id", "replies", "snippet"}
COMMENT_PARTS = {"id", "snippet"}
SEARCH_PARTS = {"id", "snippet"}


# ----------------------------------------------------------------------------- errors


def error(
    status: int,
    reason: str,
    message: str,
    *,
    domain: str = "youtube.parameter",
    location: str | None = None,
    location_type: str | None = None,
    google_status: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    item: dict[str, Any] = {"message": message, "domain": domain, "reason": reason}
    if location is not None:
        item["location"] = location
        item["locationType"] = location_type or "parameter"
    body: dict[str, Any] = {"code": status, "message": message, "errors": [item]}
    if google_status is not None:
        body["status"] = google_status
    return json_response({"error": body}, status, headers=headers, charset="UTF-8")


def fail(status: int, reason: str, message: str, **kw: Any) -> WireError:
    return WireError(error(status, reason, message, **kw))


def no_filter(expected: str) -> WireError:
    return fail(
        400,
        "missingRequiredParameter",
        f"No filter selected. Expected one of: {expected}",
        location="parameters.",
        location_type="other",
    )


def incompatible(names: list[str]) -> WireError:
    return fail(
        400,
        "incompatibleParameters",
        f"Incompatible parameters specified in the request: {', '.join(names)}",
        location="parameters.",
        location_type="other",
    )


class YouTubeWire(Wire):
    platform = PLATFORM

    def rate_limited(self, gate: Gate, limit: int, reset_epoch: int) -> Response:
        return error(
            403,
            "rateLimitExceeded",
            "Rate Limit Exceeded",
            domain="usageLimits",
            headers={"Retry-After": "1"},
        )

    def fault(self, kind: str) -> Response:
        if kind == "429":
            return error(
                429,
                "rateLimitExceeded",
                "Resource has been exhausted (e.g. check quota).",
                domain="global",
                google_status="RESOURCE_EXHAUSTED",
                headers={"Retry-After": "1"},
            )
        return error(500, "backendError", "Backend Error", domain="global", google_status="INTERNAL")

    def admit(self, request: Request, endpoint: str, gate: Gate) -> Response | None:
        key = request.query_params.get("key", "").strip()
        auth = request.headers.get("authorization", "")
        bearer = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
        if not key and not bearer:
            return error(403, "forbidden", KEY_MISSING, domain="global", google_status="PERMISSION_DENIED")
        if endpoint == "youtube.unknown":
            return None
        cost = SEARCH_COST if endpoint == "youtube.search.list" else 1
        day = gate.world.now().astimezone(PACIFIC).date().isoformat()
        used = gate.quota_used.get(day, 0)
        quota = gate.config.youtube_daily_quota
        if quota is not None and used + cost > quota:
            gate.quota_exceeded += 1
            return error(403, "quotaExceeded", QUOTA_MESSAGE, domain="youtube.quota")
        gate.quota_used[day] = used + cost
        return None


class YouTubeRoute(GatedRoute):
    wire = YouTubeWire()


router = APIRouter(prefix="/youtube/v3", route_class=YouTubeRoute, tags=["YouTube Data API v3"])


# ----------------------------------------------------------------------------- parameters


def _world(request: Request) -> World:
    world: World = request.app.state.world
    return world


def _list_param(request: Request, name: str) -> list[str]:
    """A list parameter: repeated keys and comma-separated values both count."""
    out: list[str] = []
    for raw in request.query_params.getlist(name):
        out.extend(v.strip() for v in raw.split(",") if v.strip())
    return out


def _parts(request: Request, known: set[str]) -> set[str]:
    parts = _list_param(request, "part")
    if not parts:
        raise fail(
            400, "missingRequiredParameter", "Required parameter: part", domain="global", location="part"
        )
    for p in parts:
        if p not in known:
            raise fail(400, "unknownPart", f"'{p}'", domain="youtube.part", location="part")
    return set(parts)


def _int_param(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise fail(
            400,
            "invalidParameter",
            f"Invalid value '{raw}'. Values must be integers.",
            domain="global",
            location=name,
        ) from None
    if not lo <= value <= hi:
        raise fail(
            400,
            "invalidParameter",
            f"Invalid value '{raw}'. Values must be within the range: [{lo}, {hi}]",
            domain="global",
            location=name,
        )
    return value


def _filters(request: Request, names: tuple[str, ...], expected: str) -> str:
    present = [n for n in names if request.query_params.get(n) not in (None, "")]
    if not present:
        raise no_filter(expected)
    if len(present) > 1:
        raise incompatible(present)
    return present[0]


def _ids(request: Request, name: str = "id") -> list[str]:
    found = list(dict.fromkeys(_list_param(request, name)))
    if len(found) > MAX_IDS:
        raise fail(
            400,
            "invalidFilters",
            f"The request specifies more than {MAX_IDS} values for the <code>{name}</code> parameter.",
            location=name,
        )
    return found


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def page_token(value: int, kind: int = 0) -> str:
    """An opaque token shaped like Google's (``CAUQAA`` is offset 5): field 1 value, field 2 kind."""
    raw = b"\x08" + _varint(value) + b"\x10" + _varint(kind)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _read_page_token(request: Request, kind: int = 0) -> int | None:
    raw = request.query_params.get("pageToken")
    if not raw:
        return None
    try:
        data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        pos, fields = 0, []
        while pos < len(data):
            tag = data[pos]
            pos += 1
            value, shift = 0, 0
            while True:
                byte = data[pos]
                pos += 1
                value |= (byte & 0x7F) << shift
                shift += 7
                if not byte & 0x80:
                    break
            fields.append((tag, value))
    except (ValueError, IndexError):
        fields = []
    if len(fields) == 2 and fields[0][0] == 0x08 and fields[1] == (0x10, kind):
        return fields[0][1]
    raise fail(400, "invalidPageToken", "The request specifies an invalid page token.", location="pageToken")


# ----------------------------------------------------------------------------- rendering


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_duration(seconds: int) -> str:
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    out = "PT" + (f"{h}H" if h else "") + (f"{m}M" if m else "")
    return out + (f"{s}S" if s or not (h or m) else "")


def _etag(obj: Any) -> str:
    return ids.etag(json.dumps(obj, sort_keys=True, ensure_ascii=False))


def _tagged(kind: str, item: dict[str, Any]) -> dict[str, Any]:
    """``item`` with ``kind`` and ``etag`` first, as Google orders them."""
    return {"kind": kind, "etag": _etag(item), **item}


def _list_response(
    kind: str, items: list[dict[str, Any]], page: dict[str, int], **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": kind, "etag": ids.etag(kind, *(i.get("etag") for i in items)), **extra}
    body["pageInfo"] = page
    body["items"] = items
    return body


def _channel_thumbnails(c: Creator) -> dict[str, Any]:
    base = "https://yt3.ggpht.com/" + ids.hashed_chars(ids.B64URL, 56, "avatar", c.platform_id)
    return {
        name: {"url": f"{base}=s{size}-c-k-c0x00ffffff-no-rj", "width": size, "height": size}
        for name, size in (("default", 88), ("medium", 240), ("high", 800))
    }


def _video_thumbnails(video_id: str, full: bool = True) -> dict[str, Any]:
    sizes = [
        ("default", "default", 120, 90),
        ("medium", "mqdefault", 320, 180),
        ("high", "hqdefault", 480, 360),
    ]
    if full:
        sizes += [("standard", "sddefault", 640, 480), ("maxres", "maxresdefault", 1280, 720)]
    return {
        name: {"url": f"https://i.ytimg.com/vi/{video_id}/{file}.jpg", "width": w, "height": h}
        for name, file, w, h in sizes
    }


def _visible_channel(c: Creator | None) -> Creator | None:
    return c if c is not None and c.kind != "suspended" else None


def channel_item(world: World, c: Creator, parts: set[str], now_ms: int) -> dict[str, Any]:
    item: dict[str, Any] = {"id": c.platform_id}
    niche = NICHE_BY_KEY[c.niche]
    if "snippet" in parts:
        snippet: dict[str, Any] = {
            "title": c.display_name,
            "description": c.biography,
            "customUrl": c.handle.lower(),
            "publishedAt": iso(int(c.created_ts * 1000)),
            "thumbnails": _channel_thumbnails(c),
            "localized": {"title": c.display_name, "description": c.biography},
        }
        if c.country is not None:
            snippet["country"] = c.country
        item["snippet"] = snippet
    if "contentDetails" in parts:
        item["contentDetails"] = {"relatedPlaylists": {"likes": "", "uploads": c.uploads_playlist}}
    if "statistics" in parts:
        stats = world.stats(c, now_ms)
        statistics: dict[str, Any] = {"viewCount": str(stats.views)}
        if not c.hidden_followers:
            statistics["subscriberCount"] = str(stats.followers)
        statistics["hiddenSubscriberCount"] = c.hidden_followers
        statistics["videoCount"] = "0" if c.kind == "private" else str(stats.posts)
        item["statistics"] = statistics
    if "status" in parts:
        item["status"] = {
            "privacyStatus": "public",
            "isLinked": True,
            "longUploadsStatus": "longUploadsUnspecified",
            "madeForKids": False,
        }
    if "brandingSettings" in parts:
        channel: dict[str, Any] = {
            "title": c.display_name,
            "description": c.biography,
            "keywords": " ".join(f'"{t}"' if " " in t else t for t in niche.things[:4]),
        }
        if c.country is not None:
            channel["country"] = c.country
        item["brandingSettings"] = {
            "channel": channel,
            "image": {
                "bannerExternalUrl": "https://yt3.googleusercontent.com/"
                + ids.hashed_chars(ids.B64URL, 64, "banner", c.platform_id)
            },
        }
    if "topicDetails" in parts:
        item["topicDetails"] = {"topicCategories": [f"https://en.wikipedia.org/wiki/{niche.topic}"]}
    return _tagged("youtube#channel", item)


def video_item(world: World, p: PostSeed, parts: set[str], now_ms: int) -> dict[str, Any]:
    c = p.creator
    item: dict[str, Any] = {"id": p.social_id}
    niche = NICHE_BY_KEY[c.niche]
    if "snippet" in parts:
        snippet: dict[str, Any] = {
            "publishedAt": iso(p.published_ms),
            "channelId": c.platform_id,
            "title": p.title,
            "description": p.text,
            "thumbnails": _video_thumbnails(p.social_id, full=p.kind != "short"),
            "channelTitle": c.display_name,
        }
        if p.tags:
            snippet["tags"] = list(p.tags)
        snippet["categoryId"] = niche.category_id
        snippet["liveBroadcastContent"] = "none"
        snippet["defaultLanguage"] = p.language
        snippet["localized"] = {"title": p.title, "description": p.text}
        snippet["defaultAudioLanguage"] = p.language
        item["snippet"] = snippet
    if "contentDetails" in parts:
        item["contentDetails"] = {
            "duration": iso_duration(p.duration_s or 0),
            "dimension": "2d",
            "definition": "hd" if p.index % 7 else "sd",
            "caption": "true" if p.index % 5 == 0 else "false",
            "licensedContent": p.index % 3 == 0,
            "contentRating": {},
            "projection": "rectangular",
        }
    if "status" in parts:
        item["status"] = {
            "uploadStatus": "processed",
            "privacyStatus": p.privacy,
            "license": "youtube",
            "embeddable": True,
            "publicStatsViewable": True,
            "madeForKids": False,
        }
    if "statistics" in parts:
        st = world.post_stats(p, now_ms)
        statistics: dict[str, Any] = {"viewCount": str(st.views)}
        if not p.likes_hidden:
            statistics["likeCount"] = str(st.likes)
        statistics["favoriteCount"] = "0"
        if not p.comments_disabled:
            statistics["commentCount"] = str(st.comments)
        item["statistics"] = statistics
    if "player" in parts:
        item["player"] = {
            "embedHtml": f'<iframe width="480" height="270" src="//www.youtube.com/embed/{p.social_id}" '
            'frameborder="0" allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; '
            'picture-in-picture; web-share" referrerpolicy="strict-origin-when-cross-origin" allowfullscreen></iframe>'
        }
    if "topicDetails" in parts:
        item["topicDetails"] = {"topicCategories": [f"https://en.wikipedia.org/wiki/{niche.topic}"]}
    return _tagged("youtube#video", item)


def _visible_video(world: World, video_id: str, now_ms: int) -> PostSeed | None:
    p = world.post_by_id(PLATFORM, video_id, now_ms)
    if p is None or p.privacy != "public" or p.creator.kind == "suspended":
        return None
    return p


# ----------------------------------------------------------------------------- channels


@router.get("/channels", name="youtube.channels.list")
async def channels_list(request: Request) -> Response:
    world = _world(request)
    parts = _parts(request, CHANNEL_PARTS)
    flt = _filters(
        request,
        ("id", "forHandle", "forUsername", "mine", "managedByMe", "categoryId", "mySubscribers"),
        "forUsername, managedByMe, categoryId, mine, mySubscribers, id, idParam, forHandle",
    )
    max_results = _int_param(request, "maxResults", 5, 0, 50)
    now_ms = world.now_ms()
    found: list[Creator] = []
    if flt == "id":
        for channel_id in _ids(request):
            c = _visible_channel(world.by_id(PLATFORM, channel_id))
            if c is not None:
                found.append(c)
    elif flt == "forHandle":
        c = _visible_channel(world.by_handle(PLATFORM, request.query_params["forHandle"]))
        if c is not None:
            found.append(c)
    elif flt == "forUsername":
        # legacy usernames: accounts from before handles, named like their handle
        c = _visible_channel(world.by_handle(PLATFORM, request.query_params["forUsername"]))
        if c is not None and c.created_at.year < 2015:
            found.append(c)
    elif flt in ("mine", "managedByMe", "mySubscribers"):
        if not request.headers.get("authorization"):
            raise fail(
                401,
                "authorizationRequired",
                f"The request uses the <code>{flt}</code> parameter but is not properly authorized.",
                domain="youtube.parameter",
                location=flt,
            )
    items = [channel_item(world, c, parts, now_ms) for c in found]
    body: dict[str, Any] = {
        "kind": "youtube#channelListResponse",
        "etag": ids.etag("channels", *(i["etag"] for i in items)),
        "pageInfo": {
            "totalResults": len(items),
            "resultsPerPage": max_results if flt != "id" else len(items),
        },
    }
    if items:  # the real API leaves "items" out when nothing matched
        body["items"] = items
    return json_response(body, charset="UTF-8")


# ----------------------------------------------------------------------------- uploads


def _playlist_owner(world: World, playlist_id: str) -> Creator:
    c = None
    if playlist_id.startswith("UU") and len(playlist_id) == 24:
        c = _visible_channel(world.by_id(PLATFORM, "UC" + playlist_id[2:]))
    if c is None:
        raise fail(
            404,
            "playlistNotFound",
            "The playlist identified with the request's <code>playlistId</code> parameter cannot be found.",
            domain="youtube.playlistItem",
            location="playlistId",
        )
    return c


def _playlist_item_id(c: Creator, p: PostSeed) -> str:
    return base64.b64encode(f"{c.uploads_playlist}.{p.social_id}".encode()).decode().rstrip("=")


def playlist_item(world: World, c: Creator, p: PostSeed, position: int, parts: set[str]) -> dict[str, Any]:
    private = p.privacy != "public"
    item: dict[str, Any] = {"id": _playlist_item_id(c, p)}
    if "snippet" in parts:
        snippet: dict[str, Any] = {
            "publishedAt": iso(p.published_ms),
            "channelId": c.platform_id,
            "title": "Private video" if private else p.title,
            "description": "This video is private." if private else p.text,
        }
        if not private:
            snippet["thumbnails"] = _video_thumbnails(p.social_id, full=p.kind != "short")
        snippet["channelTitle"] = c.display_name
        snippet["playlistId"] = c.uploads_playlist
        snippet["position"] = position
        snippet["resourceId"] = {"kind": "youtube#video", "videoId": p.social_id}
        if not private:
            snippet["videoOwnerChannelTitle"] = c.display_name
            snippet["videoOwnerChannelId"] = c.platform_id
        item["snippet"] = snippet
    if "contentDetails" in parts:
        details: dict[str, Any] = {"videoId": p.social_id}
        if not private:
            details["videoPublishedAt"] = iso(p.published_ms)
        item["contentDetails"] = details
    if "status" in parts:
        item["status"] = {"privacyStatus": p.privacy}
    return _tagged("youtube#playlistItem", item)


@router.get("/playlistItems", name="youtube.playlistItems.list")
async def playlist_items_list(request: Request) -> Response:
    world = _world(request)
    parts = _parts(request, PLAYLIST_ITEM_PARTS)
    flt = _filters(request, ("playlistId", "id"), "playlistId, id")
    max_results = _int_param(request, "maxResults", 5, 0, 50)
    now_ms = world.now_ms()
    if flt == "id":
        items = []
        for item_id in _ids(request):
            try:
                raw = base64.b64decode(item_id + "=" * (-len(item_id) % 4)).decode()
            except ValueError:
                continue
            playlist_id, _, video_id = raw.partition(".")
            p = world.post_by_id(PLATFORM, video_id, now_ms)
            if p is None or p.creator.uploads_playlist != playlist_id or p.creator.kind == "suspended":
                continue
            position = world.post_count(p.creator, now_ms) - 1 - p.index
            items.append(playlist_item(world, p.creator, p, position, parts))
        page = {"totalResults": len(items), "resultsPerPage": max_results}
        return json_response(_list_response("youtube#playlistItemListResponse", items, page), charset="UTF-8")

    c = _playlist_owner(world, request.query_params["playlistId"])
    total = world.post_count(c, now_ms)
    offset = _read_page_token(request) or 0
    items = []
    for position in range(offset, min(offset + max_results, total)):
        p = world.post(c, total - 1 - position)
        items.append(playlist_item(world, c, p, position, parts))
    extra: dict[str, Any] = {}
    if offset + max_results < total and max_results > 0:
        extra["nextPageToken"] = page_token(offset + max_results)
    if offset > 0:
        extra["prevPageToken"] = page_token(max(0, offset - max_results))
    page = {"totalResults": total, "resultsPerPage": max_results}
    return json_response(
        _list_response("youtube#playlistItemListResponse", items, page, **extra), charset="UTF-8"
    )


# ----------------------------------------------------------------------------- videos


@router.get("/videos", name="youtube.videos.list")
async def videos_list(request: Request) -> Response:
    world = _world(request)
    parts = _parts(request, VIDEO_PARTS)
    flt = _filters(request, ("id", "chart", "myRating"), "myRating, id, chart")
    now_ms = world.now_ms()
    extra: dict[str, Any] = {}
    if flt == "id":
        items = []
        for video_id in _ids(request):
            p = _visible_video(world, video_id, now_ms)
            if p is not None:
                items.append(video_item(world, p, parts, now_ms))
        page = {"totalResults": len(items), "resultsPerPage": len(items)}
    elif flt == "chart":
        if request.query_params["chart"] != "mostPopular":
            raise fail(400, "invalidChart", "The request specifies an unsupported chart.", location="chart")
        max_results = _int_param(request, "maxResults", 5, 1, 50)
        offset = _read_page_token(request) or 0
        popular = _most_popular(world, now_ms)
        items = [video_item(world, p, parts, now_ms) for p in popular[offset : offset + max_results]]
        if offset + max_results < len(popular):
            extra["nextPageToken"] = page_token(offset + max_results)
        page = {"totalResults": len(popular), "resultsPerPage": max_results}
    else:
        if not request.headers.get("authorization"):
            raise fail(
                401,
                "authorizationRequired",
                "The request uses the <code>myRating</code> parameter but is not properly authorized.",
                location="myRating",
            )
        items, page = [], {"totalResults": 0, "resultsPerPage": 5}
    return json_response(_list_response("youtube#videoListResponse", items, page, **extra), charset="UTF-8")


def _most_popular(world: World, now_ms: int) -> list[PostSeed]:
    """Recent uploads of the first accounts, most viewed first (the chart is the same for everyone)."""
    week_ago = now_ms - 7 * 86_400_000
    recent = []
    for c in world.creators(PLATFORM)[:200]:
        for p in world.posts(c, now_ms, limit=3):
            if p.published_ms >= week_ago:
                recent.append((world.views(p, now_ms), p.social_id, p))
    recent.sort(key=lambda t: (-t[0], t[1]))
    return [p for _, _, p in recent[:200]]


# ----------------------------------------------------------------------------- comments

_THREAD_SUFFIX = "4AaABAg"


@functools.lru_cache(maxsize=8)
def _thread_perm(seed: int) -> ids.Permutation:
    return ids.Permutation((seed, "youtube-comments"), 96)


def comment_id(world: World, p: PostSeed, k: int) -> str:
    """``Ug`` + 17 characters + ``4AaABAg`` for top-level comments; ``<thread>.<22 chars>`` for replies."""
    parent = world.parent_of(p, k)
    top = k if parent is None else parent
    check = ids.h64(world.seed, p.social_id, top, "thread") & 0xFFFFFFFF
    plain = (((p.creator.index << 20) | p.index) << 24 | top) << 32 | check
    token = _thread_perm(world.seed).forward(plain)
    thread = "Ug" + "wxyz"[token & 3] + ids.b64_encode(token, 16) + _THREAD_SUFFIX
    if parent is None:
        return thread
    reply_token = ((k << 40) | (ids.h64(world.seed, p.social_id, k, "reply") & ((1 << 40) - 1))) & (
        (1 << 64) - 1
    )
    return (
        f"{thread}.{ids.b64_encode(reply_token, 11)}{ids.hashed_chars(ids.B64URL, 11, 'r', p.social_id, k)}"
    )


def resolve_comment(world: World, cid: str, now_ms: int) -> tuple[PostSeed, int] | None:
    """The (post, event) a comment id names, if it exists and is visible now."""
    thread, _, reply = cid.partition(".")
    if len(thread) != 26 or not thread.startswith("Ug") or not thread.endswith(_THREAD_SUFFIX):
        return None
    token = ids.b64_decode(thread[3:19])
    if token is None:
        return None
    plain = _thread_perm(world.seed).inverse(token)
    check = plain & 0xFFFFFFFF
    top = (plain >> 32) & ((1 << 24) - 1)
    post_index = (plain >> 56) & ((1 << 20) - 1)
    creator_index = plain >> 76
    c = world.by_index(PLATFORM, creator_index)
    if c is None or c.kind == "suspended":
        return None
    p = world.post(c, post_index)
    if ids.h64(world.seed, p.social_id, top, "thread") & 0xFFFFFFFF != check:
        return None
    if _visible_video(world, p.social_id, now_ms) is None:
        return None
    count = world.comment_count(p, now_ms)
    if top >= count or world.parent_of(p, top) is not None:
        return None
    if not reply:
        return p, top
    if len(reply) != 22:
        return None
    value = ids.b64_decode(reply[:11])
    if value is None:
        return None
    k = value >> 40
    if k >= count or world.parent_of(p, k) != top or comment_id(world, p, k) != cid:
        return None
    return p, k


def _html(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace('"', "&quot;").replace("'", "&#39;").replace("\n", "<br>")


def comment_resource(
    world: World, cm: CommentSeed, now_ms: int, html: bool, parts: set[str]
) -> dict[str, Any]:
    p = cm.post
    item: dict[str, Any] = {"id": comment_id(world, p, cm.index)}
    if "snippet" in parts:
        author = cm.author
        handle = author.handle if author.handle.startswith("@") else "@" + author.handle
        snippet: dict[str, Any] = {"channelId": p.creator.platform_id, "videoId": p.social_id}
        snippet["textDisplay"] = _html(cm.text) if html else cm.text
        snippet["textOriginal"] = cm.text
        if cm.parent is not None:
            snippet["parentId"] = comment_id(world, p, cm.parent)
        snippet.update(
            {
                "authorDisplayName": handle,
                "authorProfileImageUrl": "https://yt3.ggpht.com/ytc/"
                + ids.hashed_chars(ids.B64URL, 40, "avatar", author.platform_id)
                + "=s48-c-k-c0x00ffffff-no-rj",
                "authorChannelUrl": f"http://www.youtube.com/{handle}",
                "authorChannelId": {"value": author.platform_id},
                "canRate": True,
                "viewerRating": "none",
                "likeCount": cm.likes_at(now_ms),
                "publishedAt": iso(cm.published_ms),
                "updatedAt": iso(cm.published_ms),
            }
        )
        item["snippet"] = snippet
    return _tagged("youtube#comment", item)


def thread_resource(
    world: World, p: PostSeed, k: int, count: int, now_ms: int, html: bool, parts: set[str]
) -> dict[str, Any]:
    item: dict[str, Any] = {"id": comment_id(world, p, k)}
    replies = world.replies_to(p, k, count)
    if "snippet" in parts:
        item["snippet"] = {
            "channelId": p.creator.platform_id,
            "videoId": p.social_id,
            "topLevelComment": comment_resource(world, world.comment(p, k), now_ms, html, {"snippet"}),
            "canReply": True,
            "totalReplyCount": len(replies),
            "isPublic": True,
        }
    if "replies" in parts and replies:
        item["replies"] = {
            "comments": [
                comment_resource(world, world.comment(p, r), now_ms, html, {"snippet"}) for r in replies[:5]
            ]
        }
    return _tagged("youtube#commentThread", item)


def _commentable_video(world: World, video_id: str, now_ms: int) -> PostSeed:
    p = _visible_video(world, video_id, now_ms)
    if p is None:
        raise fail(
            404,
            "videoNotFound",
            'The video identified by the <code><a href="/youtube/v3/docs/commentThreads/list#videoId">videoId</a>'
            "</code> parameter could not be found.",
            domain="youtube.commentThread",
            location="videoId",
        )
    if p.comments_disabled:
        raise fail(
            403,
            "commentsDisabled",
            'The video identified by the <code><a href="/youtube/v3/docs/commentThreads/list#videoId">videoId</a>'
            "</code> parameter has disabled comments.",
            domain="youtube.commentThread",
            location="videoId",
        )
    return p


def _text_format(request: Request) -> bool:
    fmt = request.query_params.get("textFormat", "html")
    if fmt not in ("html", "plainText", "textFormatUnspecified"):
        raise fail(400, "invalidParameter", f"Invalid value '{fmt}' for textFormat.", location="textFormat")
    return fmt != "plainText"


@router.get("/commentThreads", name="youtube.commentThreads.list")
async def comment_threads_list(request: Request) -> Response:
    world = _world(request)
    parts = _parts(request, THREAD_PARTS)
    flt = _filters(
        request,
        ("videoId", "allThreadsRelatedToChannelId", "id", "channelId"),
        "channelId, id, videoId, allThreadsRelatedToChannelId",
    )
    html = _text_format(request)
    order = request.query_params.get("order", "time")
    if order not in ("time", "relevance", "orderUnspecified"):
        raise fail(400, "invalidParameter", f"Invalid value '{order}' for order.", location="order")
    now_ms = world.now_ms()
    extra: dict[str, Any] = {}

    if flt == "id":
        max_results = 20
        items = []
        for cid in _ids(request):
            found = resolve_comment(world, cid, now_ms)
            if found is not None and world.parent_of(*found) is None:
                p, k = found
                items.append(
                    thread_resource(world, p, k, world.comment_count(p, now_ms), now_ms, html, parts)
                )
        return json_response(
            _list_response(
                "youtube#commentThreadListResponse",
                items,
                {"totalResults": len(items), "resultsPerPage": max_results},
            ),
            charset="UTF-8",
        )

    max_results = _int_param(request, "maxResults", 20, 1, 100)
    if flt == "videoId":
        p = _commentable_video(world, request.query_params["videoId"], now_ms)
        count = world.comment_count(p, now_ms)
        window = range(max(0, count - MAX_LISTED_COMMENTS), count)
        if order == "relevance":
            tops = [k for k in window if world.parent_of(p, k) is None]
            tops.sort(key=lambda k: (-world.comment(p, k).likes_at(now_ms), -k))
            offset = _read_page_token(request, kind=1) or 0
            chosen = tops[offset : offset + max_results]
            if offset + max_results < len(tops):
                extra["nextPageToken"] = page_token(offset + max_results, kind=1)
        else:
            # newest first; the token names the next event to look at, so pages hold still
            # while new comments arrive
            start = _read_page_token(request, kind=2)
            k = count - 1 if start is None else min(start, count - 1)
            chosen = []
            while k >= window.start and len(chosen) < max_results:
                if world.parent_of(p, k) is None:
                    chosen.append(k)
                k -= 1
            more = any(world.parent_of(p, j) is None for j in range(window.start, k + 1))
            if more:
                extra["nextPageToken"] = page_token(k, kind=2)
        items = [thread_resource(world, p, k, count, now_ms, html, parts) for k in chosen]
    else:
        channel_id = (
            request.query_params.get("allThreadsRelatedToChannelId") or request.query_params["channelId"]
        )
        c = _visible_channel(world.by_id(PLATFORM, channel_id))
        if c is None:
            raise fail(
                404,
                "channelNotFound",
                "The channel identified by the <code>channelId</code> parameter could not be found.",
                domain="youtube.commentThread",
                location=flt,
            )
        threads: list[tuple[int, PostSeed, int, int]] = []
        for p in world.posts(c, now_ms, limit=10):
            if p.comments_disabled or p.privacy != "public":
                continue
            count = world.comment_count(p, now_ms)
            for k in range(max(0, count - 50), count):
                if world.parent_of(p, k) is None:
                    threads.append((world.comment(p, k).published_ms, p, k, count))
        threads.sort(key=lambda t: (-t[0], t[1].social_id, t[2]))
        offset = _read_page_token(request, kind=3) or 0
        page_threads = threads[offset : offset + max_results]
        if offset + max_results < len(threads):
            extra["nextPageToken"] = page_token(offset + max_results, kind=3)
        items = [thread_resource(world, p, k, count, now_ms, html, parts) for _, p, k, count in page_threads]
    page = {"totalResults": len(items), "resultsPerPage": max_results}
    return json_response(
        _list_response("youtube#commentThreadListResponse", items, page, **extra), charset="UTF-8"
    )


@router.get("/comments", name="youtube.comments.list")
async def comments_list(request: Request) -> Response:
    world = _world(request)
    parts = _parts(request, COMMENT_PARTS)
    flt = _filters(request, ("id", "parentId"), "id, parentId")
    html = _text_format(request)
    now_ms = world.now_ms()
    extra: dict[str, Any] = {}
    if flt == "id":
        max_results = 20
        found = [resolve_comment(world, cid, now_ms) for cid in _ids(request)]
        chosen = [f for f in found if f is not None]
    else:
        max_results = _int_param(request, "maxResults", 20, 1, 100)
        parent = resolve_comment(world, request.query_params["parentId"], now_ms)
        if parent is None or world.parent_of(*parent) is not None:
            raise fail(
                404,
                "commentNotFound",
                "The comment identified by the <code>parentId</code> parameter could not be found.",
                domain="youtube.comment",
                location="parentId",
            )
        p, k = parent
        replies = world.replies_to(p, k, world.comment_count(p, now_ms))
        offset = _read_page_token(request, kind=4) or 0
        chosen = [(p, r) for r in replies[offset : offset + max_results]]
        if offset + max_results < len(replies):
            extra["nextPageToken"] = page_token(offset + max_results, kind=4)
    items = [comment_resource(world, world.comment(p, k), now_ms, html, parts) for p, k in chosen]
    page = {"totalResults": len(items), "resultsPerPage": max_results}
    return json_response(_list_response("youtube#commentListResponse", items, page, **extra), charset="UTF-8")


# ----------------------------------------------------------------------------- search


def _search_result(world: World, thing: Creator | PostSeed, parts: set[str]) -> dict[str, Any]:
    if isinstance(thing, Creator):
        item: dict[str, Any] = {"id": {"kind": "youtube#channel", "channelId": thing.platform_id}}
        if "snippet" in parts:
            item["snippet"] = {
                "publishedAt": iso(int(thing.created_ts * 1000)),
                "channelId": thing.platform_id,
                "title": thing.display_name,
                "description": thing.biography[:160],
                "thumbnails": {k: {"url": v["url"]} for k, v in _channel_thumbnails(thing).items()},
                "channelTitle": thing.display_name,
                "liveBroadcastContent": "none",
            }
    else:
        item = {"id": {"kind": "youtube#video", "videoId": thing.social_id}}
        if "snippet" in parts:
            item["snippet"] = {
                "publishedAt": iso(thing.published_ms),
                "channelId": thing.creator.platform_id,
                "title": thing.title,
                "description": thing.text[:160],
                "thumbnails": _video_thumbnails(thing.social_id, full=False),
                "channelTitle": thing.creator.display_name,
                "liveBroadcastContent": "none",
            }
    return _tagged("youtube#searchResult", item)


@router.get("/search", name="youtube.search.list")
async def search_list(request: Request) -> Response:
    world = _world(request)
    parts = _parts(request, SEARCH_PARTS)
    max_results = _int_param(request, "maxResults", 5, 0, 50)
    q = (request.query_params.get("q") or "").strip().lower()
    types = set(_list_param(request, "type")) or {"video", "channel", "playlist"}
    now_ms = world.now_ms()
    channel_id = request.query_params.get("channelId")
    results: list[Creator | PostSeed] = []
    if channel_id:
        c = _visible_channel(world.by_id(PLATFORM, channel_id))
        if c is not None and "video" in types:
            for p in world.posts(c, now_ms, limit=500):
                if p.privacy == "public" and (not q or q in p.title.lower() or q in p.text.lower()):
                    results.append(p)
    else:
        matching = [
            c
            for c in world.creators(PLATFORM)
            if not q or q in c.handle.lower() or q in c.display_name.lower() or q == c.niche
        ][:100]
        if "channel" in types:
            results.extend(matching)
        if "video" in types:
            for c in matching[:20]:
                results.extend(p for p in world.posts(c, now_ms, limit=5) if p.privacy == "public")
    if request.query_params.get("order", "relevance") == "date":
        results.sort(
            key=lambda t: -(t.published_ms if isinstance(t, PostSeed) else int(t.created_ts * 1000)),
        )
    offset = _read_page_token(request, kind=5) or 0
    items = [_search_result(world, t, parts) for t in results[offset : offset + max_results]]
    extra: dict[str, Any] = {}
    if max_results and offset + max_results < len(results):
        extra["nextPageToken"] = page_token(offset + max_results, kind=5)
    if offset > 0:
        extra["prevPageToken"] = page_token(max(0, offset - max_results), kind=5)
    extra["regionCode"] = "US"
    page = {"totalResults": len(results), "resultsPerPage": max_results}
    return json_response(_list_response("youtube#searchListResponse", items, page, **extra), charset="UTF-8")


@router.get("/{rest:path}", name="youtube.unknown", include_in_schema=False)
async def unknown(request: Request, rest: str) -> Response:
    return error(404, "notFound", "Not Found", domain="global", google_status="NOT_FOUND")
