"""The ugcinc statistics API (client ``ugcinc`` 1.0.5) at its documented paths.

``POST /accounts/stats`` and ``POST /post/stats`` read history; ``POST /accounts/stats/refresh``
and ``POST /post/stats/refresh`` fetch live through the refresh queue, at its front, wait for the
result (up to ``SOCIALPULSE_COMPAT_REFRESH_TIMEOUT_S``) and answer the stat records the refresh
created. Answers are ``{ok: true, code: 200, message, data}``; errors ``{ok: false, code,
message}`` with ``code`` the HTTP status. Ids are our account and post ids, as strings.

See ``docs/compat-ugcinc.md`` for what is served and how it differs from ugcinc.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from socialpulse.auth.dependencies import credentials, resolve_principal
from socialpulse.auth.service import Principal
from socialpulse.compat.common import (
    CompatError,
    CompatRoute,
    RefreshWait,
    StringId,
    account_stats,
    blank_to_none,
    ids_text,
    js_timestamp,
    post_stats,
    refresh_and_wait,
    select_accounts,
    select_posts,
    split_ids,
)
from socialpulse.db.session import SessionDep
from socialpulse.errors import NotFound
from socialpulse.models import Account, AccountSnapshot, Post, PostSnapshot
from socialpulse.models.enums import EntityKind
from socialpulse.refresh.schemas import MAX_IDS
from socialpulse.stats.schemas import StatsWindow, check_order, parse_moment
from socialpulse.tracking.schemas import AccountFilters

ORIGIN = "compat:ugcinc"
T = TypeVar("T")

# ---------------------------------------------------------------------------- envelopes


class UgcincRoute(CompatRoute):
    """Every error as ugcinc writes it: ``{ok: false, code, message}``. ugcinc knows one status
    for invalid parameters, 400, so our 422 (unprocessable input) is a 400 here."""

    @classmethod
    def render_error(cls, request: Request, error: CompatError) -> JSONResponse:
        status = 400 if error.status == 422 else error.status
        return JSONResponse(
            {"ok": False, "code": status, "message": error.message}, status_code=status, headers=error.headers
        )


class Ok(BaseModel, Generic[T]):
    """``ApiResponse<T>`` when ``ok`` is true."""

    ok: Literal[True] = True
    code: int = 200
    message: str = "Success"
    data: T


class Error(BaseModel):
    """``ApiResponse<T>`` when ``ok`` is false: ``code`` is the HTTP status."""

    ok: Literal[False] = False
    code: int
    message: str


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Error, "description": "invalid parameters"},
    401: {"model": Error, "description": "missing or invalid API key or token"},
    404: {"model": Error, "description": "an id names no account or post of yours (refresh only)"},
}

# ---------------------------------------------------------------------------- stats


class AccountStat(BaseModel):
    """One account snapshot. A counter the platform did not report is null."""

    id: str
    account_id: str
    followers: int | None
    following: int | None
    views: int | None
    likes: int | None
    created_at: str = Field(description="when it was fetched: ISO 8601 UTC, e.g. 2024-12-25T10:00:00.000Z")

    @classmethod
    def of(cls, s: AccountSnapshot) -> AccountStat:
        return cls(
            id=str(s.id),
            account_id=str(s.account_id),
            followers=s.followers,
            following=s.following,
            views=s.views,
            likes=s.likes,
            created_at=js_timestamp(s.fetched_at),
        )


class PostStat(BaseModel):
    """One post snapshot. A counter the platform did not report is null."""

    id: str
    post_id: str
    views: int | None
    likes: int | None
    comments: int | None
    shares: int | None
    saves: int | None
    created_at: str = Field(description="when it was fetched: ISO 8601 UTC, e.g. 2024-12-25T10:00:00.000Z")

    @classmethod
    def of(cls, s: PostSnapshot) -> PostStat:
        return cls(
            id=str(s.id),
            post_id=str(s.post_id),
            views=s.views,
            likes=s.likes,
            comments=s.comments,
            shares=s.shares,
            saves=s.saves,
            created_at=js_timestamp(s.fetched_at),
        )


# ---------------------------------------------------------------------------- parameters

IdList = Annotated[list[StringId], Field(max_length=MAX_IDS)]
Text = StrictStr | None
DATE_FORM = "ISO 8601: a date (2024-01-01) or a date-time (2024-01-01T00:00:00Z)"


class Params(BaseModel):
    """A parameter the endpoint does not take is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class AccountFilterParams(Params):
    accountIds: IdList | None = Field(default=None, description="account ids; omit for all your accounts")
    tag: Text = Field(default=None, description="only accounts with this tag")
    org_group: Text = Field(default=None, description="only accounts of this organization group")
    user_group: Text = Field(default=None, description="only accounts of this user group")

    def filters(self) -> AccountFilters:
        return AccountFilters(
            tag=blank_to_none(self.tag),
            org_group=blank_to_none(self.org_group),
            user_group=blank_to_none(self.user_group),
        )


class DateParams(Params):
    startDate: Text = Field(default=None, description=f"from this moment on, {DATE_FORM}")
    endDate: Text = Field(default=None, description=f"up to this moment (a date: its whole day), {DATE_FORM}")

    def window(self) -> StatsWindow | None:
        """None when neither date is given: then the latest stat of each entity is answered."""
        start, end = blank_to_none(self.startDate), blank_to_none(self.endDate)
        if start is None and end is None:
            return None
        lo = parse_moment(start, "startDate") if start else None
        hi = parse_moment(end, "endDate", date_means="end") if end else None
        check_order(lo, hi, "startDate", "endDate")
        return StatsWindow(start=lo, end=hi)


class GetAccountStatsParams(AccountFilterParams, DateParams):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"accountIds": ["1", "2"], "startDate": "2024-01-01", "endDate": "2024-12-31"}]
        },
    )


class RefreshAccountStatsParams(AccountFilterParams):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"accountIds": ["1", "2"], "tag": "influencer"}]}
    )


class GetPostStatsParams(DateParams):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"postIds": ["1", "2"], "startDate": "2024-01-01", "endDate": "2024-12-31"}]
        },
    )

    postIds: IdList | None = Field(default=None, description="post ids; omit for all your posts")


class RefreshPostStatsParams(Params):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"postIds": ["1", "2", "3"]}]})

    postIds: IdList | None = Field(default=None, description="post ids; omit for all your posts")


# ---------------------------------------------------------------------------- auth


async def ugcinc_user(request: Request, session: SessionDep) -> Principal:
    """``Authorization: Bearer <API key or token>`` (``Apikey <key>`` works too); a 401 is
    rendered in ugcinc's shape by :class:`UgcincRoute`."""
    scheme, token = credentials(request)
    principal = await resolve_principal(request, session, scheme, token)
    request.state.principal = principal
    return principal


User = Annotated[Principal, Depends(ugcinc_user)]

router = APIRouter(tags=["ugcinc compatibility"], route_class=UgcincRoute, responses=ERRORS)


# ---------------------------------------------------------------------------- endpoints


def _ids(values: list[str] | None) -> tuple[list[int] | None, list[str]]:
    """Our ids among ``values`` (None: not given) and the values that cannot be one."""
    return split_ids(values) if values is not None else (None, [])


@router.post("/accounts/stats", response_model=Ok[list[AccountStat]], summary="Account statistics (history)")
async def get_account_stats(
    user: User, session: SessionDep, params: Annotated[GetAccountStatsParams | None, Body()] = None
) -> Ok[list[AccountStat]]:
    """Without ``startDate`` and ``endDate``, the latest stat of each account; with either,
    every stat fetched in that range. Ids that name no account of yours are left out."""
    params = params or GetAccountStatsParams()
    window = params.window()
    ids, _ = _ids(params.accountIds)
    accounts, _ = await select_accounts(session, user.user_id, ids, params.filters())
    snapshots = await account_stats(session, [a.id for a in accounts], window)
    return Ok(data=[AccountStat.of(s) for s in snapshots])


@router.post("/post/stats", response_model=Ok[list[PostStat]], summary="Post statistics (history)")
async def get_post_stats(
    user: User, session: SessionDep, params: Annotated[GetPostStatsParams | None, Body()] = None
) -> Ok[list[PostStat]]:
    """Without ``startDate`` and ``endDate``, the latest stat of each post; with either, every
    stat fetched in that range. Ids that name no post of yours are left out."""
    params = params or GetPostStatsParams()
    window = params.window()
    ids, _ = _ids(params.postIds)
    posts, _ = await select_posts(session, user.user_id, ids)
    snapshots = await post_stats(session, [p.id for p in posts], window)
    return Ok(data=[PostStat.of(s) for s in snapshots])


@router.post(
    "/accounts/stats/refresh",
    response_model=Ok[list[AccountStat]],
    summary="Refresh account statistics (live)",
)
async def refresh_account_stats(
    request: Request,
    user: User,
    session: SessionDep,
    params: Annotated[RefreshAccountStatsParams | None, Body()] = None,
) -> Ok[list[AccountStat]]:
    """Fetch the selected accounts now (ahead of background refreshes), wait for the result
    and answer the stat records created by it. ``message`` says what was not refreshed, and
    why; when the wait times out, the rest is still fetched and appears in ``/accounts/stats``."""
    params = params or RefreshAccountStatsParams()
    ids, impossible = _ids(params.accountIds)
    accounts, missing = await select_accounts(session, user.user_id, ids, params.filters())
    if impossible or missing:
        unknown = [*map(str, missing), *impossible]
        raise NotFound(
            f"no account with id {ids_text(unknown)} among yours: check accountIds (nothing was refreshed)"
        )
    if not accounts:
        return Ok(data=[], message="no account matched: nothing to refresh")
    wait = await refresh_and_wait(
        request, session, user_id=user.user_id, origin=ORIGIN, account_ids=[a.id for a in accounts]
    )
    snapshots = await account_stats(session, [a.id for a in accounts], wait.window)
    refreshed = {s.account_id for s in snapshots}
    message = _report(wait, "account", accounts, refreshed, stats_path="/accounts/stats")
    return Ok(data=[AccountStat.of(s) for s in snapshots], message=message)


@router.post(
    "/post/stats/refresh", response_model=Ok[list[PostStat]], summary="Refresh post statistics (live)"
)
async def refresh_post_stats(
    request: Request,
    user: User,
    session: SessionDep,
    params: Annotated[RefreshPostStatsParams | None, Body()] = None,
) -> Ok[list[PostStat]]:
    """Fetch the selected posts now (every post of yours without ``postIds``) by their
    ``social_id``, wait for the result and answer the stat records created by it. Posts
    without a ``social_id`` cannot be fetched: ``message`` names them, and whatever else was
    not refreshed, and why."""
    params = params or RefreshPostStatsParams()
    ids, impossible = _ids(params.postIds)
    posts, missing = await select_posts(session, user.user_id, ids)
    if impossible or missing:
        unknown = [*map(str, missing), *impossible]
        raise NotFound(
            f"no post with id {ids_text(unknown)} among yours: check postIds (nothing was refreshed)"
        )
    fetchable = [p for p in posts if p.social_id.strip()]
    without = [p for p in posts if not p.social_id.strip()]
    skipped = (
        [f"{_count(len(without), 'post')} without a social_id cannot be fetched: {_named(without)}"]
        if without
        else []
    )
    if not fetchable:
        nothing = "no post matched: nothing to refresh" if not posts else "nothing was refreshed"
        return Ok(data=[], message="; ".join([nothing, *skipped]))
    wait = await refresh_and_wait(
        request, session, user_id=user.user_id, origin=ORIGIN, post_ids=[p.id for p in fetchable]
    )
    snapshots = await post_stats(session, [p.id for p in fetchable], wait.window)
    refreshed = {s.post_id for s in snapshots}
    message = _report(wait, "post", fetchable, refreshed, stats_path="/post/stats", asked=len(posts))
    return Ok(data=[PostStat.of(s) for s in snapshots], message="; ".join([message, *skipped]))


# ---------------------------------------------------------------------------- messages


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _named(rows: Sequence[Account | Post]) -> str:
    """``12 (tiktok), 14 (youtube)``: ids with their platforms, as many as fit."""
    return ids_text([f"{r.id} ({r.platform})" for r in rows])


def _report(
    wait: RefreshWait,
    noun: Literal["account", "post"],
    rows: Sequence[Account | Post],
    refreshed: set[int],
    *,
    stats_path: str,
    asked: int | None = None,
) -> str:
    """What the refresh did, in one message: how many got a new stat, which failed and why,
    which were still waiting when the wait ended, and the notes of the refresh service."""
    kind = EntityKind.account.value if noun == "account" else EntityKind.post.value
    parts = [f"refreshed {refreshed_count(rows, refreshed)} of {_count(asked or len(rows), noun)}"]
    failed = wait.errors(kind)
    for e in failed[:20]:
        parts.append(
            f"{noun} {e.entity_id} ({e.platform}) failed: {e.code or 'error'}: {e.message or 'no detail'}"
        )
    if len(failed) > 20:
        parts.append(f"{len(failed) - 20} more {noun}s failed")
    failed_ids = {e.entity_id for e in failed}
    others = [e for e in wait.status.errors if e.kind != kind]
    if others:
        parts.append(
            f"{_count(len(others), 'item')} found along the way failed (e.g. an account's recent posts)"
        )
    parts += list(wait.status.notes)
    if wait.timed_out:
        parts.append(
            f"stopped waiting after {wait.timeout_s:g} s with {wait.status.queued} queued and "
            f"{wait.status.running} running: they are still fetched, and their stats will be in "
            f"POST {stats_path}; follow refresh request {wait.request_id} at GET /v1/refresh/{wait.request_id}"
        )
    no_new = [r for r in rows if r.id not in refreshed and r.id not in failed_ids]
    if no_new and not wait.timed_out:
        parts.append(f"no new stat for {noun} {_named(no_new)}")
    elif no_new:
        parts.append(f"no new stat yet for {noun} {_named(no_new)}")
    return "; ".join(parts)


def refreshed_count(rows: Sequence[Account | Post], refreshed: set[int]) -> int:
    return sum(1 for r in rows if r.id in refreshed)
