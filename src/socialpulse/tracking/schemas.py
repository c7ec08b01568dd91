"""API shapes of profiles, accounts and posts."""

from __future__ import annotations

from pydantic import BaseModel, Field

from socialpulse.models.enums import AccountStatus, Platform


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
