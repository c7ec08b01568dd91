"""Native API of comment sentiment summaries: parse, authorise, summarise.

``GET /v1/accounts/{id}/sentiment``, ``GET /v1/posts/{id}/sentiment`` and
``GET /v1/profiles/{id}/sentiment`` with ``start``, ``end`` (``YYYY-MM-DD``, UTC days, both
included) and ``bucket`` (``day`` or ``week``). An id the user does not own is a 404, as
everywhere; so is a scope without a scored comment in the range, with a message saying what
to do about it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from socialpulse.analytics.impressions import parse_date
from socialpulse.auth.dependencies import CurrentUser
from socialpulse.db.session import AutoCommitRoute, SessionDep
from socialpulse.errors import BadRequest, NotFound, Unprocessable
from socialpulse.sentiment.schemas import (
    AnalyserRead,
    LabelCounts,
    LabelPercentages,
    SentimentComment,
    SentimentScope,
    SentimentSummaryRead,
    SentimentTrendPoint,
)
from socialpulse.sentiment.summary import (
    VERDICT_RULE,
    Bucket,
    CommentScope,
    summarise_with_coverage,
)
from socialpulse.tracking.schemas import AccountID, PostID, ProfileID
from socialpulse.tracking.service import account_service, post_service, profile_service

router = APIRouter(prefix="/v1", tags=["sentiment"], route_class=AutoCommitRoute)

Responses = dict[int | str, dict[str, Any]]
RESPONSES: Responses = {400: BadRequest.schema(), 404: NotFound.schema(), 422: Unprocessable.schema()}

BACKFILL = "`socialpulse sentiment backfill`"

StartParam = Annotated[
    str | None,
    Query(description="first day, YYYY-MM-DD (UTC, included); default: the first day with a scored comment"),
]
EndParam = Annotated[
    str | None,
    Query(description="last day, YYYY-MM-DD (UTC, included); default: the last day with a scored comment"),
]
BucketParam = Annotated[Bucket, Query(description="trend per day, or per ISO week (starting on Monday)")]


def parse_range(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    """``start`` and ``end`` as dates; 400 naming the parameter when one is not ``YYYY-MM-DD``
    or when ``start`` is after ``end``."""
    first = parse_date(start, "start") if start is not None else None
    last = parse_date(end, "end") if end is not None else None
    if first is not None and last is not None and first > last:
        raise BadRequest(
            f"start {first.isoformat()} is after end {last.isoformat()}: swap them",
            extra={"errors": [{"field": "start", "message": "must not be after end"}]},
        )
    return first, last


def _range_text(start: date | None, end: date | None) -> str:
    if start is not None and end is not None:
        return f" between {start.isoformat()} and {end.isoformat()}"
    if start is not None:
        return f" since {start.isoformat()}"
    if end is not None:
        return f" until {end.isoformat()}"
    return ""


async def _answer(
    session: AsyncSession,
    scope: CommentScope,
    described: SentimentScope,
    start: date | None,
    end: date | None,
    bucket: Bucket,
    *,
    nothing_hint: str,
) -> SentimentSummaryRead:
    coverage = await summarise_with_coverage(session, scope, start=start, end=end, bucket=bucket)
    summary = coverage.summary
    if summary is None or coverage.first_day is None or coverage.last_day is None:
        what = f"{described.kind} {described.id}{_range_text(start, end)}"
        if coverage.unscored:
            noun = "comment is" if coverage.unscored == 1 else "comments are"
            detail = (
                f"no scored comments for {what}: {coverage.unscored} {noun} not scored yet, run {BACKFILL}"
            )
        else:
            detail = f"no scored comments for {what}: {nothing_hint}"
        raise NotFound(detail, extra={"unscored": coverage.unscored})
    return SentimentSummaryRead(
        scope=described,
        start=start or coverage.first_day,
        end=end or coverage.last_day,
        bucket=bucket,
        total=summary.total,
        unscored=coverage.unscored,
        counts=LabelCounts(**summary.counts),
        percentages=LabelPercentages(**summary.percentages),
        verdict=summary.verdict,
        verdict_rule=VERDICT_RULE,
        trend=[
            SentimentTrendPoint(
                start=p.start,
                total=p.total,
                counts=LabelCounts(**p.counts),
                percentages=LabelPercentages(**p.percentages),
            )
            for p in summary.trend
        ],
        most_liked_positive=_comment(summary.most_liked_positive),
        most_liked_negative=_comment(summary.most_liked_negative),
        analysers=[
            AnalyserRead(name=a.name, version=a.version, comments=a.comments) for a in coverage.analysers
        ],
    )


def _comment(row: Any) -> SentimentComment | None:
    return None if row is None else SentimentComment.model_validate(row)


@router.get("/accounts/{account_id}/sentiment", response_model=SentimentSummaryRead, responses=RESPONSES)
async def account_sentiment(
    account_id: AccountID,
    principal: CurrentUser,
    session: SessionDep,
    start: StartParam = None,
    end: EndParam = None,
    bucket: BucketParam = "day",
) -> SentimentSummaryRead:
    """Sentiment of the comments on the account's posts: counts and percentages per label, the
    verdict, a daily or weekly trend, the most liked positive and negative comments, and the
    analysers the labels come from. Unscored comments are not counted (``unscored`` says how many)."""
    first, last = parse_range(start, end)
    account = await account_service.get(session, principal.user_id, account_id)
    return await _answer(
        session,
        CommentScope(user_id=principal.user_id, account_ids=(account.id,)),
        SentimentScope(kind="account", id=account.id, account_ids=[account.id]),
        first,
        last,
        bucket,
        nothing_hint=f"refresh it (POST /v1/refresh with account_ids [{account.id}]) or run {BACKFILL}",
    )


@router.get("/posts/{post_id}/sentiment", response_model=SentimentSummaryRead, responses=RESPONSES)
async def post_sentiment(
    post_id: PostID,
    principal: CurrentUser,
    session: SessionDep,
    start: StartParam = None,
    end: EndParam = None,
    bucket: BucketParam = "day",
) -> SentimentSummaryRead:
    """Sentiment of the post's comments, as for an account."""
    first, last = parse_range(start, end)
    post = await post_service.get(session, principal.user_id, post_id)
    return await _answer(
        session,
        CommentScope(user_id=principal.user_id, post_ids=(post.id,)),
        SentimentScope(kind="post", id=post.id),
        first,
        last,
        bucket,
        nothing_hint=(
            "comments are fetched by refreshes of the post's account while the post is younger than "
            f"SOCIALPULSE_COMMENTS_MAX_POST_AGE_DAYS: refresh its account, or run {BACKFILL}"
            if post.account_id is not None
            else "comments are fetched by the post's refreshes while it is younger than "
            f"SOCIALPULSE_COMMENTS_MAX_POST_AGE_DAYS: refresh it, or run {BACKFILL}"
        ),
    )


@router.get("/profiles/{profile_id}/sentiment", response_model=SentimentSummaryRead, responses=RESPONSES)
async def profile_sentiment(
    profile_id: ProfileID,
    principal: CurrentUser,
    session: SessionDep,
    start: StartParam = None,
    end: EndParam = None,
    bucket: BucketParam = "day",
) -> SentimentSummaryRead:
    """Sentiment of the comments on the posts of every account of the profile, as for an account."""
    first, last = parse_range(start, end)
    profile = await profile_service.get(session, principal.user_id, profile_id)
    ids = tuple(a.id for a in await profile_service.accounts(session, principal.user_id, profile.id))
    hint = (
        f"refresh its accounts or run {BACKFILL}"
        if ids
        else f"it has no accounts: attach some with POST /v1/profiles/{profile.id}/accounts"
    )
    return await _answer(
        session,
        CommentScope(user_id=principal.user_id, account_ids=ids),
        SentimentScope(kind="profile", id=profile.id, account_ids=list(ids)),
        first,
        last,
        bucket,
        nothing_hint=hint,
    )
