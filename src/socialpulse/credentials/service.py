"""Storing the user tokens an account's owner granted us, and reading them for connectors.

``credentials.set`` stores (or replaces) the token of one tracked account; connectors read
tokens through :class:`DBTokenStore`, which implements
:class:`socialpulse.platforms.credentials.TokenStore`. Tokens are stored as the platform
issued them, in their own table, and are never part of an API response.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from socialpulse.credentials import repository as repo
from socialpulse.db.engine import transaction
from socialpulse.errors import NotFound, Unprocessable
from socialpulse.kit.time import aware, utcnow
from socialpulse.models import PlatformCredential
from socialpulse.platforms.credentials import StoredToken


def _stored(row: PlatformCredential) -> StoredToken:
    return StoredToken(
        credential_id=row.id,
        account_id=row.account_id,
        access_token=row.access_token,
        refresh_token=row.refresh_token,
        expires_at=row.expires_at,
        scopes=tuple(row.scopes or ()),
    )


def _keys(values: Sequence[str]) -> dict[int, str]:
    return {int(v): v for v in values if v.isdigit()}


class CredentialService:
    async def set(
        self,
        session: AsyncSession,
        *,
        user_id: int,
        account_id: int,
        access_token: str,
        refresh_token: str | None = None,
        expires_at: datetime | None = None,
        scopes: Sequence[str] = (),
    ) -> PlatformCredential:
        """Store the token of one of ``user_id``'s accounts, replacing any it had on its platform."""
        account = await session.scalar(repo.account_of(user_id, account_id))
        if account is None:
            raise NotFound(f"account {account_id} not found")
        token = access_token.strip()
        if not token:
            raise Unprocessable("access_token must not be empty", field="access_token")
        row = await session.scalar(repo.credential_of(account.id, account.platform))
        if row is None:
            row = PlatformCredential(user_id=user_id, account_id=account.id, platform=account.platform)
            session.add(row)
        row.access_token = token
        row.refresh_token = (refresh_token or "").strip() or None
        row.expires_at = aware(expires_at) if expires_at is not None else None
        row.scopes = [s.strip() for s in scopes if s.strip()]
        row.updated_at = utcnow()
        await session.flush()
        return row

    async def get(self, session: AsyncSession, *, user_id: int, account_id: int) -> PlatformCredential | None:
        account = await session.scalar(repo.account_of(user_id, account_id))
        if account is None:
            return None
        return await session.scalar(repo.credential_of(account.id, account.platform))

    async def delete(self, session: AsyncSession, *, user_id: int, account_id: int) -> bool:
        account = await session.scalar(repo.account_of(user_id, account_id))
        if account is None:
            return False
        result = await session.execute(repo.delete_credential(account.id, account.platform))
        return bool(getattr(result, "rowcount", 0))


credentials = CredentialService()


class DBTokenStore:
    """The stored tokens, for connectors (one short transaction per lookup)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def for_accounts(self, platform: str, account_keys: Sequence[str]) -> dict[str, StoredToken]:
        keys = _keys(account_keys)
        if not keys:
            return {}
        async with self.sessions() as session:
            rows = await session.scalars(repo.credentials_of_accounts(platform, list(keys)))
            return {keys[r.account_id]: _stored(r) for r in rows}

    async def for_posts(self, platform: str, post_keys: Sequence[str]) -> dict[str, StoredToken]:
        keys = _keys(post_keys)
        if not keys:
            return {}
        async with self.sessions() as session:
            rows = await session.execute(repo.credentials_of_posts(platform, list(keys)))
            return {keys[post_id]: _stored(row) for post_id, row in rows}

    async def renewed(
        self,
        credential_id: int,
        *,
        access_token: str,
        refresh_token: str | None,
        expires_at: datetime | None,
        scopes: Sequence[str] | None = None,
    ) -> None:
        values: dict[str, object] = {
            "access_token": access_token,
            "expires_at": expires_at,
            "updated_at": utcnow(),
        }
        if refresh_token:
            values["refresh_token"] = refresh_token
        if scopes is not None:
            values["scopes"] = list(scopes)
        async with transaction(self.sessions) as session:
            await session.execute(
                update(PlatformCredential).where(PlatformCredential.id == credential_id).values(**values)
            )
