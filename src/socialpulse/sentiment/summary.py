"""Summaries of comment sentiment over a scope (accounts, posts) and a date range.

Counting happens in SQL: one ``GROUP BY`` over (day, label, analyser, version) answers the
totals, the trend, the unscored count and the analysers; two ``LIMIT 1`` queries find the most
liked positive and negative comments. No comment list is loaded: a profile with a hundred
thousand comments over a year reads about a thousand grouped rows.

Definitions (also in ``docs/metrics.md``, "Comment sentiment"):

- A comment's **moment** is its ``posted_at``, or its ``first_seen_at`` when the platform gave
  no time. Days are UTC calendar days of the moment; ``start`` and ``end`` are both included.
- The **trend** has one point per day, or per ISO week starting on Monday, from the first to
  the last day with a scored comment in the range; days without one in between are empty
  points (total 0, every percentage 0.0).
- Only **scored** comments (label ``positive``, ``neutral`` or ``negative``) are counted; the
  others are **unscored** and only counted as such.
- **Percentages** have one decimal and are rounded by the largest-remainder method, so their
  tenths add up to exactly 1000 (ties in the remainders go to the label listed first:
  positive, neutral, negative).
- The **verdict** is ``positive`` when positive comments outnumber negative ones by at least
  :data:`VERDICT_MARGIN` percentage points of all scored comments, ``negative`` when the
  reverse holds, and ``neutral`` otherwise.
- The **most liked** comment of a label is the one with the most likes (unknown likes rank
  below 0); ties go to the comment stored first (lowest id). It is the ORM row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Date, Select, and_, cast, false, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from socialpulse.db.dialect import dialect_name
from socialpulse.kit.time import start_of_day
from socialpulse.models import Comment, Post
from socialpulse.sentiment.base import Label

Bucket = Literal["day", "week"]

#: The labels in the order every answer lists them.
SUMMARY_LABELS: tuple[Label, ...] = ("positive", "neutral", "negative")

#: Percentage points of all scored comments by which one polarity must lead the other.
VERDICT_MARGIN = 10

VERDICT_RULE = (
    f"positive when positive comments outnumber negative ones by at least {VERDICT_MARGIN} "
    f"percentage points of all scored comments, negative when negative ones outnumber positive "
    f"ones by at least {VERDICT_MARGIN} points, neutral otherwise"
)


@dataclass(frozen=True)
class CommentScope:
    """Comments of the user's posts ``post_ids``, or of the user's posts of ``account_ids``.

    Both empty means no comment at all. Another user's ids select nothing.
    """

    user_id: int
    account_ids: tuple[int, ...] = ()
    post_ids: tuple[int, ...] = ()  # comments of these posts OR of posts of these accounts


@dataclass(frozen=True)
class TrendPoint:
    """One day, or one ISO week (``start`` is its Monday), of the trend.

    An empty bucket has ``total`` 0 and every percentage 0.0.
    """

    start: date
    total: int
    counts: dict[str, int]
    percentages: dict[str, float]


@dataclass(frozen=True)
class SentimentSummary:
    total: int  # scored comments in scope and range
    counts: dict[str, int]  # keys positive, neutral, negative (always all three)
    percentages: dict[str, float]  # one decimal; the tenths add up to exactly 1000
    verdict: str  # positive | neutral | negative (see VERDICT_RULE)
    trend: list[TrendPoint]  # per day or ISO week in range
    most_liked_positive: Comment | None  # ORM rows
    most_liked_negative: Comment | None


@dataclass(frozen=True)
class AnalyserUse:
    """An analyser (name and version) and how many of the counted comments it labelled."""

    name: str | None
    version: str | None
    comments: int


@dataclass(frozen=True)
class Coverage:
    """A summary with what surrounds it: the comments left out because they are not scored,
    the analysers the labels come from, and the first and last days with a scored comment."""

    summary: SentimentSummary | None
    unscored: int
    analysers: tuple[AnalyserUse, ...]
    first_day: date | None
    last_day: date | None


# ---------------------------------------------------------------------------- pure rules


def percentages(counts: Mapping[str, int]) -> dict[str, float]:
    """Each label's share in percent with one decimal, by the largest-remainder method.

    The tenths add up to exactly 1000 whenever a count is positive (so ``round(sum, 1)`` is
    100.0; a plain float sum may show 100.00000000000001). Ties in the remainders go to the
    label listed first (positive, neutral, negative). All 0.0 when every count is 0.
    """
    values = [counts.get(label, 0) for label in SUMMARY_LABELS]
    if any(v < 0 for v in values):
        raise ValueError(f"counts cannot be negative: {dict(counts)}")
    total = sum(values)
    if total == 0:
        return dict.fromkeys(SUMMARY_LABELS, 0.0)
    tenths = [v * 1000 // total for v in values]
    remainders = [v * 1000 % total for v in values]
    left = 1000 - sum(tenths)
    for i in sorted(range(len(values)), key=lambda i: (-remainders[i], i))[:left]:
        tenths[i] += 1
    return {label: t / 10 for label, t in zip(SUMMARY_LABELS, tenths, strict=True)}


def verdict(counts: Mapping[str, int]) -> Label:
    """The overall verdict of label counts (:data:`VERDICT_RULE`), decided on the counts
    themselves, not on rounded percentages: a lead of exactly the margin counts."""
    pos, neg = counts.get("positive", 0), counts.get("negative", 0)
    total = sum(counts.get(label, 0) for label in SUMMARY_LABELS)
    if total == 0:
        return "neutral"
    if 100 * (pos - neg) >= VERDICT_MARGIN * total:
        return "positive"
    if 100 * (neg - pos) >= VERDICT_MARGIN * total:
        return "negative"
    return "neutral"


def bucket_start(day: date, bucket: Bucket) -> date:
    """The first day of ``day``'s bucket: the day itself, or the Monday of its ISO week."""
    return day if bucket == "day" else day - timedelta(days=day.weekday())


def trend(
    day_counts: Mapping[date, Mapping[str, int]], start: date, end: date, bucket: Bucket
) -> list[TrendPoint]:
    """Every bucket from ``start``'s to ``end``'s, oldest first; days outside the range are
    ignored, and days without a count make empty buckets."""
    if start > end:
        return []
    step = timedelta(days=1 if bucket == "day" else 7)
    sums: dict[date, dict[str, int]] = {}
    first, last = bucket_start(start, bucket), bucket_start(end, bucket)
    at = first
    while at <= last:
        sums[at] = dict.fromkeys(SUMMARY_LABELS, 0)
        at += step
    for day, counts in day_counts.items():
        if start <= day <= end:
            into = sums[bucket_start(day, bucket)]
            for label in SUMMARY_LABELS:
                into[label] += counts.get(label, 0)
    return [
        TrendPoint(start=at, total=sum(c.values()), counts=c, percentages=percentages(c))
        for at, c in sums.items()
    ]


# ---------------------------------------------------------------------------- SQL


def _moment() -> ColumnElement[datetime]:
    return func.coalesce(Comment.posted_at, Comment.first_seen_at)


def _day(dialect: str) -> ColumnElement[Any]:
    """The UTC calendar day of a comment's moment: a ``date`` on PostgreSQL, ``YYYY-MM-DD``
    text on SQLite (which stores UTC timestamps as naive text). No bind parameter, so the
    expression can repeat in ``GROUP BY``."""
    if dialect == "postgresql":
        return cast(func.timezone(literal_column("'UTC'"), _moment()), Date)
    return func.date(_moment())


def _in_scope(scope: CommentScope, start: date | None, end: date | None) -> list[ColumnElement[bool]]:
    owners: list[ColumnElement[bool]] = []
    if scope.post_ids:
        owners.append(Post.id.in_(scope.post_ids))
    if scope.account_ids:
        owners.append(Post.account_id.in_(scope.account_ids))
    where: list[ColumnElement[bool]] = [Post.user_id == scope.user_id, or_(*owners) if owners else false()]
    if start is not None:
        where.append(_moment() >= start_of_day(start))
    if end is not None and end < date.max:
        where.append(_moment() < start_of_day(end + timedelta(days=1)))
    return where


def _scoped(stmt: Select[Any], scope: CommentScope, start: date | None, end: date | None) -> Select[Any]:
    return stmt.join(Post, Post.id == Comment.post_id).where(and_(*_in_scope(scope, start, end)))


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


async def _most_liked(
    session: AsyncSession, scope: CommentScope, start: date | None, end: date | None, label: Label
) -> Comment | None:
    stmt = _scoped(select(Comment), scope, start, end).where(Comment.sentiment_label == label)
    stmt = stmt.order_by(func.coalesce(Comment.likes, -1).desc(), Comment.id).limit(1)
    row: Comment | None = await session.scalar(stmt)
    return row


async def summarise_with_coverage(
    session: AsyncSession,
    scope: CommentScope,
    *,
    start: date | None = None,
    end: date | None = None,
    bucket: Bucket = "day",
) -> Coverage:
    """The summary (``None`` when no scored comment is in scope and range), the number of
    unscored comments in scope and range, and the analysers of the counted labels.

    The trend runs from the first to the last day with a scored comment in the range, every
    bucket in between included (empty ones too); so its length follows the data, not the range
    asked. Weeks are cut by the range: the first and last ones may be partial.
    """
    if start is not None and end is not None and start > end:
        raise ValueError(f"start {start.isoformat()} is after end {end.isoformat()}")
    day = _day(dialect_name(session)).label("day")
    stmt = _scoped(
        select(
            day,
            Comment.sentiment_label,
            Comment.analyser,
            Comment.analyser_version,
            func.count().label("n"),
        ).select_from(Comment),
        scope,
        start,
        end,
    ).group_by(day, Comment.sentiment_label, Comment.analyser, Comment.analyser_version)

    unscored = 0
    by_day: dict[date, dict[str, int]] = {}
    totals: dict[str, int] = dict.fromkeys(SUMMARY_LABELS, 0)
    analysers: dict[tuple[str | None, str | None], int] = {}
    for row_day, label, name, version, n in (await session.execute(stmt)).all():
        if label not in totals:
            unscored += n
            continue
        d = _as_date(row_day)
        counts = by_day.setdefault(d, dict.fromkeys(SUMMARY_LABELS, 0))
        counts[label] += n
        totals[label] += n
        analysers[(name, version)] = analysers.get((name, version), 0) + n
    uses = tuple(
        AnalyserUse(name=k[0], version=k[1], comments=v)
        for k, v in sorted(analysers.items(), key=lambda kv: (-kv[1], str(kv[0][0]), str(kv[0][1])))
    )
    if not by_day:
        return Coverage(summary=None, unscored=unscored, analysers=uses, first_day=None, last_day=None)

    first_day, last_day = min(by_day), max(by_day)
    summary = SentimentSummary(
        total=sum(totals.values()),
        counts=totals,
        percentages=percentages(totals),
        verdict=verdict(totals),
        trend=trend(by_day, first_day, last_day, bucket),
        most_liked_positive=await _most_liked(session, scope, start, end, "positive"),
        most_liked_negative=await _most_liked(session, scope, start, end, "negative"),
    )
    return Coverage(
        summary=summary, unscored=unscored, analysers=uses, first_day=first_day, last_day=last_day
    )


async def summarise(
    session: AsyncSession,
    scope: CommentScope,
    *,
    start: date | None = None,
    end: date | None = None,
    bucket: Bucket = "day",
) -> SentimentSummary | None:
    """The sentiment summary of the scored comments in ``scope`` whose moment falls between
    ``start`` and ``end`` (UTC days, both included; ``None`` = unbounded); ``None`` when there
    is no such comment. ``ValueError`` when ``start`` is after ``end``."""
    coverage = await summarise_with_coverage(session, scope, start=start, end=end, bucket=bucket)
    return coverage.summary
