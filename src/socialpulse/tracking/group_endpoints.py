"""Native API of cross-platform post groups: parse, authorise, call the service.

A group's ``request_id`` is the id upload-post's post analytics take
(``GET /api/uploadposts/post-analytics/{request_id}``); rules in :mod:`socialpulse.tracking.groups`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from socialpulse.auth.dependencies import CurrentUser
from socialpulse.db.session import AutoCommitRoute, SessionDep
from socialpulse.errors import BadRequest, Conflict, NotFound, Unprocessable
from socialpulse.tracking.endpoints import PageDep
from socialpulse.tracking.groups import MAX_POSTS, MAX_TITLE, GroupPosts, post_group_service
from socialpulse.tracking.schemas import Body, Id, Page, PostRead
from socialpulse.tracking.service import post_service

router = APIRouter(prefix="/v1", tags=["post groups"], route_class=AutoCommitRoute)

Responses = dict[int | str, dict[str, Any]]
NOT_FOUND: Responses = {404: NotFound.schema()}

RequestID = Annotated[
    str, Path(min_length=1, max_length=64, description="the group's request_id (as POST answered it)")
]


def _unique(values: list[int]) -> list[int]:
    return list(dict.fromkeys(values))


class PostGroupCreate(Body):
    """The posts that carry the same content on several platforms: at most one per platform."""

    post_ids: Annotated[
        list[Id],
        Field(min_length=1, max_length=MAX_POSTS, description=f"1 to {MAX_POSTS} ids of your posts"),
        AfterValidator(_unique),
    ]
    title: str | None = Field(
        default=None, max_length=MAX_TITLE, description="a name for the content (upload-post's post_title)"
    )

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"post_ids": [12, 14, 15], "title": "Launch video"}]}
    )


class PostGroupRead(BaseModel):
    request_id: str = Field(description="the public id of the group (upload-post's request_id)")
    title: str | None
    created_at: datetime
    platforms: list[str] = Field(description="the platforms of its posts, in the order of posts")
    posts: list[PostRead] = Field(description="its posts, each with its newest snapshot (latest)")


async def group_reads(session: AsyncSession, groups: Sequence[GroupPosts]) -> list[PostGroupRead]:
    latest = await post_service.latest(session, [p for g in groups for p in g.posts])
    return [
        PostGroupRead(
            request_id=g.request_id,
            title=g.group.title,
            created_at=g.group.created_at,
            platforms=g.platforms,
            posts=[PostRead.of(p, latest.get(p.id)) for p in g.posts],
        )
        for g in groups
    ]


@router.post(
    "/post-groups",
    status_code=201,
    response_model=PostGroupRead,
    responses=NOT_FOUND | {409: Conflict.schema(), 422: Unprocessable.schema()},
)
async def create_post_group(
    body: PostGroupCreate, principal: CurrentUser, session: SessionDep
) -> PostGroupRead:
    """Groups posts of yours that carry the same content on several platforms under one
    ``request_id``: at most one post per platform, and a post in at most one group. 404 names
    ids that are not your posts; 422 names a platform given twice; 409 names a post already
    grouped."""
    group = await post_group_service.create(session, principal.user_id, body.post_ids, body.title)
    return (await group_reads(session, [group]))[0]


@router.get("/post-groups", response_model=Page[PostGroupRead], responses={400: BadRequest.schema()})
async def list_post_groups(principal: CurrentUser, session: SessionDep, page: PageDep) -> Page[PostGroupRead]:
    """Your post groups, oldest first, each with its posts."""
    result = await post_group_service.list_page(session, principal.user_id, page)
    return Page(items=await group_reads(session, result.items), next_cursor=result.next_cursor)


@router.get("/post-groups/{request_id}", response_model=PostGroupRead, responses=NOT_FOUND)
async def get_post_group(request_id: RequestID, principal: CurrentUser, session: SessionDep) -> PostGroupRead:
    """The group with its posts. Their analytics: ``GET /v1/posts/{post_id}/analytics`` per post,
    or all at once as upload-post answers them, ``GET /api/uploadposts/post-analytics/{request_id}``."""
    group = await post_group_service.get(session, principal.user_id, request_id)
    return (await group_reads(session, [group]))[0]


@router.delete("/post-groups/{request_id}", status_code=204, responses=NOT_FOUND)
async def delete_post_group(request_id: RequestID, principal: CurrentUser, session: SessionDep) -> None:
    """Deletes the group. Its posts stay tracked."""
    await post_group_service.delete(session, principal.user_id, request_id)
