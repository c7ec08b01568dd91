"""The codvid Instagram tracking API at its documented paths (``/codvid-ai/ig-tracking/…``).

A tracking task is a UUID (``task_id``) over one tracked Instagram account of its user. Tasks
are scraped by the ordinary scheduled refresh, every ``SOCIALPULSE_CODVID_SCRAPE_INTERVAL_H``
hours (48) for an account a task started tracking; ``force_scrape`` refreshes the account now,
at the front of the queue, and waits for it. Posts, their latest statistics, comments and
comment sentiment come from the same tables the native API reads.

Requests with a body use codvid's envelope ``{"schema_version": "4.0", "data": {...}}``.
Answers are ``{"result": true, "response": {...}}``; errors ``{"result": false, "message"}``
with the messages codvid documents. Timestamps are UTC: ``2025-08-01T12:00:00Z``.

See ``docs/compat-codvid.md`` for what is served and how it differs from codvid.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from socialpulse.auth.dependencies import credentials, resolve_principal
from socialpulse.auth.service import Principal
from socialpulse.compat.common import CompatError, CompatRoute, refresh_and_wait
from socialpulse.config import Settings
from socialpulse.db.session import SessionDep
from socialpulse.errors import AppError, BadRequest, Conflict, NotFound
from socialpulse.kit.time import aware, utcnow
from socialpulse.models import (
    Account,
    Comment,
    Post,
    PostSnapshot,
    RefreshItem,
    RefreshRequest,
    RefreshRequestItem,
    TrackingTask,
)
from socialpulse.models.enums import EntityKind, ItemStatus, Platform, PostType
from socialpulse.platforms import ids
from socialpulse.sentiment.summary import CommentScope, summarise
from socialpulse.stats.comments import top_comments
from socialpulse.tracking.schemas import AccountCreate
from socialpulse.tracking.service import account_service, post_service

API = "codvid"
ORIGIN = "compat:codvid"
PREFIX = "/codvid-ai/ig-tracking"

#: posts of a task that ``get_task`` answers, newest first
MAX_POSTS = 50
#: comments per post in ``top_comments``, most liked first
TOP_COMMENTS = 20
#: ``schema_version`` of a task document as codvid writes it
TASK_SCHEMA_VERSION = "1.0"

UNAUTHORIZED = "Unauthorized: invalid or expired token"
TASK_NOT_FOUND = "Task not found or access denied"
NO_DATA = "Task not found or no data available"
INVALID_PROFILE = "Invalid Instagram profile name"
NO_UPDATES = "No updatable fields provided"
ENVELOPE = '{"schema_version": "4.0", "data": {...}}'

T = TypeVar("T")

# ---------------------------------------------------------------------------- errors


class ScrapeFailed(AppError):
    """A forced scrape that did not complete: codvid answers these with a 500."""

    status_code: ClassVar[int] = 500
    title: ClassVar[str] = "Scraping Failed"

    def __init__(self, reason: str) -> None:
        super().__init__(f"Error scraping Instagram profile: {reason}")


class CodvidRoute(CompatRoute):
    """Every error as codvid writes it: ``{result: false, message}``. Any authentication
    failure is codvid's one 401 message; our 422 (unprocessable input) is a 400 here."""

    @classmethod
    def render_error(cls, request: Request, error: CompatError) -> JSONResponse:
        status = 400 if error.status == 422 else error.status
        message = UNAUTHORIZED if status == 401 else error.message
        return JSONResponse({"result": False, "message": message}, status_code=status, headers=error.headers)


# ---------------------------------------------------------------------------- shapes


class Ok(BaseModel, Generic[T]):
    """A successful answer."""

    result: Literal[True] = True
    response: T


class Failure(BaseModel):
    """An error: ``message`` says what went wrong."""

    result: Literal[False] = False
    message: str


Timestamp = Annotated[str | None, Field(description="UTC, e.g. 2025-08-01T12:00:00Z; null when unknown")]
Counter = Annotated[int | None, Field(description="as the platform last reported it; null when not reported")]


class Created(BaseModel):
    task_id: str
    message: str = "Instagram tracking task created successfully"
    target_profile: str = Field(description="the Instagram username, normalised (lower case, no @)")
    next_scrape_due: Timestamp


class Message(BaseModel):
    message: str


class TaskSummary(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(alias="_id", description="the task_id")
    target_profile: str
    is_competitor: bool
    created_at: str
    last_scraped: Timestamp
    next_scrape_due: Timestamp = Field(description="null while tracking is paused")
    status: str = Field(description="active, paused, not_found, private, suspended or auth_error")


class TaskList(BaseModel):
    tasks: list[TaskSummary]
    total_tasks: int


class TopComment(BaseModel):
    text: str
    sentiment: Literal["positive", "neutral", "negative"] | None = Field(
        description="null when the comment has not been scored"
    )
    owner_username: str | None
    timestamp: Timestamp
    likes_count: Counter


class ScrapedPost(BaseModel):
    post_id: str = Field(description="the shortcode")
    post_url: str | None
    timestamp: Timestamp
    type: Literal["reel", "image", "carousel", "video"] | None
    caption: str | None
    likes_count: Counter
    comments_count: Counter
    video_view_count: Counter = Field(description="reels and videos only")
    video_play_count: Counter = Field(description="reels and videos only")
    hashtags: list[str]
    mentions: list[str]
    top_comments: list[TopComment]


class TaskDetail(TaskSummary):
    schema_version: str = TASK_SCHEMA_VERSION
    user_id: str
    scraped_posts: list[ScrapedPost] = Field(description=f"the newest {MAX_POSTS} posts")


class TaskDocument(BaseModel):
    task: TaskDetail


class Scraped(BaseModel):
    message: str = "Task scraping completed successfully"
    posts_processed: int = Field(description="posts of the profile that got new statistics")
    comments_analyzed: int = Field(description="comments fetched (and scored when new) by this scrape")


class LabelCounts(BaseModel):
    positive: int
    negative: int
    neutral: int


class LabelPercentages(BaseModel):
    positive: float
    negative: float
    neutral: float


class SentimentSummaryBody(BaseModel):
    total_comments: int = Field(description="scored comments of the profile's posts")
    sentiment_distribution: LabelCounts
    sentiment_percentages: LabelPercentages = Field(description="one decimal; they add up to 100.0")
    overall_sentiment: Literal["positive", "neutral", "negative"]


class SentimentAnswer(BaseModel):
    sentiment_summary: SentimentSummaryBody


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    what = {
        400: "the body or a field is missing or invalid",
        401: "missing, invalid or expired API key or token",
        404: "no task with this id among yours",
        409: "tracking of the profile is paused",
        500: "the scrape failed or did not finish in time",
    }
    return {code: {"model": Failure, "description": what[code]} for code in codes}


def _body(example: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI request body of an endpoint that takes codvid's envelope."""
    schema = {
        "type": "object",
        "properties": {"schema_version": {"type": "string", "example": "4.0"}, "data": data},
        "required": ["data"],
    }
    return {"requestBody": {"content": {"application/json": {"schema": schema, "example": example}}}}


# ---------------------------------------------------------------------------- parsing


def _timestamp(dt: datetime | None) -> str | None:
    return aware(dt).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if dt is not None else None


async def _data(request: Request, *, required: bool = True) -> dict[str, Any]:
    """The ``data`` object of codvid's envelope. Without ``required``, no body (or a body
    without ``data``) is an empty ``data``; a body that is there must be a JSON object."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise BadRequest(f"Missing required field: data (send {ENVELOPE})")
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise BadRequest(f"Invalid request body: not valid JSON (send {ENVELOPE})") from None
    if not isinstance(body, dict):
        raise BadRequest(f"Invalid request body: not a JSON object (send {ENVELOPE})")
    version = body.get("schema_version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, str | int | float)):
        raise BadRequest('Invalid field: schema_version must be a string such as "4.0"')
    if "data" not in body:
        if required:
            raise BadRequest(f"Missing required field: data (send {ENVELOPE})")
        return {}
    data = body["data"]
    if not isinstance(data, dict):
        raise BadRequest("Invalid field: data must be a JSON object")
    return data


def _flag(data: dict[str, Any], name: str) -> bool:
    value = data[name]
    if not isinstance(value, bool):
        raise BadRequest(f"Invalid field: {name} must be true or false")
    return value


def _profile(data: dict[str, Any]) -> ids.AccountIdent:
    value = data.get("target_profile")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BadRequest("Missing required field: target_profile")
    if not isinstance(value, str):
        raise BadRequest(INVALID_PROFILE)
    try:
        return ids.normalise_handle(Platform.instagram, value, field="target_profile")
    except ids.InvalidIdentifier:
        raise BadRequest(INVALID_PROFILE) from None


# ---------------------------------------------------------------------------- auth


async def codvid_user(request: Request, session: SessionDep) -> Principal:
    """``Authorization: Bearer <API key or JWT>``; every failure is codvid's one 401."""
    scheme, token = credentials(request)
    principal = await resolve_principal(request, session, scheme, token)
    request.state.principal = principal
    return principal


User = Annotated[Principal, Depends(codvid_user)]

router = APIRouter(prefix=PREFIX, tags=["codvid compatibility"], route_class=CodvidRoute)


# ---------------------------------------------------------------------------- tasks


def _tasks_of(user_id: int) -> Select[TrackingTask]:
    """The user's codvid tasks, oldest first."""
    return (
        select(TrackingTask)
        .where(TrackingTask.user_id == user_id, TrackingTask.api == API)
        .order_by(TrackingTask.created_at, TrackingTask.id)
    )


async def _task(session: AsyncSession, user_id: int, task_id: str) -> tuple[TrackingTask, Account]:
    """The user's task and its account; another user's task is not found, like none."""
    row = (
        await session.execute(
            select(TrackingTask, Account)
            .join(Account, Account.id == TrackingTask.account_id)
            .where(
                TrackingTask.public_id == task_id,
                TrackingTask.user_id == user_id,
                TrackingTask.api == API,
            )
        )
    ).first()
    if row is None:
        raise NotFound(TASK_NOT_FOUND)
    return row[0], row[1]


def _interval(settings: Settings, account: Account) -> timedelta:
    return timedelta(seconds=account.refresh_interval_s or settings.account_refresh_s)


def _next_due(settings: Settings, account: Account) -> datetime | None:
    """When the account is scraped next: its scheduled refresh (null while paused)."""
    if account.paused:
        return None
    if account.next_refresh_at is not None:
        return account.next_refresh_at
    return (account.last_refreshed_at or account.created_at) + _interval(settings, account)


def _last_scraped(task: TrackingTask, account: Account) -> datetime | None:
    times = [t for t in (task.last_scraped_at, account.last_refreshed_at) if t is not None]
    return max(times, key=aware) if times else None


def _summary(settings: Settings, task: TrackingTask, account: Account) -> dict[str, Any]:
    return {
        "id": task.public_id,
        "target_profile": account.handle,
        "is_competitor": account.is_competitor,
        "created_at": _timestamp(task.created_at),
        "last_scraped": _timestamp(_last_scraped(task, account)),
        "next_scrape_due": _timestamp(_next_due(settings, account)),
        "status": account.status,
    }


def _started_tracking(task: TrackingTask, account: Account) -> bool:
    """Whether this task started tracking its account (an account tracked before stays)."""
    return task.started_tracking and task.account_id == account.id


# ---------------------------------------------------------------------------- posts


TYPES: dict[str, Literal["reel", "image", "carousel", "video"]] = {
    PostType.reel.value: "reel",
    PostType.short.value: "reel",
    PostType.video.value: "video",
    PostType.image.value: "image",
    PostType.carousel.value: "carousel",
    PostType.slideshow.value: "carousel",
}
VIDEO_TYPES = frozenset({"reel", "video"})
SENTIMENTS = frozenset({"positive", "neutral", "negative"})


async def _posts(session: AsyncSession, user_id: int, account_id: int) -> list[Post]:
    """The account's newest posts (posts without a time last), at most :data:`MAX_POSTS`."""
    return list(
        await session.scalars(
            select(Post)
            .where(Post.user_id == user_id, Post.account_id == account_id)
            .order_by(Post.posted_at.is_(None), Post.posted_at.desc(), Post.id.desc())
            .limit(MAX_POSTS)
        )
    )


def _comment(c: Comment) -> TopComment:
    label = c.sentiment_label if c.sentiment_label in SENTIMENTS else None
    return TopComment(
        text=c.text,
        sentiment=label,
        owner_username=c.author,
        timestamp=_timestamp(c.posted_at),
        likes_count=c.likes,
    )


def _post(post: Post, snap: PostSnapshot | None, comments: Sequence[Comment]) -> ScrapedPost:
    kind = TYPES.get(post.type or "")
    video = kind is None or kind in VIDEO_TYPES
    return ScrapedPost(
        post_id=post.social_id,
        post_url=post.url or ids.post_url(Platform.instagram, post.social_id),
        timestamp=_timestamp(post.posted_at),
        type=kind,
        caption=post.caption,
        likes_count=snap.likes if snap else None,
        comments_count=snap.comments if snap else None,
        video_view_count=snap.views if snap and video else None,
        video_play_count=snap.plays if snap and video else None,
        hashtags=list(post.hashtags or []),
        mentions=[m if m.startswith("@") else f"@{m}" for m in post.mentions or []],
        top_comments=[_comment(c) for c in comments],
    )


# ---------------------------------------------------------------------------- scraping


async def _account_item(session: AsyncSession, request_id: str, account_id: int) -> RefreshItem | None:
    """The queue item that refreshed the account for the refresh request ``request_id``."""
    found: RefreshItem | None = await session.scalar(
        select(RefreshItem)
        .join(RefreshRequestItem, RefreshRequestItem.item_id == RefreshItem.id)
        .join(RefreshRequest, RefreshRequest.id == RefreshRequestItem.request_id)
        .where(
            RefreshRequest.public_id == request_id,
            RefreshItem.kind == EntityKind.account.value,
            RefreshItem.entity_id == account_id,
        )
        .order_by(RefreshItem.id.desc())
        .limit(1)
    )
    return found


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def comments_analyzed(result: dict[str, Any] | None) -> int:
    """The comments an account refresh fetched (and scored when new): ``comments.fetched`` of
    its result; 0 when it fetched none."""
    comments = (result or {}).get("comments")
    return _count(comments.get("fetched")) if isinstance(comments, dict) else 0


async def _recent_post_ids(session: AsyncSession, user_id: int, account_id: int, limit: int) -> list[int]:
    """The account's newest posts that can be fetched (they have a platform id)."""
    return list(
        await session.scalars(
            select(Post.id)
            .where(Post.user_id == user_id, Post.account_id == account_id, Post.social_id != "")
            .order_by(Post.posted_at.is_(None), Post.posted_at.desc(), Post.id.desc())
            .limit(limit)
        )
    )


async def _posts_refreshed(session: AsyncSession, account_id: int, since: datetime) -> int:
    """How many posts of the account have a snapshot fetched since ``since``."""
    count = await session.scalar(
        select(func.count(func.distinct(PostSnapshot.post_id)))
        .join(Post, Post.id == PostSnapshot.post_id)
        .where(Post.account_id == account_id, PostSnapshot.fetched_at >= since)
    )
    return count or 0


# ---------------------------------------------------------------------------- endpoints


@router.post(
    "/create_task",
    response_model=Ok[Created],
    responses=_errors(400, 401),
    summary="Create a tracking task",
    openapi_extra=_body(
        {"schema_version": "4.0", "data": {"target_profile": "instagram_username", "is_competitor": True}},
        {
            "type": "object",
            "properties": {
                "target_profile": {"type": "string", "description": "Instagram username (without @)"},
                "is_competitor": {"type": "boolean"},
            },
            "required": ["target_profile", "is_competitor"],
        },
    ),
)
async def create_task(request: Request, user: User, session: SessionDep) -> Ok[Created]:
    """Track an Instagram profile for you: its profile, posts and their comments are scraped
    now and then every ``SOCIALPULSE_CODVID_SCRAPE_INTERVAL_H`` hours (48). A profile is
    tracked once: a profile you already track (natively) gets a task over that account, which
    keeps its refresh interval; a profile that already has a task answers that task. Either
    way ``is_competitor`` is set as asked."""
    data = await _data(request)
    ident = _profile(data)
    if "is_competitor" not in data or data["is_competitor"] is None:
        raise BadRequest("Missing required field: is_competitor")
    competitor = _flag(data, "is_competitor")
    settings: Settings = request.app.state.settings
    account = await account_service.find(session, user.user_id, ident)
    task: TrackingTask | None = None
    if account is None:
        account = await account_service.create(
            session,
            user.user_id,
            AccountCreate(
                platform=Platform.instagram.value,
                handle=ident.handle,
                is_competitor=competitor,
                refresh_interval_s=settings.codvid_scrape_interval_h * 3600,
            ),
        )
        started = True
    else:
        account.is_competitor = competitor
        task = await session.scalar(_tasks_of(user.user_id).where(TrackingTask.account_id == account.id))
        started = False
    if task is None:
        task = TrackingTask(
            public_id=str(uuid.uuid4()),
            user_id=user.user_id,
            account_id=account.id,
            api=API,
            started_tracking=started,
        )
        session.add(task)
    await session.flush()
    return Ok(
        response=Created(
            task_id=task.public_id,
            target_profile=account.handle,
            next_scrape_due=_timestamp(_next_due(settings, account)),
        )
    )


@router.get("/get_tasks", response_model=Ok[TaskList], responses=_errors(401), summary="List your tasks")
async def get_tasks(request: Request, user: User, session: SessionDep) -> Ok[TaskList]:
    """Every tracking task of yours, oldest first."""
    settings: Settings = request.app.state.settings
    rows = (
        await session.execute(
            select(TrackingTask, Account)
            .join(Account, Account.id == TrackingTask.account_id)
            .where(TrackingTask.user_id == user.user_id, TrackingTask.api == API)
            .order_by(TrackingTask.created_at, TrackingTask.id)
        )
    ).all()
    tasks = [TaskSummary.model_validate(_summary(settings, t, a)) for t, a in rows]
    return Ok(response=TaskList(tasks=tasks, total_tasks=len(tasks)))


@router.get(
    "/get_task/{task_id}",
    response_model=Ok[TaskDocument],
    responses=_errors(401, 404),
    summary="A task with its scraped posts and comments",
)
async def get_task(request: Request, task_id: str, user: User, session: SessionDep) -> Ok[TaskDocument]:
    """The task, with the profile's newest 50 posts (their latest statistics) and each post's
    20 most liked comments with their sentiment."""
    settings: Settings = request.app.state.settings
    task, account = await _task(session, user.user_id, task_id)
    posts = await _posts(session, user.user_id, account.id)
    latest = await post_service.latest(session, posts)
    comments = await top_comments(session, [p.id for p in posts], TOP_COMMENTS)
    detail = TaskDetail.model_validate(
        {
            **_summary(settings, task, account),
            "user_id": str(user.user_id),
            "scraped_posts": [_post(p, latest.get(p.id), comments.get(p.id, [])) for p in posts],
        }
    )
    return Ok(response=TaskDocument(task=detail))


@router.delete(
    "/delete_task/{task_id}",
    response_model=Ok[Message],
    responses=_errors(401, 404),
    summary="Delete a task",
)
async def delete_task(task_id: str, user: User, session: SessionDep) -> Ok[Message]:
    """Deletes the task. When it started tracking its profile and no other task of yours
    uses it, the profile stops being tracked: its account, posts, statistics history and
    comments are deleted. A profile you tracked before creating the task stays tracked."""
    task, account = await _task(session, user.user_id, task_id)
    started = _started_tracking(task, account)
    await session.execute(delete(TrackingTask).where(TrackingTask.id == task.id))
    others = await session.scalar(
        select(func.count()).select_from(TrackingTask).where(TrackingTask.account_id == account.id)
    )
    if started and not others:
        await account_service.delete(session, user.user_id, account.id)
    return Ok(response=Message(message="Tracking task deleted successfully"))


@router.put(
    "/update_task/{task_id}",
    response_model=Ok[Message],
    responses=_errors(400, 401, 404),
    summary="Update a task",
    openapi_extra=_body(
        {"schema_version": "4.0", "data": {"is_competitor": False}},
        {"type": "object", "properties": {"is_competitor": {"type": "boolean"}}},
    ),
)
async def update_task(request: Request, task_id: str, user: User, session: SessionDep) -> Ok[Message]:
    """Changes ``is_competitor`` (of the tracked account: every task over it shows it)."""
    data = await _data(request)
    if data.get("is_competitor") is None:
        raise BadRequest(NO_UPDATES)
    competitor = _flag(data, "is_competitor")
    _, account = await _task(session, user.user_id, task_id)
    account.is_competitor = competitor
    await session.flush()
    return Ok(response=Message(message="Tracking task updated successfully"))


@router.post(
    "/force_scrape/{task_id}",
    response_model=Ok[Scraped],
    responses=_errors(401, 404, 409, 500),
    summary="Scrape a task now",
    openapi_extra=_body({"schema_version": "4.0", "data": {}}, {"type": "object"}),
)
async def force_scrape(request: Request, task_id: str, user: User, session: SessionDep) -> Ok[Scraped]:
    """Scrape the profile now (ahead of scheduled work) and wait for it, up to
    ``SOCIALPULSE_COMPAT_REFRESH_TIMEOUT_S`` (60 s): its profile, the statistics of its newest
    posts (the ``SOCIALPULSE_RECENT_POSTS_LIMIT`` newest stored ones, and any new ones it lists),
    and the comments of its young posts whose comments changed. ``posts_processed`` counts the
    posts that got new statistics; ``comments_analyzed`` the comments fetched. A scrape still
    running when the wait ends goes on, and its results appear in ``get_task``; the answer is
    then a 500 saying so."""
    await _data(request, required=False)
    task, account = await _task(session, user.user_id, task_id)
    if account.paused:
        raise Conflict(
            f"Error scraping Instagram profile: tracking of {account.handle} is paused; resume it "
            f'with PATCH /v1/accounts/{account.id} {{"paused": false}}'
        )
    account_id = account.id
    settings: Settings = request.app.state.settings
    post_ids = await _recent_post_ids(session, user.user_id, account_id, settings.recent_posts_limit)
    wait = await refresh_and_wait(
        request, session, user_id=user.user_id, origin=ORIGIN, account_ids=[account_id], post_ids=post_ids
    )
    if wait.timed_out:
        raise ScrapeFailed(
            f"the scrape did not finish within {wait.timeout_s:g} s; it goes on, and its results "
            f"will appear in get_task (refresh request {wait.request_id})"
        )
    item = await _account_item(session, wait.request_id, account_id)
    if item is None or item.status != ItemStatus.succeeded.value:
        reason = (item.error_message or item.error_code) if item is not None else None
        raise ScrapeFailed(reason or "the profile could not be scraped")
    posts = await _posts_refreshed(session, account_id, wait.created_at)
    task.last_scraped_at = item.finished_at or utcnow()
    await session.flush()
    return Ok(response=Scraped(posts_processed=posts, comments_analyzed=comments_analyzed(item.result)))


@router.get(
    "/sentiment_summary/{task_id}",
    response_model=Ok[SentimentAnswer],
    responses=_errors(401, 404),
    summary="Comment sentiment of a task",
)
async def sentiment_summary(task_id: str, user: User, session: SessionDep) -> Ok[SentimentAnswer]:
    """How the scored comments of every stored post of the profile divide into positive,
    negative and neutral, and the overall verdict (see ``docs/metrics.md``)."""
    _, account = await _task(session, user.user_id, task_id)
    summary = await summarise(session, CommentScope(user_id=user.user_id, account_ids=(account.id,)))
    if summary is None or summary.total == 0:
        raise NotFound(NO_DATA)
    counts, shares = summary.counts, summary.percentages
    body = SentimentSummaryBody(
        total_comments=summary.total,
        sentiment_distribution=LabelCounts(
            positive=counts.get("positive", 0),
            negative=counts.get("negative", 0),
            neutral=counts.get("neutral", 0),
        ),
        sentiment_percentages=LabelPercentages(
            positive=shares.get("positive", 0.0),
            negative=shares.get("negative", 0.0),
            neutral=shares.get("neutral", 0.0),
        ),
        overall_sentiment=summary.verdict,
    )
    return Ok(response=SentimentAnswer(sentiment_summary=body))
