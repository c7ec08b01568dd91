"""Snapshot-like values and the day series built from them.

Every analytics function reads snapshots through the small protocols below, so ORM rows
(:class:`socialpulse.models.AccountSnapshot`, :class:`~socialpulse.models.PostSnapshot`)
and the frozen dataclasses :class:`AccountPoint` / :class:`PostPoint` (handy in tests and
in callers that hold plain values) fit alike. Counters are cumulative, as the platform
reported them; ``None`` means "not reported", never 0.

Order of snapshots never matters: every function sorts by ``fetched_at``. Two snapshots
with the same ``fetched_at`` are ordered by ``id`` when they have one (the later insert
wins, as in the stats repository), then by how many counters they report, then by their
values, so the result is the same whatever order they are given in.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from operator import attrgetter, lt
from typing import TYPE_CHECKING, Protocol, TypeVar, overload

from socialpulse.analytics.errors import UnknownMetric
from socialpulse.kit.time import aware

ACCOUNT_COUNTERS: tuple[str, ...] = (
    "followers",
    "following",
    "posts",
    "views",
    "impressions",
    "reach",
    "likes",
    "comments",
    "shares",
    "saves",
    "profile_views",
)
"""The counters of an account snapshot (the same names as ``models.stats.ACCOUNT_METRICS``)."""

POST_COUNTERS: tuple[str, ...] = (
    "views",
    "plays",
    "likes",
    "comments",
    "shares",
    "saves",
    "reach",
    "impressions",
)
"""The counters of a post snapshot (the same names as ``models.stats.POST_METRICS``)."""

_ALL_COUNTERS = tuple(sorted(set(ACCOUNT_COUNTERS) | set(POST_COUNTERS)))
_FETCHED_AT = attrgetter("fetched_at")
_TZINFO = attrgetter("tzinfo")
_UTC_ONLY = frozenset([UTC])
ONE_DAY = timedelta(days=1)


class Timestamped(Protocol):
    @property
    def fetched_at(self) -> datetime: ...


class AccountSnapshotLike(Timestamped, Protocol):
    """The attributes of an account snapshot that analytics reads."""

    @property
    def followers(self) -> int | None: ...
    @property
    def following(self) -> int | None: ...
    @property
    def posts(self) -> int | None: ...
    @property
    def views(self) -> int | None: ...
    @property
    def impressions(self) -> int | None: ...
    @property
    def reach(self) -> int | None: ...
    @property
    def likes(self) -> int | None: ...
    @property
    def comments(self) -> int | None: ...
    @property
    def shares(self) -> int | None: ...
    @property
    def saves(self) -> int | None: ...
    @property
    def profile_views(self) -> int | None: ...


class PostSnapshotLike(Timestamped, Protocol):
    """The attributes of a post snapshot that analytics reads."""

    @property
    def views(self) -> int | None: ...
    @property
    def plays(self) -> int | None: ...
    @property
    def likes(self) -> int | None: ...
    @property
    def comments(self) -> int | None: ...
    @property
    def shares(self) -> int | None: ...
    @property
    def saves(self) -> int | None: ...
    @property
    def reach(self) -> int | None: ...
    @property
    def impressions(self) -> int | None: ...


@dataclass(frozen=True)
class AccountPoint:
    """An account snapshot as plain values (``id``: the row id, when it came from one)."""

    fetched_at: datetime
    followers: int | None = None
    following: int | None = None
    posts: int | None = None
    views: int | None = None
    impressions: int | None = None
    reach: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    profile_views: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class PostPoint:
    """A post snapshot as plain values (``id``: the row id, when it came from one)."""

    fetched_at: datetime
    views: int | None = None
    plays: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    reach: int | None = None
    impressions: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class PostHistory:
    """A post with its snapshots, as the post-level analytics read it.

    ``posted_at`` is when the post was published (``None`` when the platform did not
    say); ``type`` is a :class:`socialpulse.models.enums.PostType` value; ``key`` is any
    stable identifier (the post id), used only to order posts published at the same
    instant.
    """

    posted_at: datetime | None
    snapshots: Sequence[PostSnapshotLike]
    type: str | None = None
    key: str = ""


if TYPE_CHECKING:  # the ORM rows fit the protocols (checked by mypy, never run)
    from socialpulse.models.stats import AccountSnapshot, PostSnapshot

    def _orm_rows_fit(a: AccountSnapshot, p: PostSnapshot) -> tuple[AccountSnapshotLike, PostSnapshotLike]:
        return a, p


S = TypeVar("S", bound=Timestamped)
S_co = TypeVar("S_co", bound=Timestamped, covariant=True)


def order_key(snapshot: Timestamped) -> tuple[datetime, int, int, tuple[int, ...]]:
    """Sort key of a snapshot: time, then id, then completeness, then values (see module doc)."""
    ident = getattr(snapshot, "id", None)
    values = [getattr(snapshot, name, None) for name in _ALL_COUNTERS]
    ints = tuple(v if isinstance(v, int) else -1 for v in values)
    reported = sum(1 for v in values if isinstance(v, int))
    return (utc(snapshot.fetched_at), ident if isinstance(ident, int) else -1, reported, ints)


def utc_day(moment: datetime) -> date:
    """The UTC calendar day of a timestamp (naive timestamps are UTC)."""
    return utc(moment).date()


def utc(moment: datetime) -> datetime:
    """The instant as an aware UTC datetime (naive values are UTC), like ``kit.time.aware``,
    returning values already in UTC (what the database gives) as they are."""
    return moment if moment.tzinfo is UTC else aware(moment)


def chronological(snapshots: Iterable[S]) -> list[S]:
    """The snapshots oldest first, in the deterministic order of :func:`order_key`."""
    if isinstance(snapshots, Timeline):
        return list(snapshots)
    return sorted(snapshots, key=order_key)


class Timeline(Sequence[S_co]):
    """Snapshots sorted once in the order of :func:`order_key`, so that "the latest one at or
    before an instant" is a bisection instead of a scan.

    A timeline is a ``Sequence`` of its snapshots (oldest first): every function that takes
    snapshots takes one and gives the same result, only faster when it asks many instants
    (:func:`latest`, :func:`chronological` and :func:`last_per_day` use it directly). It holds
    the snapshots it was given; build a new one when they change.
    """

    __slots__ = ("_days", "_items", "_times")

    def __init__(self, snapshots: Iterable[S_co], *, times: Iterable[datetime] | None = None) -> None:
        """``times``: the ``fetched_at`` of each snapshot in the same order, when the caller
        has them at hand (reading a column of a result row by position is cheaper)."""
        items = list(snapshots)
        times = list(map(_FETCHED_AT, items) if times is None else times)
        if len(times) != len(items):
            raise ValueError(f"{len(items)} snapshots but {len(times)} times")
        if not set(map(_TZINFO, times)) <= _UTC_ONLY:
            times = [t if t.tzinfo is UTC else aware(t) for t in times]
        self._days: list[date] | None = None
        if all(map(lt, times, islice(times, 1, None))):
            # strictly increasing times: already in the order of order_key (no ties to break)
            self._items: list[S_co] = items
            self._times: list[datetime] = times
            return
        ids = [getattr(s, "id", None) for s in items]
        if all(type(i) is int for i in ids) and len(set(ids)) == len(ids):
            # distinct row ids decide every tie of fetched_at: the same order as order_key
            order = [n for _, _, n in sorted(zip(times, ids, range(len(items)), strict=True))]
        else:
            keys = [order_key(s) for s in items]
            order = sorted(range(len(items)), key=keys.__getitem__)
        self._items = [items[i] for i in order]
        self._times = [times[i] for i in order]

    @overload
    def __getitem__(self, index: int) -> S_co: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[S_co]: ...
    def __getitem__(self, index: int | slice) -> S_co | Sequence[S_co]:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[S_co]:
        return iter(self._items)

    def index_at(self, at: datetime) -> int:
        """Index of the latest snapshot taken at or before ``at``; -1 when there is none."""
        return bisect_right(self._times, utc(at)) - 1

    @property
    def times(self) -> Sequence[datetime]:
        """When each snapshot was taken (aware UTC), in the timeline's order."""
        return self._times

    @property
    def days(self) -> Sequence[date]:
        """The UTC day of each snapshot, in the timeline's order (so never decreasing)."""
        days = self._days
        if days is None:
            days = self._days = [t.date() for t in self._times]
        return days

    def latest(self, at: datetime | None = None) -> S_co | None:
        """As :func:`latest`."""
        if not self._items:
            return None
        if at is None:
            return self._items[-1]
        i = self.index_at(at)
        return self._items[i] if i >= 0 else None

    def time_at(self, at: datetime) -> datetime | None:
        """When the latest snapshot at or before ``at`` was taken (aware UTC); ``None`` if none."""
        i = self.index_at(at)
        return self._times[i] if i >= 0 else None

    def any_between(self, after: datetime, until: datetime) -> bool:
        """Whether a snapshot was taken in ``(after, until]``."""
        return self.index_at(until) > self.index_at(after)


def as_timeline(snapshots: Iterable[S]) -> Timeline[S]:
    """``snapshots`` as a :class:`Timeline` (itself when it already is one)."""
    return snapshots if isinstance(snapshots, Timeline) else Timeline(snapshots)


def latest(snapshots: Iterable[S], at: datetime | None = None) -> S | None:
    """The latest snapshot, or the latest one taken at or before ``at``; ``None`` if there is none."""
    if isinstance(snapshots, Timeline):
        return snapshots.latest(at)
    limit = aware(at) if at is not None else None
    best: S | None = None
    best_key: tuple[datetime, int, int, tuple[int, ...]] | None = None
    for snap in snapshots:
        key = order_key(snap)
        if limit is not None and key[0] > limit:
            continue
        if best_key is None or key > best_key:
            best, best_key = snap, key
    return best


def last_per_day(snapshots: Iterable[S]) -> dict[date, S]:
    """Day series helper: the last snapshot of each UTC day, days in ascending order."""
    if isinstance(snapshots, Timeline):
        # days never decrease along a timeline; later snapshots of a day overwrite
        return dict(zip(snapshots.days, snapshots, strict=True))
    days: dict[date, S] = {}
    for snap in chronological(snapshots):
        days[utc_day(snap.fetched_at)] = snap  # later snapshots of the same day overwrite
    return dict(sorted(days.items()))


def counter(name: str, allowed: tuple[str, ...] = _ALL_COUNTERS) -> Callable[[object], int | None]:
    """A reader of the counter ``name``; an unknown name raises :class:`UnknownMetric`."""
    if name not in allowed:
        raise UnknownMetric(name, allowed, parameter="metric")

    def read(snapshot: object) -> int | None:
        value = getattr(snapshot, name, None)
        return value if isinstance(value, int) else None

    return read


def day_values(snapshots: Iterable[Timestamped], metric: str) -> dict[date, int | None]:
    """The value of ``metric`` in the last snapshot of each UTC day (``None`` if not reported)."""
    read = counter(metric)
    return {day: read(snap) for day, snap in last_per_day(snapshots).items()}


def daily_deltas(levels: Mapping[date, int | None]) -> dict[date, int | None]:
    """Daily values of a cumulative counter from its end-of-day levels.

    For each day ``d`` that has a level: ``max(0, level[d] - level[d - 1 day])``.

    - The first day has no value (``None``): there is nothing to subtract.
    - A day whose previous calendar day has no level (a gap in the history) gets
      ``None``, not the difference over several days: that difference is real but
      belongs to no single day, and spreading it would invent numbers.
    - A day with no level has no entry at all.
    - A drop is clamped at 0 (a deleted post lowers a lifetime view count; that is not
      negative views). The next day is measured from the dropped level.
    - ``None`` on either side gives ``None``.
    """
    out: dict[date, int | None] = {}
    before: date | None = None  # the previous day that has a level
    prev: int | None = None
    for day in sorted(levels):
        now = levels[day]
        if now is None or prev is None or before is None or (day - before).days != 1:
            out[day] = None
        else:
            out[day] = now - prev if now > prev else 0
        before, prev = day, now
    return out


def daily_values(snapshots: Iterable[Timestamped], metric: str) -> dict[date, int | None]:
    """Daily values of a cumulative counter: :func:`daily_deltas` of :func:`day_values`."""
    return daily_deltas(day_values(snapshots, metric))
