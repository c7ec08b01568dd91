"""Influencer tier by followers.

Default table (lower bound inclusive, upper bound exclusive):

======  ==========================
tier    followers
======  ==========================
(none)  below 1,000
nano    1,000 – 9,999
micro   10,000 – 49,999
mid     50,000 – 499,999
macro   500,000 – 999,999
mega    1,000,000 and more
======  ==========================

A count exactly on a bound belongs to the tier that starts there (10,000 is micro).
"""

from __future__ import annotations

from collections.abc import Iterable

from socialpulse.analytics.errors import InvalidTierTable

TierTable = tuple[tuple[str, int], ...]
"""``(name, lower bound)`` pairs; a tier runs from its bound up to the next tier's bound."""

DEFAULT_TIERS: TierTable = (
    ("nano", 1_000),
    ("micro", 10_000),
    ("mid", 50_000),
    ("macro", 500_000),
    ("mega", 1_000_000),
)


def tier_table(pairs: Iterable[tuple[str, int]]) -> TierTable:
    """Validate a tier table and return it sorted by bound.

    Raises :class:`InvalidTierTable` when it is empty, a bound is negative, or a bound
    or a name appears twice.
    """
    table = tuple(sorted(((str(name), int(bound)) for name, bound in pairs), key=lambda p: p[1]))
    if not table:
        raise InvalidTierTable("a tier table needs at least one tier")
    bounds = [bound for _, bound in table]
    names = [name for name, _ in table]
    if bounds[0] < 0:
        raise InvalidTierTable(f"tier {names[0]!r} has a negative lower bound {bounds[0]}")
    if len(set(bounds)) != len(bounds):
        raise InvalidTierTable("two tiers share a lower bound")
    if len(set(names)) != len(names):
        raise InvalidTierTable("two tiers share a name")
    return table


def influencer_tier(followers: int | None, table: Iterable[tuple[str, int]] | None = None) -> str | None:
    """The tier whose range holds ``followers``; ``None`` below the first bound or when
    the count is unknown.

    ``table`` replaces :data:`DEFAULT_TIERS` (any order; validated by :func:`tier_table`).
    Lower bounds are inclusive: with the default table 10,000 followers is ``"micro"``
    and 9,999 is ``"nano"``.
    """
    rows = DEFAULT_TIERS if table is None else tier_table(table)
    if followers is None:
        return None
    found: str | None = None
    for name, bound in rows:
        if followers >= bound:
            found = name
        else:
            break
    return found
