"""The emulator app: one synthetic world behind every platform's real wire format.

``create_emulator_app(cfg)`` answers:

* ``/youtube/v3/...``: the YouTube Data API v3 (``youtube.py``);
* ``/xrpc/...``: Bluesky's AppView (``bluesky.py``);
* ``/graph/v22.0/...`` and ``/instagram-web/...``: Instagram's Graph API and public web
  profile (``instagram.py``);
* ``/tiktok/v2/...``: TikTok's Display and Research APIs and its token endpoint (``tiktok.py``);
* ``/_emulator/...``: control endpoints, never delayed, faulted or counted:

  - ``GET /_emulator/calls`` → ``{"total", "by_endpoint", "faults", "rate_limited", ...}``;
    ``DELETE /_emulator/calls`` resets the counters (and the YouTube quota spent);
  - ``GET /_emulator/config``; ``PATCH /_emulator/config`` with any :class:`EmulatorConfig`
    field (``{"fault_rate": 0.2}``, ``{"clock_offset_s": 86400}``, ``{"frozen_at": null}``);
  - ``GET /_emulator/world/{platform}?limit=&offset=`` lists accounts to pick from.

A new platform is one module with an ``APIRouter`` (see ``gate.py``) added to
:data:`PLATFORM_ROUTERS`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response

from socialpulse.emulator import bluesky, instagram, tiktok, youtube
from socialpulse.emulator.gate import Gate, json_response
from socialpulse.emulator.knobs import FAULT_KINDS, EmulatorConfig
from socialpulse.emulator.world import DEMO_CREATORS, PLATFORMS, SPECIAL_HANDLES, SPECIAL_KINDS, World

__all__ = ["DEMO_CREATORS", "FAULT_KINDS", "EmulatorConfig", "create_emulator_app", "serve"]

# platform -> (router, base path the service's settings point at, relative to the emulator's URL)
PLATFORM_ROUTERS: dict[str, tuple[APIRouter, str]] = {
    "youtube": (youtube.router, "/youtube/v3"),
    "bluesky": (bluesky.router, "/xrpc"),
    "instagram": (instagram.router, "/graph/v22.0"),  # and the web profile under /instagram-web
    "tiktok": (tiktok.router, "/tiktok"),  # Display and Research API, at their paths under /tiktok
}

control = APIRouter(prefix="/_emulator", tags=["emulator control"])


def _gate(request: Request) -> Gate:
    gate: Gate = request.app.state.gate
    return gate


@control.get("/calls")
async def get_calls(request: Request) -> dict[str, Any]:
    return _gate(request).counters()


@control.delete("/calls")
async def reset_calls(request: Request) -> dict[str, Any]:
    gate = _gate(request)
    gate.reset()
    return gate.counters()


@control.get("/config")
async def get_config(request: Request) -> dict[str, Any]:
    return _gate(request).config.to_json()


@control.patch("/config")
async def patch_config(request: Request) -> Response:
    gate = _gate(request)
    try:
        changes = await request.json()
    except ValueError:
        return json_response({"error": "send a JSON object of settings to change"}, 400)
    if not isinstance(changes, dict):
        return json_response({"error": "send a JSON object of settings to change"}, 400)
    try:
        new = gate.config.patched(changes)
    except ValueError as exc:
        return json_response({"error": str(exc)}, 400)
    gate.apply(new)
    return json_response(new.to_json())


@control.get("/world/{platform}")
async def list_world(request: Request, platform: str, limit: int = 50, offset: int = 0) -> Response:
    world: World = request.app.state.world
    if platform not in PLATFORMS:
        return json_response({"error": f"unknown platform {platform!r}; known: {', '.join(PLATFORMS)}"}, 404)
    limit = max(0, min(limit, 1000))
    offset = max(0, offset)
    now_ms = world.now_ms()
    creators = world.creators(platform)
    rows = []
    for c in creators[offset : offset + limit]:
        stats = world.stats(c, now_ms)
        row: dict[str, Any] = {
            "handle": c.handle,
            "platform_id": c.platform_id,
            "display_name": c.display_name,
            "demo": c.kind == "demo",
            "niche": c.niche,
            "language": c.language,
            "country": c.country,
            "created_at": c.created_at.isoformat().replace("+00:00", "Z"),
            "followers": stats.followers,
            "following": stats.following,
            "posts": stats.posts,
            "tier": world.tier(stats.followers),
        }
        if platform == "youtube":
            row["uploads_playlist"] = c.uploads_playlist
        rows.append(row)
    return json_response(
        {
            "platform": platform,
            "served": platform in PLATFORM_ROUTERS,
            "base_path": PLATFORM_ROUTERS[platform][1] if platform in PLATFORM_ROUTERS else None,
            "now": world.now().isoformat().replace("+00:00", "Z"),
            "total": len(creators),
            "limit": limit,
            "offset": offset,
            "demo": list(DEMO_CREATORS[platform]),
            "special": {kind: world.special(platform, kind) for kind in SPECIAL_KINDS},
            "creators": rows,
        }
    )


@control.get("")
async def index(request: Request) -> dict[str, Any]:
    world: World = request.app.state.world
    return {
        "platforms": {p: base for p, (_, base) in PLATFORM_ROUTERS.items()},
        "world": list(PLATFORMS),
        "now": world.now().isoformat().replace("+00:00", "Z"),
        "demo": {p: list(DEMO_CREATORS[p]) for p in PLATFORM_ROUTERS},
        "special": {p: SPECIAL_HANDLES.get(p, SPECIAL_HANDLES["*"]) for p in PLATFORM_ROUTERS},
    }


def create_emulator_app(cfg: EmulatorConfig | None = None) -> FastAPI:
    """The emulator as an ASGI app; ``app.state.world`` is its :class:`World`."""
    cfg = cfg or EmulatorConfig()
    world = World(
        cfg.seed,
        creators_per_platform=cfg.creators_per_platform,
        posts_per_creator=cfg.posts_per_creator,
        frozen_at=cfg.frozen_at,
        clock_offset_s=cfg.clock_offset_s,
    )
    app = FastAPI(
        title="socialpulse platform emulator",
        description="A deterministic synthetic world behind the platforms' real wire formats.",
        docs_url="/_emulator/docs",
        openapi_url="/_emulator/openapi.json",
        redoc_url=None,
    )
    app.state.world = world
    app.state.gate = Gate(cfg, world)
    app.include_router(control)
    for router, _ in PLATFORM_ROUTERS.values():
        app.include_router(router)
    return app


def serve(port: int, cfg: EmulatorConfig, host: str = "127.0.0.1") -> None:
    """Run the emulator with uvicorn until interrupted (``socialpulse emulator --port N``)."""
    import uvicorn

    uvicorn.run(create_emulator_app(cfg), host=host, port=port, log_level="info")
