"""API shapes of statistics history, and the time window a history query covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from socialpulse.errors import BadRequest, Unprocessable
from socialpulse.kit.time import aware, iso, start_of_day
from socialpulse.models import AccountSnapshot, PostSnapshot
from socialpulse.models.stats import ACCOUNT_METRICS, POST_METRICS

Interval = Literal["raw", "day"]

MOMENT_FORM = "an ISO 8601 date (2024-05-01) or date-time (2024-05-01T12:00:00Z)"


def parse_moment(raw: str, field: str, *, date_means: Literal["start", "end"] = "start") -> datetime:
    """An aware UTC datetime from an ISO 8601 date or date-time (naive values are UTC).

    A date alone means the start of that UTC day, or its last microsecond when
    ``date_means="end"`` (so ``end=2024-05-31`` includes the whole of May 31st).
    """
    value = raw.strip()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        pass
    else:
        start = start_of_day(day)
        return start + timedelta(days=1, microseconds=-1) if date_means == "end" else start
    try:
        return aware(datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00")))
    except (ValueError, OverflowError):
        raise Unprocessable(
            f"{field}: '{raw}' is not {MOMENT_FORM}", field=field, expected=MOMENT_FORM
        ) from None


def check_order(
    start: datetime | None, end: datetime | None, start_field: str = "start", end_field: str = "end"
) -> None:
    """400 naming both fields when the window ends before it starts."""
    if start is not None and end is not None and end < start:
        raise BadRequest(
            f"{end_field} ({iso(end)}) is before {start_field} ({iso(start)}): "
            f"give an {end_field} at or after the {start_field}"
        )


@dataclass(frozen=True)
class StatsWindow:
    """Which snapshots a history query returns: ``start <= fetched_at <= end`` (either side open)."""

    start: datetime | None = None
    end: datetime | None = None
    interval: Interval = "raw"

    @classmethod
    def parse(cls, start: str | None, end: str | None, interval: Interval = "raw") -> StatsWindow:
        lo = parse_moment(start, "start") if start else None
        hi = parse_moment(end, "end", date_means="end") if end else None
        check_order(lo, hi)
        return cls(start=lo, end=hi, interval=interval)


class AccountLatest(BaseModel):
    """The counters of one account snapshot (null: the platform did not report it)."""

    model_config = ConfigDict(from_attributes=True)

    fetched_at: datetime
    followers: int | None
    following: int | None
    posts: int | None
    views: int | None
    impressions: int | None
    reach: int | None
    likes: int | None
    comments: int | None
    shares: int | None
    saves: int | None
    profile_views: int | None


class PostLatest(BaseModel):
    """The counters of one post snapshot (null: the platform did not report it)."""

    model_config = ConfigDict(from_attributes=True)

    fetched_at: datetime
    views: int | None
    plays: int | None
    likes: int | None
    comments: int | None
    shares: int | None
    saves: int | None
    reach: int | None
    impressions: int | None


class Source(BaseModel):
    connector: str
    api_version: str


class AccountStatsPoint(AccountLatest):
    source: Source
    extras: dict[str, Any] | None

    @classmethod
    def of(cls, s: AccountSnapshot) -> AccountStatsPoint:
        counters = {m: getattr(s, m) for m in ACCOUNT_METRICS}
        source = Source(connector=s.connector, api_version=s.api_version)
        return cls(fetched_at=s.fetched_at, source=source, extras=s.extras, **counters)


class PostStatsPoint(PostLatest):
    source: Source
    extras: dict[str, Any] | None

    @classmethod
    def of(cls, s: PostSnapshot) -> PostStatsPoint:
        counters = {m: getattr(s, m) for m in POST_METRICS}
        source = Source(connector=s.connector, api_version=s.api_version)
        return cls(fetched_at=s.fetched_at, source=source, extras=s.extras, **counters)


class AccountStats(BaseModel):
    account_id: int
    interval: Interval
    start: datetime | None
    end: datetime | None
    items: list[AccountStatsPoint]


class PostStats(BaseModel):
    post_id: int
    interval: Interval
    start: datetime | None
    end: datetime | None
    items: list[PostStatsPoint]


# ---------------------------------------------------------------------------- comments


class CommentSentiment(BaseModel):
    label: Literal["positive", "neutral", "negative"]
    score: float | None  # P(positive) - P(negative), in [-1, 1]
    analyser: str | None
    analyser_version: str | None


class CommentRead(BaseModel):
    """A stored comment; ``sentiment`` is null until an analyser has scored it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    post_id: int
    platform_comment_id: str
    parent_platform_id: str | None
    author: str | None
    author_id: str | None
    text: str
    posted_at: datetime | None
    likes: int | None
    reply_count: int | None
    first_seen_at: datetime
    updated_at: datetime
    sentiment: CommentSentiment | None

    @classmethod
    def of(cls, c: Any) -> CommentRead:
        sentiment = None
        if c.sentiment_label is not None:
            sentiment = CommentSentiment(
                label=c.sentiment_label,
                score=c.sentiment_score,
                analyser=c.analyser,
                analyser_version=c.analyser_version,
            )
        return cls(
            id=c.id,
            post_id=c.post_id,
            platform_comment_id=c.platform_comment_id,
            parent_platform_id=c.parent_platform_id,
            author=c.author,
            author_id=c.author_id,
            text=c.text,
            posted_at=c.posted_at,
            likes=c.likes,
            reply_count=c.reply_count,
            first_seen_at=c.first_seen_at,
            updated_at=c.updated_at,
            sentiment=sentiment,
        )


class CommentPageRead(BaseModel):
    order: Literal["newest", "top"]
    items: list[CommentRead]
    next_cursor: str | None
