"""Application errors, rendered as RFC 9457 ``application/problem+json``."""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    status_code: ClassVar[int] = 500
    title: ClassVar[str] = "Internal Server Error"
    type_slug: ClassVar[str] = "about:blank"

    def __init__(
        self, detail: str, *, extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}
        self.headers = headers or {}

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type_slug,
            "title": self.title,
            "status": self.status_code,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body

    @classmethod
    def schema(cls) -> dict[str, Any]:
        """For ``responses=`` of a route: documents the problem body."""
        return {"description": cls.title, "content": {"application/problem+json": {}}}


class BadRequest(AppError):
    status_code = 400
    title = "Bad Request"


class Unauthorized(AppError):
    status_code = 401
    title = "Unauthorized"

    def __init__(self, detail: str, **kw: Any) -> None:
        kw.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="socialpulse"'})
        super().__init__(detail, **kw)


class Forbidden(AppError):
    status_code = 403
    title = "Forbidden"


class NotFound(AppError):
    status_code = 404
    title = "Not Found"


class Conflict(AppError):
    status_code = 409
    title = "Conflict"


class Unprocessable(AppError):
    status_code = 422
    title = "Unprocessable Content"

    def __init__(self, detail: str, *, field: str | None = None, expected: str | None = None, **kw: Any):
        extra = kw.pop("extra", {}) or {}
        if field:
            extra["errors"] = [
                {"field": field, "message": detail, **({"expected": expected} if expected else {})}
            ]
        super().__init__(detail, extra=extra, **kw)


class ServiceUnavailable(AppError):
    status_code = 503
    title = "Service Unavailable"
