"""Impressions and other metrics summed across platforms, with per-platform and per-day
breakdowns that always add up to the totals.

Input: one :class:`AccountSeries` per account: its platform and, per account snapshot
column, the value of the column in the last snapshot of each UTC day (build it with
:func:`series_from_snapshots`). Include history before the range: flows need the day
before the range, stocks the last level before it.

Two kinds of metric (``platforms.metrics.STOCK_METRICS`` / ``FLOW_METRICS``):

- **Flows** (reach, impressions, likes, comments, shares, saves, profileViews) are
  cumulative counters. Their value over a range is the sum of their daily values
  (:func:`socialpulse.analytics.snapshots.daily_deltas`: never negative, ``None`` on a
  day after a gap) over the days of the range. ``per_day[d]`` is the sum over accounts
  of the daily value on ``d``. Reach is treated as a flow too, although unique reach is
  not additive across days: the sum counts an account reached on two days twice, so a
  range's reach is the sum of daily reach (an upper bound of the unique reach), as in
  upload-post's total. Unique reach over a range cannot be rebuilt from daily numbers.
- **Stocks** (followers, following, video_count) are levels. Their value over a range
  is the level at its end: the latest reported value at or before ``end``.
  ``per_day[start]`` is the level at the end of the first day and ``per_day[d]`` for
  later days the change on ``d`` (negative when followers were lost), so a running
  sum of ``per_day`` gives the level day by day and the sum is the total.

Either way ``sum(per_platform.values()) == sum(per_day.values()) == total``, in
integers. A platform or a day appears in a breakdown only when some account gave a
value for it; ``missing_days`` counts the (account, day) pairs of the range that had
none, so a total resting on partial history says so.

Default mode (:func:`total_impressions`): each platform contributes its primary
impressions metric only (``platforms.metrics``), so reach and views of one platform are
never added together.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from socialpulse.analytics.errors import InvalidDate, UnknownMetric, UnknownPeriod, UnknownPlatform
from socialpulse.analytics.snapshots import (
    ACCOUNT_COUNTERS,
    ONE_DAY,
    Timestamped,
    counter,
    last_per_day,
)
from socialpulse.models.enums import Platform
from socialpulse.platforms.metrics import (
    API_METRICS,
    MetricKind,
    metric_config,
    metric_kind,
    snapshot_column,
)

PERIODS: dict[str, int] = {
    "last_day": 1,
    "last_week": 7,
    "last_month": 30,
    "last_3months": 90,
    "last_year": 365,
}
"""Period shortcuts: the range runs from ``today - days`` to ``today``, both included."""

DEFAULT_DAYS = 30
PLATFORM_ALIASES: dict[str, str] = {"twitter": "x"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class DateRange:
    """Calendar days from ``start`` to ``end``, both included (UTC days)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise InvalidDate(
                "start_date", f"start_date {self.start.isoformat()} is after end_date {self.end.isoformat()}"
            )

    def days(self) -> Iterator[date]:
        day = self.start
        while day <= self.end:
            yield day
            day += timedelta(days=1)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def __len__(self) -> int:
        return (self.end - self.start).days + 1


def parse_date(value: str, parameter: str) -> date:
    """A ``YYYY-MM-DD`` date; anything else raises :class:`InvalidDate` naming ``parameter``."""
    text = value.strip()
    if not _DATE.fullmatch(text):
        raise InvalidDate(parameter, f"{parameter} must be a date as YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidDate(parameter, f"{parameter} is not a calendar date: {value!r}") from None


def period_range(period: str, today: date) -> DateRange:
    """The range of a period shortcut: ``today - days`` … ``today`` (see :data:`PERIODS`)."""
    days = PERIODS.get(period.strip())
    if days is None:
        raise UnknownPeriod("period", f"unknown period {period!r}; use one of: {', '.join(PERIODS)}")
    return DateRange(today - timedelta(days=days), today)


def resolve_range(
    today: date,
    *,
    period: str | None = None,
    date: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    default_days: int = DEFAULT_DAYS,
) -> DateRange:
    """The date range of a question, a pure function of ``today``.

    Precedence: ``period`` overrides everything; then ``date`` (that day only); then
    ``start_date`` / ``end_date``, where a missing end is ``today`` and a missing start is
    ``end - default_days``. With nothing given: ``today - 30 days`` … ``today``. Empty
    strings count as not given. Bad values raise an :class:`AnalyticsInputError` subclass
    naming the parameter; so does a start after the end.
    """
    if period:
        return period_range(period, today)
    if date:
        day = parse_date(date, "date")
        return DateRange(day, day)
    end = parse_date(end_date, "end_date") if end_date else today
    start = parse_date(start_date, "start_date") if start_date else end - timedelta(days=default_days)
    return DateRange(start, end)


def parse_metrics(metrics: str | Iterable[str]) -> tuple[str, ...]:
    """Metric names from a comma-separated string or an iterable, deduplicated in order.

    Each must be one of :data:`API_METRICS` (case-sensitive, as upload-post spells
    them); an unknown name, or none at all, raises :class:`UnknownMetric`.
    """
    names = metrics.split(",") if isinstance(metrics, str) else list(metrics)
    out: list[str] = []
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        if name not in API_METRICS:
            raise UnknownMetric(name, API_METRICS)
        if name not in out:
            out.append(name)
    if not out:
        raise UnknownMetric("", API_METRICS)
    return tuple(out)


def parse_platforms(platforms: str | Iterable[str] | None) -> frozenset[str] | None:
    """A platform filter from a comma-separated string or an iterable; ``None`` = all.

    Names are case-insensitive; ``twitter`` means ``x``. An unknown name raises
    :class:`UnknownPlatform`. An empty filter means no filter.
    """
    if platforms is None:
        return None
    names = platforms.split(",") if isinstance(platforms, str) else list(platforms)
    allowed = tuple(p.value for p in Platform)
    out: set[str] = set()
    for raw in names:
        name = raw.strip().lower()
        if not name:
            continue
        name = PLATFORM_ALIASES.get(name, name)
        if name not in allowed:
            raise UnknownPlatform(raw.strip(), allowed)
        out.add(name)
    return frozenset(out) if out else None


@dataclass(frozen=True)
class AccountSeries:
    """One account's day series: ``days[column][day]`` is the value of an account
    snapshot column in the last snapshot of that UTC day (``None`` = not reported)."""

    platform: str
    account: str
    days: Mapping[str, Mapping[date, int | None]]
    windows: Mapping[str, Mapping[date, int | None]] = field(default_factory=dict)
    """Per-day values of columns the platform reports per day window (Instagram's own-account
    insights, ``platforms.metrics.WINDOW_INSIGHTS``): ``windows[column][day]`` is that day's
    value itself, not a level. Where a column has any, they are used instead of its levels."""


def series_from_snapshots(platform: str, account: str, snapshots: Iterable[Timestamped]) -> AccountSeries:
    """Build an :class:`AccountSeries` from account snapshots (any order)."""
    per_day = last_per_day(snapshots)
    readers = {name: counter(name, ACCOUNT_COUNTERS) for name in ACCOUNT_COUNTERS}
    days = {name: {day: read(snap) for day, snap in per_day.items()} for name, read in readers.items()}
    return AccountSeries(platform=platform, account=account, days=days)


@dataclass(frozen=True)
class Breakdown:
    """A metric summed over accounts for a date range, with breakdowns adding up to ``total``."""

    metric: str
    kind: MetricKind
    total: int
    per_platform: dict[str, int] = field(default_factory=dict)
    per_day: dict[date, int] = field(default_factory=dict)
    accounts: int = 0
    """Accounts that gave at least one value."""
    missing_days: int = 0
    """(account, day) pairs of the range without a value."""


@dataclass
class _Acc:
    total: int = 0
    per_platform: dict[str, int] = field(default_factory=dict)
    per_day: dict[date, int] = field(default_factory=dict)
    accounts: int = 0
    missing: int = 0

    def add(self, platform: str, day: date, value: int) -> None:
        self.total += value
        self.per_platform[platform] = self.per_platform.get(platform, 0) + value
        self.per_day[day] = self.per_day.get(day, 0) + value


def _flow(acc: _Acc, platform: str, levels: Mapping[date, int | None], rng: DateRange) -> None:
    """The daily values of a cumulative counter (:func:`daily_deltas` of ``levels``) on the
    days of ``rng``, added to ``acc``."""
    per_day = acc.per_day
    start, end = rng.start, rng.end
    total = 0
    given = 0
    before: date | None = None  # the previous day that has a level
    prev: int | None = None
    for day in sorted(levels):
        now = levels[day]
        if (
            now is not None
            and prev is not None
            and before is not None
            and day - before == ONE_DAY
            and start <= day <= end
        ):
            value = now - prev if now > prev else 0
            per_day[day] = per_day.get(day, 0) + value
            total += value
            given += 1
        before, prev = day, now
    acc.missing += len(rng) - given
    if given:
        acc.total += total
        acc.per_platform[platform] = acc.per_platform.get(platform, 0) + total
        acc.accounts += 1


def _window_flow(acc: _Acc, platform: str, values: Mapping[date, int | None], days: Sequence[date]) -> None:
    """A flow reported per day window: each day's value is taken as it is."""
    given = [(day, v) for day in days if (v := values.get(day)) is not None]
    acc.missing += len(days) - len(given)
    if not given:
        return
    for day, value in given:
        acc.add(platform, day, value)
    acc.accounts += 1


def _stock(acc: _Acc, platform: str, levels: Mapping[date, int | None], rng: DateRange) -> None:
    reported = sorted((day, value) for day, value in levels.items() if value is not None)
    before = [value for day, value in reported if day < rng.start]
    known = bool(before)
    running = 0
    if before:
        running = before[-1]
        acc.add(platform, rng.start, running)  # the opening level
    first_known = rng.start if known else None
    for day, value in reported:
        if day not in rng:
            continue
        acc.add(platform, day, value - running)
        running = value
        if first_known is None:
            first_known = day
    if first_known is None:
        acc.missing += len(rng)
        return
    acc.missing += (first_known - rng.start).days
    acc.accounts += 1


def _column_levels(series: AccountSeries, metric: str) -> Mapping[date, int | None]:
    column = snapshot_column(series.platform, metric)
    if column is None:
        return {}
    return series.days.get(column, {})


def _aggregate(
    series: Iterable[AccountSeries],
    rng: DateRange,
    metric_of: Mapping[str, str] | str,
    platforms: Collection[str] | None,
    name: str,
    kind: MetricKind,
) -> Breakdown:
    acc = _Acc()
    days: list[date] | None = None  # listed when a window flow needs them
    for one in series:
        if platforms is not None and one.platform not in platforms:
            continue
        metric = metric_of if isinstance(metric_of, str) else metric_of[one.platform]
        column = snapshot_column(one.platform, metric)
        window = one.windows.get(column, {}) if column is not None else {}
        if kind == "flow" and any(v is not None for v in window.values()):
            if days is None:
                days = list(rng.days())
            _window_flow(acc, one.platform, window, days)
            continue
        levels = _column_levels(one, metric)
        if kind == "flow":
            _flow(acc, one.platform, levels, rng)
        else:
            _stock(acc, one.platform, levels, rng)
    return Breakdown(
        metric=name,
        kind=kind,
        total=acc.total,
        per_platform=dict(sorted(acc.per_platform.items())),
        per_day=dict(sorted(acc.per_day.items())),
        accounts=acc.accounts,
        missing_days=acc.missing,
    )


def aggregate_metrics(
    series: Iterable[AccountSeries],
    date_range: DateRange,
    metrics: str | Iterable[str],
    platforms: str | Iterable[str] | None = None,
) -> dict[str, Breakdown]:
    """Each requested metric summed over the accounts (of the filtered platforms).

    ``metrics`` and ``platforms`` are parsed by :func:`parse_metrics` and
    :func:`parse_platforms`. A metric a platform does not report contributes nothing
    there (and counts in ``missing_days``), never 0.
    """
    names = parse_metrics(metrics)
    wanted = parse_platforms(platforms)
    rows = list(series)
    return {name: _aggregate(rows, date_range, name, wanted, name, metric_kind(name)) for name in names}


def total_impressions(
    series: Iterable[AccountSeries],
    date_range: DateRange,
    platforms: str | Iterable[str] | None = None,
) -> Breakdown:
    """Total impressions: each account contributes the daily values of its platform's
    primary impressions metric only (reach for Facebook, Instagram, LinkedIn; views for
    YouTube, TikTok, Threads; impressions for X and Pinterest; score for Reddit;
    nothing for Bluesky), summed over the range."""
    wanted = parse_platforms(platforms)
    primary = {p.value: metric_config(p.value).primary_impressions_field for p in Platform}
    return _aggregate(series, date_range, primary, wanted, "total_impressions", "flow")
