"""API shapes of refresh requests."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from socialpulse.models.enums import RequestStatus
from socialpulse.tracking.schemas import AccountFilters

EntityId = Annotated[int, Field(ge=1)]
MAX_IDS = 100_000


class RefreshPriority(StrEnum):
    normal = "normal"
    high = "high"


class StrictAccountFilters(AccountFilters):
    model_config = ConfigDict(extra="forbid")


class RefreshCreate(AccountFilters):
    """What to refresh. Nothing at all means everything of yours (every account and post).

    ``account_ids`` and ``post_ids`` name entities. Account filters (``platform``, ``tag``,
    ``org_group``, ``user_group``, ``is_competitor``, ``status``, ``profile``), given at the top
    level or under ``filters``, select accounts (narrowing ``account_ids`` when both are
    given) and, unless ``post_ids`` or ``account_ids`` are given, the posts of those accounts.
    Paused accounts, and their posts unless named, are skipped with a note."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"account_ids": [1, 2]}, {"platform": "youtube", "priority": "high"}]
        },
    )

    account_ids: list[EntityId] | None = Field(default=None, max_length=MAX_IDS)
    post_ids: list[EntityId] | None = Field(default=None, max_length=MAX_IDS)
    filters: StrictAccountFilters | None = None
    priority: RefreshPriority = RefreshPriority.normal


class RefreshAccepted(BaseModel):
    request_id: str
    status: RequestStatus
    total: int


class RefreshItemError(BaseModel):
    kind: str
    entity_id: int
    platform: str
    code: str | None
    message: str | None
    attempts: int


class CommentTotals(BaseModel):
    """Comments handled by the request's refreshes (of accounts, and of posts tracked without
    their account)."""

    posts: int = Field(description="posts whose comments were fetched")
    fetched: int
    new: int
    updated: int = Field(description="known comments whose likes, replies or text changed")
    scored: int = Field(description="new comments labelled by the sentiment analyser")


class RefreshStatus(BaseModel):
    request_id: str
    status: RequestStatus
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    total: int
    succeeded: int
    failed: int
    queued: int
    running: int
    notes: list[str]
    errors: list[RefreshItemError]
    comments: CommentTotals | None = Field(
        default=None, description="set once the request has finished, when its refreshes handled comments"
    )

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


FINISHED = frozenset({RequestStatus.succeeded, RequestStatus.partial, RequestStatus.failed})
