"""Instagram over the world, seen two ways: the Graph API and the public web profile.

**Graph API** under ``/graph/{version}`` (the service points at ``/graph/v22.0``):

* ``GET /{ig-user-id}?fields=...``: our own business account's fields, and Business
  Discovery of any public Business or Creator account,
  ``business_discovery.username(NAME){id,username,...,media.limit(N){id,caption,...}}``
  (``media.after(CURSOR)`` pages). Personal, private, unknown and suspended accounts answer
  the real ``code 110 / error_subcode 2207013`` error (Meta does not tell them apart).
* ``GET /?ids=a,b&fields=...`` (multi-id read of our own media, at most 50; ids that do not
  resolve are left out), ``GET /{media-id}?fields=...``, ``GET /{ig-user-id}/media``.
* ``GET /{ig-user-id}/insights?metric=...&period=day[&metric_type=total_value]`` and
  ``GET /{media-id}/insights?metric=...``: our own account and media only. A metric that
  was retired (``impressions``, ``plays``... and every name in the ``retire_metrics`` knob)
  answers the real ``code 100`` rejection, so a client has to ask again without it. Media
  seen by fewer than 5 accounts answer ``(#10) Not enough viewers for the media to show
  insights`` (on Instagram that happens to stories; here to any brand-new media).
* ``GET /{media-id}/comments?fields=id,text,timestamp,username,like_count``: own media only.

Errors use Meta's envelope ``{"error": {"message", "type": "OAuthException", "code",
"error_subcode", "fbtrace_id"}}``. Any non-empty access token is accepted (query
``access_token=`` or ``Authorization: Bearer``), except one starting with ``expired``, which
answers ``code 190``. Our own account is the first demo creator; its ig-user-id is
:data:`OWN_IG_USER_ID`. Every answer carries ``X-Business-Use-Case-Usage``; the rate-limit
knob answers ``code 80002`` with ``estimated_time_to_regain_access`` (minutes) there.

**Public web profile** under ``/instagram-web`` (the service points there instead of
``https://i.instagram.com``):

* ``GET /api/v1/users/web_profile_info/?username=NAME`` → ``{"data": {"user": ...}, "status":
  "ok"}`` with the 12 latest posts in ``edge_owner_to_timeline_media.edges``; a private
  account shows its counts and no posts; an unknown one answers 404, a suspended one
  ``data.user: null``.
* ``GET /api/v1/media/{media_id}/comments/?can_support_threading=true&permalink_enabled=false``
  (the private app API; ``min_id=`` pages), top-level comments newest first.

Requests need the ``x-ig-app-id`` header scrapers send. The web view keeps its own limit
(:class:`WebThrottle`, 200 calls per 11 minutes, like the pace instaloader keeps): past it,
it answers 401 ``Please wait a few minutes before you try again.``, and a client that keeps
calling while refused is redirected to ``/accounts/login/``. The rate-limit knob answers 429.

Ids: a post's ``social_id`` in the world is its shortcode; its web media id (``pk``) is the
shortcode read as base 64 (as on Instagram); its Graph media id is another number
(:func:`graph_media_id`), and an account's Graph ig-user-id differs from its web id.
"""

from __future__ import annotations

import base64
import json
import math
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request, Response

from socialpulse.emulator import ids
from socialpulse.emulator.gate import Gate, GatedRoute, Wire, WireError, json_response
from socialpulse.emulator.world import CommentSeed, Creator, PostSeed, World

PLATFORM = "instagram"
GRAPH_PREFIX = "/graph"
WEB_PREFIX = "/instagram-web"
GRAPH_VERSION = "v22.0"  # the version the service's settings point at (any vN.N is served)

OWN_IG_USER_ID = "17841400000000001"  # our own business account: the first demo creator
GRAPH_USER_PREFIX = "1784140"  # other accounts: this + their 10-digit web id
GRAPH_MEDIA_PREFIX = "17"
WEB_APP_ID = "936619743392459"  # x-ig-app-id of instagram.com's web client
MAX_IDS = 50
MAX_MEDIA_PAGE = 100
DEFAULT_MEDIA_PAGE = 25
MAX_COMMENT_PAGE = 50
WEB_EDGES = 12  # posts a web profile shows
WEB_COMMENT_PAGE = 20
NOT_ENOUGH_VIEWERS = 5  # media reached by fewer accounts have no insights

# ----------------------------------------------------------------------------- metrics

ACCOUNT_METRICS = (
    "reach", "views", "accounts_engaged", "total_interactions", "likes", "comments", "shares",
    "saves", "replies", "profile_links_taps", "follows_and_unfollows", "follower_count",
    "online_followers", "profile_views", "website_clicks", "engaged_audience_demographics",
    "reached_audience_demographics", "follower_demographics",
)  # fmt: skip
ACCOUNT_TOTAL_VALUE_ONLY = frozenset(
    {
        "views", "accounts_engaged", "total_interactions", "likes", "comments", "shares", "saves",
        "replies", "profile_links_taps", "follows_and_unfollows", "profile_views", "website_clicks",
    }
)  # fmt: skip
ACCOUNT_RETIRED = (
    "impressions",
    "email_contacts",
    "phone_call_clicks",
    "text_message_clicks",
    "get_directions_clicks",
)
MEDIA_METRICS = (
    "comments", "crossposted_views", "facebook_views", "follows", "ig_reels_avg_watch_time",
    "ig_reels_video_view_total_time", "likes", "navigation", "profile_activity", "profile_visits",
    "reach", "replies", "reposts", "reels_skip_rate", "saved", "shares", "total_comments",
    "total_interactions", "total_likes", "total_views", "views",
)  # fmt: skip
MEDIA_RETIRED = (
    "impressions",
    "plays",
    "clips_replays_count",
    "ig_reels_aggregated_all_plays_count",
    "video_views",
)
METRIC_TITLES = {
    "reach": "Accounts reached",
    "views": "Views",
    "accounts_engaged": "Accounts engaged",
    "total_interactions": "Content interactions",
    "likes": "Likes",
    "comments": "Comments",
    "shares": "Shares",
    "saves": "Saves",
    "saved": "Saved",
    "replies": "Replies",
    "profile_views": "Profile views",
    "website_clicks": "Website clicks",
    "profile_links_taps": "Profile links taps",
    "follows_and_unfollows": "Follows and unfollows",
    "follower_count": "Follower Count",
}

USER_FIELDS = frozenset(
    {
        "id", "ig_id", "username", "name", "biography", "website", "profile_picture_url",
        "followers_count", "follows_count", "media_count", "media",
    }
)  # fmt: skip
MEDIA_FIELDS = frozenset(
    {
        "id", "caption", "comments_count", "like_count", "media_type", "media_product_type", "media_url",
        "permalink", "shortcode", "thumbnail_url", "timestamp", "username", "is_comment_enabled", "owner",
    }
)  # fmt: skip
COMMENT_FIELDS = frozenset({"id", "text", "timestamp", "username", "like_count", "hidden", "from", "replies"})

# ----------------------------------------------------------------------------- ids


def account_type(world: World, c: Creator) -> str:
    """``BUSINESS``, ``MEDIA_CREATOR`` or ``PERSONAL`` (Business Discovery reads the first two)."""
    if c.kind == "private":
        return "PERSONAL"
    if c.kind == "demo":
        return "BUSINESS" if c.index in (0, 4) else "MEDIA_CREATOR"
    roll = ids.h64(world.seed, PLATFORM, c.platform_id, "account-type") % 10
    return "PERSONAL" if roll < 3 else ("MEDIA_CREATOR" if roll < 7 else "BUSINESS")


def own_creator(world: World) -> Creator | None:
    creators = world.creators(PLATFORM)
    return creators[0] if creators else None


def is_own(world: World, c: Creator) -> bool:
    return c.kind == "demo" and c.index == 0


def graph_user_id(world: World, c: Creator) -> str:
    return OWN_IG_USER_ID if is_own(world, c) else GRAPH_USER_PREFIX + c.platform_id


def creator_by_graph_id(world: World, node: str) -> Creator | None:
    if node == OWN_IG_USER_ID:
        return own_creator(world)
    if node.startswith(GRAPH_USER_PREFIX) and len(node) == len(GRAPH_USER_PREFIX) + 10:
        c = world.by_id(PLATFORM, node[len(GRAPH_USER_PREFIX) :])
        return c if c is not None and not is_own(world, c) else None
    return None


def media_pk(shortcode: str) -> int:
    """The web media id: the shortcode read as a base-64 number (as Instagram's are)."""
    value = ids.b64_decode(shortcode[:11])
    return value or 0


def shortcode_of_pk(pk: int) -> str | None:
    try:
        return ids.b64_encode(pk, 11)
    except ValueError:
        return None


def graph_media_id(p: PostSeed) -> str:
    return GRAPH_MEDIA_PREFIX + f"{media_pk(p.social_id):020d}"


def post_by_graph_id(world: World, node: str, now_ms: int) -> PostSeed | None:
    if not (node.startswith(GRAPH_MEDIA_PREFIX) and len(node) == 22 and node.isdigit()):
        return None
    shortcode = shortcode_of_pk(int(node[2:]))
    return _visible_post(world, shortcode, now_ms) if shortcode else None


def post_by_pk(world: World, raw: str, now_ms: int) -> PostSeed | None:
    head = raw.split("_", 1)[0]  # the app API also takes "{media pk}_{owner pk}"
    if not head.isdigit():
        return None
    shortcode = shortcode_of_pk(int(head))
    if shortcode is None:
        return None
    p = world.post_by_id(PLATFORM, shortcode, now_ms)
    return p if p is not None and p.creator.kind != "suspended" else None


def _visible_post(world: World, shortcode: str, now_ms: int) -> PostSeed | None:
    p = world.post_by_id(PLATFORM, shortcode, now_ms)
    return p if p is not None and p.creator.listed else None


def comment_id(world: World, cm: CommentSeed) -> str:
    return "179" + f"{ids.h64(world.seed, cm.post.social_id, cm.index, 'ig-comment') % 10**15:015d}"


def _cursor(value: int) -> str:
    return base64.b64encode(f"QVFI:{value}".encode()).decode().rstrip("=")


def _read_cursor(raw: str | None) -> int | None:
    if not raw:
        return None
    try:
        text = base64.b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except ValueError:
        return None
    head, _, value = text.partition(":")
    return int(value) if head == "QVFI" and value.isdigit() else None


def _fbtrace(*parts: object) -> str:
    return ids.hashed_chars(ids.B64URL, 11, "fbtrace", *parts)


# ----------------------------------------------------------------------------- counters


@dataclass(frozen=True)
class MediaNumbers:
    views: int  # video views (the web's video_view_count)
    plays: int  # plays, replays included (the web's video_play_count; the Graph's "views")
    reach: int
    likes: int
    comments: int
    shares: int
    saves: int


def numbers(world: World, p: PostSeed, now_ms: int) -> MediaNumbers:
    st = world.post_stats(p, now_ms)
    return MediaNumbers(
        views=st.views,
        plays=st.views + st.views // 3,
        reach=int(st.views * 0.82),
        likes=st.likes,
        comments=st.comments,
        shares=st.shares,
        saves=st.saves,
    )


def _media_type(p: PostSeed) -> tuple[str, str]:
    if p.kind == "carousel":
        return "CAROUSEL_ALBUM", "FEED"
    if p.kind == "reel":
        return "VIDEO", "REELS"
    if p.kind == "video":
        return "VIDEO", "FEED"
    return "IMAGE", "FEED"


def permalink(p: PostSeed) -> str:
    kind = "reel" if p.kind == "reel" else "p"
    return f"https://www.instagram.com/{kind}/{p.social_id}/"


def _cdn(kind: str, *parts: object) -> str:
    return (
        f"https://scontent.cdninstagram.com/v/t51.2885-{kind}/"
        f"{ids.h64('ig-cdn', kind, *parts) % 10**17}_n.jpg?_nc_ht=scontent.cdninstagram.com"
    )


def _category(c: Creator) -> str:
    return {
        "cooking": "Chef", "gaming": "Gamer", "tech": "Science, Technology & Engineering",
        "travel": "Travel Company", "fitness": "Fitness Trainer", "music": "Musician",
        "beauty": "Beauty, cosmetic & personal care", "finance": "Financial Service",
        "comedy": "Comedian", "science": "Education", "pets": "Pet Service", "diy": "Artist",
        "fashion": "Clothing (Brand)",
    }.get(c.niche, "Digital creator")  # fmt: skip


# ----------------------------------------------------------------------------- Graph: errors


def graph_error(
    status: int,
    code: int,
    message: str,
    *,
    subcode: int | None = None,
    transient: bool | None = None,
    user_title: str | None = None,
    user_msg: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    err: dict[str, Any] = {"message": message, "type": "OAuthException"}
    if transient is not None:
        err["is_transient"] = transient
    err["code"] = code
    if subcode is not None:
        err["error_subcode"] = subcode
    if user_title is not None:
        err["error_user_title"] = user_title
    if user_msg is not None:
        err["error_user_msg"] = user_msg
    err["fbtrace_id"] = _fbtrace(code, subcode, message)
    return json_response({"error": err}, status, headers=headers)


def graph_fail(code: int, message: str, status: int = 400, **kw: Any) -> WireError:
    return WireError(graph_error(status, code, message, **kw))


def _unsupported_get(node: str) -> WireError:
    return graph_fail(
        100,
        f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due to "
        "missing permissions, or does not support this operation. Please read the Graph API "
        "documentation at https://developers.facebook.com/docs/graph-api",
        subcode=33,
    )


def _no_permission() -> WireError:
    return graph_fail(10, "(#10) Application does not have permission for this action")


def _user_not_found(username: str) -> WireError:
    return graph_fail(
        110,
        "Invalid user id",
        subcode=2207013,
        transient=False,
        user_title="Cannot find User",
        user_msg=f"The user with username: {username} cannot be found.",
    )


def _buc_header(gate: Gate, *, regain_minutes: int = 0, full: bool = False) -> dict[str, str]:
    used = sum(n for name, n in gate.calls.items() if name.startswith("instagram.graph"))
    pct = 100 if full else min(100, used * 100 // 4800)
    usage = {
        OWN_IG_USER_ID: [
            {
                "type": "instagram",
                "call_count": pct,
                "total_cputime": pct // 2,
                "total_time": pct // 2,
                "estimated_time_to_regain_access": regain_minutes,
            }
        ]
    }
    return {"X-Business-Use-Case-Usage": json.dumps(usage, separators=(",", ":"))}


class GraphWire(Wire):
    platform = "instagram-graph"

    def rate_limited(self, gate: Gate, limit: int, reset_epoch: int) -> Response:
        minutes = max(1, math.ceil((reset_epoch - time.time()) / 60))
        return graph_error(
            400,
            80002,
            "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again. "
            "For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
            transient=True,
            headers=_buc_header(gate, regain_minutes=minutes, full=True),
        )

    def fault(self, kind: str) -> Response:
        if kind == "429":
            return graph_error(400, 4, "(#4) Application request limit reached", transient=True)
        return graph_error(500, 1, "An unknown error has occurred.", transient=True)

    def admit(self, request: Request, endpoint: str, gate: Gate) -> Response | None:
        token = request.query_params.get("access_token", "").strip()
        auth = request.headers.get("authorization", "")
        if not token and auth[:7].lower() == "bearer ":
            token = auth[7:].strip()
        if not token and auth[:6].lower() == "oauth ":
            token = auth[6:].strip()
        if not token:
            return graph_error(
                400, 2500, "An active access token must be used to query information about the current user."
            )
        if token.startswith("expired"):
            day = gate.world.now().strftime("%A, %d-%b-%y")
            return graph_error(
                400,
                190,
                f"Error validating access token: Session has expired on {day} 01:00:00 PDT. "
                "The current time is later.",
                subcode=463,
            )
        return None

    def decorate(self, response: Response, gate: Gate) -> None:
        for name, value in _buc_header(gate).items():
            response.headers.setdefault(name, value)


class GraphRoute(GatedRoute):
    wire = GraphWire()


graph_router = APIRouter(prefix=GRAPH_PREFIX, route_class=GraphRoute, tags=["Instagram Graph API"])

# ----------------------------------------------------------------------------- Graph: fields


@dataclass
class FieldSpec:
    """One entry of a Graph ``fields=`` list: ``name.mod(value)...{sub,fields}``."""

    name: str
    mods: dict[str, str] = field(default_factory=dict)
    sub: list[FieldSpec] | None = None


def parse_fields(raw: str) -> list[FieldSpec]:
    """Parse Graph field expansion (``a,b.limit(5){c,d}``); ``ValueError`` when malformed."""
    pos = 0

    def name() -> str:
        nonlocal pos
        start = pos
        while pos < len(raw) and (raw[pos].isalnum() or raw[pos] == "_"):
            pos += 1
        if start == pos:
            raise ValueError(f"a field name was expected at position {start}")
        return raw[start:pos]

    def fields(closing: str | None) -> list[FieldSpec]:
        nonlocal pos
        out: list[FieldSpec] = []
        while True:
            while pos < len(raw) and raw[pos] == " ":
                pos += 1
            spec = FieldSpec(name())
            while pos < len(raw) and raw[pos] == ".":
                pos += 1
                mod = name()
                if pos >= len(raw) or raw[pos] != "(":
                    raise ValueError(f"'(' was expected after {mod}")
                end = raw.find(")", pos)
                if end < 0:
                    raise ValueError(f"unclosed ( after {mod}")
                spec.mods[mod] = raw[pos + 1 : end]
                pos = end + 1
            if pos < len(raw) and raw[pos] == "{":
                pos += 1
                spec.sub = fields("}")
            out.append(spec)
            if pos >= len(raw):
                if closing is not None:
                    raise ValueError(f"{closing} was expected")
                return out
            if raw[pos] == ",":
                pos += 1
                continue
            if closing is not None and raw[pos] == closing:
                pos += 1
                return out
            raise ValueError(f"unexpected {raw[pos]!r} at position {pos}")

    return fields(None)


def _fields(request: Request, default: str) -> list[FieldSpec]:
    raw = request.query_params.get("fields") or default
    try:
        return parse_fields(raw)
    except ValueError as exc:
        raise graph_fail(100, f"(#100) Syntax error: {exc}") from None


def _check_fields(specs: list[FieldSpec], known: frozenset[str], node_type: str) -> None:
    for spec in specs:
        if spec.name not in known:
            raise graph_fail(
                100, f"(#100) Tried accessing nonexisting field ({spec.name}) on node type ({node_type})"
            )


def _gmt(ms: int) -> str:
    return datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _int_param(value: str | None, name: str, default: int, hi: int) -> int:
    if value is None or value == "":
        return default
    try:
        n = int(value)
    except ValueError:
        raise graph_fail(100, f"(#100) Param {name} must be a number") from None
    if n < 1:
        raise graph_fail(100, f"(#100) Param {name} must be a positive number")
    return min(n, hi)


# ----------------------------------------------------------------------------- Graph: rendering


def media_node(
    world: World, p: PostSeed, specs: list[FieldSpec], now_ms: int, *, own: bool
) -> dict[str, Any]:
    _check_fields(specs, MEDIA_FIELDS, "IGMedia")
    n = numbers(world, p, now_ms)
    media_type, product = _media_type(p)
    values: dict[str, Any] = {
        "caption": p.text or None,
        "comments_count": n.comments,
        # Business Discovery leaves like_count out when the owner hides it; the owner sees it
        "like_count": n.likes if own or not p.likes_hidden else None,
        "media_type": media_type,
        "media_product_type": product,
        "media_url": _cdn("15", p.social_id) if media_type != "VIDEO" else _cdn("16", p.social_id) + "&v=mp4",
        "permalink": permalink(p),
        "shortcode": p.social_id,
        "thumbnail_url": _cdn("15", p.social_id, "thumb") if media_type == "VIDEO" else None,
        "timestamp": _gmt(p.published_ms),
        "username": p.creator.handle,
        "is_comment_enabled": not p.comments_disabled,
        "owner": {"id": graph_user_id(world, p.creator)},
    }
    out: dict[str, Any] = {}
    for spec in specs:
        if spec.name == "id":
            continue
        value = values[spec.name]
        if value is not None:
            out[spec.name] = value
    out["id"] = graph_media_id(p)
    return out


def _media_edge(world: World, c: Creator, spec: FieldSpec, now_ms: int, *, own: bool) -> dict[str, Any]:
    limit = _int_param(spec.mods.get("limit"), "limit", DEFAULT_MEDIA_PAGE, MAX_MEDIA_PAGE)
    sub = spec.sub or [FieldSpec("id")]
    offset = _read_cursor(spec.mods.get("after")) or 0
    total = 0 if c.kind == "private" else world.post_count(c, now_ms)
    newest = total - 1 - offset
    page = [world.post(c, i) for i in range(newest, max(newest - limit, -1), -1)]
    data = [media_node(world, p, sub, now_ms, own=own) for p in page]
    cursors: dict[str, str] = {"before": _cursor(offset)}
    if offset + len(page) < total:
        cursors["after"] = _cursor(offset + len(page))
    return {"data": data, "paging": {"cursors": cursors}}


def user_node(world: World, c: Creator, specs: list[FieldSpec], now_ms: int) -> dict[str, Any]:
    _check_fields(specs, USER_FIELDS, "IGUser")
    stats = world.stats(c, now_ms)
    own = is_own(world, c)
    values: dict[str, Any] = {
        "ig_id": int(c.platform_id),
        "username": c.handle,
        "name": c.display_name or None,
        "biography": c.biography or None,
        "website": c.website,
        "profile_picture_url": _cdn("19", c.platform_id, "avatar"),
        "followers_count": stats.followers,
        "follows_count": stats.following,
        "media_count": stats.posts,
    }
    out: dict[str, Any] = {}
    for spec in specs:
        if spec.name == "id":
            continue
        if spec.name == "media":
            out["media"] = _media_edge(world, c, spec, now_ms, own=own)
            continue
        value = values[spec.name]
        if value is not None:
            out[spec.name] = value
    out["id"] = graph_user_id(world, c)
    return out


def _discoverable(world: World, username: str) -> Creator:
    c = world.by_handle(PLATFORM, username)
    if c is None or c.kind == "suspended" or account_type(world, c) == "PERSONAL":
        raise _user_not_found(username)
    return c


# ----------------------------------------------------------------------------- Graph: insights


def _day_window(world: World, c: Creator, start_ms: int, end_ms: int) -> dict[str, int]:
    """What our account did between two instants, summed over its posts of the last 60 days."""
    totals = dict.fromkeys(("views", "plays", "likes", "comments", "shares", "saves"), 0)
    for p in world.posts(c, at=end_ms, limit=60):
        if end_ms - p.published_ms > 60 * 86_400_000:
            break
        a, b = numbers(world, p, start_ms), numbers(world, p, end_ms)
        totals["views"] += b.views - a.views
        totals["plays"] += b.plays - a.plays
        totals["likes"] += b.likes - a.likes
        totals["comments"] += b.comments - a.comments
        totals["shares"] += b.shares - a.shares
        totals["saves"] += b.saves - a.saves
    reach = int(totals["views"] * 0.82)
    profile_views = int(reach * 0.04)
    website = int(profile_views * 0.1) if c.website else 0
    return {
        "reach": reach,
        "views": totals["plays"],
        "accounts_engaged": int(reach * 0.06),
        "total_interactions": totals["likes"] + totals["comments"] + totals["shares"] + totals["saves"],
        "likes": totals["likes"],
        "comments": totals["comments"],
        "shares": totals["shares"],
        "saves": totals["saves"],
        "replies": 0,
        "profile_views": profile_views,
        "website_clicks": website,
        "profile_links_taps": website,
        "follows_and_unfollows": max(0, world.followers(c, end_ms) - world.followers(c, start_ms)),
    }


def _metrics_param(request: Request) -> list[str]:
    raw = request.query_params.get("metric", "")
    names = [m.strip() for m in raw.split(",") if m.strip()]
    if not names:
        raise graph_fail(100, "(#100) The parameter metric is required")
    return names


def _check_metrics(
    names: list[str], valid: tuple[str, ...], retired_here: tuple[str, ...], gate: Gate
) -> None:
    knob = set(gate.config.retire_metrics)
    allowed = [m for m in valid if m not in knob]
    for i, name in enumerate(names):
        if name in retired_here:
            raise graph_fail(
                100, f"(#100) The metric {name} is no longer supported. Please use views instead"
            )
        if name not in allowed:
            raise graph_fail(
                100, f"(#100) metric[{i}] must be one of the following values: {', '.join(allowed)}"
            )


def _insight(node: str, name: str, period: str, **value: Any) -> dict[str, Any]:
    return {
        "name": name,
        "period": period,
        **value,
        "title": METRIC_TITLES.get(name, name.replace("_", " ").capitalize()),
        "description": f"The number of {METRIC_TITLES.get(name, name).lower()}.",
        "id": f"{node}/insights/{name}/{period}",
    }


DAY_END_HOUR_MS = 7 * 3_600_000  # Meta's days end at midnight Pacific (07:00 UTC)


def user_insights(request: Request, world: World, gate: Gate, c: Creator, node: str) -> dict[str, Any]:
    names = _metrics_param(request)
    _check_metrics(names, ACCOUNT_METRICS, ACCOUNT_RETIRED, gate)
    period = request.query_params.get("period", "")
    if period not in ("day", "week", "days_28", "lifetime"):
        raise graph_fail(
            100, "(#100) period must be one of the following values: day, week, days_28, lifetime"
        )
    total_value = request.query_params.get("metric_type") == "total_value"
    needs_total = [m for m in names if m in ACCOUNT_TOTAL_VALUE_ONLY]
    if needs_total and not total_value:
        raise graph_fail(
            100,
            f"(#100) The following metrics ({', '.join(needs_total)}) should be specified with parameter "
            "metric_type=total_value",
        )
    now_ms = world.now_ms()
    until_ms = _epoch_param(request, "until", now_ms)
    since_ms = _epoch_param(request, "since", until_ms - 86_400_000)
    if since_ms >= until_ms or until_ms - since_ms > 30 * 86_400_000:
        raise graph_fail(100, "(#100) There cannot be more than 30 days (2592000 s) between since and until")
    window = _day_window(world, c, since_ms, until_ms)
    followers = world.followers(c, now_ms)
    data: list[dict[str, Any]] = []
    for name in names:
        if name == "follower_count":
            if followers < 100:  # not available for small accounts: no entry at all
                continue
            last_end = (now_ms - DAY_END_HOUR_MS) // 86_400_000 * 86_400_000 + DAY_END_HOUR_MS
            values = []
            for end in (last_end - 86_400_000, last_end):
                gained = world.followers(c, end) - world.followers(c, end - 86_400_000)
                values.append({"value": max(0, gained), "end_time": _gmt(end)})
            data.append(_insight(node, name, "day", values=values))
        elif name in window and total_value:
            data.append(_insight(node, name, period, total_value={"value": window[name]}))
        elif name in window:
            values = [{"value": window[name], "end_time": _gmt(until_ms)}]
            data.append(_insight(node, name, period, values=values))
        # demographics and online_followers: empty for this world
    return {"data": data}


def _epoch_param(request: Request, name: str, default_ms: int) -> int:
    raw = request.query_params.get(name)
    if not raw:
        return default_ms
    try:
        return int(float(raw)) * 1000
    except ValueError:
        raise graph_fail(100, f"(#100) Param {name} must be a unix timestamp") from None


def media_insights(request: Request, world: World, gate: Gate, p: PostSeed, node: str) -> dict[str, Any]:
    names = _metrics_param(request)
    _check_metrics(names, MEDIA_METRICS, MEDIA_RETIRED, gate)
    n = numbers(world, p, world.now_ms())
    if n.reach < NOT_ENOUGH_VIEWERS:
        raise graph_fail(10, "(#10) Not enough viewers for the media to show insights")
    follows = int(n.reach * 0.002)
    values = {
        "reach": n.reach,
        "views": n.plays,
        "likes": n.likes,
        "comments": n.comments,
        "shares": n.shares,
        "saved": n.saves,
        "total_interactions": n.likes + n.comments + n.shares + n.saves,
        "follows": follows,
        "profile_visits": int(n.reach * 0.01),
        "profile_activity": int(n.reach * 0.012),
        "replies": 0,
        "reposts": 0,
        "navigation": 0,
    }
    if p.kind == "reel":
        values["ig_reels_avg_watch_time"] = 1000 * min(p.duration_s or 10, 9)
        values["ig_reels_video_view_total_time"] = n.plays * 6_000
        values["reels_skip_rate"] = 35
    data = [
        _insight(node, name, "lifetime", values=[{"value": values[name]}]) for name in names if name in values
    ]
    return {"data": data}


# ----------------------------------------------------------------------------- Graph: endpoints


def _world(request: Request) -> World:
    world: World = request.app.state.world
    return world


def _gate(request: Request) -> Gate:
    gate: Gate = request.app.state.gate
    return gate


def _version(version: str) -> None:
    head, _, tail = version.partition(".")
    if not (head.startswith("v") and head[1:].isdigit() and tail.isdigit()):
        raise graph_fail(2500, f"Unknown path components: /{version}")


@graph_router.get("/{version}/", name="instagram.graph.ids")
@graph_router.get("/{version}", name="instagram.graph.ids", include_in_schema=False)
async def multi_ids(request: Request, version: str) -> Response:
    _version(version)
    world = _world(request)
    raw = request.query_params.get("ids", "")
    wanted = list(dict.fromkeys(i.strip() for i in raw.split(",") if i.strip()))
    if not wanted:
        raise graph_fail(100, "(#100) The parameter ids is required")
    if len(wanted) > MAX_IDS:
        raise graph_fail(100, f"(#100) Too many IDs. Maximum: {MAX_IDS}")
    specs = _fields(request, "id")
    now_ms = world.now_ms()
    out: dict[str, Any] = {}
    for node in wanted:
        if not node.isdigit():
            raise graph_fail(803, f"(#803) Some of the aliases you requested do not exist: {node}")
        p = post_by_graph_id(world, node, now_ms)
        if p is None or not is_own(world, p.creator):
            continue  # left out, as Meta's multi-id reads do
        out[node] = media_node(world, p, specs, now_ms, own=True)
    return json_response(out)


@graph_router.get("/{version}/{node}", name="instagram.graph.node")
async def graph_node(request: Request, version: str, node: str) -> Response:
    _version(version)
    world = _world(request)
    now_ms = world.now_ms()
    c = creator_by_graph_id(world, node)
    if c is not None and is_own(world, c):
        specs = _fields(request, "id")
        out: dict[str, Any] = {}
        plain = [s for s in specs if s.name != "business_discovery"]
        out.update(user_node(world, c, plain, now_ms) if plain else {})
        for spec in specs:
            if spec.name != "business_discovery":
                continue
            username = spec.mods.get("username")
            if not username:
                raise graph_fail(100, "(#100) Missing username for business_discovery")
            target = _discoverable(world, username)
            out["business_discovery"] = user_node(world, target, spec.sub or [FieldSpec("id")], now_ms)
        out["id"] = OWN_IG_USER_ID
        return json_response(out)
    p = post_by_graph_id(world, node, now_ms)
    if p is not None and is_own(world, p.creator):
        return json_response(media_node(world, p, _fields(request, "id"), now_ms, own=True))
    raise _unsupported_get(node)


@graph_router.get("/{version}/{node}/insights", name="instagram.graph.insights")
async def insights(request: Request, version: str, node: str) -> Response:
    _version(version)
    world, gate = _world(request), _gate(request)
    c = creator_by_graph_id(world, node)
    if c is not None:
        if not is_own(world, c):
            raise _no_permission()
        return json_response(user_insights(request, world, gate, c, node))
    p = post_by_graph_id(world, node, world.now_ms())
    if p is None:
        raise _unsupported_get(node)
    if not is_own(world, p.creator):
        raise _no_permission()
    return json_response(media_insights(request, world, gate, p, node))


def _next_url(request: Request, after: str) -> str:
    params = dict(request.query_params)
    params.pop("access_token", None)
    params["after"] = after
    return f"{request.url.scheme}://{request.url.netloc}{request.url.path}?{urlencode(params)}"


@graph_router.get("/{version}/{node}/media", name="instagram.graph.media")
async def own_media(request: Request, version: str, node: str) -> Response:
    _version(version)
    world = _world(request)
    c = creator_by_graph_id(world, node)
    if c is None:
        raise _unsupported_get(node)
    if not is_own(world, c):
        raise _no_permission()
    limit = request.query_params.get("limit")
    spec = FieldSpec("media", {"limit": limit or str(DEFAULT_MEDIA_PAGE)}, _fields(request, "id"))
    after = request.query_params.get("after")
    if after:
        spec.mods["after"] = after
    edge = _media_edge(world, c, spec, world.now_ms(), own=True)
    if "after" in edge["paging"]["cursors"]:
        edge["paging"]["next"] = _next_url(request, edge["paging"]["cursors"]["after"])
    return json_response(edge)


def _graph_comment(
    world: World, cm: CommentSeed, specs: list[FieldSpec], now_ms: int, count: int
) -> dict[str, Any]:
    _check_fields(specs, COMMENT_FIELDS, "IGComment")
    out: dict[str, Any] = {}
    for spec in specs:
        name = spec.name
        if name == "id":
            continue
        if name == "text":
            out["text"] = cm.text
        elif name == "timestamp":
            out["timestamp"] = _gmt(cm.published_ms)
        elif name == "username":
            out["username"] = cm.author.handle
        elif name == "like_count":
            out["like_count"] = cm.likes_at(now_ms)
        elif name == "hidden":
            out["hidden"] = False
        elif name == "from":
            out["from"] = {"id": "1784140" + cm.author.platform_id[-10:], "username": cm.author.handle}
        elif name == "replies":
            answers = world.replies_to(cm.post, cm.index, count)
            sub = spec.sub or [FieldSpec("id")]
            data = [_graph_comment(world, world.comment(cm.post, k), sub, now_ms, count) for k in answers]
            if data:
                out["replies"] = {"data": data}
    out["id"] = comment_id(world, cm)
    return out


@graph_router.get("/{version}/{node}/comments", name="instagram.graph.comments")
async def graph_comments(request: Request, version: str, node: str) -> Response:
    _version(version)
    world = _world(request)
    now_ms = world.now_ms()
    p = post_by_graph_id(world, node, now_ms)
    if p is None:
        raise _unsupported_get(node)
    if not is_own(world, p.creator):
        raise _no_permission()
    specs = _fields(request, "id")
    limit = _int_param(request.query_params.get("limit"), "limit", 25, MAX_COMMENT_PAGE)
    offset = _read_cursor(request.query_params.get("after")) or 0
    rng = world.listed_comment_range(p, now_ms)
    top = [k for k in reversed(rng) if world.parent_of(p, k) is None]  # newest first
    page = top[offset : offset + limit]
    data = [_graph_comment(world, world.comment(p, k), specs, now_ms, rng.stop) for k in page]
    body: dict[str, Any] = {"data": data}
    if data:
        paging: dict[str, Any] = {
            "cursors": {"before": _cursor(offset), "after": _cursor(offset + len(page))}
        }
        if offset + len(page) < len(top):
            paging["next"] = _next_url(request, paging["cursors"]["after"])
        body["paging"] = paging
    return json_response(body)


@graph_router.get("/{version}/{rest:path}", name="instagram.graph.unknown", include_in_schema=False)
async def graph_unknown(request: Request, version: str, rest: str) -> Response:
    raise graph_fail(2500, f"Unknown path components: /{rest}")


# ----------------------------------------------------------------------------- web: throttle


PLEASE_WAIT = "Please wait a few minutes before you try again."


@dataclass
class WebThrottle:
    """Instagram's own limit on anonymous web requests (set ``app.state.instagram_web_throttle``).

    At most ``limit`` calls per ``window_s`` (a sliding window of real time). Past it, a call
    is answered 401 "Please wait a few minutes"; after ``strikes_before_login`` such refusals
    in a row the client is redirected to the login page instead, until the window frees up.
    """

    limit: int = 200
    window_s: float = 660.0
    strikes_before_login: int = 2
    stamps: deque[float] = field(default_factory=deque)
    strikes: int = 0
    refused: int = 0

    def admit(self, now: float) -> str | None:
        """``None`` to serve the call, ``"wait"`` (401) or ``"login"`` (302) to refuse it."""
        while self.stamps and self.stamps[0] <= now - self.window_s:
            self.stamps.popleft()
        if len(self.stamps) < self.limit:
            self.stamps.append(now)
            self.strikes = 0
            return None
        self.refused += 1
        self.strikes += 1
        return "login" if self.strikes > self.strikes_before_login else "wait"


def web_throttle(request: Request) -> WebThrottle:
    state = request.app.state
    throttle = getattr(state, "instagram_web_throttle", None)
    if not isinstance(throttle, WebThrottle):
        throttle = WebThrottle()
        state.instagram_web_throttle = throttle
    return throttle


def web_error(status: int, message: str, headers: dict[str, str] | None = None, **extra: Any) -> Response:
    return json_response({"message": message, **extra, "status": "fail"}, status, headers=headers)


def web_fail(status: int, message: str, **extra: Any) -> WireError:
    return WireError(web_error(status, message, **extra))


class WebWire(Wire):
    platform = "instagram-web"

    def rate_limited(self, gate: Gate, limit: int, reset_epoch: int) -> Response:
        return web_error(429, PLEASE_WAIT, require_login=False)

    def fault(self, kind: str) -> Response:
        if kind == "429":
            return web_error(429, PLEASE_WAIT, require_login=False)
        return web_error(500, "Oops, an error occurred.")

    def admit(self, request: Request, endpoint: str, gate: Gate) -> Response | None:
        if endpoint in ("instagram.web.login", "instagram.web.unknown"):
            return None
        if request.headers.get("x-ig-app-id", "").strip() != WEB_APP_ID:
            return web_error(400, "useragent mismatch")
        verdict = web_throttle(request).admit(time.monotonic())
        if verdict == "wait":
            return web_error(401, PLEASE_WAIT, require_login=True)
        if verdict == "login":
            target = f"{WEB_PREFIX}/accounts/login/?next={quote(request.url.path)}"
            return Response(status_code=302, headers={"Location": target})
        return None


class WebRoute(GatedRoute):
    wire = WebWire()


web_router = APIRouter(prefix=WEB_PREFIX, route_class=WebRoute, tags=["Instagram public web profile"])


# ----------------------------------------------------------------------------- web: rendering


def web_node(world: World, p: PostSeed, now_ms: int) -> dict[str, Any]:
    n = numbers(world, p, now_ms)
    pk = str(media_pk(p.social_id))
    is_video = p.kind in ("reel", "video")
    typename = "GraphSidecar" if p.kind == "carousel" else ("GraphVideo" if is_video else "GraphImage")
    node: dict[str, Any] = {
        "__typename": typename,
        "id": pk,
        "shortcode": p.social_id,
        "dimensions": {"height": 1350 if not is_video else 1920, "width": 1080},
        "display_url": _cdn("15", p.social_id),
        "edge_media_to_tagged_user": {"edges": []},
        "owner": {"id": p.creator.platform_id, "username": p.creator.handle},
        "is_video": is_video,
        "edge_media_to_caption": {"edges": [{"node": {"text": p.text}}] if p.text else []},
        "edge_media_to_comment": {"count": n.comments},
        "comments_disabled": p.comments_disabled,
        "taken_at_timestamp": p.published_ms // 1000,
        "edge_liked_by": {"count": n.likes},
        "edge_media_preview_like": {"count": n.likes},
        "location": None,
        "thumbnail_src": _cdn("15", p.social_id, "thumb"),
    }
    if is_video:
        node["product_type"] = "clips" if p.kind == "reel" else "feed"
        node["video_url"] = _cdn("16", p.social_id) + "&v=mp4"
        node["video_view_count"] = n.views
        node["video_play_count"] = n.plays
        node["video_duration"] = float(p.duration_s or 0)
    if p.kind == "carousel":
        children = 2 + ids.h64(world.seed, p.social_id, "children") % 4
        node["edge_sidecar_to_children"] = {
            "edges": [
                {
                    "node": {
                        "__typename": "GraphImage",
                        "id": str(ids.h64(world.seed, p.social_id, "child", i) >> 1),
                        "is_video": False,
                        "display_url": _cdn("15", p.social_id, i),
                    }
                }
                for i in range(children)
            ]
        }
    return node


def web_user(world: World, c: Creator, now_ms: int) -> dict[str, Any]:
    stats = world.stats(c, now_ms)
    kind = account_type(world, c)
    private = c.kind == "private"
    category = _category(c) if kind != "PERSONAL" else None
    posts = [] if private else world.posts(c, now_ms, limit=WEB_EDGES)
    more = not private and stats.posts > len(posts)
    return {
        "biography": c.biography,
        "bio_links": (
            [{"title": "", "lynx_url": c.website, "url": c.website, "link_type": "external"}]
            if c.website
            else []
        ),
        "external_url": c.website,
        "edge_followed_by": {"count": stats.followers},
        "edge_follow": {"count": stats.following},
        "full_name": c.display_name,
        "id": c.platform_id,
        "is_business_account": kind == "BUSINESS",
        "is_professional_account": kind != "PERSONAL",
        "is_private": private,
        "is_verified": c.verified,
        "category_name": category,
        "business_category_name": category if kind == "BUSINESS" else None,
        "profile_pic_url": _cdn("19", c.platform_id, "avatar", "s150"),
        "profile_pic_url_hd": _cdn("19", c.platform_id, "avatar", "s320"),
        "username": c.handle,
        "highlight_reel_count": ids.h64(world.seed, c.platform_id, "highlights") % 12,
        "edge_felix_video_timeline": {
            "count": 0,
            "page_info": {"has_next_page": False, "end_cursor": None},
            "edges": [],
        },
        "edge_owner_to_timeline_media": {
            "count": stats.posts,
            "page_info": {"has_next_page": more, "end_cursor": _cursor(len(posts)) if more else None},
            "edges": [{"node": web_node(world, p, now_ms)} for p in posts],
        },
    }


def web_comment(world: World, cm: CommentSeed, now_ms: int, count: int) -> dict[str, Any]:
    author = cm.author
    created = cm.published_ms // 1000
    return {
        "pk": comment_id(world, cm),
        "user_id": author.platform_id,
        "type": 0,
        "did_report_as_spam": False,
        "created_at": created,
        "created_at_utc": created,
        "content_type": "comment",
        "status": "Active",
        "bit_flags": 0,
        "share_enabled": False,
        "is_ranked_comment": False,
        "media_id": str(media_pk(cm.post.social_id)),
        "text": cm.text,
        "user": {
            "pk": author.platform_id,
            "username": author.handle,
            "full_name": author.display_name,
            "is_private": False,
            "is_verified": author.creator is not None and author.creator.verified,
            "profile_pic_url": _cdn("19", author.platform_id, "avatar", "s150"),
        },
        "comment_like_count": cm.likes_at(now_ms),
        "child_comment_count": len(world.replies_to(cm.post, cm.index, count)),
    }


# ----------------------------------------------------------------------------- web: endpoints


@web_router.get("/api/v1/users/web_profile_info/", name="instagram.web.web_profile_info")
async def web_profile_info(request: Request) -> Response:
    world = _world(request)
    username = (request.query_params.get("username") or "").strip()
    if not username:
        raise web_fail(400, "username is required")
    c = world.by_handle(PLATFORM, username)
    if c is None:
        return json_response({"message": "User not found", "status": "fail"}, 404)
    if c.kind == "suspended":  # deactivated or banned: the lookup answers no user
        return json_response({"data": {"user": None}, "status": "ok"})
    return json_response({"data": {"user": web_user(world, c, world.now_ms())}, "status": "ok"})


@web_router.get("/api/v1/media/{media_id}/comments/", name="instagram.web.media_comments")
async def web_comments(request: Request, media_id: str) -> Response:
    world = _world(request)
    now_ms = world.now_ms()
    p = post_by_pk(world, media_id, now_ms)
    if p is None:
        raise web_fail(400, "Invalid media_id " + media_id)
    if p.creator.kind == "private":
        raise web_fail(400, "Not authorized to view user")
    if p.comments_disabled:
        return json_response(
            {
                "comments": [],
                "comment_count": 0,
                "comments_disabled": True,
                "has_more_comments": False,
                "status": "ok",
            }
        )
    rng = world.listed_comment_range(p, now_ms)
    top = [k for k in reversed(rng) if world.parent_of(p, k) is None]  # newest first
    start = 0
    min_id = request.query_params.get("min_id")
    if min_id:
        start = _read_cursor(min_id) or 0
    page = top[start : start + WEB_COMMENT_PAGE]
    body: dict[str, Any] = {
        "comments": [web_comment(world, world.comment(p, k), now_ms, rng.stop) for k in page],
        "comment_count": world.comment_count(p, now_ms),
        "caption": {"text": p.text, "pk": str(media_pk(p.social_id)) + "1"} if p.text else None,
        "caption_is_edited": False,
        "has_more_comments": start + len(page) < len(top),
        "has_more_headload_comments": False,
        "media_header_display": "none",
        "can_view_more_preview_comments": False,
        "threading_enabled": request.query_params.get("can_support_threading") == "true",
        "status": "ok",
    }
    if body["has_more_comments"]:
        body["next_min_id"] = _cursor(start + len(page))
    return json_response(body)


@web_router.get("/accounts/login/", name="instagram.web.login", include_in_schema=False)
async def login_page(request: Request) -> Response:
    html = "<!DOCTYPE html><html><head><title>Login • Instagram</title></head><body>Log in</body></html>"
    return Response(content=html, media_type="text/html; charset=utf-8")


@web_router.get("/{rest:path}", name="instagram.web.unknown", include_in_schema=False)
async def web_unknown(request: Request, rest: str) -> Response:
    html = "<!DOCTYPE html><html><head><title>Page not found • Instagram</title></head></html>"
    return Response(content=html, status_code=404, media_type="text/html; charset=utf-8")


# ----------------------------------------------------------------------------- both

router = APIRouter()
router.include_router(graph_router)
router.include_router(web_router)
"""Both views: ``PLATFORM_ROUTERS`` registers this one router for Instagram."""
