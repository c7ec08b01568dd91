from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialpulse.analytics.errors import InvalidTierTable
from socialpulse.analytics.tiers import DEFAULT_TIERS, influencer_tier, tier_table


class TestInfluencerTier:
    @pytest.mark.parametrize(
        ("followers", "tier"),
        [
            (None, None),
            (0, None),
            (999, None),
            (1_000, "nano"),  # lower bound inclusive
            (9_999, "nano"),
            (10_000, "micro"),
            (49_999, "micro"),
            (50_000, "mid"),
            (499_999, "mid"),
            (500_000, "macro"),
            (999_999, "macro"),
            (1_000_000, "mega"),
            (250_000_000, "mega"),
        ],
    )
    def test_default_table(self, followers: int | None, tier: str | None) -> None:
        assert influencer_tier(followers) == tier

    def test_custom_table_in_any_order(self) -> None:
        table = [("big", 100), ("small", 0)]
        assert influencer_tier(0, table) == "small"
        assert influencer_tier(99, table) == "small"
        assert influencer_tier(100, table) == "big"

    @pytest.mark.parametrize(
        "table",
        [[], [("a", -1)], [("a", 10), ("b", 10)], [("a", 10), ("a", 20)]],
    )
    def test_invalid_tables(self, table: list[tuple[str, int]]) -> None:
        with pytest.raises(InvalidTierTable):
            tier_table(table)


tables = st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=6, unique=True).map(
    lambda bounds: [(f"t{b}", b) for b in bounds]
)


class TestTierProperties:
    @given(st.integers(min_value=0, max_value=10**8), st.integers(min_value=0, max_value=10**8))
    def test_monotonic_in_followers(self, a: int, b: int) -> None:
        low, high = sorted((a, b))
        rank: dict[str | None, int] = {None: -1, **{name: i for i, (name, _) in enumerate(DEFAULT_TIERS)}}
        assert rank[influencer_tier(low)] <= rank[influencer_tier(high)]

    @given(
        tables, st.integers(min_value=0, max_value=2 * 10**7), st.integers(min_value=0, max_value=2 * 10**7)
    )
    def test_monotonic_with_any_table(self, table: list[tuple[str, int]], a: int, b: int) -> None:
        low, high = sorted((a, b))
        ordered = tier_table(table)
        rank: dict[str | None, int] = {None: -1, **{name: i for i, (name, _) in enumerate(ordered)}}
        assert rank[influencer_tier(low, table)] <= rank[influencer_tier(high, table)]
        tier = influencer_tier(high, table)
        if tier is not None:
            assert dict(ordered)[tier] <= high  # the tier's lower bound is reached
