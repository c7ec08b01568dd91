"""TikTok API v2 over the world, under ``/tiktok`` (base URL ``{emulator}/tiktok``).

Both ways in, at their real paths, from the same world:

* Display API: ``GET /v2/user/info/``, ``POST /v2/video/list/``, ``POST /v2/video/query/``
  with a user token (``Bearer act.…``);
* Research API: ``POST /v2/research/user/info/``, ``POST /v2/research/video/query/``,
  ``POST /v2/research/video/comment/list/`` with a client token (``Bearer clt.…``);
* ``POST /v2/oauth/token/`` (form-encoded): ``grant_type=client_credentials`` issues a client
  token, ``grant_type=refresh_token`` a new user token for a ``rft.…`` refresh token.

Every answer is TikTok's envelope ``{"data": {...}, "error": {"code", "message", "log_id"}}``
(the token endpoint answers a flat token object, or ``{"error", "error_description"}``), and
only the ``fields=`` asked for come back. Rate limits and faults go through the gate: 429
``rate_limit_exceeded``, 500 ``internal_error``; there are no rate-limit headers.

Tokens:

* any ``act.`` or ``clt.`` token is accepted, except ones starting with ``act.expired`` or
  ``clt.expired`` (401 ``access_token_expired``); a token of the wrong kind answers 401
  ``scope_not_authorized`` and anything else 401 ``access_token_invalid``;
* the user a Display token authorises is the account named after ``act.``
  (``act.lenabakes``; anything after a ``!`` is ignored), or the first demo account when no
  account has that name;
* tokens this emulator issues carry their issue time (``clt.<hash>.<unix s>``,
  ``act.<username>!<unix s>``) and expire by the world's clock after ``expires_in``
  (2 hours for client tokens, 24 hours for user tokens); move the clock to expire them.

Photo-mode posts (the world's ``slideshow`` posts) have no video length: ``duration`` and
``video_duration`` are 0, and their ``share_url`` links to ``/@user/photo/ID``. Research
user lookups of unknown, private and banned accounts answer 400 ``invalid_params`` whose
message says which. Video ids carry their creation second in their top 32 bits, as
TikTok's do.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response

from socialpulse.emulator import ids
from socialpulse.emulator.gate import Gate, GatedRoute, Wire, WireError, json_response
from socialpulse.emulator.world import STYLES, CommentSeed, Creator, PostSeed, World

PLATFORM = "tiktok"
MAX_DISPLAY_COUNT = 20
MAX_DISPLAY_IDS = 20
MAX_RESEARCH_COUNT = 100
MAX_RESEARCH_IDS = 100
MAX_WINDOW_DAYS = 30
MAX_COMMENTS = 1000
CLIENT_TOKEN_TTL_S = 7200
USER_TOKEN_TTL_S = 86_400
REFRESH_TOKEN_TTL_S = 365 * 86_400
SCOPES = "user.info.basic,user.info.profile,user.info.stats,video.list"
HEX = "0123456789ABCDEF"

DISPLAY_USER_FIELDS = frozenset(
    {
        "open_id", "union_id", "avatar_url", "avatar_url_100", "avatar_large_url", "display_name",
        "bio_description", "profile_deep_link", "profile_web_link", "is_verified", "username",
        "follower_count", "following_count", "likes_count", "video_count",
    }
)  # fmt: skip
DISPLAY_VIDEO_FIELDS = frozenset(
    {
        "id", "create_time", "cover_image_url", "share_url", "video_description", "duration", "height",
        "width", "title", "embed_html", "embed_link", "like_count", "comment_count", "share_count",
        "view_count",
    }
)  # fmt: skip
RESEARCH_USER_FIELDS = frozenset(
    {
        "display_name", "bio_description", "avatar_url", "is_verified", "follower_count",
        "following_count", "likes_count", "video_count",
    }
)  # fmt: skip
RESEARCH_VIDEO_FIELDS = frozenset(
    {
        "id", "video_description", "create_time", "region_code", "share_count", "view_count",
        "like_count", "comment_count", "music_id", "hashtag_names", "username", "effect_ids",
        "playlist_id", "voice_to_text", "is_stem_verified", "favorites_count", "video_duration",
    }
)  # fmt: skip
RESEARCH_COMMENT_FIELDS = frozenset(
    {"id", "video_id", "text", "like_count", "reply_count", "parent_comment_id", "create_time"}
)
QUERY_FIELDS = frozenset({"username", "video_id", "region_code", "hashtag_name", "keyword"})
QUERY_OPERATIONS = frozenset({"EQ", "IN"})

MESSAGES = {
    "access_token_invalid": "The access token is invalid or not found in the request.",
    "access_token_expired": "The access token has expired. Obtain a new one.",
    "scope_not_authorized": "The user did not authorize the scope required for completing this request.",
    "rate_limit_exceeded": "The API rate limit was exceeded. Try again later.",
    "internal_error": "Something went wrong. Please try again later.",
}

_log_seq = itertools.count()


# ----------------------------------------------------------------------------- envelope


def log_id() -> str:
    """A log id as TikTok writes them: the UTC time, then 18 hexadecimal digits."""
    return time.strftime("%Y%m%d%H%M%S", time.gmtime()) + ids.hashed_chars(HEX, 18, "log", next(_log_seq))


def envelope(data: dict[str, Any], status: int = 200) -> Response:
    return json_response({"data": data, "error": {"code": "ok", "message": "", "log_id": log_id()}}, status)


def error(status: int, code: str, message: str | None = None) -> Response:
    body = {
        "data": {},
        "error": {"code": code, "message": message or MESSAGES.get(code, code), "log_id": log_id()},
    }
    return json_response(body, status)


def fail(status: int, code: str, message: str | None = None) -> WireError:
    return WireError(error(status, code, message))


def invalid(message: str) -> WireError:
    return fail(400, "invalid_params", message)


def oauth_error(status: int, code: str, description: str) -> WireError:
    return WireError(
        json_response({"error": code, "error_description": description, "log_id": log_id()}, status)
    )


def _bearer(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth[:7].lower() == "bearer " else ""


def _issued_s(token: str, sep: str) -> int | None:
    tail = token.rsplit(sep, 1)[-1] if sep in token else ""
    return int(tail) if tail.isdigit() else None


class TikTokWire(Wire):
    platform = PLATFORM

    def rate_limited(self, gate: Gate, limit: int, reset_epoch: int) -> Response:
        return error(429, "rate_limit_exceeded")

    def fault(self, kind: str) -> Response:
        if kind == "429":
            return error(429, "rate_limit_exceeded")
        return error(500, "internal_error")

    def admit(self, request: Request, endpoint: str, gate: Gate) -> Response | None:
        if endpoint == "tiktok.oauth.token":
            return None
        token = _bearer(request)
        wanted = "clt." if endpoint.startswith("tiktok.research.") else "act."
        if not token.startswith(("act.", "clt.")) or len(token) <= 4:
            return error(401, "access_token_invalid")
        if token.startswith(("act.expired", "clt.expired")):
            return error(401, "access_token_expired")
        if not token.startswith(wanted):
            return error(401, "scope_not_authorized")
        now_s = gate.world.now().timestamp()
        issued = _issued_s(token, "." if wanted == "clt." else "!")
        ttl = CLIENT_TOKEN_TTL_S if wanted == "clt." else USER_TOKEN_TTL_S
        if issued is not None and now_s >= issued + ttl:
            return error(401, "access_token_expired")
        return None

    def decorate(self, response: Response, gate: Gate) -> None:
        response.headers.setdefault("x-tt-logid", log_id())


class TikTokRoute(GatedRoute):
    wire = TikTokWire()


router = APIRouter(prefix="/tiktok", route_class=TikTokRoute, tags=["TikTok API v2"])


# ----------------------------------------------------------------------------- parameters


def _world(request: Request) -> World:
    world: World = request.app.state.world
    return world


def _fields(request: Request, known: frozenset[str]) -> list[str]:
    raw = request.query_params.get("fields", "")
    fields = list(dict.fromkeys(f.strip() for f in raw.split(",") if f.strip()))
    if not fields:
        raise invalid("fields is required")
    unknown = [f for f in fields if f not in known]
    if unknown:
        raise invalid(f"Invalid fields: {','.join(unknown)}")
    return fields


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise invalid("The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object")
    return body


def _int(body: dict[str, Any], name: str, default: int, lo: int, hi: int) -> int:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(f"{name} must be an integer")
    if not lo <= value <= hi:
        raise invalid(f"{name} must be between {lo} and {hi}")
    return value


def _pick(full: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {f: full[f] for f in fields if f in full}


# ----------------------------------------------------------------------------- the world's look


def _uuid(*parts: object) -> str:
    h = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def open_id(c: Creator) -> str:
    """The account's id for this (emulated) app: stable, and unlike any other account's."""
    return "-000" + ids.hashed_chars(ids.B64URL, 36, "open_id", c.platform_id)


def union_id(c: Creator) -> str:
    return _uuid("union_id", c.platform_id)


def _avatar(c: Creator, size: str) -> str:
    key = ids.hashed_chars("0123456789abcdef", 32, "avatar", c.platform_id)
    return f"https://p16-sign-va.tiktokcdn.com/tos-maliva-avt-0068/{key}~c5_{size}.jpeg"


def _is_photo(p: PostSeed) -> bool:
    return p.kind == "slideshow"


def _visible(p: PostSeed | None) -> PostSeed | None:
    if p is None or p.privacy != "public" or not p.creator.listed:
        return None
    return p


def likes_total(world: World, c: Creator, now_ms: int) -> int:
    """Likes the account's videos received, all time (the views it had times the platform's like rate)."""
    return int(world.stats(c, now_ms).views * STYLES[PLATFORM].like_rate)


def display_user(world: World, c: Creator, now_ms: int) -> dict[str, Any]:
    stats = world.stats(c, now_ms)
    return {
        "open_id": open_id(c),
        "union_id": union_id(c),
        "avatar_url": _avatar(c, "168x168"),
        "avatar_url_100": _avatar(c, "100x100"),
        "avatar_large_url": _avatar(c, "1080x1080"),
        "display_name": c.display_name,
        "bio_description": c.biography,
        "profile_deep_link": "https://vm.tiktok.com/"
        + ids.hashed_chars(ids.B64URL[:62], 9, "link", c.handle),
        "profile_web_link": f"https://www.tiktok.com/@{c.handle}",
        "is_verified": c.verified,
        "username": c.handle,
        "follower_count": stats.followers,
        "following_count": stats.following,
        "likes_count": likes_total(world, c, now_ms),
        "video_count": stats.posts,
    }


def display_video(world: World, p: PostSeed, now_ms: int) -> dict[str, Any]:
    c = p.creator
    st = world.post_stats(p, now_ms)
    path = "photo" if _is_photo(p) else "video"
    cover = ids.hashed_chars("0123456789abcdef", 32, "cover", p.social_id)
    return {
        "id": p.social_id,
        "create_time": p.published_ms // 1000,
        "cover_image_url": f"https://p16-sign.tiktokcdn-us.com/obj/tos-useast5-p-0068-tx/{cover}",
        "share_url": f"https://www.tiktok.com/@{c.handle}/{path}/{p.social_id}"
        "?utm_campaign=tt4d_open_api&utm_source=socialpulse-emulator",
        "video_description": p.text,
        "duration": 0 if _is_photo(p) else int(p.duration_s or 0),
        "height": 1920 if p.index % 4 else 1280,
        "width": 1080 if p.index % 4 else 720,
        "title": p.title,
        "embed_html": f'<blockquote class="tiktok-embed" cite="https://www.tiktok.com/@{c.handle}/{path}/'
        f'{p.social_id}" data-video-id="{p.social_id}"></blockquote>',
        "embed_link": f"https://www.tiktok.com/player/v1/{p.social_id}",
        "like_count": st.likes,
        "comment_count": st.comments,
        "share_count": st.shares,
        "view_count": st.views,
    }


def research_user(world: World, c: Creator, now_ms: int) -> dict[str, Any]:
    stats = world.stats(c, now_ms)
    return {
        "display_name": c.display_name,
        "bio_description": c.biography,
        "avatar_url": _avatar(c, "168x168"),
        "is_verified": c.verified,
        "follower_count": stats.followers,
        "following_count": stats.following,
        "likes_count": likes_total(world, c, now_ms),
        "video_count": stats.posts,
    }


def research_video(world: World, p: PostSeed, now_ms: int) -> dict[str, Any]:
    c = p.creator
    st = world.post_stats(p, now_ms)
    h = ids.h64(world.seed, p.social_id, "research")
    video: dict[str, Any] = {
        "id": int(p.social_id),
        "video_description": p.text,
        "create_time": p.published_ms // 1000,
        "region_code": c.country or "US",
        "share_count": st.shares,
        "view_count": st.views,
        "like_count": st.likes,
        "comment_count": st.comments,
        "music_id": 6_800_000_000_000_000_000 + h % 900_000_000_000_000_000,
        "hashtag_names": list(p.hashtags),
        "username": c.handle,
        "effect_ids": [str(1_000_000 + h % 900_000)] if h % 5 == 0 else [],
        "voice_to_text": "" if _is_photo(p) else (p.title if h % 3 else ""),
        "is_stem_verified": h % 17 == 0,
        "favorites_count": st.saves,
        "video_duration": 0 if _is_photo(p) else int(p.duration_s or 0),
    }
    if h % 10 == 0:  # a video in one of the creator's playlists
        video["playlist_id"] = 7_000_000_000_000_000_000 + ids.h64(world.seed, c.platform_id, h % 3) % 10**18
    return video


def comment_id(world: World, p: PostSeed, k: int) -> int:
    cm = world.comment(p, k)
    return ((cm.published_ms // 1000) << 32) | (
        ids.h64(world.seed, p.social_id, k, "tiktok-comment") & 0xFFFFFFFF
    )


def research_comment(world: World, cm: CommentSeed, replies: int, now_ms: int) -> dict[str, Any]:
    p = cm.post
    parent = comment_id(world, p, cm.parent) if cm.parent is not None else int(p.social_id)
    return {
        "id": comment_id(world, p, cm.index),
        "video_id": int(p.social_id),
        "text": cm.text,
        "like_count": cm.likes_at(now_ms),
        "reply_count": replies,
        "parent_comment_id": parent,
        "create_time": cm.published_ms // 1000,
    }


def token_user(world: World, token: str) -> Creator:
    """The account a Display token speaks for: ``act.<username>``, else the first demo account."""
    name = token[4:].split("!", 1)[0]
    c = world.by_handle(PLATFORM, name) if name else None
    if c is None:
        listed = world.creators(PLATFORM)
        if not listed:
            raise fail(401, "access_token_invalid")
        c = listed[0]
    if c.kind == "suspended":
        raise fail(401, "access_token_invalid", "The user of this access token has been banned.")
    return c


# ----------------------------------------------------------------------------- OAuth


@router.post("/v2/oauth/token/", name="tiktok.oauth.token")
async def oauth_token(request: Request) -> Response:
    world = _world(request)
    form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
    key, secret = form.get("client_key", ""), form.get("client_secret", "")
    if not key or not secret or key.startswith("invalid") or secret.startswith("invalid"):
        raise oauth_error(401, "invalid_client", "Client key or secret is incorrect.")
    now_s = int(world.now().timestamp())
    grant = form.get("grant_type", "")
    if grant == "client_credentials":
        digest = ids.hashed_chars(ids.B64URL[:62], 32, "clt", key, now_s)
        return json_response(
            {
                "access_token": f"clt.{digest}.{now_s}",
                "expires_in": CLIENT_TOKEN_TTL_S,
                "token_type": "Bearer",
            }
        )
    if grant == "refresh_token":
        refresh = form.get("refresh_token", "")
        issued = _issued_s(refresh, "!")
        if (
            not refresh.startswith("rft.")
            or refresh.startswith("rft.expired")
            or (issued is not None and now_s >= issued + REFRESH_TOKEN_TTL_S)
        ):
            raise oauth_error(400, "invalid_grant", "Refresh token is invalid or expired.")
        c = token_user(world, "act." + refresh[4:])
        return json_response(
            {
                "access_token": f"act.{c.handle}!{now_s}",
                "expires_in": USER_TOKEN_TTL_S,
                "open_id": open_id(c),
                "refresh_expires_in": REFRESH_TOKEN_TTL_S,
                "refresh_token": f"rft.{c.handle}!{now_s}",
                "scope": SCOPES,
                "token_type": "Bearer",
            }
        )
    raise oauth_error(400, "unsupported_grant_type", "The grant type is not supported.")


# ----------------------------------------------------------------------------- Display API


@router.get("/v2/user/info/", name="tiktok.user.info")
async def user_info(request: Request) -> Response:
    world = _world(request)
    fields = _fields(request, DISPLAY_USER_FIELDS)
    c = token_user(world, _bearer(request))
    return envelope({"user": _pick(display_user(world, c, world.now_ms()), fields)})


@router.post("/v2/video/list/", name="tiktok.video.list")
async def video_list(request: Request) -> Response:
    world = _world(request)
    fields = _fields(request, DISPLAY_VIDEO_FIELDS)
    body = await _json_body(request)
    max_count = _int(body, "max_count", 10, 1, MAX_DISPLAY_COUNT)
    now_ms = world.now_ms()
    cursor = _int(body, "cursor", now_ms + 1, 0, 1 << 62)
    c = token_user(world, _bearer(request))
    videos: list[dict[str, Any]] = []
    last_ms: int | None = None
    more = False
    if c.kind != "private":  # only public videos are listed
        i = world.post_count(c, min(now_ms, cursor - 1)) - 1
        while i >= 0:
            p = world.post(c, i)
            i -= 1
            if p.published_ms >= cursor or p.privacy != "public":
                continue
            if len(videos) == max_count:
                more = True
                break
            videos.append(_pick(display_video(world, p, now_ms), fields))
            last_ms = p.published_ms
    return envelope({"videos": videos, "cursor": last_ms if last_ms is not None else 0, "has_more": more})


@router.post("/v2/video/query/", name="tiktok.video.query")
async def video_query(request: Request) -> Response:
    world = _world(request)
    fields = _fields(request, DISPLAY_VIDEO_FIELDS)
    body = await _json_body(request)
    filters = body.get("filters")
    video_ids = filters.get("video_ids") if isinstance(filters, dict) else None
    if not isinstance(video_ids, list) or not video_ids or not all(isinstance(v, str) for v in video_ids):
        raise invalid("filters.video_ids must be a non-empty list of video id strings")
    if len(video_ids) > MAX_DISPLAY_IDS:
        raise invalid(f"filters.video_ids must not have more than {MAX_DISPLAY_IDS} ids")
    c = token_user(world, _bearer(request))
    now_ms = world.now_ms()
    videos = []
    for video_id in dict.fromkeys(video_ids):
        p = world.post_by_id(PLATFORM, video_id, now_ms)
        if p is None or p.creator.index != c.index or p.privacy != "public":
            continue  # not this user's, deleted or private: left out
        videos.append(_pick(display_video(world, p, now_ms), fields))
    return envelope({"videos": videos})


# ----------------------------------------------------------------------------- Research API


@router.post("/v2/research/user/info/", name="tiktok.research.user.info")
async def research_user_info(request: Request) -> Response:
    world = _world(request)
    fields = _fields(request, RESEARCH_USER_FIELDS)
    body = await _json_body(request)
    username = body.get("username")
    if not isinstance(username, str) or not username.strip():
        raise invalid("username is required")
    c = world.by_handle(PLATFORM, username.strip())
    if c is None:
        raise invalid(f"The user does not exist or has no public account: {username}")
    if c.kind == "private":
        raise invalid(f"The user's account is private: {username}")
    if c.kind == "suspended":
        raise invalid(f"The user's account has been banned: {username}")
    return envelope(_pick(research_user(world, c, world.now_ms()), fields))


def _date(body: dict[str, Any], name: str) -> date:
    value = body.get(name)
    if not isinstance(value, str) or len(value) != 8 or not value.isdigit():
        raise invalid(f"{name} is required, as YYYYMMDD")
    try:
        return datetime.strptime(value, "%Y%m%d").replace(tzinfo=UTC).date()
    except ValueError:
        raise invalid(f"{name} is not a valid date: {value}") from None


def _conditions(query: Any) -> dict[str, list[dict[str, Any]]]:
    if not isinstance(query, dict) or not query:
        raise invalid("query is required")
    out: dict[str, list[dict[str, Any]]] = {}
    for clause, conditions in query.items():
        if clause not in ("and", "or", "not"):
            raise invalid(f"query may only hold and, or, not (got {clause})")
        if not isinstance(conditions, list):
            raise invalid(f"query.{clause} must be a list of conditions")
        for cond in conditions:
            if not isinstance(cond, dict):
                raise invalid(f"query.{clause} must be a list of conditions")
            op, field, values = cond.get("operation"), cond.get("field_name"), cond.get("field_values")
            if field not in QUERY_FIELDS:
                raise invalid(
                    f"field_name {field!r} is not supported by the emulator ({', '.join(sorted(QUERY_FIELDS))})"
                )
            if op not in QUERY_OPERATIONS:
                raise invalid(f"operation {op!r} is not supported by the emulator (EQ, IN)")
            if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
                raise invalid("field_values must be a non-empty list of strings")
            if op == "EQ" and len(values) != 1:
                raise invalid("EQ takes exactly one value")
            if field == "video_id" and len(values) > MAX_RESEARCH_IDS:
                raise invalid(f"at most {MAX_RESEARCH_IDS} video_id values")
        out[clause] = conditions
    return out


def _matches(p: PostSeed, cond: dict[str, Any]) -> bool:
    values = {v.lower() for v in cond["field_values"]}
    field = cond["field_name"]
    if field == "username":
        return p.creator.handle.lower() in values
    if field == "video_id":
        return p.social_id in values
    if field == "region_code":
        return (p.creator.country or "US").lower() in values
    if field == "hashtag_name":
        return any(h.lower() in values for h in p.hashtags)
    return any(v in p.text.lower() for v in values)  # keyword


def _candidates(
    world: World, conds: list[dict[str, Any]], start_ms: int, end_ms: int, now_ms: int
) -> list[PostSeed]:
    """The posts an ``and`` condition on username or video_id narrows the search to."""
    for cond in conds:
        if cond["field_name"] == "username":
            found: list[PostSeed] = []
            for name in dict.fromkeys(cond["field_values"]):
                c = world.by_handle(PLATFORM, name)
                if c is None or not c.listed:
                    continue
                hi = world.post_count(c, min(end_ms, now_ms))
                lo = world.post_count(c, start_ms - 1) if start_ms > 0 else 0
                found.extend(world.post(c, i) for i in range(lo, hi))
            return found
        if cond["field_name"] == "video_id":
            posts = (world.post_by_id(PLATFORM, v, now_ms) for v in dict.fromkeys(cond["field_values"]))
            return [p for p in posts if p is not None]
    raise invalid("the emulator answers queries whose 'and' names a username or a video_id")


def _search_id(body: dict[str, Any]) -> str:
    key = json.dumps([body.get("query"), body.get("start_date"), body.get("end_date")], sort_keys=True)
    return str(7_000_000_000_000_000_000 + ids.h64("search", key) % 10**18)


@router.post("/v2/research/video/query/", name="tiktok.research.video.query")
async def research_video_query(request: Request) -> Response:
    world = _world(request)
    fields = _fields(request, RESEARCH_VIDEO_FIELDS)
    body = await _json_body(request)
    conds = _conditions(body.get("query"))
    start, end = _date(body, "start_date"), _date(body, "end_date")
    if end < start:
        raise invalid("end_date must not be before start_date")
    if (end - start).days > MAX_WINDOW_DAYS:
        raise invalid(f"end_date must be no more than {MAX_WINDOW_DAYS} days after start_date")
    max_count = _int(body, "max_count", 20, 1, MAX_RESEARCH_COUNT)
    cursor = _int(body, "cursor", 0, 0, 1 << 31)
    search_id = _search_id(body)
    given = body.get("search_id")
    if given not in (None, "") and given != search_id:
        raise invalid("search_id is invalid or expired")
    now_ms = world.now_ms()
    start_ms = int(datetime.combine(start, datetime.min.time(), UTC).timestamp() * 1000)
    end_ms = int(datetime.combine(end + timedelta(days=1), datetime.min.time(), UTC).timestamp() * 1000)
    found = [
        p
        for p in _candidates(world, conds.get("and", []), start_ms, end_ms, now_ms)
        if _visible(p) is not None
        and start_ms <= p.published_ms < end_ms
        and p.published_ms <= now_ms
        and all(_matches(p, c) for c in conds.get("and", []))
        and (not conds.get("or") or any(_matches(p, c) for c in conds["or"]))
        and not any(_matches(p, c) for c in conds.get("not", []))
    ]
    found.sort(key=lambda p: p.published_ms, reverse=True)
    page = found[cursor : cursor + max_count]
    return envelope(
        {
            "videos": [_pick(research_video(world, p, now_ms), fields) for p in page],
            "cursor": cursor + len(page),
            "has_more": cursor + len(page) < len(found),
            "search_id": search_id,
        }
    )


@router.post("/v2/research/video/comment/list/", name="tiktok.research.video.comment.list")
async def research_comment_list(request: Request) -> Response:
    world = _world(request)
    fields = _fields(request, RESEARCH_COMMENT_FIELDS)
    body = await _json_body(request)
    raw = body.get("video_id")
    if isinstance(raw, bool) or not isinstance(raw, int | str) or not str(raw).isdigit():
        raise invalid("video_id is required")
    max_count = _int(body, "max_count", 10, 1, MAX_RESEARCH_COUNT)
    cursor = _int(body, "cursor", 0, 0, MAX_COMMENTS)
    if cursor + max_count > MAX_COMMENTS:
        raise invalid(f"cursor + max_count must not exceed {MAX_COMMENTS}")
    now_ms = world.now_ms()
    p = _visible(world.post_by_id(PLATFORM, str(raw), now_ms))
    if p is None:
        raise invalid(f"The video does not exist or is not public: {raw}")
    span = world.listed_comment_range(p, now_ms)
    ranked: list[tuple[int, int, dict[str, Any]]] = []
    for k in span:
        cm = world.comment(p, k)
        replies = len(world.replies_to(p, k, span.stop)) if cm.parent is None else 0
        row = research_comment(world, cm, replies, now_ms)
        ranked.append((row["like_count"], cm.published_ms, row))
    ranked.sort(key=lambda t: (-t[0], -t[1]))  # the top comments first
    page = [_pick(row, fields) for _, _, row in ranked[cursor : cursor + max_count]]
    return envelope(
        {"comments": page, "cursor": cursor + len(page), "has_more": cursor + len(page) < len(ranked)}
    )
