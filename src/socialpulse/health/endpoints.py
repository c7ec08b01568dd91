"""``GET /healthz``: for load balancers and monitoring; needs no credentials."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from socialpulse.db.session import AutoCommitRoute
from socialpulse.health.schemas import Health
from socialpulse.health.service import health_service

router = APIRouter(tags=["health"], route_class=AutoCommitRoute)


@router.get(
    "/healthz",
    response_model=Health,
    responses={503: {"description": "The database cannot be reached", "model": Health}},
)
async def healthz(request: Request, response: Response) -> Health:
    """``ok``, ``degraded`` (schema behind, or no worker alive) or ``error`` (database unreachable, 503)."""
    report = await health_service.check(request.app.state.engine, request.app.state.settings)
    if report.status == "error":
        response.status_code = 503
    return report
