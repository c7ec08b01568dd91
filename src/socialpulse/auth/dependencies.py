"""Request authentication: ``Authorization: Bearer <key or JWT>`` or ``Authorization: Apikey <key>``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select

from socialpulse.auth.service import Principal, auth, decode_jwt, looks_like_jwt
from socialpulse.db.session import SessionDep
from socialpulse.errors import Unauthorized
from socialpulse.models import User

SCHEMES = ("bearer", "apikey")
INTERNAL_PRINCIPAL = "socialpulse.principal"
"""ASGI scope key under which a request made inside the process (a renewal of a kept analytics
answer) carries its user. Only the ASGI server builds the scope of a client's request, so no
client can set it."""


def credentials(request: Request) -> tuple[str, str]:
    """The (scheme, token) of the request; raises 401 saying what is missing."""
    header = request.headers.get("authorization")
    if not header:
        raise Unauthorized(
            "missing credentials: send 'Authorization: Bearer <API key or token>' or 'Authorization: Apikey <API key>'"
        )
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() not in SCHEMES or not token:
        raise Unauthorized(
            "malformed Authorization header: expected 'Bearer <API key or token>' or 'Apikey <API key>'"
        )
    return scheme.lower(), token


async def resolve_principal(request: Request, session: SessionDep, scheme: str, token: str) -> Principal:
    if scheme == "bearer" and looks_like_jwt(token):
        principal = decode_jwt(request.app.state.settings, token)
        if await session.scalar(select(User.id).where(User.id == principal.user_id)) is None:
            raise Unauthorized("the token's user no longer exists")
        return principal
    return await auth.authenticate_key(session, token)


async def current_principal(request: Request, session: SessionDep) -> Principal:
    internal: Principal | None = request.scope.get(INTERNAL_PRINCIPAL)
    if internal is not None:
        request.state.principal = internal
        return internal
    scheme, token = credentials(request)
    principal = await resolve_principal(request, session, scheme, token)
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]
