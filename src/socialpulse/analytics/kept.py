"""Kept analytics answers served before routing.

A kept answer is stored under a key of (configuration, user, path, query), and only ever for a
request its endpoint answered with 200: a request whose key finds a current kept answer is the
same request, by the same user, with the same parameters, already validated once. So this ASGI
middleware answers it without routing, parameter validation or dependency solving: it
authenticates the request exactly as the endpoints do (:func:`resolve_principal`), derives the
answer's scope from the path as the endpoint does, and runs the same one-statement
:func:`~socialpulse.analytics.cache.lookup` in a read-only transaction. A hit is served with the
same body, ``ETag`` (and ``304``) and ``X-Analytics-Cache: hit`` as the endpoint would serve it.

Anything else goes on to the app unchanged: other paths and methods, failed authentication
(the endpoint then answers the 401), a path or query it cannot read (the endpoint answers the
400 or 404), a miss (the endpoint computes; the user found here travels with the request, so it
is not looked up twice). The database connection is released before the request goes on.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from socialpulse.analytics import cache
from socialpulse.analytics.endpoints import parse_account_ids  # the endpoint's own parsing
from socialpulse.auth.dependencies import INTERNAL_PRINCIPAL, credentials, resolve_principal
from socialpulse.auth.service import Principal
from socialpulse.config import Settings
from socialpulse.db.engine import READ_ONLY
from socialpulse.errors import AppError
from socialpulse.kit.time import utcnow
from socialpulse.tracking.schemas import MAX_ID

log = logging.getLogger(__name__)

ROUTES = re.compile(
    r"/v1/(?:(accounts)/(\d{1,19})/report|(posts|profiles)/(\d{1,19})/analytics|analytics/(impressions))"
)


def answer_scope(path: str, request: Request) -> cache.Scope | None:
    """The scope the endpoint at ``path`` gives its answer, or None when ``path`` is not a kept
    analytics answer or its parameters are not read here (the endpoint then decides)."""
    m = ROUTES.fullmatch(path)
    if m is None:
        return None
    accounts, account_id, kind, entity_id, impressions = m.groups()
    if impressions is None:
        entity = int(account_id or entity_id)
        if not 1 <= entity <= MAX_ID:
            return None
        if accounts:
            return cache.Scope.account(entity)
        return cache.Scope.post(entity) if kind == "posts" else cache.Scope.profile(entity)
    params = request.query_params
    profile = params.getlist("profile")
    ids = parse_account_ids(params.getlist("account_ids") or None)
    if profile and not ids and len(profile) == 1 and profile[0].isdigit():
        return cache.Scope.profile(int(profile[0]))
    if ids and not profile:
        return cache.Scope.accounts(ids)
    return None


class KeptAnswers:
    """ASGI middleware: serves current kept analytics answers before routing (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and INTERNAL_PRINCIPAL not in scope:
            try:
                response = await self.kept(scope)
            except Exception:  # whatever failed here, the endpoint will meet and report
                log.debug("kept answer lookup failed; the endpoint answers", exc_info=True)
                response = None
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def kept(self, scope: Scope) -> Any:
        """The response of a current kept answer, or None (with the request's user recorded
        in ``scope`` once authenticated)."""
        state = scope["app"].state
        settings: Settings = state.settings
        if settings.analytics_cache_ttl_s <= 0:
            return None
        path: str = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        request = Request(scope)
        try:
            answer_of = answer_scope(path, request)
            if answer_of is None:
                return None
            scheme, token = credentials(request)
        except AppError:
            return None
        sessions: async_sessionmaker[AsyncSession] = state.sessions
        async with sessions() as session:
            if session.get_bind().dialect.name == "sqlite":  # read a snapshot, take no write lock
                await session.connection(execution_options={READ_ONLY: True})
            try:
                principal: Principal = await resolve_principal(request, session, scheme, token)
            except AppError:
                return None
            key = cache.cache_key(request, principal.user_id)
            kept = await cache.lookup(session, principal.user_id, answer_of, key, utcnow())
        if kept.fingerprint is not None and kept.answer is not None and kept.answer[0] == kept.fingerprint:
            return cache.hit(request, kept.answer)
        # a miss: the endpoint looks again in its own transaction (its answer must be computed
        # from data no newer than the fingerprint it reads there), but need not authenticate again
        scope[INTERNAL_PRINCIPAL] = principal
        return None
