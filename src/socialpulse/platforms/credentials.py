"""What a connector needs to read the user tokens an account's owner granted us.

Connectors that act on behalf of an account (TikTok's Display API: one user token per
authorised account) get a :class:`TokenStore` injected; the database-backed one is
``socialpulse.credentials.service.DBTokenStore`` (table ``platform_credentials``). Tests pass
an in-memory store. Tokens never travel through ``Account.details`` or any API shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class StoredToken:
    """One account's credentials on one platform, as stored."""

    credential_id: int
    account_id: int
    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None  # None: unknown, use until the platform refuses it
    scopes: tuple[str, ...] = ()


class TokenStore(Protocol):
    """Stored tokens, looked up by the refresh engine's keys (``AccountRef.key``, ``PostRef.key``)."""

    async def for_accounts(self, platform: str, account_keys: Sequence[str]) -> dict[str, StoredToken]:
        """The token of each account that has one (keys are account ids as strings)."""
        ...

    async def for_posts(self, platform: str, post_keys: Sequence[str]) -> dict[str, StoredToken]:
        """The token of each post's account, for posts whose account has one."""
        ...

    async def renewed(
        self,
        credential_id: int,
        *,
        access_token: str,
        refresh_token: str | None,
        expires_at: datetime | None,
        scopes: Sequence[str] | None = None,
    ) -> None:
        """Keep the tokens the platform issued in exchange for a refresh token."""
        ...


class MemoryTokenStore:
    """A :class:`TokenStore` in memory: account key -> token, post key -> account key."""

    def __init__(
        self,
        tokens: dict[str, StoredToken] | None = None,
        posts: dict[str, str] | None = None,
    ) -> None:
        self.tokens: dict[str, StoredToken] = dict(tokens or {})
        self.posts: dict[str, str] = dict(posts or {})

    async def for_accounts(self, platform: str, account_keys: Sequence[str]) -> dict[str, StoredToken]:
        return {k: self.tokens[k] for k in account_keys if k in self.tokens}

    async def for_posts(self, platform: str, post_keys: Sequence[str]) -> dict[str, StoredToken]:
        return {k: self.tokens[a] for k in post_keys if (a := self.posts.get(k)) in self.tokens}

    async def renewed(
        self,
        credential_id: int,
        *,
        access_token: str,
        refresh_token: str | None,
        expires_at: datetime | None,
        scopes: Sequence[str] | None = None,
    ) -> None:
        for key, t in self.tokens.items():
            if t.credential_id == credential_id:
                self.tokens[key] = StoredToken(
                    credential_id=credential_id,
                    account_id=t.account_id,
                    access_token=access_token,
                    refresh_token=refresh_token if refresh_token is not None else t.refresh_token,
                    expires_at=expires_at,
                    scopes=tuple(scopes) if scopes is not None else t.scopes,
                )
