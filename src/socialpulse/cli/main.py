"""The ``socialpulse`` command line. Commands call services, never SQL."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console

from socialpulse import __version__
from socialpulse.config import Settings
from socialpulse.errors import AppError
from socialpulse.kit.time import parse_iso, utcnow

T = TypeVar("T")

app = typer.Typer(
    name="socialpulse",
    help="Track social-media accounts and posts, keep their history, answer analytics questions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Users.", no_args_is_help=True)
key_app = typer.Typer(help="API keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(key_app, name="key")

out = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def load_settings(**overrides: Any) -> Settings:
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        lines = [f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in exc.errors()]
        raise fail("settings are not valid:\n  " + "\n  ".join(lines)) from None
    return settings


def run(coro_fn: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine; application errors become a message and exit code 1, not a traceback."""

    async def wrapper() -> T:
        return await coro_fn()

    try:
        return asyncio.run(wrapper())
    except AppError as exc:
        raise fail(exc.detail) from None
    except OSError as exc:
        raise fail(f"{exc.__class__.__name__}: {exc}") from None


def version_callback(value: bool) -> None:
    if value:
        out.print(f"socialpulse {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """socialpulse: configured by SOCIALPULSE_* environment variables (see the README)."""


# ---------------------------------------------------------------------------- serve, worker, emulator


@app.command()
def serve(
    demo: Annotated[
        bool, typer.Option("--demo", help="Run the built-in emulator, a demo user, key and accounts.")
    ] = False,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[
        bool, typer.Option("--workers/--no-workers", help="Run the worker pool and scheduler in-process.")
    ] = True,
) -> None:
    """Run the API (and, by default, the worker pool and scheduler). Upgrades the schema first."""
    import uvicorn

    from socialpulse.app import create_app

    overrides: dict[str, Any] = {"embedded_worker": workers}
    if demo and "SOCIALPULSE_DATABASE_URL" not in os.environ:
        overrides["database_url"] = "sqlite+aiosqlite:///./socialpulse-demo.db"
    settings = load_settings(**overrides)
    if demo:
        from socialpulse.demo import create_demo_app

        application = create_demo_app(settings, public_url=f"http://{host}:{port}")
    else:
        application = create_app(settings)
    uvicorn.run(application, host=host, port=port, log_level="info")


@app.command()
def worker() -> None:
    """Run workers alone (scale out on PostgreSQL: start as many processes as you like)."""
    from socialpulse.refresh.runtime import run_worker

    settings = load_settings()
    run(lambda: run_worker(settings))


@app.command()
def emulator(
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8765,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    seed: Annotated[int, typer.Option(help="Seed of the synthetic world.")] = 42,
    latency_ms: Annotated[float, typer.Option(help="Delay added to every answer.", min=0)] = 0.0,
    rate_limit: Annotated[
        float | None, typer.Option(help="Calls per second per platform before 429s.", min=0)
    ] = None,
    daily_quota: Annotated[int | None, typer.Option(help="YouTube quota units per day.", min=1)] = None,
    fault_rate: Annotated[
        float, typer.Option(help="Share of calls answered with a fault.", min=0, max=1)
    ] = 0.0,
    creators: Annotated[int, typer.Option(help="Accounts per platform in the world.", min=0)] = 3000,
    posts_per_creator: Annotated[
        int | None,
        typer.Option(help="Fix every account's number of posts (default: natural cadence).", min=0),
    ] = None,
    frozen_at: Annotated[
        str | None, typer.Option(help="Stop the clock at this ISO time ('now': at start).")
    ] = None,
) -> None:
    """Serve the synthetic world through the platforms' real wire formats."""
    from socialpulse.emulator.app import EmulatorConfig
    from socialpulse.emulator.app import serve as serve_emulator

    cfg = EmulatorConfig(
        seed=seed,
        latency_ms=latency_ms,
        rate_limit_per_s=rate_limit,
        youtube_daily_quota=daily_quota,
        fault_rate=fault_rate,
        creators_per_platform=creators,
        posts_per_creator=posts_per_creator,
        frozen_at=_frozen(frozen_at),
    )
    out.print(
        f"emulator on http://{host}:{port}  (YouTube: /youtube/v3, Bluesky: /xrpc, calls: /_emulator/calls)"
    )
    serve_emulator(port, cfg, host=host)


def _frozen(value: str | None) -> datetime | None:
    if value is None:
        return None
    if value == "now":
        return utcnow().replace(microsecond=0)
    try:
        return parse_iso(value)
    except ValueError:
        raise fail(
            f"--frozen-at '{value}' is not an ISO 8601 time (e.g. 2026-01-31T12:00:00Z) or 'now'"
        ) from None


# ---------------------------------------------------------------------------- db, users, keys


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema to the newest revision."""
    from socialpulse.db.engine import make_engine
    from socialpulse.db.migrate import current_revision, upgrade

    settings = load_settings()

    async def go() -> str | None:
        engine = make_engine(settings.database_url)
        try:
            await upgrade(engine)
            return await current_revision(engine)
        finally:
            await engine.dispose()

    rev = run(go)
    out.print(f"schema is at revision {rev}")


async def _in_transaction(settings: Settings, fn: Callable[[Any], Awaitable[T]]) -> T:
    from socialpulse.db.engine import make_engine, make_sessionmaker, transaction
    from socialpulse.db.migrate import upgrade

    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with transaction(make_sessionmaker(engine)) as session:
            return await fn(session)
    finally:
        await engine.dispose()


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Argument(help="The user's e-mail.")],
    password: Annotated[
        bool, typer.Option("--password", help="Ask for a password (for POST /v1/auth/token).")
    ] = False,
) -> None:
    """Create a user."""
    from socialpulse.auth.service import auth

    pw = typer.prompt("password", hide_input=True, confirmation_prompt=True) if password else None
    settings = load_settings()

    async def go(session: Any) -> int:
        user = await auth.create_user(session, email, pw)
        return user.id

    uid = run(lambda: _in_transaction(settings, go))
    out.print(f"user {email.strip().lower()} created (id {uid})")


@key_app.command("create")
def key_create(
    user: Annotated[str, typer.Option("--user", help="E-mail of the key's user.")],
    name: Annotated[str | None, typer.Option(help="A label for the key.")] = None,
) -> None:
    """Create an API key; it is printed once and stored hashed."""
    from socialpulse.auth.service import auth

    settings = load_settings()

    async def go(session: Any) -> str:
        u = await auth.get_user_by_email(session, user)
        _, key = await auth.create_key(session, u, name)
        return key

    key = run(lambda: _in_transaction(settings, go))
    err.print("API key (shown once; keep it safe):")
    print(key)


@key_app.command("revoke")
def key_revoke(
    user: Annotated[str, typer.Option("--user", help="E-mail of the key's user.")],
    prefix: Annotated[str, typer.Argument(help="The key's first 10 characters.")],
) -> None:
    """Revoke an API key by its prefix."""
    from socialpulse.auth.service import auth

    settings = load_settings()

    async def go(session: Any) -> int:
        return await auth.revoke_key(session, await auth.get_user_by_email(session, user), prefix)

    n = run(lambda: _in_transaction(settings, go))
    if n == 0:
        raise fail(f"no active key of {user} starts with {prefix}")
    out.print(f"revoked {n} key(s)")


def main() -> None:
    from socialpulse.cli import commands  # noqa: F401  (registers track, refresh, stats, sentiment)

    app()
