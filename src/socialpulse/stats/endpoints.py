"""Native API of statistics history: every snapshot of an account or a post over a time window."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from socialpulse.auth.dependencies import CurrentUser
from socialpulse.db.session import AutoCommitRoute, SessionDep
from socialpulse.errors import BadRequest, NotFound, Unprocessable
from socialpulse.stats.schemas import (
    MOMENT_FORM,
    AccountStats,
    AccountStatsPoint,
    Interval,
    PostStats,
    PostStatsPoint,
    StatsWindow,
)
from socialpulse.tracking.schemas import AccountID, PostID
from socialpulse.tracking.service import account_service, post_service

router = APIRouter(prefix="/v1", tags=["stats"], route_class=AutoCommitRoute)

RESPONSES: dict[int | str, dict[str, Any]] = {
    400: BadRequest.schema(),
    404: NotFound.schema(),
    422: Unprocessable.schema(),
}


def stats_window(
    start: Annotated[str | None, Query(description=f"from this moment on: {MOMENT_FORM}")] = None,
    end: Annotated[
        str | None, Query(description=f"up to this moment (a date: the end of that day): {MOMENT_FORM}")
    ] = None,
    interval: Annotated[
        Interval, Query(description="raw: every snapshot; day: the last snapshot of each UTC day")
    ] = "raw",
) -> StatsWindow:
    return StatsWindow.parse(start, end, interval)


WindowDep = Annotated[StatsWindow, Depends(stats_window)]


@router.get("/accounts/{account_id}/stats", response_model=AccountStats, responses=RESPONSES)
async def account_stats(
    account_id: AccountID, principal: CurrentUser, session: SessionDep, window: WindowDep
) -> AccountStats:
    """The account's snapshots in the window, oldest first; a counter the platform did not report is null."""
    snapshots = await account_service.history(session, principal.user_id, account_id, window)
    return AccountStats(
        account_id=account_id,
        interval=window.interval,
        start=window.start,
        end=window.end,
        items=[AccountStatsPoint.of(s) for s in snapshots],
    )


@router.get("/posts/{post_id}/stats", response_model=PostStats, responses=RESPONSES)
async def post_stats(
    post_id: PostID, principal: CurrentUser, session: SessionDep, window: WindowDep
) -> PostStats:
    """The post's snapshots in the window, oldest first; a counter the platform did not report is null."""
    snapshots = await post_service.history(session, principal.user_id, post_id, window)
    return PostStats(
        post_id=post_id,
        interval=window.interval,
        start=window.start,
        end=window.end,
        items=[PostStatsPoint.of(s) for s in snapshots],
    )
