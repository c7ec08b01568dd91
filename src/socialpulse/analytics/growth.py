"""Growth over a month, a quarter and a year, for followers (or any account counter)
and for the account engagement rate.

growth = (value now − value then) ÷ value then × 100, where

- "now" is the evaluation instant and "then" is now − 30 days (month), − 90 days
  (quarter) or − 365 days (year);
- value now comes from the latest snapshot at or before now, value then from the
  nearest snapshot at or before then (for the engagement rate: the rate evaluated
  with only the snapshots taken at or before that instant);
- the growth is ``None`` when the history does not reach back to then (no snapshot at
  or before it), when no snapshot was taken after then (the value now would be the
  value then, and 0 % would be a claim we cannot make), or when either value is
  ``None`` or the value then is 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from socialpulse.analytics.engagement import (
    LAST_POSTS,
    MIN_POST_AGE,
    Basis,
    EngagementEvaluator,
)
from socialpulse.analytics.snapshots import (
    ACCOUNT_COUNTERS,
    AccountSnapshotLike,
    PostHistory,
    Timeline,
    Timestamped,
    as_timeline,
    counter,
    latest,
)
from socialpulse.kit.time import aware

PERIODS: dict[str, int] = {"month": 30, "quarter": 90, "year": 365}
"""Growth periods in days."""


@dataclass(frozen=True)
class PeriodGrowth:
    """Growth over one period, with the values it compares."""

    percent: float | None
    value_now: float | None
    value_then: float | None
    then: datetime
    """The instant now − period."""
    then_at: datetime | None
    """When the snapshot used for the value then was taken (``None`` if there is none)."""
    posts_now: int | None = None
    """For the engagement rate: how many posts the rate now rests on (``None`` for counters)."""
    posts_then: int | None = None
    """For the engagement rate: how many posts the rate then rests on."""


@dataclass(frozen=True)
class Growth:
    """Growth of one metric over a month (30 d), a quarter (90 d) and a year (365 d)."""

    metric: str
    month: PeriodGrowth
    quarter: PeriodGrowth
    year: PeriodGrowth


def percent_change(now: float | None, then: float | None) -> float | None:
    """(now − then) ÷ then × 100; ``None`` when either is ``None`` or ``then`` is 0."""
    if now is None or then is None or then == 0:
        return None
    return (now - then) * 100 / then


def counter_growth(
    history: Sequence[AccountSnapshotLike], now: datetime, metric: str = "followers"
) -> Growth:
    """Growth of an account counter (followers by default) from its snapshot history."""
    read = counter(metric, ACCOUNT_COUNTERS)
    current = latest(history, at=now)

    def one(days: int) -> PeriodGrowth:
        then = aware(now) - timedelta(days=days)
        past = latest(history, at=then)
        if current is None or past is None or aware(current.fetched_at) <= then:
            return PeriodGrowth(None, _value(current, read), _value(past, read), then, _at(past))
        value_now, value_then = read(current), read(past)
        return PeriodGrowth(percent_change(value_now, value_then), value_now, value_then, then, _at(past))

    return Growth(metric, one(PERIODS["month"]), one(PERIODS["quarter"]), one(PERIODS["year"]))


def follower_growth(history: Sequence[AccountSnapshotLike], now: datetime) -> Growth:
    """Growth of followers; see the module docstring for the definition."""
    return counter_growth(history, now, "followers")


def engagement_growth(
    posts: Sequence[PostHistory],
    account_history: Sequence[AccountSnapshotLike],
    now: datetime,
    *,
    basis: Basis = "followers",
    last: int = LAST_POSTS,
    min_age: timedelta = MIN_POST_AGE,
) -> Growth:
    """Growth of the account engagement rate: the rate evaluated at now against the
    rate evaluated at then (each from the snapshots taken at or before that instant)."""
    timelines: list[Timeline[Timestamped]] = [
        as_timeline(account_history),
        *(as_timeline(p.snapshots) for p in posts),
    ]
    evaluator = EngagementEvaluator(posts, account_history, basis=basis, last=last, min_age=min_age)
    rate_now = evaluator.rate(now)
    end = aware(now)

    def one(days: int) -> PeriodGrowth:
        then = end - timedelta(days=days)
        # the latest snapshot (of the account or of a post) at or before then, and any after it
        past_at = max((t for tl in timelines if (t := tl.time_at(then)) is not None), default=None)
        if past_at is None:
            return PeriodGrowth(None, rate_now.value, None, then, None, rate_now.posts_used, 0)
        newer = any(tl.any_between(then, end) for tl in timelines)
        rate_then = evaluator.rate(then)
        pct = percent_change(rate_now.value, rate_then.value) if newer else None
        return PeriodGrowth(
            pct, rate_now.value, rate_then.value, then, past_at, rate_now.posts_used, rate_then.posts_used
        )

    return Growth(
        f"engagement_rate:{basis}", one(PERIODS["month"]), one(PERIODS["quarter"]), one(PERIODS["year"])
    )


def _value(snap: object | None, read: Callable[[object], int | None]) -> float | None:
    return read(snap) if snap is not None else None


def _at(snap: Timestamped | None) -> datetime | None:
    return aware(snap.fetched_at) if snap is not None else None
