"""What every platform request goes through: counting, latency, rate limits, faults, admission.

A platform module declares its routes on an ``APIRouter`` whose ``route_class`` is a
:class:`GatedRoute` subclass carrying that platform's :class:`Wire` (how it spells a rate
limit, a server error, a missing credential). The route's ``name`` is the endpoint name
counted in ``GET /_emulator/calls`` (``youtube.channels.list``). Handlers raise
:class:`WireError` to answer with an error response in the platform's own shape.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
from collections import Counter, deque
from collections.abc import Callable, Coroutine
from typing import Any, ClassVar

from fastapi import Request, Response
from fastapi.routing import APIRoute

from socialpulse.emulator.knobs import EmulatorConfig
from socialpulse.emulator.world import World

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class WireError(Exception):
    """Raised by a handler: answer with ``response`` (the platform's error shape)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None, charset: str = "utf-8"
) -> Response:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(
        content=data, status_code=status, headers=headers, media_type=f"application/json; charset={charset}"
    )


class Wire:
    """A platform's way of saying no. Subclasses override what differs."""

    platform: ClassVar[str] = ""

    def rate_limited(self, gate: Gate, limit: int, reset_epoch: int) -> Response:
        raise NotImplementedError

    def fault(self, kind: str) -> Response:
        """The response for fault ``kind`` ("429" or "500")."""
        raise NotImplementedError

    def admit(self, request: Request, endpoint: str, gate: Gate) -> Response | None:
        """Credentials and quota: a response to refuse the request, or ``None`` to go on."""
        return None

    def decorate(self, response: Response, gate: Gate) -> None:
        """Headers the platform adds to every answer."""


class RateWindow:
    """Accepted requests of one platform in the last second (a sliding window)."""

    def __init__(self) -> None:
        self.stamps: deque[float] = deque()

    def _trim(self, now: float) -> None:
        while self.stamps and self.stamps[0] <= now - 1.0:
            self.stamps.popleft()

    def admit(self, limit: float, now: float) -> bool:
        self._trim(now)
        if len(self.stamps) >= limit:
            return False
        self.stamps.append(now)
        return True

    def remaining(self, limit: float, now: float) -> int:
        self._trim(now)
        return max(0, math.floor(limit) - len(self.stamps))

    def reset_epoch(self, now: float) -> int:
        """Unix second when a slot frees up."""
        wait = (self.stamps[0] + 1.0 - now) if self.stamps else 0.0
        return math.ceil(time.time() + max(wait, 0.0))


class Gate:
    """The emulator's run-time state: knobs, the world, counters, rate windows, quota."""

    def __init__(self, config: EmulatorConfig, world: World) -> None:
        self.config = config
        self.world = world
        self.calls: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.rate_limited = 0
        self.quota_exceeded = 0
        self.quota_used: dict[str, int] = {}  # Pacific date -> YouTube units
        self.windows: dict[str, RateWindow] = {}
        self._reseed_faults()

    def _reseed_faults(self) -> None:
        self.fault_rng = random.Random(f"socialpulse-emulator-faults:{self.config.seed}")

    # ------------------------------------------------------------------ configuration

    def apply(self, new: EmulatorConfig) -> None:
        old, self.config = self.config, new
        world_keys = ("seed", "creators_per_platform", "posts_per_creator")
        if any(getattr(old, k) != getattr(new, k) for k in world_keys):
            self.world.configure(
                seed=new.seed,
                creators_per_platform=new.creators_per_platform,
                posts_per_creator=new.posts_per_creator,
            )
        self.world.set_clock(frozen_at=new.frozen_at, clock_offset_s=new.clock_offset_s)
        if (old.seed, old.fault_rate, old.faults) != (new.seed, new.fault_rate, new.faults):
            self._reseed_faults()

    # ------------------------------------------------------------------ counters

    def counters(self) -> dict[str, Any]:
        return {
            "total": sum(self.calls.values()),
            "by_endpoint": dict(sorted(self.calls.items())),
            "faults": dict(sorted(self.faults.items())),
            "rate_limited": self.rate_limited,
            "quota_exceeded": self.quota_exceeded,
            "youtube_quota_used": dict(sorted(self.quota_used.items())),
        }

    def reset(self) -> None:
        self.calls.clear()
        self.faults.clear()
        self.rate_limited = 0
        self.quota_exceeded = 0
        self.quota_used.clear()

    # ------------------------------------------------------------------ the pipeline

    def window(self, platform: str) -> RateWindow:
        found = self.windows.get(platform)
        if found is None:
            found = self.windows[platform] = RateWindow()
        return found

    def _pick_fault(self) -> str | None:
        cfg = self.config
        if cfg.fault_rate <= 0 or not cfg.faults:
            return None
        if self.fault_rng.random() >= cfg.fault_rate:
            return None
        return cfg.faults[self.fault_rng.randrange(len(cfg.faults))]

    async def run(self, request: Request, endpoint: str, wire: Wire, inner: Handler) -> Response:
        cfg = self.config
        self.calls[endpoint] += 1
        if cfg.latency_ms > 0:
            await asyncio.sleep(cfg.latency_ms / 1000)
        limit = cfg.rate_limit_per_s
        if limit is not None:
            now = time.monotonic()
            win = self.window(wire.platform)
            if not win.admit(limit, now):
                self.rate_limited += 1
                return wire.rate_limited(self, math.floor(limit), win.reset_epoch(now))
        fault = self._pick_fault()
        if fault is not None:
            self.faults[fault] += 1
            if fault in ("429", "500"):
                response = wire.fault(fault)
                wire.decorate(response, self)
                return response
            if fault == "slow":
                await asyncio.sleep(cfg.slow_s)
        refused = wire.admit(request, endpoint, self)
        if refused is not None:
            response = refused
        else:
            try:
                response = await inner(request)
            except WireError as exc:
                response = exc.response
        if fault == "malformed":
            body = bytes(response.body)
            response = Response(
                content=body[: max(1, len(body) // 2)], status_code=200, media_type=response.media_type
            )
        wire.decorate(response, self)
        return response


class GatedRoute(APIRoute):
    """A route whose requests go through the :class:`Gate` with its platform's :class:`Wire`."""

    wire: ClassVar[Wire] = Wire()

    def get_route_handler(self) -> Handler:
        inner = super().get_route_handler()
        endpoint = self.name
        wire = self.wire

        async def handler(request: Request) -> Response:
            gate: Gate = request.app.state.gate
            return await gate.run(request, endpoint, wire, inner)

        return handler
