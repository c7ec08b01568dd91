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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from socialpulse.analytics.snapshots import (
    AccountSnapshotLike,
    PostHistory,
    PostSnapshotLike,
    latest,
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
    likes, comments = snapshot.likes, snapshot.comments
    base = likes + comments if likes is not None and comments is not None else None
    added: tuple[str, ...] = ()
    extended: int | None = None
    if base is not None:
        parts = [(name, value) for name, value in (("shares", snapshot.shares), ("saves", snapshot.saves))]
        reported = [(name, value) for name, value in parts if value is not None]
        if reported:
            added = tuple(name for name, _ in reported)
            extended = base + sum(value for _, value in reported)
    return PostEngagement(
        by_followers=percent(base, followers),
        by_followers_with_shares_saves=percent(extended, followers),
        by_views=percent(base, snapshot.views),
        by_reach=percent(base, snapshot.reach),
        followers=followers,
        added=added,
    )


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
    chosen = recent_posts(posts, now, last=last, min_age=min_age)
    rates = [post_engagement_at(p, account_history, at=now).rate(basis) for p in chosen]
    used = [r for r in rates if r is not None]
    formula = f"mean of {FORMULAS[basis]} over the last {last} posts at least {_age(min_age)} old"
    if not used:
        return EngagementRate(None, None, formula, 0)
    return EngagementRate(statistics.fmean(used), statistics.median(used), formula, len(used))


def content_per_week(
    posted_at: Iterable[datetime | None], now: datetime, *, days: int = CADENCE_DAYS
) -> float:
    """Posts per week: posts published in the last ``days`` (90) days ÷ (``days`` ÷ 7).

    A post counts when ``now - days ≤ posted_at ≤ now`` (both ends inclusive); posts
    without a publication time or dated after ``now`` do not count. No posts gives 0.0:
    that is a measured cadence, not a missing value.
    """
    end = aware(now)
    start = end - timedelta(days=days)
    count = sum(1 for t in posted_at if t is not None and start <= aware(t) <= end)
    return count * 7 / days


def _age(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g} h"
