"""The ylytic Data Refresh API at its documented paths, ``/ylytic/api/v1/data_refresh/…``.

``POST /ylytic/api/v1/data_refresh/requests`` names one creator or post (five request types),
starts tracking it for the caller when it is not tracked yet, queues its refresh at the front of
the queue and answers at once: the request, pending (``status.code`` 201). ``GET
/ylytic/api/v1/data_refresh/requests/{request_id}`` answers the same while the refresh runs,
then the creator report (``status.code`` 200, ``success``), or the refresh's failure (the
error's status in ``status.code``, the error in ``status.message``).

A ylytic ``request_id`` is the public id of our refresh request (origin ``compat:ylytic``); what
ylytic was asked is kept in the request's ``params``. The report is the analytics service's
creator report, translated key by key (``quaterly_*`` included). Every answer, errors too, is
ylytic's envelope ``{request_id, request, response, status: {code, message, request_at,
response_at}}`` with RFC 1123 GMT timestamps.

See ``docs/compat-ylytic.md`` for what is served and how it differs from ylytic.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from socialpulse.analytics import schemas as report_schemas
from socialpulse.analytics.report import is_video
from socialpulse.analytics.service import analytics_service, post_text
from socialpulse.auth.dependencies import credentials, resolve_principal
from socialpulse.auth.service import Principal
from socialpulse.compat.common import CompatError, CompatRoute
from socialpulse.db.session import SessionDep
from socialpulse.errors import BadRequest, Conflict, NotFound
from socialpulse.kit.time import aware, utcnow
from socialpulse.models import Account, Post, RefreshRequest
from socialpulse.models.enums import EntityKind, Platform
from socialpulse.platforms import ids
from socialpulse.refresh.schemas import RefreshItemError, RefreshPriority, RefreshStatus
from socialpulse.refresh.service import PRIORITIES, refresh_service
from socialpulse.tracking import repository as tracking_repo
from socialpulse.tracking.schemas import AccountCreate, PostCreate
from socialpulse.tracking.service import account_service, post_service

ORIGIN = "compat:ylytic"
PREFIX = "/ylytic/api/v1/data_refresh"
MAX_BODY = 10_000  # bytes: a request names one creator or post
MAX_VALUE = 500  # characters of the identifier


# ---------------------------------------------------------------------------- request types


@dataclass(frozen=True)
class RequestType:
    """One documented ``request_type``: the parameter that names what to refresh, and what it is."""

    name: str
    param: str
    platform: Platform
    kind: EntityKind


REQUEST_TYPES: dict[str, RequestType] = {
    t.name: t
    for t in (
        RequestType("instagram", "handle", Platform.instagram, EntityKind.account),
        RequestType("instagram_id", "ig_user_id", Platform.instagram, EntityKind.account),
        RequestType("instagram_post", "shortcode", Platform.instagram, EntityKind.post),
        RequestType("youtube", "channel_id", Platform.youtube, EntityKind.account),
        RequestType("youtube_post", "video_id", Platform.youtube, EntityKind.post),
    )
}
TYPES_TEXT = ", ".join(f"{t.name} (with {t.param})" for t in REQUEST_TYPES.values())

# what a failed refresh's error code answers in ``status.code``
FAILURE_STATUS = {
    "not_found": 404,
    "deleted": 404,
    "private": 403,
    "suspended": 410,
    "paused": 409,
    "unsupported": 422,
    "out_of_reach": 422,
    "author_unknown": 422,
    "rate_limited": 429,
    "quota_exceeded": 429,
}
PLATFORM_FAILURE = 502  # anything else: the platform could not be read


def gmt(dt: datetime) -> str:
    """RFC 1123, as ylytic writes its timestamps: ``Tue, 30 Jan 2024 04:35:17 GMT``."""
    return format_datetime(aware(dt).replace(microsecond=0), usegmt=True)


# ---------------------------------------------------------------------------- answer shapes


class Status(BaseModel):
    code: int = Field(description="201 pending, 200 success; else the status of the error")
    message: str = Field(description="pending, success, or the error")
    request_at: str | None = Field(
        description="when the request was made, e.g. Tue, 30 Jan 2024 04:35:17 GMT"
    )
    response_at: str | None = Field(description="when its response was ready; null while pending")


class EngagementTrend(BaseModel):
    followers: float = Field(description="the engagement rate by followers, percent")


class FollowersTrend(BaseModel):
    followers: int


class GrowthTrends(BaseModel):
    engagement_trends: list[dict[str, EngagementTrend]] = Field(
        description="the engagement rate (percent of followers) at the end of each day, keyed by date"
    )
    followers_trends: list[dict[str, FollowersTrend]] = Field(
        description="followers at the end of each day, keyed by date"
    )
    monthly_engagement_growth: float | None
    monthly_followers_growth: float | None
    quaterly_engagement_growth: float | None
    quaterly_followers_growth: float | None
    yearly_engagement_growth: float | None
    yearly_followers_growth: float | None


class PostItem(BaseModel):
    caption: str | None
    comments_count: int | None
    engagement: float | None = Field(description="(likes + comments) ÷ followers × 100")
    external_links: list[str]
    hashtags: list[str]
    likes_count: int | None
    posted_date: str | None = Field(description="YYYY-MM-DD (UTC)")
    raw_image_url: str | None
    shortcode: str = Field(description="the shortcode (Instagram) or video id (YouTube)")
    sponsored: bool


class VideoPostItem(PostItem):
    views: int | None


class Posts(BaseModel):
    non_video_posts: list[PostItem]
    video_posts: list[VideoPostItem]


class ProfileDetails(BaseModel):
    biography: str | None
    brand_mentions: list[str]
    category: str | None
    city: str | None
    country: str | None
    email: str | None
    external_links: list[str]
    full_name: str | None
    hashtags: list[str]
    ig_category: str | None
    mentions: list[str]
    mobile: str | None
    raw_image_url: str | None


class ProfileOverview(BaseModel):
    content_per_week: float | None
    engagement: float | None = Field(description="mean of the post engagement rates, percent")
    followers_count: int | None
    following_count: int | None
    handle: str | None
    ig_user_id: str | None = Field(description="the platform's id of the account (a channel id on YouTube)")
    influencer_tier: str | None
    post_count: int | None


class Averages(BaseModel):
    posts_considered: int
    avg_likes: float | None
    avg_comments: float | None
    avg_views: float | None
    avg_shares: float | None


class ReachAndEngagement(Averages):
    """Per-post averages over the newest posts: all of them, then videos and the others."""

    video_posts: Averages
    non_video_posts: Averages


class Nothing(BaseModel):
    """``{}``, as the document shows it: no averages without a tracked account."""

    model_config = ConfigDict(extra="forbid")


class Report(BaseModel):
    growth_trends: GrowthTrends
    posts: Posts
    profile_details: ProfileDetails
    profile_overview: ProfileOverview
    reach_and_engagement_details: ReachAndEngagement | Nothing


class DataRefresh(BaseModel):
    request_id: str | None
    request: dict[str, Any] | None = Field(description="what was asked: request_type and its parameter")
    response: Report | None = Field(description="the creator report once done; null before, and on failure")
    status: Status


# ---------------------------------------------------------------------------- errors and auth


class YlyticRoute(CompatRoute):
    """Every error in ylytic's envelope: ``response`` null, ``status.code`` the HTTP status,
    ``status.message`` the error. Invalid input is a 400 (our 422 included)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def stamped(request: Request) -> Response:
            request.state.ylytic_at = utcnow()
            return await handler(request)

        return stamped

    @classmethod
    def render_error(cls, request: Request, error: CompatError) -> JSONResponse:
        status = 400 if error.status == 422 else error.status
        at = gmt(getattr(request.state, "ylytic_at", None) or utcnow())
        body = DataRefresh(
            request_id=request.path_params.get("request_id"),
            request=getattr(request.state, "ylytic_request", None),
            response=None,
            status=Status(code=status, message=error.message, request_at=at, response_at=at),
        )
        return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=error.headers)


async def ylytic_user(request: Request, session: SessionDep) -> Principal:
    """``Authorization: Bearer <API key or token>`` (``Apikey <key>`` works too)."""
    scheme, token = credentials(request)
    principal = await resolve_principal(request, session, scheme, token)
    request.state.principal = principal
    return principal


User = Annotated[Principal, Depends(ylytic_user)]

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": DataRefresh, "description": "invalid request: status.message says what to fix"},
    401: {"model": DataRefresh, "description": "missing or invalid API key or token"},
    404: {"model": DataRefresh, "description": "no such request of yours, or nothing tracked by that id"},
    409: {"model": DataRefresh, "description": "the account is paused"},
}

router = APIRouter(prefix=PREFIX, tags=["ylytic compatibility"], route_class=YlyticRoute, responses=ERRORS)

# ---------------------------------------------------------------------------- parsing


def _decode(raw: bytes) -> Any:
    """The body as JSON; the single-quoted form of the document's table is taken too."""
    text = raw.decode("utf-8", errors="strict").strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    if text.startswith("{") and text.endswith("}"):
        try:  # a Python literal of JSON values only (no sets, bytes or complex numbers)
            return json.loads(json.dumps(ast.literal_eval(text)))
        except (ValueError, SyntaxError, TypeError, RecursionError):
            pass
    raise BadRequest(
        'the body is not valid JSON: send {"request_type": "instagram", "handle": "thetatvaindia"}'
    )


async def read_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise BadRequest(f"the body is too large ({len(raw)} bytes; at most {MAX_BODY})")
    if not raw.strip():
        raise BadRequest(f'send a JSON body {{"request_type": …, …}}; request_type is one of {TYPES_TEXT}')
    try:
        body = _decode(raw)
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8 text: send a JSON object") from None
    if not isinstance(body, dict) or not all(isinstance(k, str) for k in body):
        raise BadRequest(
            'the body must be a JSON object, e.g. {"request_type": "youtube", "channel_id": "UC…"}'
        )
    return body


def _text(value: Any, name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadRequest(f"{name} must be a string")
    text = str(value).strip()
    if not text:
        raise BadRequest(f"{name} is empty")
    if len(text) > MAX_VALUE:
        raise BadRequest(f"{name} is too long ({len(text)} characters; at most {MAX_VALUE})")
    return text


def parse_request(body: dict[str, Any]) -> tuple[RequestType, str]:
    """The request type and its identifier; 400 naming what is missing, unknown or extra."""
    if "request_type" not in body:
        raise BadRequest(f"request_type is missing: one of {TYPES_TEXT}")
    name = _text(body["request_type"], "request_type").lower()
    rt = REQUEST_TYPES.get(name)
    if rt is None:
        raise BadRequest(f"request_type '{name}' is not supported: one of {TYPES_TEXT}")
    extra = [k for k in body if k not in ("request_type", rt.param)]
    if extra:
        raise BadRequest(
            f"{', '.join(repr(k) for k in extra)} is not a parameter of request_type {rt.name}: "
            f"send request_type and {rt.param} only"
        )
    if rt.param not in body:
        raise BadRequest(f"{rt.param} is missing: request_type {rt.name} takes {rt.param}")
    return rt, _text(body[rt.param], rt.param)


# ---------------------------------------------------------------------------- tracking


@dataclass(frozen=True)
class Target:
    """What a request refreshes: the entity it is about, and the account refreshed along."""

    kind: EntityKind
    entity_id: int
    account_ids: list[int] | None
    post_ids: list[int] | None


def _paused(account: Account) -> Conflict:
    return Conflict(
        f"{account.platform} account '{account.handle}' (account {account.id}) is paused: resume it "
        f'(PATCH /v1/accounts/{account.id} with {{"paused": false}}) to refresh it'
    )


async def _account(session: AsyncSession, user_id: int, rt: RequestType, value: str) -> Account:
    if rt.name == "instagram_id":
        if not (value.isascii() and value.isdigit()):
            raise BadRequest(
                f"ig_user_id '{value}' is not an Instagram user id: send its digits, e.g. 2121125346"
            )
        ident = ids.AccountIdent(
            rt.platform, value, value, ids.account_url(rt.platform, value, value)
        )  # an id alone: the handle repeats it (ids.py's convention)
        found = await account_service.find(session, user_id, ident)
        if found is None:
            raise NotFound(
                f"no Instagram account with ig_user_id {value} is tracked for you, and Instagram looks "
                "accounts up by username only: send request_type instagram with its handle once, "
                "then instagram_id works too"
            )
        return found
    ident = ids.normalise_handle(rt.platform, value, field=rt.param)
    found = await account_service.find(session, user_id, ident)
    if found is not None:
        return found
    data = AccountCreate(platform=ident.platform.value, handle=ident.handle)
    try:
        return await account_service.create(session, user_id, data, enqueue=False)
    except Conflict:  # tracked by a concurrent request meanwhile
        found = await account_service.find(session, user_id, ident)
        if found is None:
            raise
        return found


async def _post(session: AsyncSession, user_id: int, rt: RequestType, value: str) -> Post:
    ident = ids.normalise_social_id(rt.platform, value, field=rt.param)
    found = await post_service.find(session, user_id, ident)
    if found is not None and found.tracked:
        return found
    data = PostCreate(platform=ident.platform.value, social_id=ident.social_id)
    try:
        created, _ = await post_service.create(session, user_id, data, enqueue=False)
    except Conflict:  # tracked by a concurrent request meanwhile
        found = await post_service.find(session, user_id, ident)
        if found is None:
            raise
        return found
    return created


async def track(session: AsyncSession, user_id: int, rt: RequestType, value: str) -> Target:
    """The caller's account or post that the request names, tracked now when it was not."""
    if rt.kind is EntityKind.account:
        account = await _account(session, user_id, rt, value)
        if account.paused:
            raise _paused(account)
        return Target(EntityKind.account, account.id, [account.id], None)
    post = await _post(session, user_id, rt, value)
    along: list[int] | None = None
    if post.account_id is not None:
        author = await account_service.get(session, user_id, post.account_id)
        along = None if author.paused else [author.id]
    return Target(EntityKind.post, post.id, along, [post.id])


# ---------------------------------------------------------------------------- translation


def growth_trends(g: report_schemas.ReportGrowth | None) -> GrowthTrends:
    if g is None:
        return GrowthTrends(
            engagement_trends=[],
            followers_trends=[],
            monthly_engagement_growth=None,
            monthly_followers_growth=None,
            quaterly_engagement_growth=None,
            quaterly_followers_growth=None,
            yearly_engagement_growth=None,
            yearly_followers_growth=None,
        )
    return GrowthTrends(
        engagement_trends=[
            {d.date.isoformat(): EngagementTrend(followers=d.value)}
            for d in g.engagement_by_day
            if d.value is not None
        ],
        followers_trends=[
            {d.date.isoformat(): FollowersTrend(followers=d.value)}
            for d in g.followers_by_day
            if d.value is not None
        ],
        monthly_engagement_growth=g.engagement_rate.month.percent,
        monthly_followers_growth=g.followers.month.percent,
        quaterly_engagement_growth=g.engagement_rate.quarter.percent,
        quaterly_followers_growth=g.followers.quarter.percent,
        yearly_engagement_growth=g.engagement_rate.year.percent,
        yearly_followers_growth=g.followers.year.percent,
    )


@dataclass(frozen=True)
class PostFacts:
    """A post as both sources of posts (the report's list, one post's analytics) describe it."""

    social_id: str
    type: str | None
    caption: str | None
    posted_at: datetime | None
    thumbnail_url: str | None
    hashtags: list[str]
    external_links: list[str]
    sponsored: bool
    metrics: report_schemas.PostMetrics | None
    engagement: float | None


def post_item(p: PostFacts) -> PostItem | VideoPostItem:
    m = p.metrics
    fields: dict[str, Any] = {
        "caption": p.caption,
        "comments_count": m.comments if m else None,
        "engagement": p.engagement,
        "external_links": p.external_links,
        "hashtags": p.hashtags,
        "likes_count": m.likes if m else None,
        "posted_date": aware(p.posted_at).date().isoformat() if p.posted_at else None,
        "raw_image_url": p.thumbnail_url,
        "shortcode": p.social_id,
        "sponsored": p.sponsored,
    }
    if is_video(p.type):
        views = (m.views if m.views is not None else m.plays) if m else None
        return VideoPostItem(**fields, views=views)
    return PostItem(**fields)


def posts_of(items: list[PostItem | VideoPostItem]) -> Posts:
    return Posts(
        non_video_posts=[i for i in items if not isinstance(i, VideoPostItem)],
        video_posts=[i for i in items if isinstance(i, VideoPostItem)],
    )


def report_post(p: report_schemas.ReportPost) -> PostFacts:
    return PostFacts(
        social_id=p.social_id,
        type=p.type,
        caption=p.caption,
        posted_at=p.posted_at,
        thumbnail_url=p.thumbnail_url,
        hashtags=p.hashtags,
        external_links=p.external_links,
        sponsored=p.sponsored,
        metrics=p.metrics,
        engagement=p.engagement.by_followers.value,
    )


def profile_details(d: report_schemas.ProfileDetails | None, platform: str | None) -> ProfileDetails:
    if d is None:
        return ProfileDetails(
            biography=None,
            brand_mentions=[],
            category=None,
            city=None,
            country=None,
            email=None,
            external_links=[],
            full_name=None,
            hashtags=[],
            ig_category=None,
            mentions=[],
            mobile=None,
            raw_image_url=None,
        )
    return ProfileDetails(
        biography=d.biography,
        brand_mentions=[c.item for c in d.brand_mentions],
        category=d.category,
        city=None,
        country=d.location,
        email=d.emails[0] if d.emails else None,
        external_links=d.external_links,
        full_name=d.full_name,
        hashtags=d.hashtags,
        ig_category=d.category if platform == Platform.instagram.value else None,
        mentions=d.mentions,
        mobile=d.phones[0] if d.phones else None,
        raw_image_url=d.avatar_url,
    )


def profile_overview(o: report_schemas.ProfileOverview) -> ProfileOverview:
    return ProfileOverview(
        content_per_week=o.content_per_week.value,
        engagement=o.engagement_rate.value,
        followers_count=o.followers,
        following_count=o.following,
        handle=o.handle,
        ig_user_id=o.platform_id,
        influencer_tier=o.influencer_tier,
        post_count=o.post_count,
    )


def _averages(a: report_schemas.Averages) -> Averages:
    return Averages(
        posts_considered=a.posts,
        avg_likes=a.likes.mean,
        avg_comments=a.comments.mean,
        avg_views=a.views.mean,
        avg_shares=a.shares.mean,
    )


def reach_and_engagement(r: report_schemas.ReachAndEngagement) -> ReachAndEngagement:
    every = _averages(r.all_posts)
    return ReachAndEngagement(
        **every.model_dump(),
        video_posts=_averages(r.video_posts),
        non_video_posts=_averages(r.non_video_posts),
    )


def creator_report(r: report_schemas.CreatorReport, posts: Posts | None = None) -> Report:
    """The creator report in ylytic's keys (``posts``: the report's own newest posts unless given)."""
    listed = [post_item(report_post(p)) for p in (*r.posts.video_posts, *r.posts.non_video_posts)]
    return Report(
        growth_trends=growth_trends(r.growth),
        posts=posts if posts is not None else posts_of(listed),
        profile_details=profile_details(r.profile_details, r.profile_overview.platform),
        profile_overview=profile_overview(r.profile_overview),
        reach_and_engagement_details=reach_and_engagement(r.reach_and_engagement),
    )


async def account_report(session: AsyncSession, user_id: int, account_id: int) -> Report:
    try:
        report = await analytics_service.report(session, user_id, account_id)
    except NotFound:
        raise NotFound(
            f"account {account_id} of this request is no longer tracked: post the request again"
        ) from None
    return creator_report(report)


async def post_report(session: AsyncSession, user_id: int, post_id: int) -> Report:
    """The post, and its account's overview (when the caller tracks the account that wrote it)."""
    try:
        post = await post_service.get(session, user_id, post_id)
    except NotFound:
        raise NotFound(
            f"post {post_id} of this request is no longer tracked: post the request again"
        ) from None
    analytics = await analytics_service.post_analytics(session, user_id, post_id)
    account: Account | None = None
    if post.account_id is not None:
        account = await account_service.get(session, user_id, post.account_id)
    elif post.author_handle or post.author_platform_id:
        account = await session.scalar(
            tracking_repo.same_account(
                user_id, post.platform, post.author_handle or "", post.author_platform_id
            )
        )
    author = account.handle if account is not None else post.author_handle
    text, _ = post_text(cast(Any, post), author)
    details = post.details if isinstance(post.details, dict) else {}
    thumbnail = details.get("thumbnail_url")
    item = post_item(
        PostFacts(
            social_id=post.social_id,
            type=post.type,
            caption=post.caption,
            posted_at=post.posted_at,
            thumbnail_url=thumbnail if isinstance(thumbnail, str) else None,
            hashtags=list(text.hashtags),
            external_links=list(text.links),
            sponsored=text.sponsored,
            metrics=analytics.metrics,
            engagement=analytics.engagement.by_followers.value,
        )
    )
    if account is not None:
        report = await analytics_service.report(session, user_id, account.id)
        return creator_report(report, posts=posts_of([item]))
    return Report(
        growth_trends=growth_trends(None),
        posts=posts_of([item]),
        profile_details=profile_details(None, None),
        profile_overview=ProfileOverview(
            content_per_week=None,
            engagement=None,
            followers_count=None,
            following_count=None,
            handle=post.author_handle,
            ig_user_id=post.author_platform_id,
            influencer_tier=None,
            post_count=None,
        ),
        reach_and_engagement_details=Nothing(),
    )


# ---------------------------------------------------------------------------- endpoints

BODY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["request_type"],
    "properties": {
        "request_type": {"type": "string", "enum": list(REQUEST_TYPES)},
        **{
            t.param: {"type": "string", "description": f"with request_type {t.name}"}
            for t in REQUEST_TYPES.values()
        },
    },
}
BODY_EXAMPLES = {
    t.name: {"value": {"request_type": t.name, t.param: example}}
    for t, example in zip(
        REQUEST_TYPES.values(),
        ("thetatvaindia", "2121125346", "DHGIoX0y3f3", "UCurYxozQbvKn-oNUxNJh45Q", "iwIeyWv2ABI"),
        strict=True,
    )
}


def _pending(request: RefreshRequest, asked: dict[str, Any]) -> DataRefresh:
    return DataRefresh(
        request_id=request.public_id,
        request=asked,
        response=None,
        status=Status(code=201, message="pending", request_at=gmt(request.created_at), response_at=None),
    )


@router.post(
    "/requests",
    status_code=201,
    response_model=DataRefresh,
    summary="Create a data refresh request",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": BODY_SCHEMA, "examples": BODY_EXAMPLES}},
        }
    },
)
async def create_data_refresh(request: Request, user: User, session: SessionDep) -> DataRefresh:
    """Refresh one creator (``instagram`` + ``handle``, ``instagram_id`` + ``ig_user_id``,
    ``youtube`` + ``channel_id``) or one post (``instagram_post`` + ``shortcode``,
    ``youtube_post`` + ``video_id``). What you do not track yet is tracked for you. Answers at
    once with the pending request; poll ``GET …/requests/{request_id}`` for the report."""
    body = await read_body(request)
    request.state.ylytic_request = body  # echoed by an error about it
    rt, value = parse_request(body)
    asked = {"request_type": rt.name, rt.param: value}
    request.state.ylytic_request = asked
    target = await track(session, user.user_id, rt, value)
    settings = request.app.state.settings
    created = await refresh_service.create_request(
        session,
        user_id=user.user_id,
        account_ids=target.account_ids,
        post_ids=target.post_ids,
        origin=ORIGIN,
        priority=PRIORITIES[RefreshPriority.high],
        max_attempts=settings.max_attempts,
    )
    created.params = {
        **created.params,
        "ylytic": {"request": asked, "kind": target.kind.value, "entity_id": target.entity_id},
    }
    await session.flush()
    return _pending(created, asked)


def _failure(status: RefreshStatus, error: RefreshItemError) -> Status:
    code = error.code or "error"
    return Status(
        code=FAILURE_STATUS.get(code, PLATFORM_FAILURE),
        message=f"failed: {code}: {error.message or 'no detail'}",
        request_at=gmt(status.created_at),
        response_at=gmt(status.finished_at) if status.finished_at else None,
    )


@router.get(
    "/requests/{request_id}",
    response_model=DataRefresh,
    summary="Get a data refresh request",
)
async def get_data_refresh(
    request_id: Annotated[str, Path(description="the request_id the POST answered")],
    user: User,
    session: SessionDep,
) -> DataRefresh:
    """The request: ``response`` null and ``status.message`` ``pending`` while it runs; then the
    creator report (``success``, code 200), or the refresh's error (its status in
    ``status.code``). A post's report holds that post and its account's overview."""
    try:
        stored = await refresh_service.get(session, user.user_id, request_id)
    except NotFound:
        stored = None
    meta = stored.params.get("ylytic") if stored is not None and stored.origin == ORIGIN else None
    if stored is None or not isinstance(meta, dict):
        raise NotFound(
            f"no data refresh request {request_id} of yours: use the request_id that "
            f"POST {PREFIX}/requests answered"
        )
    asked: dict[str, Any] = meta["request"]
    status = await refresh_service.status_of(session, stored)
    if not status.finished:
        return _pending(stored, asked)
    kind, entity_id = meta["kind"], int(meta["entity_id"])
    failed = next((e for e in status.errors if e.kind == kind and e.entity_id == entity_id), None)
    if failed is not None:
        return DataRefresh(
            request_id=stored.public_id, request=asked, response=None, status=_failure(status, failed)
        )
    if kind == EntityKind.account.value:
        report = await account_report(session, user.user_id, entity_id)
    else:
        report = await post_report(session, user.user_id, entity_id)
    finished = status.finished_at or status.created_at
    return DataRefresh(
        request_id=stored.public_id,
        request=asked,
        response=report,
        status=Status(
            code=200, message="success", request_at=gmt(status.created_at), response_at=gmt(finished)
        ),
    )
