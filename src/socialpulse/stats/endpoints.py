from __future__ import annotations

from fastapi import APIRouter

from socialpulse.db.session import AutoCommitRoute

router = APIRouter(route_class=AutoCommitRoute)
