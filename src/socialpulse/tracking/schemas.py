"""API shapes of profiles, accounts and posts."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from socialpulse.errors import BadRequest
from socialpulse.kit.pagination import decode_cursor, encode_cursor
from socialpulse.models import Account, AccountSnapshot, Post, PostSnapshot
from socialpulse.models.enums import AccountStatus, Platform
from socialpulse.stats.schemas import AccountLatest, PostLatest

MAX_ID = 2**63 - 1  # BIGINT: a larger id cannot exist, and PostgreSQL would refuse to compare it
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MIN_REFRESH_INTERVAL_S = 3600
MAX_REFRESH_INTERVAL_S = 366 * 24 * 3600

BAD_CURSOR = "cursor is not valid: pass the next_cursor value of a previous page"

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
ProfileID = Annotated[int, Path(ge=1, le=MAX_ID, description="a profile id")]
AccountID = Annotated[int, Path(ge=1, le=MAX_ID, description="an account id")]
PostID = Annotated[int, Path(ge=1, le=MAX_ID, description="a post id")]

# ---------------------------------------------------------------------------- field types

_PROFILE_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,100}")
PROFILE_NAME_FORM = "1 to 100 characters of letters, digits, '_', '-' or '.' (e.g. 'acme-brand')"


def _profile_name(value: str) -> str:
    if not _PROFILE_NAME.fullmatch(value):
        raise ValueError(f"a profile name is {PROFILE_NAME_FORM}; it appears in URLs")
    return value


def _label(max_len: int, what: str) -> Any:
    def check(value: str) -> str:
        value = value.strip()
        if not 1 <= len(value) <= max_len:
            raise ValueError(f"a {what} is 1 to {max_len} characters (not blank)")
        return value

    return AfterValidator(check)


ProfileName = Annotated[str, AfterValidator(_profile_name)]
Tag = Annotated[str, _label(100, "tag")]
Group = Annotated[str, _label(200, "group name")]
RefreshInterval = Annotated[
    int,
    Field(
        ge=MIN_REFRESH_INTERVAL_S,
        le=MAX_REFRESH_INTERVAL_S,
        description="seconds between refreshes, at least 3600 (one hour); null means the default",
    ),
]


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


Tags = Annotated[
    list[Tag],
    Field(max_length=50, description="labels to filter by; at most 50"),
    AfterValidator(_unique),
]


class Body(BaseModel):
    """Request bodies reject fields they do not know, so a typo is an error, not a no-op."""

    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------- pagination

T = TypeVar("T")


@dataclass(frozen=True)
class PageParams:
    """Keyset pagination on id: ``after`` is the last id of the previous page."""

    limit: int = DEFAULT_LIMIT
    after: int | None = None

    @classmethod
    def from_query(cls, limit: int = DEFAULT_LIMIT, cursor: str | None = None) -> PageParams:
        if not cursor:
            return cls(limit=limit)
        (after,) = decode_cursor(cursor, 1)
        if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after <= MAX_ID:
            raise BadRequest(BAD_CURSOR)
        return cls(limit=limit, after=after)


@dataclass
class Paged(Generic[T]):
    """One page of rows and the cursor of the next (None on the last page)."""

    items: list[T] = field(default_factory=list)
    next_cursor: str | None = None

    @classmethod
    def of(cls, rows: list[T], params: PageParams, key: Callable[[T], Any]) -> Paged[T]:
        """``rows`` was fetched with ``limit + 1``: the extra row says another page exists."""
        if len(rows) > params.limit:
            rows = rows[: params.limit]
            return cls(items=rows, next_cursor=encode_cursor(key(rows[-1])))
        return cls(items=rows)


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null on the last page")


# ---------------------------------------------------------------------------- profiles


class ProfileCreate(Body):
    name: ProfileName


class ProfileUpdate(Body):
    name: ProfileName


class ProfileAttach(Body):
    account_ids: Annotated[list[Id], Field(min_length=1, max_length=1000), AfterValidator(_unique)]


class ProfileRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: datetime


# ---------------------------------------------------------------------------- accounts


class AccountFilters(BaseModel):
    """Filters shared by the account list, refresh requests and the compatibility APIs."""

    platform: Platform | None = None
    tag: str | None = None
    org_group: str | None = None
    user_group: str | None = None
    is_competitor: bool | None = None
    status: AccountStatus | None = None
    profile: int | None = Field(default=None, description="profile id")

    def is_empty(self) -> bool:
        return not self.model_dump(exclude_none=True)


class AccountCreate(Body):
    """Either ``platform`` and ``handle``, or ``url`` (a profile URL; a ``platform`` sent with it must match)."""

    platform: str | None = Field(
        default=None, max_length=100, description="instagram, tiktok, youtube, x, threads, ..."
    )
    handle: str | None = Field(default=None, max_length=500, description="@name, name, or the platform's id")
    url: str | None = Field(default=None, max_length=2000, description="a profile URL")
    profile_id: Id | None = None
    tags: Tags = []
    org_group: Group | None = None
    user_group: Group | None = None
    is_competitor: bool = False
    refresh_interval_s: RefreshInterval | None = None
    paused: bool = False

    @model_validator(mode="after")
    def _one_identity(self) -> AccountCreate:
        if self.url is not None:
            if self.handle is not None:
                raise ValueError("give either 'url' (a profile URL) or 'platform' and 'handle', not both")
        elif self.platform is None or self.handle is None:
            raise ValueError(
                "give 'platform' and 'handle' (e.g. youtube and @name), or 'url' (a profile URL); "
                f"missing: {' and '.join(f for f in ('platform', 'handle') if getattr(self, f) is None)}"
            )
        return self


class AccountUpdate(Body):
    """Only the fields present change. ``tags`` replaces the account's set of tags."""

    tags: Tags = []
    org_group: Group | None = None
    user_group: Group | None = None
    is_competitor: bool = False
    refresh_interval_s: RefreshInterval | None = None
    paused: bool = False
    profile_id: Id | None = Field(default=None, description="null detaches the account from its profile")


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    platform: str
    handle: str
    platform_id: str | None
    url: str | None
    display_name: str | None
    biography: str | None
    avatar_url: str | None
    website: str | None
    category: str | None
    location: str | None
    profile_id: int | None
    tags: list[str]
    org_group: str | None
    user_group: str | None
    is_competitor: bool
    refresh_interval_s: int | None
    paused: bool
    status: str
    status_detail: str | None
    last_refreshed_at: datetime | None
    next_refresh_at: datetime | None
    created_at: datetime
    latest: AccountLatest | None = Field(
        default=None, description="the newest snapshot; null before the first"
    )

    @field_validator("tags")
    @classmethod
    def _sorted(cls, tags: list[str]) -> list[str]:
        return sorted(tags)

    @classmethod
    def of(cls, account: Account, latest: AccountSnapshot | None) -> AccountRead:
        read = cls.model_validate(account)
        read.latest = AccountLatest.model_validate(latest) if latest is not None else None
        return read


class ProfileDetail(ProfileRead):
    accounts: list[AccountRead]


# ---------------------------------------------------------------------------- posts


class PostCreate(Body):
    """Either ``platform`` and ``social_id``, or ``url`` (a post URL; a ``platform`` sent with it must match)."""

    platform: str | None = Field(
        default=None, max_length=100, description="instagram, tiktok, youtube, x, threads, ..."
    )
    social_id: str | None = Field(
        default=None, max_length=500, description="video id, shortcode, post id or at-uri"
    )
    url: str | None = Field(default=None, max_length=2000, description="a post URL")

    @model_validator(mode="after")
    def _one_identity(self) -> PostCreate:
        if self.url is not None:
            if self.social_id is not None:
                raise ValueError("give either 'url' (a post URL) or 'platform' and 'social_id', not both")
        elif self.platform is None or self.social_id is None:
            raise ValueError(
                "give 'platform' and 'social_id' (e.g. youtube and dQw4w9WgXcQ), or 'url' (a post URL); "
                f"missing: {' and '.join(f for f in ('platform', 'social_id') if getattr(self, f) is None)}"
            )
        return self


@dataclass(frozen=True)
class PostFilters:
    account_id: int | None = None
    platform: Platform | None = None
    posted_after: datetime | None = None  # inclusive
    posted_before: datetime | None = None  # exclusive
    tracked: bool | None = None


class PostRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    platform: str
    social_id: str
    url: str | None
    account_id: int | None
    author_handle: str | None
    author_platform_id: str | None
    type: str | None
    caption: str | None
    posted_at: datetime | None
    hashtags: list[str]
    mentions: list[str]
    links: list[str]
    sponsored: bool | None
    tracked: bool
    status: str
    status_detail: str | None
    last_refreshed_at: datetime | None
    next_refresh_at: datetime | None
    created_at: datetime
    latest: PostLatest | None = Field(default=None, description="the newest snapshot; null before the first")

    @classmethod
    def of(cls, post: Post, latest: PostSnapshot | None) -> PostRead:
        read = cls.model_validate(post)
        read.latest = PostLatest.model_validate(latest) if latest is not None else None
        return read
