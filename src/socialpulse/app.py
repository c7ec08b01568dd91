"""The ASGI application: native API, compatibility APIs, dashboard, and (embedded) the worker pool."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from socialpulse import __version__
from socialpulse.config import Settings, get_settings
from socialpulse.db.engine import make_engine, make_sessionmaker
from socialpulse.db.migrate import upgrade
from socialpulse.errors import AppError
from socialpulse.platforms.registry import ConnectorRegistry

log = logging.getLogger("socialpulse")

PROBLEM = "application/problem+json"


def problem_response(request: Request, exc: AppError) -> JSONResponse:
    return JSONResponse(
        exc.problem(instance=request.url.path),
        status_code=exc.status_code,
        media_type=PROBLEM,
        headers=exc.headers,
    )


def _loc(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


def validation_problem(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = []
    for err in exc.errors():
        field = _loc(err.get("loc", ()))
        msg = str(err.get("msg", "invalid value"))
        msg = msg.removeprefix("Value error, ")
        errors.append({"field": field, "message": msg})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "request is not valid"
    body = {
        "type": "about:blank",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": detail,
        "instance": request.url.path,
        "errors": errors,
    }
    return JSONResponse(body, status_code=422, media_type=PROBLEM)


def http_problem(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else "error"
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no route {request.method} {request.url.path}: see /docs for the API"
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}: see /docs for the API"
    body = {"type": "about:blank", "title": str(exc.status_code), "status": exc.status_code, "detail": detail}
    return JSONResponse(
        body, status_code=exc.status_code, media_type=PROBLEM, headers=getattr(exc, "headers", None)
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, problem_response)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_problem)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_problem)  # type: ignore[arg-type]


def create_app(
    settings: Settings | None = None,
    *,
    run_workers: bool | None = None,
    migrate: bool = True,
    registry: ConnectorRegistry | None = None,
    on_ready: Callable[[FastAPI], Awaitable[None]] | None = None,
) -> FastAPI:
    """Build the app. ``run_workers`` (default: ``settings.embedded_worker``) starts the
    in-process worker pool and scheduler with the app; ``registry`` replaces the connectors
    built from settings (demo mode and tests); ``on_ready`` runs once the schema is current."""
    settings = settings or get_settings()
    workers = settings.embedded_worker if run_workers is None else run_workers

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
        app.state.engine = engine
        app.state.sessions = make_sessionmaker(engine)
        if migrate:
            await upgrade(engine)
        runtime = None
        if workers:
            from socialpulse.refresh.runtime import Runtime

            runtime = Runtime(settings, app.state.sessions, registry=registry)
            await runtime.start()
        app.state.runtime = runtime
        renewing = asyncio.Event()
        renewal: asyncio.Task[None] | None = None
        if settings.analytics_cache_ttl_s > 0 and settings.analytics_renew_s > 0:
            from socialpulse.analytics.renewal import Renewer

            renewer = Renewer(app, app.state.sessions)
            renewal = asyncio.create_task(
                renewer.run(settings.analytics_renew_s, renewing), name="analytics-renewal"
            )
        if on_ready is not None:
            await on_ready(app)
        # what startup built lives as long as the process: keep it out of the collector's
        # scans, so a full collection during a request walks only what requests allocate
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            renewing.set()
            if renewal is not None:
                renewal.cancel()
                await asyncio.gather(renewal, return_exceptions=True)
            if runtime is not None:
                await runtime.stop()
            await engine.dispose()

    app = FastAPI(
        title="socialpulse",
        version=__version__,
        description="Track social-media accounts and posts on ten platforms, keep their history, "
        "and answer analytics questions.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)

    from socialpulse.analytics.endpoints import router as analytics_router
    from socialpulse.auth.endpoints import router as auth_router
    from socialpulse.compat.codvid import router as codvid_router
    from socialpulse.compat.ugcinc import router as ugcinc_router
    from socialpulse.compat.uploadpost import router as uploadpost_router
    from socialpulse.compat.ylytic import router as ylytic_router
    from socialpulse.health.endpoints import router as health_router
    from socialpulse.refresh.endpoints import router as refresh_router
    from socialpulse.sentiment.endpoints import router as sentiment_router
    from socialpulse.stats.endpoints import router as stats_router
    from socialpulse.tracking.endpoints import router as tracking_router
    from socialpulse.tracking.group_endpoints import router as post_groups_router

    routers = (
        health_router,
        auth_router,
        tracking_router,
        post_groups_router,
        stats_router,
        refresh_router,
        analytics_router,
        sentiment_router,
        ugcinc_router,
        ylytic_router,
        uploadpost_router,
        codvid_router,
    )
    for router in routers:
        app.include_router(router)

    from socialpulse.analytics.kept import KeptAnswers

    app.add_middleware(KeptAnswers)  # current kept analytics answers, served before routing
    return app
