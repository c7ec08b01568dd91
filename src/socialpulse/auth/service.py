"""Users, API keys and JWTs. Keys are shown once and stored as SHA-256; passwords as scrypt."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import jwt
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from socialpulse.config import Settings
from socialpulse.errors import BadRequest, Conflict, NotFound, Unauthorized
from socialpulse.kit.time import utcnow
from socialpulse.models import ApiKey, User

KEY_PREFIX = "sp_"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_password(password: str, stored: str | None) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, salt_b64, digest_b64 = stored.split("$", 2)
    digest = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt_b64), **_SCRYPT)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        raise BadRequest(f"'{email}' is not an e-mail address (expected name@example.com)")
    return email


# The probe every API-key request makes, built once: the key's row and its user, read as plain
# columns through the connection (no ORM objects, no statement construction per request).
KEY_PROBE = (
    select(ApiKey.revoked_at, User.id, User.email)
    .join(User, User.id == ApiKey.user_id)
    .where(ApiKey.key_hash == bindparam("key_hash"))
)


@dataclass(frozen=True)
class Principal:
    user_id: int
    email: str
    via: str  # "api_key" or "jwt"


class AuthService:
    async def create_user(self, session: AsyncSession, email: str, password: str | None = None) -> User:
        email = normalise_email(email)
        if await session.scalar(select(User.id).where(User.email == email)) is not None:
            raise Conflict(f"a user with e-mail {email} already exists")
        user = User(email=email, password_hash=hash_password(password) if password else None)
        session.add(user)
        await session.flush()
        return user

    async def get_user_by_email(self, session: AsyncSession, email: str) -> User:
        user = await session.scalar(select(User).where(User.email == normalise_email(email)))
        if user is None:
            raise NotFound(f"no user with e-mail {email}: create one with `socialpulse user create {email}`")
        return user

    async def set_password(self, session: AsyncSession, user: User, password: str) -> None:
        user.password_hash = hash_password(password)

    async def create_key(
        self, session: AsyncSession, user: User, name: str | None = None
    ) -> tuple[ApiKey, str]:
        """Returns the stored key row and the key itself (shown once, never stored)."""
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        row = ApiKey(user_id=user.id, name=name, prefix=key[:10], key_hash=hash_key(key))
        session.add(row)
        await session.flush()
        return row, key

    async def revoke_key(self, session: AsyncSession, user: User, prefix: str) -> int:
        rows = (
            await session.scalars(
                select(ApiKey).where(
                    ApiKey.user_id == user.id, ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None)
                )
            )
        ).all()
        for r in rows:
            r.revoked_at = utcnow()
        return len(rows)

    async def authenticate_key(self, session: AsyncSession, key: str) -> Principal:
        conn = await session.connection()
        row = (await conn.execute(KEY_PROBE, {"key_hash": hash_key(key)})).first()
        if row is None:
            raise Unauthorized(
                "the API key is not valid: check it, or create one with `socialpulse key create`"
            )
        if row.revoked_at is not None:
            raise Unauthorized("the API key has been revoked: create a new one with `socialpulse key create`")
        return Principal(user_id=row.id, email=row.email, via="api_key")

    async def login(self, session: AsyncSession, settings: Settings, email: str, password: str) -> str:
        user = await session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None or not verify_password(password, user.password_hash):
            raise Unauthorized("e-mail or password is wrong")
        return issue_jwt(settings, user)


def issue_jwt(settings: Settings, user: User) -> str:
    now = utcnow()
    claims = {
        "sub": str(user.id),
        "email": user.email,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=settings.jwt_ttl_s)).timestamp()),
        "iss": "socialpulse",
    }
    return jwt.encode(claims, settings.secret_key, algorithm=settings.jwt_algorithm)


def decode_jwt(settings: Settings, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token, settings.secret_key, algorithms=[settings.jwt_algorithm], issuer="socialpulse"
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("the token has expired: get a new one from POST /v1/auth/token") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(
            "the token is not valid: get one from POST /v1/auth/token, or use an API key"
        ) from exc
    return Principal(user_id=int(claims["sub"]), email=str(claims.get("email", "")), via="jwt")


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and not token.startswith(KEY_PREFIX)


auth = AuthService()
