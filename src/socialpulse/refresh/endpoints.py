"""``/v1/refresh``: ask for a refresh, follow its progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request

from socialpulse.auth.dependencies import CurrentUser
from socialpulse.db.session import AutoCommitRoute, SessionDep
from socialpulse.errors import NotFound, Unprocessable
from socialpulse.models.enums import RequestStatus
from socialpulse.refresh.schemas import RefreshAccepted, RefreshCreate, RefreshStatus
from socialpulse.refresh.service import PRIORITIES, refresh_service
from socialpulse.tracking.schemas import AccountFilters

router = APIRouter(prefix="/v1/refresh", tags=["refresh"], route_class=AutoCommitRoute)


def merged_filters(body: RefreshCreate) -> AccountFilters | None:
    """Filters given at the top level and under ``filters``, as one; a field set in both
    places must agree."""
    top = AccountFilters.model_validate(
        body.model_dump(include=set(AccountFilters.model_fields), exclude_none=True)
    )
    nested = body.filters.model_dump(exclude_none=True) if body.filters else {}
    for name, value in nested.items():
        mine = getattr(top, name)
        if mine is not None and mine != value:
            raise Unprocessable(
                f"{name} is given twice with different values ({mine!r} and {value!r}): give it once",
                field=f"filters.{name}",
            )
    merged = top.model_copy(update=nested)
    return None if merged.is_empty() else merged


@router.post(
    "",
    status_code=202,
    response_model=RefreshAccepted,
    responses={404: NotFound.schema(), 422: Unprocessable.schema()},
    summary="Refresh accounts and posts",
)
async def create_refresh(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    body: Annotated[RefreshCreate | None, Body()] = None,
) -> RefreshAccepted:
    """Queue a refresh of the accounts and posts selected by the body (everything of yours
    when it is empty) and answer its ``request_id``; follow it with ``GET /v1/refresh/{request_id}``."""
    body = body or RefreshCreate()
    created = await refresh_service.create_request(
        session,
        user_id=user.user_id,
        account_ids=body.account_ids,
        post_ids=body.post_ids,
        filters=merged_filters(body),
        origin="api",
        priority=PRIORITIES[body.priority],
        max_attempts=request.app.state.settings.max_attempts,
    )
    return RefreshAccepted(
        request_id=created.public_id, status=RequestStatus(created.status), total=created.total
    )


@router.get(
    "/{request_id}",
    response_model=RefreshStatus,
    responses={404: NotFound.schema()},
    summary="Progress and errors of a refresh",
)
async def get_refresh(request_id: str, user: CurrentUser, session: SessionDep) -> RefreshStatus:
    return await refresh_service.get_status(session, user.user_id, request_id)
