from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel

from socialpulse.auth.dependencies import CurrentUser
from socialpulse.auth.service import auth
from socialpulse.db.session import AutoCommitRoute, SessionDep
from socialpulse.errors import Unauthorized

router = APIRouter(prefix="/v1/auth", tags=["auth"], route_class=AutoCommitRoute)


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class Me(BaseModel):
    id: int
    email: str
    authenticated_with: str


@router.post("/token", response_model=Token, responses={401: Unauthorized.schema()})
async def token(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(description="the user's e-mail")],
    password: Annotated[str, Form()],
) -> Token:
    """OAuth2 password form: ``username`` (e-mail) and ``password`` give a JWT."""
    settings = request.app.state.settings
    jwt_token = await auth.login(session, settings, username, password)
    return Token(access_token=jwt_token, expires_in=settings.jwt_ttl_s)


@router.get("/me", response_model=Me)
async def me(principal: CurrentUser) -> Me:
    return Me(id=principal.user_id, email=principal.email, authenticated_with=principal.via)
