"""Commands over the tracking, stats and refresh services: ``track``, ``refresh``, ``stats``."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any, TypeVar

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from socialpulse.cli.main import app, fail, load_settings, out, run
from socialpulse.config import Settings
from socialpulse.errors import AppError, NotFound
from socialpulse.kit.time import utcnow
from socialpulse.models import User, WorkerHeartbeat
from socialpulse.models.enums import Platform
from socialpulse.platforms import ids
from socialpulse.tracking.schemas import AccountCreate, AccountFilters, PageParams, PostCreate

T = TypeVar("T")

track_app = typer.Typer(help="Track accounts and posts.", no_args_is_help=True)
app.add_typer(track_app, name="track")

UserOpt = Annotated[
    str | None,
    typer.Option(
        "--user", help="E-mail of the user to act as (default: $SOCIALPULSE_USER, or the only user)."
    ),
]


async def with_sessions(
    settings: Settings, fn: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]
) -> T:
    from socialpulse.db.engine import make_engine, make_sessionmaker
    from socialpulse.db.migrate import upgrade

    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
        return await fn(make_sessionmaker(engine))
    finally:
        await engine.dispose()


async def resolve_user(session: AsyncSession, email: str | None) -> User:
    email = email or os.environ.get("SOCIALPULSE_USER")
    if email:
        user = await session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise NotFound(f"no user with e-mail {email}: create one with `socialpulse user create {email}`")
        return user
    users = list(await session.scalars(select(User).order_by(User.id).limit(2)))
    if not users:
        raise NotFound("there is no user yet: create one with `socialpulse user create EMAIL`")
    if len(users) > 1:
        raise NotFound("there are several users: say which with --user EMAIL (or set SOCIALPULSE_USER)")
    return users[0]


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


# ---------------------------------------------------------------------------- track


@track_app.command("add")
def track_add(
    target: Annotated[str, typer.Argument(help="A profile or post URL, or a handle / id with --platform.")],
    platform: Annotated[str | None, typer.Option(help="Platform of a handle or post id.")] = None,
    post: Annotated[bool, typer.Option("--post", help="TARGET is a post id (with --platform).")] = False,
    profile: Annotated[
        str | None, typer.Option(help="Group the account in this profile (created if new).")
    ] = None,
    tag: Annotated[list[str] | None, typer.Option(help="A tag (repeatable).")] = None,
    org_group: Annotated[str | None, typer.Option(help="Organisation group.")] = None,
    user_group: Annotated[str | None, typer.Option(help="User group.")] = None,
    competitor: Annotated[bool, typer.Option("--competitor", help="Mark as a competitor.")] = False,
    user: UserOpt = None,
) -> None:
    """Start tracking an account or a post; its first refresh is queued at once."""
    from socialpulse.tracking.service import account_service, post_service, profile_service

    settings = load_settings()
    is_url = "/" in target and not target.startswith("at://")
    is_post = post or target.startswith("at://")
    if is_url and not post:
        try:
            ids.parse_post_url(target)
            is_post = True
        except AppError:
            is_post = False

    async def go(sessions: async_sessionmaker[AsyncSession]) -> str:
        async with sessions() as session, session.begin():
            u = await resolve_user(session, user)
            if is_post:
                data = PostCreate(url=target) if is_url else PostCreate(platform=platform, social_id=target)
                row, _ = await post_service.create(session, u.id, data)
                return f"tracking {row.platform} post {row.social_id} as post {row.id}"
            profile_id = None
            if profile:
                profile_id = (await profile_service.get_or_create(session, u.id, profile)).id
            common: dict[str, Any] = {
                "profile_id": profile_id,
                "tags": tag or [],
                "org_group": org_group,
                "user_group": user_group,
                "is_competitor": competitor,
            }
            acc = (
                AccountCreate(url=target, **common)
                if is_url
                else AccountCreate(platform=platform, handle=target, **common)
            )
            account = await account_service.create(session, u.id, acc)
            return f"tracking {account.platform} account {account.handle} as account {account.id}"

    if not is_url and not platform and not target.startswith("at://"):
        raise fail("give a URL, or a handle with --platform (e.g. --platform youtube @name)")
    out.print(run(lambda: with_sessions(settings, go)))


@track_app.command("list")
def track_list(
    platform: Annotated[str | None, typer.Option(help="Only this platform.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only accounts with this tag.")] = None,
    posts: Annotated[bool, typer.Option("--posts", help="List tracked posts instead of accounts.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many rows.", min=1, max=500)] = 100,
    user: UserOpt = None,
) -> None:
    """List tracked accounts (or posts) with their latest counters."""
    from socialpulse.tracking.schemas import PostFilters
    from socialpulse.tracking.service import account_service, post_service

    settings = load_settings()
    plat = ids.parse_platform(platform).value if platform else None

    async def go(sessions: async_sessionmaker[AsyncSession]) -> Table:
        async with sessions() as session:
            u = await resolve_user(session, user)
            if posts:
                pf = PostFilters(platform=Platform(plat) if plat else None)
                page = await post_service.list_page(session, u.id, pf, PageParams(limit=limit))
                latest = await post_service.latest(session, page.items)
                t = Table("id", "platform", "post", "posted", "views", "likes", "comments", "status")
                for p in page.items:
                    s = latest.get(p.id)
                    t.add_row(
                        str(p.id),
                        p.platform,
                        p.social_id[:40],
                        _fmt(p.posted_at and p.posted_at.date()),
                        _fmt(s and s.views),
                        _fmt(s and s.likes),
                        _fmt(s and s.comments),
                        p.status,
                    )
                return t
            f = AccountFilters.model_validate({"platform": plat, "tag": tag})
            apage = await account_service.list_page(session, u.id, f, PageParams(limit=limit))
            alatest = await account_service.latest(session, apage.items)
            t = Table("id", "platform", "handle", "followers", "posts", "status", "last refreshed")
            for a in apage.items:
                snap = alatest.get(a.id)
                t.add_row(
                    str(a.id),
                    a.platform,
                    a.handle,
                    _fmt(snap and snap.followers),
                    _fmt(snap and snap.posts),
                    a.status,
                    _fmt(a.last_refreshed_at and a.last_refreshed_at.strftime("%Y-%m-%d %H:%M")),
                )
            return t

    out.print(run(lambda: with_sessions(settings, go)))


@track_app.command("remove")
def track_remove(
    target: Annotated[str, typer.Argument(help="Account id (or post id with --post), or a URL.")],
    post: Annotated[bool, typer.Option("--post", help="TARGET is a post.")] = False,
    platform: Annotated[str | None, typer.Option(help="Platform of a handle.")] = None,
    user: UserOpt = None,
) -> None:
    """Stop tracking an account (with its posts and history) or a post."""
    from socialpulse.tracking.service import account_service, post_service

    settings = load_settings()

    async def go(sessions: async_sessionmaker[AsyncSession]) -> str:
        async with sessions() as session, session.begin():
            u = await resolve_user(session, user)
            is_post = post
            if not target.isdigit() and "/" in target:
                try:
                    ids.parse_post_url(target)
                    is_post = True
                except AppError:
                    pass
            if is_post:
                if target.isdigit():
                    pid = int(target)
                else:
                    found = await post_service.find(
                        session, u.id, post_service.identify(platform, None, target)
                    )
                    if found is None:
                        raise NotFound(f"{target} is not tracked")
                    pid = found.id
                await post_service.delete(session, u.id, pid)
                return f"post {pid} removed with its history"
            if target.isdigit():
                aid = int(target)
            else:
                ident = account_service.identify(
                    platform, None if "/" in target else target, target if "/" in target else None
                )
                acc = await account_service.find(session, u.id, ident)
                if acc is None:
                    raise NotFound(f"{target} is not tracked")
                aid = acc.id
            await account_service.delete(session, u.id, aid)
            return f"account {aid} removed with its posts and history"

    out.print(run(lambda: with_sessions(settings, go)))


# ---------------------------------------------------------------------------- refresh


async def _workers_alive(session: AsyncSession, within_s: float = 30.0) -> bool:
    newest = await session.scalar(select(func.max(WorkerHeartbeat.heartbeat_at)))
    return newest is not None and utcnow() - newest < timedelta(seconds=within_s)


@app.command()
def refresh(
    account: Annotated[list[int] | None, typer.Option("--account", help="Account id (repeatable).")] = None,
    post: Annotated[list[int] | None, typer.Option("--post", help="Post id (repeatable).")] = None,
    platform: Annotated[str | None, typer.Option(help="Accounts of this platform.")] = None,
    tag: Annotated[str | None, typer.Option(help="Accounts with this tag.")] = None,
    no_wait: Annotated[bool, typer.Option("--no-wait", help="Queue the refresh and return at once.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait at most.", min=1)] = 600.0,
    user: UserOpt = None,
) -> None:
    """Refresh accounts and posts now (everything of the user when nothing is selected).

    Waits with a progress bar; when no worker is running, works through the request itself."""
    from socialpulse.refresh.runtime import Runtime
    from socialpulse.refresh.service import refresh_service

    settings = load_settings()
    plat = ids.parse_platform(platform).value if platform else None
    filters = AccountFilters.model_validate({"platform": plat, "tag": tag})

    async def go(sessions: async_sessionmaker[AsyncSession]) -> int:
        async with sessions() as session, session.begin():
            u = await resolve_user(session, user)
            request = await refresh_service.create_request(
                session,
                user_id=u.id,
                account_ids=account,
                post_ids=post,
                filters=None if filters.is_empty() else filters,
                origin="cli",
            )
            public_id, total = request.public_id, request.total
        out.print(f"refresh {public_id}: {total} item(s) queued")
        if no_wait or total == 0:
            return 0
        async with sessions() as session:
            alive = await _workers_alive(session)
        runtime = None
        if not alive:
            out.print("no worker is running: refreshing in this process")
            runtime = Runtime(settings.model_copy(update={"scheduler_enabled": False}), sessions)
            await runtime.start()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            with Progress(
                TextColumn("[bold]refreshing"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=out,
                transient=False,
            ) as bar:
                task = bar.add_task("refresh", total=total)
                while True:
                    async with sessions() as session:
                        status = await refresh_service.get_status(
                            session, (await resolve_user(session, user)).id, public_id
                        )
                    bar.update(task, total=max(status.total, 1), completed=status.succeeded + status.failed)
                    if status.finished or loop.time() > deadline:
                        break
                    await asyncio.sleep(0.3)
        finally:
            if runtime is not None:
                await runtime.stop()
        out.print(
            f"{status.status.value}: {status.succeeded} succeeded, {status.failed} failed"
            + ("" if status.finished else f", {status.queued + status.running} still pending (timed out)")
        )
        for note in status.notes:
            out.print(f"  note: {note}")
        for e in status.errors[:20]:
            out.print(f"  [red]{e.kind} {e.entity_id}[/] ({e.platform}) {e.code}: {e.message}")
        return 1 if status.status.value == "failed" or not status.finished else 0

    code = run(lambda: with_sessions(settings, go))
    if code:
        raise typer.Exit(code)


# ---------------------------------------------------------------------------- stats


@app.command()
def stats(
    target: Annotated[int, typer.Argument(help="Account id (or post id with --post).")],
    post: Annotated[bool, typer.Option("--post", help="TARGET is a post id.")] = False,
    start: Annotated[str | None, typer.Option(help="From (ISO date or datetime).")] = None,
    end: Annotated[str | None, typer.Option(help="To (ISO date or datetime).")] = None,
    interval: Annotated[str, typer.Option(help="raw (every snapshot) or day (last of each day).")] = "raw",
    user: UserOpt = None,
) -> None:
    """Show the history of an account or a post as a table."""
    from socialpulse.models.stats import ACCOUNT_METRICS, POST_METRICS
    from socialpulse.stats.schemas import StatsWindow
    from socialpulse.tracking.service import account_service, post_service

    if interval not in ("raw", "day"):
        raise fail("--interval must be raw or day")
    settings = load_settings()

    async def go(sessions: async_sessionmaker[AsyncSession]) -> Table:
        window = StatsWindow.parse(start, end, interval)  # type: ignore[arg-type]
        async with sessions() as session:
            u = await resolve_user(session, user)
            rows: list[Any]
            if post:
                rows = list(await post_service.history(session, u.id, target, window))
                metrics: tuple[str, ...] = POST_METRICS
            else:
                rows = list(await account_service.history(session, u.id, target, window))
                metrics = ACCOUNT_METRICS
        shown = [m for m in metrics if any(getattr(r, m) is not None for r in rows)] or list(metrics[:3])
        t = Table("fetched at", *shown, "source", title=f"{'post' if post else 'account'} {target}")
        for r in rows:
            t.add_row(
                r.fetched_at.strftime("%Y-%m-%d %H:%M:%S"),
                *(_fmt(getattr(r, m)) for m in shown),
                f"{r.connector} {r.api_version}",
            )
        if not rows:
            t.caption = "no snapshots in this window yet: run `socialpulse refresh`"
        return t

    out.print(run(lambda: with_sessions(settings, go)))


try:  # the sentiment commands ship with the analyser
    from socialpulse.sentiment.cli import app as sentiment_app

    app.add_typer(sentiment_app, name="sentiment", help="Comment sentiment.")
except ImportError:  # pragma: no cover - only while the analyser is not installed
    pass
