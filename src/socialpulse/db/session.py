"""Request-scoped sessions: one transaction per request, committed before the response is built."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from socialpulse.db.engine import READ_ONLY

SESSION_KEY = "socialpulse.session"
READS_ONLY = "__socialpulse_reads_only__"
READ_METHODS = frozenset({"GET", "HEAD"})

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def reads_only(endpoint: Endpoint) -> Endpoint:
    """Mark an endpoint whose GET and HEAD requests never write: their transaction is read-only
    (:data:`socialpulse.db.engine.READ_ONLY`), so on SQLite they read side by side instead of
    queueing for the write lock. Put it under the route decorator. Opt-in: a GET that may write
    (one that enqueues a refresh, say) must not carry it; if it did, its writes would fail."""
    setattr(endpoint, READS_ONLY, True)
    return endpoint


def is_read_only(request: Request) -> bool:
    """Whether the request's transaction only reads: a GET or HEAD of a :func:`reads_only` endpoint."""
    return request.method in READ_METHODS and bool(getattr(request.scope.get("endpoint"), READS_ONLY, False))


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    async with sessions() as session:
        request.state.session = session
        if is_read_only(request) and session.get_bind().dialect.name == "sqlite":
            # the option must be on the connection before its transaction begins
            await session.connection(execution_options={READ_ONLY: True})
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise


SessionDep = Annotated[AsyncSession, Depends(get_session)]


class AutoCommitRoute(APIRoute):
    """Commits the request's session after the endpoint returns, before the response is sent,
    so a failed commit surfaces as an error instead of a lost write behind a 2xx."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def commit_after(request: Request) -> Response:
            response = await handler(request)
            session: AsyncSession | None = getattr(request.state, "session", None)
            if session is not None and session.in_transaction():
                if response.status_code < 400:
                    await session.commit()
                else:
                    await session.rollback()
            return response

        return commit_after
