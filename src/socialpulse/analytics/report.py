"""Aggregates of a creator report: per-post averages, the video / non-video split and
engagement by day.

Each post is read through its latest snapshot (at or before ``now`` when given). An
average ignores posts whose counter is ``None`` and says how many posts it rests on.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from socialpulse.analytics.engagement import (
    LAST_POSTS,
    MIN_POST_AGE,
    Basis,
    EngagementEvaluator,
    EngagementRate,
)
from socialpulse.analytics.snapshots import (
    AccountSnapshotLike,
    PostHistory,
    Timeline,
    counter,
    daily_values,
    latest,
    utc_day,
)
from socialpulse.kit.time import aware, start_of_day
from socialpulse.models.enums import PostType

VIDEO_TYPES: frozenset[str] = frozenset({PostType.video.value, PostType.short.value, PostType.reel.value})
"""Post types that count as video. Everything else, including an unknown type, is non-video."""

AVERAGED: tuple[str, ...] = ("likes", "comments", "views", "shares")


@dataclass(frozen=True)
class Average:
    """Mean of a counter over the posts that report it; ``count`` = how many did."""

    mean: float | None
    count: int


@dataclass(frozen=True)
class PostAverages:
    """Per-post averages over ``posts`` posts."""

    posts: int
    likes: Average
    comments: Average
    views: Average
    shares: Average


@dataclass(frozen=True)
class VideoSplit:
    """The same averages for video posts and for the other posts."""

    video: PostAverages
    non_video: PostAverages


def is_video(post_type: str | None) -> bool:
    """Whether a post type is a video (``video``, ``short``, ``reel``)."""
    return post_type in VIDEO_TYPES


def last_posts(posts: Iterable[PostHistory], last: int | None = None) -> list[PostHistory]:
    """Posts newest first (posts without ``posted_at`` after the dated ones; equal times
    ordered by ``key``); only the first ``last`` of them when given."""
    pool = list(posts)
    dated = sorted(
        (p for p in pool if p.posted_at is not None),
        key=lambda p: (aware(p.posted_at) if p.posted_at is not None else datetime.min, p.key),
        reverse=True,
    )
    undated = sorted((p for p in pool if p.posted_at is None), key=lambda p: p.key, reverse=True)
    ordered = dated + undated
    return ordered if last is None else ordered[: max(last, 0)]


def post_averages(
    posts: Iterable[PostHistory], *, last: int | None = None, now: datetime | None = None
) -> PostAverages:
    """Averages of likes, comments, views and shares per post over the last ``last``
    posts (all posts when ``None``), each from the post's latest snapshot."""
    chosen = last_posts(posts, last)
    snaps = [latest(p.snapshots, at=now) for p in chosen]

    def average(name: str) -> Average:
        read = counter(name)
        values = [v for v in (read(s) for s in snaps if s is not None) if v is not None]
        return Average(statistics.fmean(values) if values else None, len(values))

    return PostAverages(
        posts=len(chosen),
        likes=average("likes"),
        comments=average("comments"),
        views=average("views"),
        shares=average("shares"),
    )


def video_split(
    posts: Iterable[PostHistory], *, last: int | None = None, now: datetime | None = None
) -> VideoSplit:
    """:func:`post_averages` of the video posts and of the other posts among the last
    ``last`` posts (the last posts are chosen first, then split by type)."""
    chosen = last_posts(posts, last)
    return VideoSplit(
        video=post_averages([p for p in chosen if is_video(p.type)], now=now),
        non_video=post_averages([p for p in chosen if not is_video(p.type)], now=now),
    )


def engagement_by_day(
    posts: Sequence[PostHistory],
    account_history: Sequence[AccountSnapshotLike],
    *,
    start: date | None = None,
    end: date | None = None,
    basis: Basis = "followers",
    last: int = LAST_POSTS,
    min_age: timedelta = MIN_POST_AGE,
) -> dict[date, EngagementRate]:
    """The account engagement rate at the end of each UTC day on which the account has
    a snapshot (between ``start`` and ``end`` when given), each evaluated with the
    snapshots taken up to that day's end. Days without an account snapshot are absent."""
    every = (
        dict.fromkeys(account_history.days)  # a timeline's days never decrease
        if isinstance(account_history, Timeline)
        else sorted({utc_day(s.fetched_at) for s in account_history})
    )
    days = [day for day in every if (start is None or day >= start) and (end is None or day <= end)]
    evaluator = EngagementEvaluator(posts, account_history, basis=basis, last=last, min_age=min_age)
    ends = [start_of_day(day + timedelta(days=1)) - timedelta(microseconds=1) for day in days]
    return dict(zip(days, evaluator.rates(ends), strict=True))


def interactions_by_day(
    posts: Iterable[PostHistory], metrics: Sequence[str] = ("likes", "comments")
) -> dict[date, int]:
    """New interactions per UTC day, summed over posts: for each post and metric, the
    daily value of the cumulative counter (never negative; no value on a post's first
    day or after a gap), added up. A day on which no post had a value is absent."""
    out: dict[date, int] = {}
    for name in metrics:
        counter(name)  # validates the name
    for post in posts:
        for name in metrics:
            for day, value in daily_values(post.snapshots, name).items():
                if value is not None:
                    out[day] = out.get(day, 0) + value
    return dict(sorted(out.items()))
