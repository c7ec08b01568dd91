"""``socialpulse serve --demo``: the emulator in the same process, a demo user and key, demo
accounts on every emulated platform, and a first refresh at once."""

from __future__ import annotations

import logging

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from socialpulse.app import create_app
from socialpulse.auth.service import auth, hash_key
from socialpulse.config import Settings
from socialpulse.db.engine import transaction
from socialpulse.demo_history import HISTORY_DAYS, write_history
from socialpulse.emulator.app import DEMO_CREATORS, EmulatorConfig, create_emulator_app
from socialpulse.emulator.world import World
from socialpulse.errors import NotFound
from socialpulse.models import Account, ApiKey, Post, User
from socialpulse.platforms.registry import ConnectorRegistry
from socialpulse.refresh.service import refresh_service
from socialpulse.tracking.schemas import AccountCreate, PostCreate
from socialpulse.tracking.service import account_service, post_service, profile_service

log = logging.getLogger("socialpulse.demo")

DEMO_EMAIL = "demo@socialpulse.local"
DEMO_PASSWORD = "demo-password"
# A fixed key, so the README's curl examples work as written. Demo databases only.
DEMO_KEY = "sp_demo_key_for_the_local_demo_only"
DEMO_PROFILE = "demo"
EMULATOR_HOST = "http://emulator.internal"


def emulated_platforms(registry: ConnectorRegistry) -> list[str]:
    return [p for p in DEMO_CREATORS if registry.supported(p)]


async def ensure_demo_user(session: AsyncSession) -> User:
    user = await session.scalar(select(User).where(User.email == DEMO_EMAIL))
    if user is None:
        user = await auth.create_user(session, DEMO_EMAIL, DEMO_PASSWORD)
    if await session.scalar(select(ApiKey.id).where(ApiKey.key_hash == hash_key(DEMO_KEY))) is None:
        session.add(ApiKey(user_id=user.id, name="demo", prefix=DEMO_KEY[:10], key_hash=hash_key(DEMO_KEY)))
        await session.flush()
    return user


async def seed(session: AsyncSession, user: User, platforms: list[str], world: World) -> tuple[int, int]:
    """Track every demo creator of each platform (the first of each in profile ``demo``, each
    person's accounts in a profile of their own) and the newest post of each demo account."""
    new_accounts = 0
    new_posts = 0
    for index, person in enumerate(("demo", "pixelpilot", "trailrunnerjo", "marisolmakes", "aaravexplains")):
        try:
            profile = await profile_service.get_by_name(session, user.id, person)
        except NotFound:
            profile = await profile_service.create(session, user.id, person)
        for platform in platforms:
            handle = DEMO_CREATORS[platform][index]
            existing = await session.scalar(
                select(Account.id).where(
                    Account.user_id == user.id,
                    Account.platform == platform,
                    Account.handle == handle.lstrip("@"),
                )
            )
            if existing is not None:
                continue
            await account_service.create(
                session,
                user.id,
                AccountCreate(
                    platform=platform,
                    handle=handle,
                    profile_id=profile.id,
                    tags=["demo"],
                    org_group="demo-agency",
                    user_group=person,
                    is_competitor=index == 4,
                ),
                enqueue=False,
            )
            new_accounts += 1
            creator = world.creator(platform, handle)
            posts = world.posts(creator) if creator is not None else []
            if posts:
                found = await session.scalar(
                    select(Post.id).where(Post.user_id == user.id, Post.social_id == posts[0].social_id)
                )
                if found is None:
                    await post_service.create(
                        session,
                        user.id,
                        PostCreate(platform=platform, social_id=posts[0].social_id),
                        enqueue=False,
                    )
                    new_posts += 1
    return new_accounts, new_posts


def create_demo_app(settings: Settings, *, public_url: str) -> FastAPI:
    emulator = create_emulator_app(EmulatorConfig(seed=42))
    world: World = emulator.state.world
    # the emulator answers at once: no need to pace Instagram as hard as the real one asks
    demo_settings = settings.with_emulator(f"{EMULATOR_HOST}").model_copy(
        update={
            "instagram_discovery_rate_per_s": 10.0,
            "instagram_graph_rate_per_s": 10.0,
            "instagram_web_rate_per_s": 10.0,
        }
    )
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator), timeout=demo_settings.http_timeout_s
    )
    registry = ConnectorRegistry(demo_settings, client=client)
    platforms = emulated_platforms(registry)

    async def on_ready(app: FastAPI) -> None:
        async with transaction(app.state.sessions) as session:
            user = await ensure_demo_user(session)
            accounts, posts = await seed(session, user, platforms, world)
            # a freshly seeded database only: daily history from the emulator's world, so analytics answer
            history = await write_history(session, world, registry, user.id) if accounts else None
            request = await refresh_service.create_request(session, user_id=user.id, origin="demo")
        banner = [
            "",
            "socialpulse demo is up.",
            f"  API docs        {public_url}/docs",
            f"  health          {public_url}/healthz",
            f"  emulator        {public_url}/emulator/_emulator/world/youtube",
            f"  demo user       {DEMO_EMAIL} / {DEMO_PASSWORD}",
            f"  demo API key    {DEMO_KEY}",
            f"  platforms       {', '.join(platforms)} (served by the built-in emulator)",
            f"  tracked now     {accounts} new accounts, {posts} new posts; first refresh {request.public_id}",
            f"  history         {history.accounts} accounts given {HISTORY_DAYS} days of daily snapshots "
            "from the emulator's world"
            if history is not None and history.accounts
            else "  history         none written (the demo's accounts already have snapshots)",
            f"  try             curl -H 'Authorization: Bearer {DEMO_KEY}' {public_url}/v1/accounts",
            "",
        ]
        print("\n".join(banner), flush=True)  # noqa: T201  (the banner is for the person starting the demo)

    app = create_app(demo_settings, registry=registry, on_ready=on_ready)
    app.mount("/emulator", emulator)
    return app
