"""Native API of statistics history: every snapshot of an account or a post over a time window."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from socialpulse.auth.dependencies import CurrentUser
from socialpulse.db.session import AutoCommitRoute, SessionDep
from socialpulse.errors import BadRequest, NotFound, Unprocessable
from socialpulse.stats import comments
from socialpulse.stats.comments import CommentOrder
from socialpulse.stats.schemas import (
    MOMENT_FORM,
    AccountStats,
    AccountStatsPoint,
    CommentPageRead,
    CommentRead,
    Interval,
    PostStats,
    PostStatsPoint,
    StatsWindow,
)
from socialpulse.tracking.schemas import MAX_LIMIT, AccountID, PostID
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


# ---------------------------------------------------------------------------- comments


def comment_query(
    order: Annotated[
        CommentOrder,
        Query(description="newest: by time on the platform, newest first; top: most liked first"),
    ] = "newest",
    sentiment: Annotated[
        Literal["positive", "neutral", "negative"] | None,
        Query(description="only comments with this sentiment label"),
    ] = None,
    start: Annotated[str | None, Query(description=f"comments from this moment on: {MOMENT_FORM}")] = None,
    end: Annotated[str | None, Query(description=f"comments up to this moment: {MOMENT_FORM}")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"items per page, 1 to {MAX_LIMIT}")] = 50,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> dict[str, Any]:
    window = StatsWindow.parse(start, end, "raw")
    return {
        "order": order,
        "label": sentiment,
        "since": window.start,
        "until": window.end,
        "limit": limit,
        "cursor": cursor,
    }


CommentQuery = Annotated[dict[str, Any], Depends(comment_query)]


@router.get(
    "/posts/{post_id}/comments", response_model=CommentPageRead, responses=RESPONSES, tags=["comments"]
)
async def post_comments(
    post_id: PostID, principal: CurrentUser, session: SessionDep, q: CommentQuery
) -> CommentPageRead:
    """The post's stored comments, with their sentiment, newest or most liked first. Comments
    are fetched by the refreshes of the post's account (posts younger than
    ``SOCIALPULSE_COMMENTS_MAX_POST_AGE_DAYS``)."""
    await post_service.get(session, principal.user_id, post_id)
    page = await comments.comment_page(session, post_ids=[post_id], **q)
    return CommentPageRead(
        order=q["order"], items=[CommentRead.of(c) for c in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/accounts/{account_id}/comments",
    response_model=CommentPageRead,
    responses=RESPONSES,
    tags=["comments"],
)
async def account_comments(
    account_id: AccountID, principal: CurrentUser, session: SessionDep, q: CommentQuery
) -> CommentPageRead:
    """The stored comments of all the account's posts, with their sentiment."""
    await account_service.get(session, principal.user_id, account_id)
    page = await comments.comment_page(session, account_id=account_id, **q)
    return CommentPageRead(
        order=q["order"], items=[CommentRead.of(c) for c in page.items], next_cursor=page.next_cursor
    )
