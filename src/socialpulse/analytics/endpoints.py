"""Native API of analytics: parse, authorise, call the service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from socialpulse.analytics.cache import Scope, cached_answer
from socialpulse.analytics.engagement import Basis
from socialpulse.analytics.schemas import (
    CreatorReport,
    Impressions,
    Platforms,
    PostAnalytics,
    ProfileAnalytics,
)
from socialpulse.analytics.service import (
    DEFAULT_REPORT_POSTS,
    DEFAULT_SERIES_DAYS,
    MAX_REPORT_POSTS,
    MAX_SERIES_DAYS,
    analytics_service,
)
from socialpulse.auth.dependencies import CurrentUser
from socialpulse.db.session import AutoCommitRoute, SessionDep, reads_only
from socialpulse.errors import BadRequest, NotFound, Unprocessable
from socialpulse.stats.schemas import MOMENT_FORM, parse_moment
from socialpulse.tracking.schemas import MAX_ID, AccountID, PostID, ProfileID

router = APIRouter(prefix="/v1", tags=["analytics"], route_class=AutoCommitRoute)

Responses = dict[int | str, dict[str, Any]]
RESPONSES: Responses = {400: BadRequest.schema(), 404: NotFound.schema(), 422: Unprocessable.schema()}
MAX_ACCOUNTS = 1000

ListParam = Annotated[
    list[str] | None, Query(description="a comma-separated list, or the parameter repeated")
]


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


def parse_account_ids(values: list[str] | None) -> list[int]:
    """Account ids from ``?account_ids=1,2&account_ids=3``; 400 naming ``account_ids`` otherwise."""
    ids: list[int] = []
    for part in _split(values):
        if not part.isdigit() or not 1 <= int(part) <= MAX_ID:
            raise BadRequest(
                f"account_ids: {part!r} is not an account id",
                extra={"errors": [{"field": "account_ids", "message": "positive integers, comma-separated"}]},
            )
        ids.append(int(part))
    if len(ids) > MAX_ACCOUNTS:
        raise BadRequest(
            f"account_ids: at most {MAX_ACCOUNTS} accounts at a time",
            extra={"errors": [{"field": "account_ids", "message": f"at most {MAX_ACCOUNTS}"}]},
        )
    return ids


@router.get("/accounts/{account_id}/report", response_model=CreatorReport, responses=RESPONSES)
@reads_only
async def account_report(
    request: Request,
    account_id: AccountID,
    principal: CurrentUser,
    session: SessionDep,
    at: Annotated[
        str | None, Query(description=f"describe the account as of this moment (default now): {MOMENT_FORM}")
    ] = None,
    posts: Annotated[
        int, Query(ge=1, le=MAX_REPORT_POSTS, description="how many of the newest posts to list")
    ] = DEFAULT_REPORT_POSTS,
    days: Annotated[
        int, Query(ge=1, le=MAX_SERIES_DAYS, description="days of the followers and engagement series")
    ] = DEFAULT_SERIES_DAYS,
    basis: Annotated[Basis, Query(description="the per-post rate the account engagement rate averages")] = (
        "followers"
    ),
) -> Response:
    """The creator report: profile overview and details, growth, the newest posts with their
    engagement, and per-post averages. Every rate states its formula and the posts it rests on."""
    moment = parse_moment(at, "at", date_means="end") if at else None
    return await cached_answer(
        request,
        session,
        principal.user_id,
        Scope.account(account_id),
        lambda: analytics_service.report(
            session, principal.user_id, account_id, at=moment, posts=posts, days=days, basis=basis
        ),
    )


@router.get("/analytics/impressions", response_model=Impressions, responses=RESPONSES)
@reads_only
async def impressions(
    request: Request,
    principal: CurrentUser,
    session: SessionDep,
    profile: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="count this profile's accounts")
    ] = None,
    account_ids: ListParam = None,
    date: Annotated[str | None, Query(description="one day, YYYY-MM-DD")] = None,
    start_date: Annotated[str | None, Query(description="YYYY-MM-DD; default end_date − 30 days")] = None,
    end_date: Annotated[str | None, Query(description="YYYY-MM-DD; default today")] = None,
    period: Annotated[
        str | None, Query(description="last_day, last_week, last_month, last_3months, last_year")
    ] = None,
    platform: ListParam = None,
    metrics: ListParam = None,
    breakdown: Annotated[bool, Query(description="add per-platform and per-day figures")] = False,
) -> Response:
    """Impressions across platforms for a profile or a list of accounts, deduplicated: each
    platform contributes its primary impressions metric only (or, with ``metrics``, each metric
    summed). With ``breakdown=true`` the per-platform and per-day figures add up to the totals."""
    ids = parse_account_ids(account_ids)
    if (profile is None) == (not ids):
        raise BadRequest(
            "give either profile (a profile id) or account_ids, not both",
            extra={"errors": [{"field": "profile", "message": "profile or account_ids"}]},
        )
    return await cached_answer(
        request,
        session,
        principal.user_id,
        Scope.profile(profile) if profile is not None else Scope.accounts(ids),
        lambda: analytics_service.impressions(
            session,
            principal.user_id,
            profile_id=profile,
            account_ids=ids or None,
            period=period,
            date=date,
            start_date=start_date,
            end_date=end_date,
            platform=_split(platform) if platform else None,
            metrics=_split(metrics) if metrics else None,
            breakdown=breakdown,
        ),
    )


@router.get("/profiles/{profile_id}/analytics", response_model=ProfileAnalytics, responses=RESPONSES)
@reads_only
async def profile_analytics(
    request: Request,
    profile_id: ProfileID,
    principal: CurrentUser,
    session: SessionDep,
    platforms: ListParam = None,
) -> Response:
    """Per platform of the profile: followers and the other latest levels, a 30-day daily series
    of the primary metric, and the platform's metric configuration. A platform without an
    account in the profile, or not supported, answers ``success: false`` with a message."""
    names = _split(platforms)
    if platforms is not None and not names:
        raise BadRequest(
            "platforms is empty: name platforms (e.g. instagram,youtube) or leave it out for all",
            extra={"errors": [{"field": "platforms", "message": "a comma-separated list of platforms"}]},
        )
    return await cached_answer(
        request,
        session,
        principal.user_id,
        Scope.profile(profile_id),
        lambda: analytics_service.profile_analytics(session, principal.user_id, profile_id, names or None),
    )


@router.get("/posts/{post_id}/analytics", response_model=PostAnalytics, responses=RESPONSES)
@reads_only
async def post_analytics(
    request: Request, post_id: PostID, principal: CurrentUser, session: SessionDep
) -> Response:
    """The post's latest metrics and engagement rates, the account's snapshots at the post's date
    and now, and why live metrics could not be fetched when they could not."""
    return await cached_answer(
        request,
        session,
        principal.user_id,
        Scope.post(post_id),
        lambda: analytics_service.post_analytics(session, principal.user_id, post_id),
    )


@router.get("/platforms", response_model=Platforms)
async def platforms(request: Request) -> Platforms:
    """Per platform: the metric counted as impressions, the metrics it reports with their labels,
    and whether socialpulse has a connector to refresh it. Public: configuration only."""
    return await analytics_service.platforms(request.app.state.settings)
