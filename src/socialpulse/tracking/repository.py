"""SQL of profiles, accounts and posts. Functions return statements so filters compose."""

from __future__ import annotations

from sqlalchemy import Select, exists, select

from socialpulse.models import Account, AccountTag
from socialpulse.tracking.schemas import AccountFilters


def accounts_of(user_id: int) -> Select[tuple[Account]]:
    return select(Account).where(Account.user_id == user_id)


def filter_accounts(stmt: Select[tuple[Account]], f: AccountFilters) -> Select[tuple[Account]]:
    if f.platform is not None:
        stmt = stmt.where(Account.platform == f.platform.value)
    if f.tag is not None:
        stmt = stmt.where(exists().where(AccountTag.account_id == Account.id, AccountTag.tag == f.tag))
    if f.org_group is not None:
        stmt = stmt.where(Account.org_group == f.org_group)
    if f.user_group is not None:
        stmt = stmt.where(Account.user_group == f.user_group)
    if f.is_competitor is not None:
        stmt = stmt.where(Account.is_competitor.is_(f.is_competitor))
    if f.status is not None:
        stmt = stmt.where(Account.status == f.status.value)
    if f.profile is not None:
        stmt = stmt.where(Account.profile_id == f.profile)
    return stmt
