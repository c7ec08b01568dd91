"""What every compatibility API needs: a route class that renders errors in the service's own
documented shape, parsing of the ids and filters those services take, reading history for a
set of accounts or posts, and "refresh now and wait" over the durable queue.

Nothing here decides anything the native API does not: selection, history and refreshes are
the tracking, stats and refresh services' rules, translated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BeforeValidator
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException as StarletteHTTPException

from socialpulse.db.session import AutoCommitRoute
from socialpulse.errors import AppError
from socialpulse.kit.chunks import chunks
from socialpulse.kit.time import aware
from socialpulse.models import Account, AccountSnapshot, Post, PostSnapshot
from socialpulse.refresh.schemas import RefreshItemError, RefreshPriority, RefreshStatus
from socialpulse.refresh.service import PRIORITIES, refresh_service
from socialpulse.stats import repository as stats_repo
from socialpulse.stats.schemas import StatsWindow
from socialpulse.tracking import repository as tracking_repo
from socialpulse.tracking.schemas import MAX_ID, AccountFilters

log = logging.getLogger("socialpulse.compat")

CHUNK = 500  # ids per IN list: far below SQLite's and asyncpg's bound-parameter limits

# ---------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class CompatError:
    """An error on its way to a compatibility API's own error body."""

    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)


class CompatRoute(AutoCommitRoute):
    """A route whose errors (authentication, validation, the services' ``AppError``, HTTP
    errors and anything unexpected) are rendered by :meth:`render_error` of the subclass, so
    a compatibility router keeps its service's documented error shape while the rest of the
    application answers ``application/problem+json``. Commits like :class:`AutoCommitRoute`."""

    @classmethod
    def render_error(cls, request: Request, error: CompatError) -> Response:  # pragma: no cover
        raise NotImplementedError

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        render = self.render_error

        async def translated(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:
                return render(request, as_compat_error(request, exc))

        return translated


def as_compat_error(request: Request, exc: Exception) -> CompatError:
    if isinstance(exc, AppError):
        return CompatError(exc.status_code, exc.detail, dict(exc.headers))
    if isinstance(exc, RequestValidationError):
        return CompatError(422, describe_validation(exc))
    if isinstance(exc, StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else "error"
        return CompatError(exc.status_code, detail, dict(exc.headers or {}))
    log.exception("%s %s failed", request.method, request.url.path, exc_info=exc)
    return CompatError(500, "internal error: the request could not be completed; try again later")


def _field(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts)


def describe_validation(exc: RequestValidationError) -> str:
    """One readable sentence per problem of a request body, naming the field as sent."""
    problems: list[str] = []
    for err in exc.errors():
        kind = str(err.get("type", ""))
        where = _field(err.get("loc", ()))
        if kind == "json_invalid":
            problems.append("the body is not valid JSON: send a JSON object")
        elif kind == "extra_forbidden":
            problems.append(f"'{where}' is not a parameter of this endpoint")
        elif kind in ("model_attributes_type", "dict_type") and not where:
            problems.append("the body must be a JSON object")
        else:
            msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
            problems.append(f"{where}: {msg}" if where else msg)
    return "; ".join(dict.fromkeys(problems)) or "the request is not valid"


# ---------------------------------------------------------------------------- parsing


def _id_value(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError('an id is a string, e.g. "12"')
    return str(value)


StringId = Annotated[str, BeforeValidator(_id_value)]
"""An id as the services document it (a string); an integer is taken too."""


def split_ids(values: Iterable[str]) -> tuple[list[int], list[str]]:
    """Our ids among ``values`` (each once, in order) and the values that cannot be an id of
    ours at all (not a positive integer): such an id names nothing, like an unknown one."""
    ids: list[int] = []
    impossible: list[str] = []
    for value in dict.fromkeys(values):
        text = str(value).strip()
        if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ID:
            ids.append(int(text))
        else:
            impossible.append(str(value))
    return list(dict.fromkeys(ids)), impossible


def blank_to_none(value: str | None) -> str | None:
    """An empty filter is no filter (as the services we translate treat a falsy one)."""
    return value if value is not None and value.strip() else None


def js_timestamp(dt: datetime) -> str:
    """An instant as JavaScript's ``Date.toISOString`` writes it: ``2024-12-25T10:00:00.000Z``."""
    utc = aware(dt).astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


# ---------------------------------------------------------------------------- selection


async def select_accounts(
    session: AsyncSession, user_id: int, ids: Sequence[int] | None, filters: AccountFilters
) -> tuple[list[Account], list[int]]:
    """The user's accounts matching ``filters`` (among ``ids`` when given, in their order; else
    every one, oldest first), and the ids that name no account of the user's."""
    base = tracking_repo.filter_accounts(tracking_repo.accounts_of(user_id), filters)
    if ids is None:
        return list(await session.scalars(base.order_by(Account.id))), []
    found: dict[int, Account] = {}
    owned: set[int] = set()
    for chunk in chunks(ids, CHUNK):
        owned.update(await session.scalars(tracking_repo.account_ids_of(user_id, chunk)))
        found.update({a.id: a for a in await session.scalars(base.where(Account.id.in_(chunk)))})
    return [found[i] for i in ids if i in found], [i for i in ids if i not in owned]


async def select_posts(
    session: AsyncSession, user_id: int, ids: Sequence[int] | None
) -> tuple[list[Post], list[int]]:
    """The user's posts (those named by ``ids``, in their order; else every one, oldest first)
    and the ids that name no post of the user's."""
    base = tracking_repo.posts_of(user_id)
    if ids is None:
        return list(await session.scalars(base.order_by(Post.id))), []
    found: dict[int, Post] = {}
    for chunk in chunks(ids, CHUNK):
        found.update({p.id: p for p in await session.scalars(base.where(Post.id.in_(chunk)))})
    return [found[i] for i in ids if i in found], [i for i in ids if i not in found]


# ---------------------------------------------------------------------------- history


async def account_stats(
    session: AsyncSession, account_ids: Sequence[int], window: StatsWindow | None
) -> list[AccountSnapshot]:
    """Without a window, the newest snapshot of each account; with one, every snapshot in it.
    Grouped by account in the order of ``account_ids``, oldest first within an account."""
    if window is None:
        latest: dict[int, AccountSnapshot] = {}
        for chunk in chunks(account_ids, CHUNK):
            latest.update(
                {s.account_id: s for s in await session.scalars(stats_repo.latest_account_snapshots(chunk))}
            )
        return [latest[i] for i in account_ids if i in latest]
    out: list[AccountSnapshot] = []
    for account_id in account_ids:
        out += await session.scalars(stats_repo.account_history(account_id, window))
    return out


async def post_stats(
    session: AsyncSession, post_ids: Sequence[int], window: StatsWindow | None
) -> list[PostSnapshot]:
    """As :func:`account_stats`, for posts."""
    if window is None:
        latest: dict[int, PostSnapshot] = {}
        for chunk in chunks(post_ids, CHUNK):
            latest.update(
                {s.post_id: s for s in await session.scalars(stats_repo.latest_post_snapshots(chunk))}
            )
        return [latest[i] for i in post_ids if i in latest]
    out: list[PostSnapshot] = []
    for post_id in post_ids:
        out += await session.scalars(stats_repo.post_history(post_id, window))
    return out


# ---------------------------------------------------------------------------- refresh and wait


@dataclass(frozen=True)
class RefreshWait:
    """A refresh request asked for and waited on: its status when the wait ended, and the
    moment it was created (snapshots fetched since are its new records)."""

    request_id: str
    created_at: datetime
    status: RefreshStatus
    timeout_s: float

    @property
    def timed_out(self) -> bool:
        return not self.status.finished

    @property
    def window(self) -> StatsWindow:
        """The snapshots fetched since the request was created."""
        return StatsWindow(start=self.created_at)

    def errors(self, kind: str) -> list[RefreshItemError]:
        return [e for e in self.status.errors if e.kind == kind]


async def refresh_and_wait(
    request: Request,
    session: AsyncSession,
    *,
    user_id: int,
    origin: str,
    account_ids: Sequence[int] | None = None,
    post_ids: Sequence[int] | None = None,
) -> RefreshWait:
    """Queue a refresh of exactly these accounts or posts at the front of the queue, commit it
    so the workers see it, and wait for it up to ``settings.compat_refresh_timeout_s``."""
    settings = request.app.state.settings
    created = await refresh_service.create_request(
        session,
        user_id=user_id,
        account_ids=list(account_ids) if account_ids is not None else None,
        post_ids=list(post_ids) if post_ids is not None else None,
        origin=origin,
        priority=PRIORITIES[RefreshPriority.high],
        max_attempts=settings.max_attempts,
    )
    request_id, created_at = created.public_id, created.created_at
    await session.commit()  # the workers (and other processes) must see the queued items
    timeout_s = float(settings.compat_refresh_timeout_s)
    status = await refresh_service.wait_for(request.app.state.sessions, request_id, timeout_s)
    return RefreshWait(request_id=request_id, created_at=created_at, status=status, timeout_s=timeout_s)


def ids_text(ids: Sequence[int | str], limit: int = 20) -> str:
    shown = ", ".join(str(i) for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")
