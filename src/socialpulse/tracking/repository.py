"""SQL of profiles, accounts and posts. Functions return statements so filters compose."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Delete, Select, Update, delete, exists, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute

from socialpulse.models import Account, AccountTag, Post, Profile
from socialpulse.tracking.schemas import AccountFilters, PageParams, PostFilters

# ---------------------------------------------------------------------------- pagination


def page(stmt: Select[Any], id_column: InstrumentedAttribute[int], params: PageParams) -> Select[Any]:
    """Keyset page on id: rows after ``params.after``, one more than the limit (to know if more follow)."""
    if params.after is not None:
        stmt = stmt.where(id_column > params.after)
    return stmt.order_by(id_column).limit(params.limit + 1)


# ---------------------------------------------------------------------------- profiles


def profiles_of(user_id: int) -> Select[Profile]:
    return select(Profile).where(Profile.user_id == user_id)


def profile_by_id(user_id: int, profile_id: int) -> Select[Profile]:
    return profiles_of(user_id).where(Profile.id == profile_id)


def profile_by_name(user_id: int, name: str) -> Select[Profile]:
    return profiles_of(user_id).where(Profile.name == name)


def delete_profile(user_id: int, profile_id: int) -> Delete:
    """Its accounts stay: the foreign key sets their ``profile_id`` to null."""
    return delete(Profile).where(Profile.user_id == user_id, Profile.id == profile_id)


def set_profile(user_id: int, account_ids: Sequence[int], profile_id: int | None) -> Update:
    return (
        update(Account)
        .where(Account.user_id == user_id, Account.id.in_(account_ids))
        .values(profile_id=profile_id)
        .execution_options(synchronize_session="fetch")
    )


# ---------------------------------------------------------------------------- accounts


def accounts_of(user_id: int) -> Select[Account]:
    return select(Account).where(Account.user_id == user_id)


def filter_accounts(stmt: Select[Account], f: AccountFilters) -> Select[Account]:
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


def account_by_id(user_id: int, account_id: int) -> Select[Account]:
    return accounts_of(user_id).where(Account.id == account_id)


def account_ids_of(user_id: int, account_ids: Sequence[int]) -> Select[int]:
    return select(Account.id).where(Account.user_id == user_id, Account.id.in_(account_ids))


def account_by_handle(user_id: int, platform: str, handle: str) -> Select[Account]:
    return accounts_of(user_id).where(Account.platform == platform, Account.handle == handle)


def same_account(user_id: int, platform: str, handle: str, platform_id: str | None) -> Select[Account]:
    """The user's account that is this one: same normalised handle, or same platform id."""
    same = Account.handle == handle
    if platform_id is not None:
        same = or_(same, Account.platform_id == platform_id)
    return accounts_of(user_id).where(Account.platform == platform, same).order_by(Account.id).limit(1)


def accounts_of_profile(user_id: int, profile_id: int) -> Select[Account]:
    return accounts_of(user_id).where(Account.profile_id == profile_id).order_by(Account.id)


def delete_account(user_id: int, account_id: int) -> Delete:
    """Its tags, posts and snapshots go with it (foreign keys cascade)."""
    return delete(Account).where(Account.user_id == user_id, Account.id == account_id)


# ---------------------------------------------------------------------------- posts


def posts_of(user_id: int) -> Select[Post]:
    return select(Post).where(Post.user_id == user_id)


def filter_posts(stmt: Select[Post], f: PostFilters) -> Select[Post]:
    if f.account_id is not None:
        stmt = stmt.where(Post.account_id == f.account_id)
    if f.platform is not None:
        stmt = stmt.where(Post.platform == f.platform.value)
    if f.posted_after is not None:
        stmt = stmt.where(Post.posted_at >= f.posted_after)
    if f.posted_before is not None:
        stmt = stmt.where(Post.posted_at < f.posted_before)
    if f.tracked is not None:
        stmt = stmt.where(Post.tracked.is_(f.tracked))
    return stmt


def post_by_id(user_id: int, post_id: int) -> Select[Post]:
    return posts_of(user_id).where(Post.id == post_id)


def post_by_social_id(user_id: int, platform: str, social_id: str) -> Select[Post]:
    return posts_of(user_id).where(Post.platform == platform, Post.social_id == social_id)


def delete_post(user_id: int, post_id: int) -> Delete:
    """Its snapshots and comments go with it (foreign keys cascade)."""
    return delete(Post).where(Post.user_id == user_id, Post.id == post_id)
