"""Time helpers: every timestamp in socialpulse is an aware UTC datetime."""

from __future__ import annotations

from datetime import UTC, date, datetime, time


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(dt: datetime) -> datetime:
    """Treat naive datetimes (as SQLite returns them) as UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def start_of_day(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=UTC)


def parse_iso(value: str) -> datetime:
    """Parse an ISO 8601 timestamp (``Z`` accepted); naive values are UTC."""
    return aware(datetime.fromisoformat(value.replace("Z", "+00:00")))


def iso(dt: datetime) -> str:
    return aware(dt).isoformat().replace("+00:00", "Z")
