"""SQL of platform credentials. Functions return statements so filters compose."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Delete, Select, delete, select

from socialpulse.models import Account, PlatformCredential, Post


def credential_of(account_id: int, platform: str) -> Select[PlatformCredential]:
    return select(PlatformCredential).where(
        PlatformCredential.account_id == account_id, PlatformCredential.platform == platform
    )


def credentials_of_accounts(platform: str, account_ids: Sequence[int]) -> Select[PlatformCredential]:
    return select(PlatformCredential).where(
        PlatformCredential.platform == platform, PlatformCredential.account_id.in_(account_ids)
    )


def credentials_of_posts(platform: str, post_ids: Sequence[int]) -> Select[int, PlatformCredential]:
    """(post id, its account's credential) for the posts whose account has one."""
    return (
        select(Post.id, PlatformCredential)
        .join(PlatformCredential, PlatformCredential.account_id == Post.account_id)
        .where(PlatformCredential.platform == platform, Post.id.in_(post_ids))
    )


def account_of(user_id: int, account_id: int) -> Select[Account]:
    return select(Account).where(Account.user_id == user_id, Account.id == account_id)


def delete_credential(account_id: int, platform: str) -> Delete:
    return delete(PlatformCredential).where(
        PlatformCredential.account_id == account_id, PlatformCredential.platform == platform
    )
