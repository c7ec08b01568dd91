"""The emulator's knobs (re-exported by ``socialpulse.emulator.app``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

FAULT_KINDS = ("429", "500", "slow", "malformed")


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything that shapes the emulator; change it at run time with ``PATCH /_emulator/config``.

    * ``seed``: the world (and the fault sequence) is a function of it.
    * ``latency_ms``: sleep this long before answering every platform request.
    * ``rate_limit_per_s``: requests per platform per sliding second; more are refused the way
      the platform refuses them (``None``: no limit).
    * ``youtube_daily_quota``: YouTube units per Pacific day (1 per list call, 100 per search).
    * ``fault_rate``: probability that a platform request fails with one of ``faults`` (drawn
      from an RNG seeded by ``seed``): ``"429"``, ``"500"``, ``"slow"`` (sleep ``slow_s`` first),
      ``"malformed"`` (200 with a truncated JSON body).
    * ``frozen_at``: stop the clock there; ``clock_offset_s`` moves the clock (frozen or not).
    * ``creators_per_platform``, ``posts_per_creator`` (``None``: a natural cadence).
    * ``retire_metrics``: metric names the platform views should stop reporting (stored; for
      platform views that model retired metrics).
    """

    seed: int = 42
    latency_ms: float = 0.0
    rate_limit_per_s: float | None = None
    youtube_daily_quota: int | None = None
    fault_rate: float = 0.0
    faults: tuple[str, ...] = FAULT_KINDS
    slow_s: float = 30.0
    frozen_at: datetime | None = None
    creators_per_platform: int = 3000
    posts_per_creator: int | None = None
    clock_offset_s: float = 0.0
    retire_metrics: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problems = []
        if self.latency_ms < 0:
            problems.append("latency_ms must be at least 0")
        if self.rate_limit_per_s is not None and self.rate_limit_per_s <= 0:
            problems.append("rate_limit_per_s must be above 0 (or null for no limit)")
        if self.youtube_daily_quota is not None and self.youtube_daily_quota < 0:
            problems.append("youtube_daily_quota must be at least 0 (or null for no quota)")
        if not 0.0 <= self.fault_rate <= 1.0:
            problems.append("fault_rate must be between 0 and 1")
        unknown = [f for f in self.faults if f not in FAULT_KINDS]
        if unknown:
            problems.append(f"faults must be among {', '.join(FAULT_KINDS)} (got {', '.join(unknown)})")
        if self.slow_s < 0:
            problems.append("slow_s must be at least 0")
        if self.creators_per_platform < 0:
            problems.append("creators_per_platform must be at least 0")
        if self.posts_per_creator is not None and self.posts_per_creator < 0:
            problems.append("posts_per_creator must be at least 0 (or null for a natural cadence)")
        if problems:
            raise ValueError("; ".join(problems))
        if self.frozen_at is not None and self.frozen_at.tzinfo is None:
            object.__setattr__(self, "frozen_at", self.frozen_at.replace(tzinfo=UTC))
        object.__setattr__(self, "faults", tuple(self.faults))
        object.__setattr__(self, "retire_metrics", tuple(self.retire_metrics))

    def to_json(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["frozen_at"] = (
            None if self.frozen_at is None else self.frozen_at.isoformat().replace("+00:00", "Z")
        )
        out["faults"] = list(self.faults)
        out["retire_metrics"] = list(self.retire_metrics)
        return out

    def patched(self, changes: dict[str, Any]) -> EmulatorConfig:
        """A copy with ``changes`` (JSON values) applied; ``ValueError`` says what is wrong."""
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise ValueError(f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}")
        merged = {**{n: getattr(self, n) for n in names}, **changes}
        try:
            return _ADAPTER.validate_python(merged)
        except ValidationError as exc:
            details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise ValueError(details) from None


_ADAPTER = TypeAdapter(EmulatorConfig)
