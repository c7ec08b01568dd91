"""Small builders shared by the analytics tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from socialpulse.analytics.snapshots import AccountPoint, PostHistory, PostPoint


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def d(year: int, month: int, day: int) -> date:
    return date(year, month, day)


def acc(when: datetime, **counters: int | None) -> AccountPoint:
    return AccountPoint(fetched_at=when, **counters)


def snap(when: datetime, **counters: int | None) -> PostPoint:
    return PostPoint(fetched_at=when, **counters)


def post(
    posted_at: datetime | None, *snapshots: PostPoint, type: str | None = None, key: str = ""
) -> PostHistory:
    return PostHistory(posted_at=posted_at, snapshots=list(snapshots), type=type, key=key)
