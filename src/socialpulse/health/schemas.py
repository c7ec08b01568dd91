"""Shape of ``GET /healthz``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

HealthStatus = Literal["ok", "degraded", "error"]


class DatabaseHealth(BaseModel):
    reachable: bool
    dialect: str


class SchemaHealth(BaseModel):
    current: str | None = Field(description="the database's migration revision; null if unknown")
    head: str | None = Field(description="the newest revision this version ships")
    up_to_date: bool


class WorkerHealth(BaseModel):
    newest_heartbeat_age_s: float | None = Field(description="seconds since any worker last reported")
    workers: int = Field(description="workers that reported recently")


class QueueHealth(BaseModel):
    queued: int = 0
    running: int = 0
    failed_last_24h: int = 0


class Health(BaseModel):
    # "schema" would shadow a BaseModel attribute: the field is schema_, shown as "schema"
    model_config = ConfigDict(validate_by_name=True, serialize_by_alias=True)

    status: HealthStatus = Field(
        description="ok; degraded: schema behind or no live worker; error: database unreachable"
    )
    database: DatabaseHealth
    schema_: SchemaHealth = Field(alias="schema")
    worker: WorkerHealth
    queue: dict[str, QueueHealth] = Field(description="refresh queue by platform")
    version: str
