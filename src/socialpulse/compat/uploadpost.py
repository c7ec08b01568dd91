"""upload-post's analytics API at its documented paths (``/api/analytics/…``, ``/api/uploadposts/…``).

- ``GET /api/analytics/{profile_username}``: per-platform analytics of a profile.
- ``GET /api/uploadposts/total-impressions/{profile_username}``: deduplicated impressions, or
  chosen metrics, over a date range, with per-platform and per-day breakdowns.
- ``GET /api/uploadposts/post-analytics/{request_id}``: a post group's posts, per platform.
- ``GET /api/uploadposts/post-analytics?platform_post_id=&platform=&user=``: one post, by its
  platform id, as the same document.
- ``GET /api/uploadposts/post-analytics/cached``: post history, one row per post and day, paged
  with a cursor.
- ``GET /api/uploadposts/platform-metrics``: each platform's metric configuration (public).

A ``profile_username`` (``user``) is the name of one of the caller's profiles; a ``request_id``
is one of the caller's post groups. Every number comes from the analytics service; this module
only renames and reshapes. A value socialpulse does not have is left out of the answer (never
written as 0). Errors are ``{"success": false, "message": …}`` with the HTTP status (invalid
parameters are 400, as upload-post documents them). See ``docs/compat-uploadpost.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from socialpulse.analytics import schemas as native
from socialpulse.analytics.errors import AnalyticsInputError
from socialpulse.analytics.impressions import PLATFORM_ALIASES, parse_date
from socialpulse.analytics.service import analytics_service
from socialpulse.auth.dependencies import credentials, resolve_principal
from socialpulse.auth.service import Principal, looks_like_jwt
from socialpulse.compat.common import CompatError, CompatRoute, blank_to_none, js_timestamp
from socialpulse.db.session import SessionDep
from socialpulse.errors import BadRequest, NotFound
from socialpulse.kit.pagination import decode_cursor, encode_cursor
from socialpulse.kit.time import aware, start_of_day, utcnow
from socialpulse.models import Account, Post, PostSnapshot, Profile
from socialpulse.models.enums import Platform
from socialpulse.models.stats import POST_METRICS
from socialpulse.platforms import ids
from socialpulse.platforms.metrics import metric_config, snapshot_column
from socialpulse.stats.repository import utc_day
from socialpulse.tracking import repository as tracking_repo
from socialpulse.tracking.groups import post_group_service
from socialpulse.tracking.schemas import MAX_ID
from socialpulse.tracking.service import profile_service

CACHED_DEFAULT_LIMIT = 50
CACHED_MAX_LIMIT = 200
CACHED_DEFAULT_DAYS = 30
TIMESTAMP = "%Y-%m-%d %H:%M:%S"
BREAKDOWN_VALUES = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
MEDIA_TYPES = {
    "video": "video",
    "short": "video",
    "reel": "video",
    "image": "photo",
    "carousel": "photo",
    "slideshow": "photo",
    "text": "text",
    "link": "text",
}
"""Our post types as upload-post's ``media_type`` (``video``, ``photo``, ``text``)."""
PROFILE_FIELDS: tuple[tuple[str, str], ...] = (
    ("followers", "followers"),
    ("impressions", "impressions"),
    ("profileViews", "profile_views"),
    ("reach", "reach"),
    ("likes", "likes"),
    ("comments", "comments"),
    ("shares", "shares"),
    ("saves", "saves"),
)
"""(upload-post key, field of :class:`~socialpulse.analytics.schemas.PlatformAnalytics`)."""

# ---------------------------------------------------------------------------- errors and auth


class UploadPostRoute(CompatRoute):
    """Every error as ``{"success": false, "message": …}`` (the upload-post clients read
    ``message``). upload-post documents 400 for invalid parameters, so our 422 is a 400 here."""

    @classmethod
    def render_error(cls, request: Request, error: CompatError) -> JSONResponse:
        status = 400 if error.status == 422 else error.status
        return JSONResponse(
            {"success": False, "message": error.message}, status_code=status, headers=error.headers
        )


async def uploadpost_user(request: Request, session: SessionDep) -> Principal:
    """``Authorization: Apikey <API key or JWT>`` as upload-post documents it (``Bearer`` works
    too); a 401 is rendered in upload-post's shape by :class:`UploadPostRoute`."""
    scheme, token = credentials(request)
    if looks_like_jwt(token):
        scheme = "bearer"  # upload-post sends its JWT with the Apikey scheme
    principal = await resolve_principal(request, session, scheme, token)
    request.state.principal = principal
    return principal


User = Annotated[Principal, Depends(uploadpost_user)]

ERROR_BODY = {
    "content": {
        "application/json": {"example": {"success": False, "message": "profile 'myprofile' not found"}}
    }
}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "invalid parameters (named in message)", **ERROR_BODY},
    401: {"description": "missing or invalid API key or token", **ERROR_BODY},
    404: {"description": "no such profile, post group or post of yours", **ERROR_BODY},
}

router = APIRouter(tags=["upload-post compatibility"], route_class=UploadPostRoute, responses=ERRORS)

# ---------------------------------------------------------------------------- parsing


def _names(raw: str) -> list[str]:
    """Platform names of a comma-separated list, lower-cased and de-aliased, each once, in order."""
    out: list[str] = []
    for part in raw.split(","):
        name = part.strip().lower()
        if name:
            name = PLATFORM_ALIASES.get(name, name)
            if name not in out:
                out.append(name)
    return out


def _platform(raw: str, parameter: str = "platform") -> str:
    """One platform (any case, common aliases); 400 naming ``parameter`` otherwise."""
    return ids.parse_platform(raw, field=parameter).value


def _required(value: str | None, parameter: str, example: str) -> str:
    if value is None or not value.strip():
        raise BadRequest(f"{parameter} is required: e.g. ?{parameter}={example}")
    return value.strip()


def _breakdown(raw: str | None) -> bool:
    if raw is None or not raw.strip():
        return False
    value = BREAKDOWN_VALUES.get(raw.strip().lower())
    if value is None:
        raise BadRequest(f"breakdown must be true or false, got {raw!r}")
    return value


def _limit(raw: str | None) -> int:
    if raw is None or not raw.strip():
        return CACHED_DEFAULT_LIMIT
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= CACHED_MAX_LIMIT:
        raise BadRequest(f"limit must be a whole number from 1 to {CACHED_MAX_LIMIT}, got {raw!r}")
    return int(text)


async def _profile(session: AsyncSession, user_id: int, name: str) -> Profile:
    try:
        return await profile_service.get_by_name(session, user_id, name)
    except NotFound:
        raise NotFound(
            f"profile '{name}' not found: use the name of one of your profiles (GET /v1/profiles)"
        ) from None


# ---------------------------------------------------------------------------- shaping


def _day(value: date) -> str:
    return value.isoformat()


def _timestamp(value: datetime | None) -> str | None:
    """``2026-02-10 14:30:00`` (UTC), as upload-post writes ``upload_timestamp``."""
    return aware(value).astimezone(UTC).strftime(TIMESTAMP) if value is not None else None


def _present(values: Mapping[str, int | None]) -> dict[str, int]:
    return {k: v for k, v in values.items() if v is not None}


def _profile_counters(platform: str, counters: native.Counters | None) -> dict[str, int] | None:
    """An account snapshot under upload-post's metric keys (the platform's metrics only)."""
    if counters is None:
        return None
    keys = dict.fromkeys(("followers", *metric_config(platform).available_metrics))
    values: dict[str, int | None] = {}
    for key in keys:
        column = snapshot_column(platform, key)
        values[key] = getattr(counters, column) if column else None
    return _present(values)


def _post_metrics(metrics: native.PostMetrics | None) -> dict[str, int] | None:
    if metrics is None:
        return None
    return _present({m: getattr(metrics, m) for m in POST_METRICS})


def platform_entry(answer: native.PostAnalytics) -> dict[str, Any]:
    """One post's ``platforms[<platform>]`` entry."""
    post = answer.post
    entry: dict[str, Any] = {"success": True, "platform_post_id": post.social_id}
    if post.url:
        entry["post_url"] = post.url
    metrics = _post_metrics(answer.metrics)
    if metrics is not None:
        entry["post_metrics"] = metrics
        entry["post_metrics_source"] = "platform_api"
    if answer.metrics_error:
        entry["post_metrics_error"] = answer.metrics_error
    elif metrics is None:
        entry["post_metrics_error"] = (
            f"no metrics fetched yet for {post.platform} post {post.social_id}: it is queued for refresh"
        )
    at_post = _profile_counters(post.platform, answer.account_snapshot_at_post_date)
    if at_post is not None:
        entry["profile_snapshot_at_post_date"] = at_post
    latest = answer.account_snapshot_latest
    latest_counters = _profile_counters(post.platform, latest)
    if latest is not None and latest_counters is not None:
        entry["profile_snapshot_latest"] = latest_counters
        entry["profile_snapshot_latest_date"] = _day(aware(latest.fetched_at).astimezone(UTC).date())
    return entry


def _title(post: Post) -> str | None:
    value = post.details.get("title") if isinstance(post.details, dict) else None
    return value if isinstance(value, str) and value else None


def post_card(
    request_id: str | None,
    profile_username: str | None,
    title: str | None,
    posts: Sequence[Post],
    created_at: datetime | None = None,
) -> dict[str, Any]:
    """upload-post's ``post``: the content's title, caption, media type and time, from its posts
    (the first post that has each; the time is the earliest publication, else ``created_at``)."""
    dates = [aware(p.posted_at) for p in posts if p.posted_at is not None]
    when = min(dates) if dates else (aware(created_at) if created_at is not None else None)
    return {
        "request_id": request_id,
        "profile_username": profile_username,
        "post_title": title or next((t for p in posts if (t := _title(p))), None),
        "post_caption": next((p.caption for p in posts if p.caption), None),
        "media_type": next((MEDIA_TYPES[p.type] for p in posts if p.type in MEDIA_TYPES), None),
        "upload_timestamp": _timestamp(when),
    }


def profile_platform(item: native.PlatformAnalytics) -> dict[str, Any]:
    """One platform of ``GET /api/analytics/{profile_username}``."""
    if not item.success:
        return {"success": False, "message": item.message or f"no analytics for {item.platform}"}
    entry: dict[str, Any] = _present({key: getattr(item, name) for key, name in PROFILE_FIELDS})
    entry["reach_timeseries"] = [
        {"date": _day(d.date), "value": d.value} for d in item.timeseries if d.value is not None
    ]
    entry["metric_type"] = item.metric_type
    entry["primary_impressions_field"] = item.primary_impressions_field
    entry["available_metrics"] = list(item.available_metrics)
    entry["metric_labels"] = dict(item.metric_labels)
    return entry


def _per_day(values: Mapping[date, int] | None) -> dict[str, int]:
    return {_day(d): v for d, v in sorted((values or {}).items())}


def impressions_document(
    answer: native.Impressions, profile_username: str, asked_platforms: list[str] | None, breakdown: bool
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "success": True,
        "profile_username": profile_username,
        "start_date": _day(answer.start_date),
        "end_date": _day(answer.end_date),
    }
    if answer.total_impressions is not None:
        body["total_impressions"] = answer.total_impressions.total
    if answer.metrics is not None:
        body["metrics"] = {m: t.total for m, t in answer.metrics.items()}
    if asked_platforms:
        body["platforms_filter"] = asked_platforms
    if breakdown:
        if answer.total_impressions is not None:
            body["per_platform"] = dict(answer.total_impressions.per_platform or {})
            body["per_day"] = _per_day(answer.total_impressions.per_day)
        if answer.metrics is not None:
            body["per_platform"] = {m: dict(t.per_platform or {}) for m, t in answer.metrics.items()}
            body["per_day"] = {m: _per_day(t.per_day) for m, t in answer.metrics.items()}
    return body


# ---------------------------------------------------------------------------- profile analytics


@router.get("/api/analytics/{profile_username}", summary="Profile analytics per platform")
async def profile_analytics(
    profile_username: str,
    user: User,
    session: SessionDep,
    platforms: Annotated[
        str | None, Query(description="comma-separated platforms, e.g. instagram,youtube (required)")
    ] = None,
    page_id: Annotated[
        str | None, Query(description="accepted; the profile's Facebook accounts count")
    ] = None,
    page_urn: Annotated[
        str | None, Query(description="accepted; the profile's LinkedIn accounts count")
    ] = None,
) -> JSONResponse:
    """Per requested platform: followers and the other latest levels, a 30-day daily series of the
    primary metric (``reach_timeseries``) and the platform's metric configuration. A platform the
    profile has no account on, or that is not supported, answers ``{success: false, message}``."""
    names = _names(_required(platforms, "platforms", "instagram,youtube"))
    if not names:
        raise BadRequest("platforms is empty: name platforms, e.g. ?platforms=instagram,youtube")
    profile = await _profile(session, user.user_id, profile_username)
    answer = await analytics_service.profile_analytics(session, user.user_id, profile.id, names)
    return JSONResponse({name: profile_platform(item) for name, item in answer.platforms.items()})


# ---------------------------------------------------------------------------- total impressions


@router.get("/api/uploadposts/total-impressions/{profile_username}", summary="Total impressions")
async def total_impressions(
    profile_username: str,
    user: User,
    session: SessionDep,
    date: Annotated[str | None, Query(description="one day, YYYY-MM-DD")] = None,
    start_date: Annotated[
        str | None, Query(description="YYYY-MM-DD; default 30 days before end_date")
    ] = None,
    end_date: Annotated[str | None, Query(description="YYYY-MM-DD; default today")] = None,
    period: Annotated[
        str | None, Query(description="last_day, last_week, last_month, last_3months, last_year")
    ] = None,
    platform: Annotated[str | None, Query(description="comma-separated platforms to count")] = None,
    breakdown: Annotated[str | None, Query(description="true: add per_platform and per_day")] = None,
    metrics: Annotated[
        str | None,
        Query(description="comma-separated metrics to sum instead of impressions, e.g. likes,comments"),
    ] = None,
) -> JSONResponse:
    """Impressions summed over the profile's accounts, each platform counting its primary metric
    only (reach, views, impressions or score), or each of ``metrics`` summed. ``period``
    overrides ``date``, which overrides ``start_date``/``end_date``."""
    with_breakdown = _breakdown(breakdown)
    wanted = blank_to_none(platform)
    profile = await _profile(session, user.user_id, profile_username)
    try:
        answer = await analytics_service.impressions(
            session,
            user.user_id,
            profile_id=profile.id,
            period=blank_to_none(period),
            date=blank_to_none(date),
            start_date=blank_to_none(start_date),
            end_date=blank_to_none(end_date),
            platform=wanted,
            metrics=blank_to_none(metrics),
            breakdown=with_breakdown,
        )
    except AnalyticsInputError as exc:
        # upload-post's error body has only a message: make sure it names the parameter
        if exc.parameter in exc.detail:
            raise
        raise BadRequest(f"{exc.parameter}: {exc.detail}") from None
    asked = _names(wanted) if wanted is not None else None
    return JSONResponse(impressions_document(answer, profile.name, asked, with_breakdown))


# ---------------------------------------------------------------------------- post analytics


async def _answers(session: AsyncSession, user_id: int, posts: Sequence[Post]) -> list[native.PostAnalytics]:
    return [await analytics_service.post_analytics(session, user_id, p.id) for p in posts]


async def _profile_name(session: AsyncSession, user_id: int, posts: Sequence[Post]) -> str | None:
    accounts = [p.account_id for p in posts if p.account_id is not None]
    names = await post_group_service.profile_names(session, user_id, accounts)
    return next((names[a] for a in accounts if a in names), None)


@router.get("/api/uploadposts/post-analytics/cached", summary="Post analytics from history (paged)")
async def cached_post_analytics(
    user: User,
    session: SessionDep,
    user_name: Annotated[str | None, Query(alias="user", description="profile username (required)")] = None,
    platform: Annotated[str | None, Query(description="one platform; all when left out")] = None,
    limit: Annotated[
        str | None, Query(description=f"rows per page, 1 to {CACHED_MAX_LIMIT} (default 50)")
    ] = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    since: Annotated[str | None, Query(description="YYYY-MM-DD; default 30 days before until")] = None,
    until: Annotated[str | None, Query(description="YYYY-MM-DD; default today")] = None,
) -> JSONResponse:
    """One row per post of the profile and UTC day with a snapshot between ``since`` and
    ``until``: the last snapshot of that day. Newest day first; follow ``next_cursor`` while
    ``has_more``. Reads history only: nothing is fetched."""
    name = _required(user_name, "user", "myprofile")
    platform, cursor, since, until = map(blank_to_none, (platform, cursor, since, until))
    wanted = _platform(platform) if platform is not None else None
    size = _limit(limit)
    last = _parse_rows_cursor(cursor) if cursor is not None else None
    end = parse_date(until, "until") if until is not None else utcnow().date()
    start = parse_date(since, "since") if since is not None else end - timedelta(days=CACHED_DEFAULT_DAYS)
    if start > end:
        raise BadRequest(f"since ({start.isoformat()}) is after until ({end.isoformat()})")
    profile = await _profile(session, user.user_id, name)
    rows = list(await session.execute(cached_rows(user.user_id, profile.id, wanted, start, end, last, size)))
    more = len(rows) > size
    rows = rows[:size]
    snaps = {
        s.id: s
        for s in await session.scalars(select(PostSnapshot).where(PostSnapshot.id.in_([r.id for r in rows])))
    }
    posts = {
        p.id: p
        for p in await session.scalars(
            tracking_repo.posts_of(user.user_id).where(Post.id.in_({r.post_id for r in rows}))
        )
    }
    items = [
        _cached_row(posts[r.post_id], snaps[r.id], r.day, profile.name)
        for r in rows
        if r.post_id in posts and r.id in snaps
    ]
    next_cursor = (
        encode_cursor(_as_date(rows[-1].day).isoformat(), rows[-1].post_id) if more and rows else None
    )
    return JSONResponse(
        {
            "success": True,
            "profile_username": profile.name,
            "platform": wanted,
            "since": start.isoformat(),
            "until": end.isoformat(),
            "source": "snapshot_cache",
            "posts": items,
            "limit": size,
            "next_cursor": next_cursor,
            "has_more": next_cursor is not None,
        }
    )


@router.get("/api/uploadposts/post-analytics/{request_id}", summary="Post analytics of a post group")
async def post_analytics(
    request_id: str,
    user: User,
    session: SessionDep,
    platform: Annotated[str | None, Query(description="only this platform")] = None,
) -> JSONResponse:
    """The group's content (title, caption, media type, time) and, per platform, its post's
    latest metrics and the account's snapshots at the post's date and now. With ``platform``,
    that platform only (``success: false`` when the group has no post there)."""
    platform = blank_to_none(platform)
    wanted = _platform(platform) if platform is not None else None
    try:
        group = await post_group_service.get(session, user.user_id, request_id)
    except NotFound:
        raise NotFound(
            f"no post found with request ID {request_id}: use the request_id of one of your post "
            "groups (GET /v1/post-groups)"
        ) from None
    posts = [p for p in group.posts if wanted is None or p.platform == wanted]
    answers = await _answers(session, user.user_id, posts)
    platforms: dict[str, Any] = {a.post.platform: platform_entry(a) for a in answers}
    if wanted is not None and not posts:
        platforms[wanted] = {
            "success": False,
            "error_message": f"post group {request_id} has no {wanted} post",
        }
    card = post_card(
        group.request_id,
        await _profile_name(session, user.user_id, group.posts),
        group.group.title,
        group.posts,
        group.group.created_at,
    )
    return JSONResponse({"success": True, "post": card, "platforms": platforms})


@router.get("/api/uploadposts/post-analytics", summary="Post analytics by platform post id")
async def post_analytics_by_platform_id(
    user: User,
    session: SessionDep,
    platform_post_id: Annotated[
        str | None, Query(description="the post's id on the platform, or its URL (required)")
    ] = None,
    platform: Annotated[str | None, Query(description="the post's platform (required)")] = None,
    user_name: Annotated[
        str | None, Query(alias="user", description="the profile whose account published it (required)")
    ] = None,
) -> JSONResponse:
    """One tracked post of an account of the profile, as ``post-analytics/{request_id}`` answers
    it; ``post.request_id`` is its group's (null when it is in none) and ``post.source`` says
    which (``api_uploaded`` in a group, ``organic`` otherwise)."""
    social = _required(platform_post_id, "platform_post_id", "dQw4w9WgXcQ")
    name = _platform(_required(platform, "platform", "youtube"))
    profile_name = _required(user_name, "user", "myprofile")
    profile = await _profile(session, user.user_id, profile_name)
    post = await _post_by_platform_id(session, user.user_id, name, social)
    if post is None:
        raise NotFound(f"no tracked {name} post with id '{social}' among yours: track it with POST /v1/posts")
    account = (
        await session.scalar(tracking_repo.account_by_id(user.user_id, post.account_id))
        if post.account_id is not None
        else None
    )
    if account is None or account.profile_id != profile.id:
        raise NotFound(
            f"{name} post '{social}' is not a post of an account of profile '{profile.name}': "
            "attach its account to the profile (POST /v1/profiles/{profile_id}/accounts)"
        )
    answer = await analytics_service.post_analytics(session, user.user_id, post.id)
    request_id = (await post_group_service.request_ids(session, user.user_id, [post.id])).get(post.id)
    card = post_card(request_id, profile.name, None, [post])
    card["source"] = "api_uploaded" if request_id is not None else "organic"
    return JSONResponse({"success": True, "post": card, "platforms": {name: platform_entry(answer)}})


async def _post_by_platform_id(session: AsyncSession, user_id: int, platform: str, raw: str) -> Post | None:
    """The user's post by its id as sent, else by its normalised id (a URL gives its id)."""
    candidates = [raw]
    try:
        candidates.append(ids.normalise_social_id(platform, raw, field="platform_post_id").social_id)
    except ids.InvalidIdentifier:
        pass
    for social_id in dict.fromkeys(candidates):
        post = await session.scalar(tracking_repo.post_by_social_id(user_id, platform, social_id))
        if post is not None:
            return post
    return None


# ---------------------------------------------------------------------------- cached rows


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _parse_rows_cursor(cursor: str) -> tuple[date, int]:
    bad = "cursor is not valid: pass the next_cursor value of a previous page"
    day, post_id = decode_cursor(cursor, 2)
    if not isinstance(day, str) or not isinstance(post_id, int) or isinstance(post_id, bool):
        raise BadRequest(bad)
    if not 1 <= post_id <= MAX_ID:
        raise BadRequest(bad)
    try:
        return date.fromisoformat(day), post_id
    except ValueError:
        raise BadRequest(bad) from None


def cached_rows(
    user_id: int,
    profile_id: int,
    platform: str | None,
    since: date,
    until: date,
    after: tuple[date, int] | None,
    limit: int,
) -> Select[Any]:
    """``(id, post_id, day)`` of the last snapshot of each (post, UTC day) of the profile's posts
    in ``since … until``, newest day first then post id descending, after the cursor's row,
    ``limit + 1`` rows (the extra one says another page exists)."""
    day = utc_day(PostSnapshot.fetched_at)
    rank = func.row_number().over(
        partition_by=(PostSnapshot.post_id, day),
        order_by=(PostSnapshot.fetched_at.desc(), PostSnapshot.id.desc()),
    )
    conditions = [
        Post.user_id == user_id,
        Account.user_id == user_id,
        Account.profile_id == profile_id,
        PostSnapshot.fetched_at >= start_of_day(since),
        PostSnapshot.fetched_at < start_of_day(until + timedelta(days=1)),
    ]
    if platform is not None:
        conditions.append(Post.platform == platform)
    ranked = (
        select(
            PostSnapshot.id.label("id"),
            PostSnapshot.post_id.label("post_id"),
            day.label("day"),
            rank.label("day_rank"),
        )
        .join(Post, Post.id == PostSnapshot.post_id)
        .join(Account, Account.id == Post.account_id)
        .where(*conditions)
        .subquery("ranked")
    )
    stmt = select(ranked.c.id, ranked.c.post_id, ranked.c.day).where(ranked.c.day_rank == 1)
    if after is not None:
        after_day, after_post = after
        stmt = stmt.where(
            or_(ranked.c.day < after_day, and_(ranked.c.day == after_day, ranked.c.post_id < after_post))
        )
    return stmt.order_by(ranked.c.day.desc(), ranked.c.post_id.desc()).limit(limit + 1)


def _cached_row(post: Post, snap: PostSnapshot, day: date | str, profile_username: str) -> dict[str, Any]:
    return {
        "post_id": post.social_id,
        "platform": post.platform,
        "profile_username": profile_username,
        "date": _as_date(day).isoformat(),
        "captured_at": js_timestamp(snap.fetched_at),
        "metrics": _present({m: getattr(snap, m) for m in POST_METRICS}),
        "post_url": post.url,
        "media_type": MEDIA_TYPES.get(post.type or ""),
        "upload_timestamp": _timestamp(post.posted_at),
    }


# ---------------------------------------------------------------------------- platform metrics


@router.get("/api/uploadposts/platform-metrics", summary="Metric configuration per platform (public)")
async def platform_metrics(request: Request) -> JSONResponse:
    """Per platform: the metric counted as its impressions, what that number is
    (``metric_type``), the metrics it reports and their labels. Public: no key needed."""
    answer = await analytics_service.platforms(request.app.state.settings)
    return JSONResponse(
        {
            name: {
                "primary_impressions_field": cfg.primary_impressions_field,
                "metric_type": cfg.metric_type,
                "available_metrics": list(cfg.available_metrics),
                "metric_labels": dict(cfg.metric_labels),
            }
            for name, cfg in answer.platforms.items()
            if name in {p.value for p in Platform}
        }
    )
