"""Engagement rates of posts and accounts, and posting cadence.

Definitions (the same text is in ``docs/metrics.md``):

- **Post engagement rate by followers** = (likes + comments) ÷ followers × 100, where
  likes and comments come from the post's latest snapshot and followers from the
  account snapshot nearest at or before that post snapshot.
- Beside it, as separate fields: the same rate with shares and saves added where the
  platform reports them; the rate by views, (likes + comments) ÷ views × 100; and the
  rate by reach, (likes + comments) ÷ reach × 100.
- Each rate is ``None`` when an input it needs is ``None`` or its denominator is 0.
- **Account engagement rate** = the mean of the per-post rates of its last 12 posts
  that are at least 24 h old, with the median beside it.
- **Content per week** = posts published in the last 90 days ÷ (90 ÷ 7).
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from socialpulse.analytics.snapshots import (
    AccountSnapshotLike,
    PostHistory,
    PostSnapshotLike,
    Timeline,
    as_timeline,
    latest,
    utc,
)
from socialpulse.kit.time import aware

Basis = Literal["followers", "followers_with_shares_saves", "views", "reach"]
BASES: tuple[Basis, ...] = ("followers", "followers_with_shares_saves", "views", "reach")

FORMULAS: dict[Basis, str] = {
    "followers": "(likes + comments) / followers × 100",
    "followers_with_shares_saves": "(likes + comments + shares + saves) / followers × 100",
    "views": "(likes + comments) / views × 100",
    "reach": "(likes + comments) / reach × 100",
}
"""The per-post formula of each basis. Shares and saves count only where reported."""

LAST_POSTS = 12
MIN_POST_AGE = timedelta(hours=24)
CADENCE_DAYS = 90


@dataclass(frozen=True)
class PostEngagement:
    """The engagement rates of one post (percentages; ``None`` = cannot be computed)."""

    by_followers: float | None
    """(likes + comments) ÷ followers × 100."""
    by_followers_with_shares_saves: float | None
    """(likes + comments + shares + saves) ÷ followers × 100, each of shares and saves
    added only when reported; ``None`` when neither is reported (it would repeat
    :attr:`by_followers`). :attr:`added` names the ones added."""
    by_views: float | None
    """(likes + comments) ÷ views × 100."""
    by_reach: float | None
    """(likes + comments) ÷ reach × 100."""
    followers: int | None
    """The follower count used as denominator."""
    added: tuple[str, ...] = ()

    def formula(self, basis: Basis) -> str:
        """The formula of one rate, naming exactly the interactions it added."""
        if basis == "followers_with_shares_saves" and self.added:
            return f"(likes + comments + {' + '.join(self.added)}) / followers × 100"
        return FORMULAS[basis]

    def rate(self, basis: Basis) -> float | None:
        if basis == "followers":
            return self.by_followers
        if basis == "followers_with_shares_saves":
            return self.by_followers_with_shares_saves
        if basis == "views":
            return self.by_views
        return self.by_reach


@dataclass(frozen=True)
class EngagementRate:
    """An engagement rate with what it rests on.

    ``value`` is the mean and ``median`` the median of the per-post rates, in percent;
    both are ``None`` when ``posts_used`` is 0. ``formula`` says how it was computed.
    """

    value: float | None
    median: float | None
    formula: str
    posts_used: int


def percent(numerator: int | None, denominator: int | None) -> float | None:
    """``numerator ÷ denominator × 100``; ``None`` when either is ``None`` or the denominator ≤ 0."""
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator * 100 / denominator


def post_engagement(snapshot: PostSnapshotLike | None, followers: int | None) -> PostEngagement:
    """The engagement rates of a post from its (latest) snapshot and the account's followers.

    Likes and comments must both be reported for any rate: a missing count is unknown,
    not 0. Views and reach are the post's own counters (``plays`` is not used in their
    place). The rate by views is computed for any post that reports views; it is the
    meaningful one for videos.
    """
    if snapshot is None:
        return PostEngagement(None, None, None, None, followers)
    base = _interactions(snapshot)
    extended, added = _with_shares_saves(snapshot, base)
    return PostEngagement(
        by_followers=percent(base, followers),
        by_followers_with_shares_saves=percent(extended, followers),
        by_views=percent(base, snapshot.views),
        by_reach=percent(base, snapshot.reach),
        followers=followers,
        added=added,
    )


def post_rate(snapshot: PostSnapshotLike, followers: int | None, basis: Basis) -> float | None:
    """One rate of :func:`post_engagement` (``post_engagement(...).rate(basis)``), computing
    only that one."""
    base = _interactions(snapshot)
    if basis == "followers":
        return percent(base, followers)
    if basis == "views":
        return percent(base, snapshot.views)
    if basis == "reach":
        return percent(base, snapshot.reach)
    return percent(_with_shares_saves(snapshot, base)[0], followers)


def _interactions(snapshot: PostSnapshotLike) -> int | None:
    """likes + comments; ``None`` unless both are reported."""
    likes, comments = snapshot.likes, snapshot.comments
    return likes + comments if likes is not None and comments is not None else None


def _with_shares_saves(snapshot: PostSnapshotLike, base: int | None) -> tuple[int | None, tuple[str, ...]]:
    """``base`` + shares + saves, each added where reported, and the names added; ``None``
    when ``base`` is ``None`` or neither is reported."""
    if base is None:
        return None, ()
    reported = [
        (name, v) for name, v in (("shares", snapshot.shares), ("saves", snapshot.saves)) if v is not None
    ]
    if not reported:
        return None, ()
    return base + sum(v for _, v in reported), tuple(name for name, _ in reported)


def followers_at(history: Iterable[AccountSnapshotLike], when: datetime) -> int | None:
    """Followers in the account snapshot nearest at or before ``when`` (``None`` if none)."""
    snap = latest(history, at=when)
    return snap.followers if snap is not None else None


def post_engagement_at(
    post: PostHistory, account_history: Sequence[AccountSnapshotLike], at: datetime | None = None
) -> PostEngagement:
    """:func:`post_engagement` of the post's latest snapshot (at or before ``at``), with
    the followers of the account snapshot nearest at or before that post snapshot."""
    snap = latest(post.snapshots, at=at)
    if snap is None:
        return PostEngagement(None, None, None, None, None)
    return post_engagement(snap, followers_at(account_history, snap.fetched_at))


def recent_posts(
    posts: Iterable[PostHistory], now: datetime, *, last: int = LAST_POSTS, min_age: timedelta = MIN_POST_AGE
) -> list[PostHistory]:
    """The last ``last`` posts published at least ``min_age`` before ``now``, newest first.

    Posts without ``posted_at`` are left out (their age is unknown). Posts published at
    the same instant are ordered by ``key``.
    """
    cutoff = aware(now) - min_age
    eligible = [p for p in posts if p.posted_at is not None and aware(p.posted_at) <= cutoff]
    eligible.sort(key=lambda p: (aware(p.posted_at) if p.posted_at else cutoff, p.key), reverse=True)
    return eligible[:last]


def account_engagement_rate(
    posts: Iterable[PostHistory],
    account_history: Sequence[AccountSnapshotLike],
    now: datetime,
    *,
    basis: Basis = "followers",
    last: int = LAST_POSTS,
    min_age: timedelta = MIN_POST_AGE,
) -> EngagementRate:
    """Account engagement rate as of ``now``: mean (and median) of the per-post rates of
    the last ``last`` (12) posts at least ``min_age`` (24 h) old.

    Only snapshots taken at or before ``now`` are read, so evaluating at a past instant
    gives the rate as it was then. The posts are chosen first; a chosen post whose rate
    is ``None`` (no snapshot yet, a count not reported, no follower count) is left out
    of the mean and not replaced by an older post, and ``posts_used`` counts the rates
    that entered the mean.
    """
    return EngagementEvaluator(posts, account_history, basis=basis, last=last, min_age=min_age).rate(now)


class EngagementEvaluator:
    """:func:`account_engagement_rate` of one account at many instants, preparing the
    inputs once: posts sorted by publication time, each post's snapshots and the account
    history as :class:`~socialpulse.analytics.snapshots.Timeline` (built on first use), and
    each post snapshot's rate computed once. :meth:`rate` gives exactly what
    :func:`account_engagement_rate` gives with the same arguments.
    """

    def __init__(
        self,
        posts: Iterable[PostHistory],
        account_history: Sequence[AccountSnapshotLike],
        *,
        basis: Basis = "followers",
        last: int = LAST_POSTS,
        min_age: timedelta = MIN_POST_AGE,
    ) -> None:
        self.basis: Basis = basis
        self.last = last
        self.min_age = min_age
        self.formula = f"mean of {FORMULAS[basis]} over the last {last} posts at least {_age(min_age)} old"
        self._history = account_history
        self._timeline: Timeline[AccountSnapshotLike] | None = None
        dated = [(utc(p.posted_at), p) for p in posts if p.posted_at is not None]
        # newest first, equal times by key: the order of recent_posts
        dated.sort(key=lambda tp: (tp[0], tp[1].key), reverse=True)
        self._posts = [p for _, p in dated]
        self._posted = [t for t, _ in dated]
        self._oldest_first = self._posted[::-1]
        self._lines: list[_PostLine | None] = [None] * len(self._posts)

    def chosen(self, now: datetime) -> list[PostHistory]:
        """The posts the rate at ``now`` rests on (as :func:`recent_posts`)."""
        return [self._posts[i] for i in self._chosen(utc(now))]

    def rate(self, now: datetime) -> EngagementRate:
        """The account engagement rate as of ``now``."""
        moment = utc(now)
        used: list[float] = []
        lines = self._lines
        for index in self._chosen(moment):
            line = lines[index] or self._line(index)
            at = bisect_right(line.times, moment) - 1
            if at < 0:
                continue
            value = line.rates[at] if line.known[at] else self._post_rate(line, at)
            if value is not None:
                used.append(value)
        if not used:
            return EngagementRate(None, None, self.formula, 0)
        return EngagementRate(statistics.fmean(used), statistics.median(used), self.formula, len(used))

    def rates(self, instants: Iterable[datetime]) -> list[EngagementRate]:
        """:meth:`rate` at each of ``instants``. Between two instants at which no post snapshot
        was taken and no post turned ``min_age`` old the rate cannot change, and is reused."""
        events = sorted(
            [
                *(t for index in range(len(self._posts)) for t in self._line(index).times),
                *(t + self.min_age for t in self._posted),
            ]
        )
        out: list[EngagementRate] = []
        # the previous instant, how many events came by it, and the rate there
        previous: tuple[datetime, int, EngagementRate] | None = None
        for instant in instants:
            moment = utc(instant)
            seen = bisect_right(events, moment)
            if previous is not None and previous[0] <= moment and previous[1] == seen:
                result = previous[2]
            else:
                result = self.rate(moment)
            out.append(result)
            previous = (moment, seen, result)
        return out

    def _chosen(self, moment: datetime) -> range:
        # the first post published at or before now - min_age, and the ones after it (posts
        # published at the same instant are all on the same side of the cutoff)
        count = len(self._posts)
        start = count - bisect_right(self._oldest_first, moment - self.min_age)
        return range(start, count)[: self.last]

    def _line(self, index: int) -> _PostLine:
        line = self._lines[index]
        if line is None:
            line = self._lines[index] = _PostLine(as_timeline(self._posts[index].snapshots))
        return line

    def _post_rate(self, line: _PostLine, at: int) -> float | None:
        """The rate of snapshot ``at`` of a post, with the followers of the account snapshot
        nearest at or before it (:func:`followers_at`), remembered."""
        timeline = self._timeline
        if timeline is None:
            timeline = self._timeline = as_timeline(self._history)
        account = timeline.latest(line.times[at])
        value = post_rate(line.snapshots[at], account.followers if account is not None else None, self.basis)
        line.rates[at] = value
        line.known[at] = 1
        return value


class _PostLine:
    """A post's snapshots as :class:`EngagementEvaluator` reads them: their times, and the
    rate of each (``known[i]``: whether ``rates[i]`` is computed yet)."""

    __slots__ = ("known", "rates", "snapshots", "times")

    def __init__(self, snapshots: Timeline[PostSnapshotLike]) -> None:
        self.snapshots = snapshots
        self.times = snapshots.times
        self.rates: list[float | None] = [None] * len(snapshots)
        self.known = bytearray(len(snapshots))


def content_per_week(
    posted_at: Iterable[datetime | None], now: datetime, *, days: int = CADENCE_DAYS
) -> float:
    """Posts per week: posts published in the last ``days`` (90) days ÷ (``days`` ÷ 7).

    A post counts when ``now - days ≤ posted_at ≤ now`` (both ends inclusive); posts
    without a publication time or dated after ``now`` do not count. No posts gives 0.0:
    that is a measured cadence, not a missing value.
    """
    end = utc(now)
    start = end - timedelta(days=days)
    count = sum(1 for t in posted_at if t is not None and start <= utc(t) <= end)
    return count * 7 / days


def _age(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g} h"
