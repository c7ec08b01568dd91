"""Native API of profiles, accounts and posts: parse, authorise, call the service."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from socialpulse.auth.dependencies import CurrentUser
from socialpulse.db.session import AutoCommitRoute, SessionDep
from socialpulse.errors import BadRequest, Conflict, NotFound, Unprocessable
from socialpulse.models import Account, Post
from socialpulse.models.enums import AccountStatus
from socialpulse.platforms.ids import parse_platform
from socialpulse.stats.schemas import MOMENT_FORM, parse_moment
from socialpulse.tracking.schemas import (
    DEFAULT_LIMIT,
    MAX_ID,
    MAX_LIMIT,
    AccountCreate,
    AccountFilters,
    AccountID,
    AccountRead,
    AccountUpdate,
    Page,
    PageParams,
    PostCreate,
    PostFilters,
    PostID,
    PostRead,
    ProfileAttach,
    ProfileCreate,
    ProfileDetail,
    ProfileID,
    ProfileRead,
    ProfileUpdate,
)
from socialpulse.tracking.service import account_service, post_service, profile_service

router = APIRouter(prefix="/v1", route_class=AutoCommitRoute)

Responses = dict[int | str, dict[str, Any]]
NOT_FOUND: Responses = {404: NotFound.schema()}
BAD_INPUT: Responses = {422: Unprocessable.schema()}
CONFLICT: Responses = {409: Conflict.schema()}
BAD_CURSOR: Responses = {400: BadRequest.schema()}


def page_params(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"items per page, 1 to {MAX_LIMIT}")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page")
    ] = None,
) -> PageParams:
    return PageParams.from_query(limit, cursor)


PageDep = Annotated[PageParams, Depends(page_params)]


def account_filters(
    platform: Annotated[str | None, Query(description="instagram, tiktok, youtube, x, ...")] = None,
    tag: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    org_group: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    user_group: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    is_competitor: bool | None = None,
    status: AccountStatus | None = None,
    profile: Annotated[int | None, Query(ge=1, le=MAX_ID, description="a profile id")] = None,
) -> AccountFilters:
    return AccountFilters(
        platform=parse_platform(platform, field="platform") if platform is not None else None,
        tag=tag,
        org_group=org_group,
        user_group=user_group,
        is_competitor=is_competitor,
        status=status,
        profile=profile,
    )


def post_filters(
    account_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="posts of this account")] = None,
    platform: Annotated[str | None, Query(description="instagram, tiktok, youtube, x, ...")] = None,
    posted_after: Annotated[
        str | None, Query(description=f"posted at or after this moment: {MOMENT_FORM}")
    ] = None,
    posted_before: Annotated[
        str | None, Query(description=f"posted before this moment (a date: before that day): {MOMENT_FORM}")
    ] = None,
    tracked: Annotated[
        bool | None, Query(description="true: posts asked for; false: posts found on tracked accounts")
    ] = None,
) -> PostFilters:
    return PostFilters(
        account_id=account_id,
        platform=parse_platform(platform, field="platform") if platform is not None else None,
        posted_after=parse_moment(posted_after, "posted_after") if posted_after is not None else None,
        posted_before=parse_moment(posted_before, "posted_before") if posted_before is not None else None,
        tracked=tracked,
    )


async def account_reads(session: AsyncSession, accounts: Sequence[Account]) -> list[AccountRead]:
    latest = await account_service.latest(session, accounts)
    return [AccountRead.of(a, latest.get(a.id)) for a in accounts]


async def post_reads(session: AsyncSession, posts: Sequence[Post]) -> list[PostRead]:
    latest = await post_service.latest(session, posts)
    return [PostRead.of(p, latest.get(p.id)) for p in posts]


async def profile_detail(session: AsyncSession, user_id: int, profile_id: int) -> ProfileDetail:
    profile = await profile_service.get(session, user_id, profile_id)
    accounts = await profile_service.accounts(session, user_id, profile_id)
    return ProfileDetail(
        id=profile.id,
        name=profile.name,
        created_at=profile.created_at,
        accounts=await account_reads(session, accounts),
    )


# ---------------------------------------------------------------------------- profiles


@router.post(
    "/profiles",
    status_code=201,
    response_model=ProfileRead,
    tags=["profiles"],
    responses=CONFLICT | BAD_INPUT,
)
async def create_profile(body: ProfileCreate, principal: CurrentUser, session: SessionDep) -> ProfileRead:
    """Creates a profile: a named creator or brand that groups accounts across platforms."""
    profile = await profile_service.create(session, principal.user_id, body.name)
    return ProfileRead.model_validate(profile)


@router.get("/profiles", response_model=Page[ProfileRead], tags=["profiles"], responses=BAD_CURSOR)
async def list_profiles(principal: CurrentUser, session: SessionDep, page: PageDep) -> Page[ProfileRead]:
    result = await profile_service.list_page(session, principal.user_id, page)
    return Page(items=[ProfileRead.model_validate(p) for p in result.items], next_cursor=result.next_cursor)


@router.get("/profiles/{profile_id}", response_model=ProfileDetail, tags=["profiles"], responses=NOT_FOUND)
async def get_profile(profile_id: ProfileID, principal: CurrentUser, session: SessionDep) -> ProfileDetail:
    """The profile with its accounts."""
    return await profile_detail(session, principal.user_id, profile_id)


@router.patch(
    "/profiles/{profile_id}",
    response_model=ProfileRead,
    tags=["profiles"],
    responses=NOT_FOUND | CONFLICT | BAD_INPUT,
)
async def rename_profile(
    profile_id: ProfileID, body: ProfileUpdate, principal: CurrentUser, session: SessionDep
) -> ProfileRead:
    profile = await profile_service.rename(session, principal.user_id, profile_id, body.name)
    return ProfileRead.model_validate(profile)


@router.delete("/profiles/{profile_id}", status_code=204, tags=["profiles"], responses=NOT_FOUND)
async def delete_profile(profile_id: ProfileID, principal: CurrentUser, session: SessionDep) -> None:
    """Deletes the profile. Its accounts stay tracked, attached to no profile."""
    await profile_service.delete(session, principal.user_id, profile_id)


@router.post(
    "/profiles/{profile_id}/accounts",
    response_model=ProfileDetail,
    tags=["profiles"],
    responses=NOT_FOUND | BAD_INPUT,
)
async def attach_accounts(
    profile_id: ProfileID, body: ProfileAttach, principal: CurrentUser, session: SessionDep
) -> ProfileDetail:
    """Attaches accounts to the profile (moving them from another profile); answers the profile."""
    await profile_service.attach(session, principal.user_id, profile_id, body.account_ids)
    return await profile_detail(session, principal.user_id, profile_id)


@router.delete(
    "/profiles/{profile_id}/accounts/{account_id}", status_code=204, tags=["profiles"], responses=NOT_FOUND
)
async def detach_account(
    profile_id: ProfileID, account_id: AccountID, principal: CurrentUser, session: SessionDep
) -> None:
    await profile_service.detach(session, principal.user_id, profile_id, account_id)


# ---------------------------------------------------------------------------- accounts


@router.post(
    "/accounts",
    status_code=201,
    response_model=AccountRead,
    tags=["accounts"],
    responses=NOT_FOUND | CONFLICT | BAD_INPUT,
)
async def create_account(body: AccountCreate, principal: CurrentUser, session: SessionDep) -> AccountRead:
    """Tracks an account given by ``platform`` and ``handle``, or by a profile ``url``; its first
    refresh is queued at once. 409 (with ``existing_id``) when it is already tracked."""
    account = await account_service.create(session, principal.user_id, body)
    return AccountRead.of(account, None)


@router.get(
    "/accounts", response_model=Page[AccountRead], tags=["accounts"], responses=NOT_FOUND | BAD_CURSOR
)
async def list_accounts(
    principal: CurrentUser,
    session: SessionDep,
    filters: Annotated[AccountFilters, Depends(account_filters)],
    page: PageDep,
) -> Page[AccountRead]:
    result = await account_service.list_page(session, principal.user_id, filters, page)
    return Page(items=await account_reads(session, result.items), next_cursor=result.next_cursor)


@router.get("/accounts/{account_id}", response_model=AccountRead, tags=["accounts"], responses=NOT_FOUND)
async def get_account(account_id: AccountID, principal: CurrentUser, session: SessionDep) -> AccountRead:
    """The account with the counters of its newest snapshot (``latest``)."""
    account = await account_service.get(session, principal.user_id, account_id)
    return (await account_reads(session, [account]))[0]


@router.patch(
    "/accounts/{account_id}", response_model=AccountRead, tags=["accounts"], responses=NOT_FOUND | BAD_INPUT
)
async def update_account(
    account_id: AccountID, body: AccountUpdate, principal: CurrentUser, session: SessionDep
) -> AccountRead:
    """Changes the fields given. ``tags`` replaces the set; ``paused: false`` makes the account due now."""
    account = await account_service.update(session, principal.user_id, account_id, body)
    return (await account_reads(session, [account]))[0]


@router.delete("/accounts/{account_id}", status_code=204, tags=["accounts"], responses=NOT_FOUND)
async def delete_account(account_id: AccountID, principal: CurrentUser, session: SessionDep) -> None:
    """Stops tracking the account and deletes its posts and history."""
    await account_service.delete(session, principal.user_id, account_id)


# ---------------------------------------------------------------------------- posts


@router.post(
    "/posts",
    status_code=201,
    response_model=PostRead,
    tags=["posts"],
    responses={200: {"description": "A post already found on a tracked account, now tracked"}}
    | CONFLICT
    | BAD_INPUT,
)
async def create_post(
    body: PostCreate, principal: CurrentUser, session: SessionDep, response: Response
) -> PostRead:
    """Tracks a post given by ``platform`` and ``social_id``, or by its ``url``; its first refresh is
    queued at once. 409 (with ``existing_id``) when it is already tracked."""
    post, created = await post_service.create(session, principal.user_id, body)
    if not created:
        response.status_code = 200
    return (await post_reads(session, [post]))[0]


@router.get("/posts", response_model=Page[PostRead], tags=["posts"], responses=NOT_FOUND | BAD_CURSOR)
async def list_posts(
    principal: CurrentUser,
    session: SessionDep,
    filters: Annotated[PostFilters, Depends(post_filters)],
    page: PageDep,
) -> Page[PostRead]:
    result = await post_service.list_page(session, principal.user_id, filters, page)
    return Page(items=await post_reads(session, result.items), next_cursor=result.next_cursor)


@router.get("/posts/{post_id}", response_model=PostRead, tags=["posts"], responses=NOT_FOUND)
async def get_post(post_id: PostID, principal: CurrentUser, session: SessionDep) -> PostRead:
    """The post with the counters of its newest snapshot (``latest``)."""
    post = await post_service.get(session, principal.user_id, post_id)
    return (await post_reads(session, [post]))[0]


@router.delete("/posts/{post_id}", status_code=204, tags=["posts"], responses=NOT_FOUND)
async def delete_post(post_id: PostID, principal: CurrentUser, session: SessionDep) -> None:
    """Stops tracking the post and deletes its history and comments."""
    await post_service.delete(session, principal.user_id, post_id)
