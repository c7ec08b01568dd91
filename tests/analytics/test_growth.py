from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialpulse.analytics.growth import counter_growth, engagement_growth, follower_growth, percent_change

from .helpers import acc, at, post, snap

NOW = at(2026, 1, 1, 12)
HISTORY = [
    acc(at(2025, 1, 1, 8), followers=800),
    acc(at(2025, 10, 3, 8), followers=900),
    acc(at(2025, 12, 2, 8), followers=1000),
    acc(at(2025, 12, 20), followers=1050),
    acc(at(2026, 1, 1, 11), followers=1100),
]


class TestPercentChange:
    def test_cases(self) -> None:
        assert percent_change(110, 100) == pytest.approx(10.0)
        assert percent_change(90, 100) == pytest.approx(-10.0)
        assert percent_change(5, 0) is None
        assert percent_change(None, 100) is None
        assert percent_change(100, None) is None


class TestFollowerGrowth:
    def test_hand_computed(self) -> None:
        g = follower_growth(list(reversed(HISTORY)), NOW)
        # month: then = Dec 2 12:00 → snapshot Dec 2 08:00 (1000): (1100 − 1000) / 1000 × 100 = 10
        assert g.month.percent == pytest.approx(10.0)
        assert (g.month.value_now, g.month.value_then) == (1100, 1000)
        assert g.month.then == at(2025, 12, 2, 12)
        assert g.month.then_at == at(2025, 12, 2, 8)
        # quarter: then = Oct 3 12:00 → 900: 200 / 900 × 100 = 22.22…
        assert g.quarter.percent == pytest.approx(200 / 9)
        # year: then = Jan 1 2025 12:00 → 800: 300 / 800 × 100 = 37.5
        assert g.year.percent == pytest.approx(37.5)

    def test_history_too_short(self) -> None:
        g = follower_growth(HISTORY[2:], NOW)  # starts Dec 2 08:00
        assert g.month.percent == pytest.approx(10.0)
        assert g.quarter.percent is None
        assert g.quarter.value_then is None
        assert g.quarter.then_at is None
        assert g.year.percent is None

    def test_value_then_zero_or_unknown(self) -> None:
        history = [
            acc(at(2025, 11, 1), followers=0),
            acc(at(2025, 12, 1), followers=None),
            acc(NOW, followers=50),
        ]
        g = follower_growth(history, NOW)
        assert g.month.percent is None  # Dec 1 reported no follower count
        assert g.quarter.percent is None  # Nov 1 had 0 followers: no percentage of 0

    def test_nothing_new_since_then_is_not_zero_growth(self) -> None:
        g = follower_growth([acc(at(2025, 11, 1), followers=500)], NOW)
        assert g.month.percent is None  # the only snapshot is older than a month
        assert g.month.value_then == 500

    def test_other_counters(self) -> None:
        history = [acc(at(2025, 12, 1), views=1000), acc(NOW, views=1500)]
        assert counter_growth(history, NOW, "views").month.percent == pytest.approx(50.0)

    @given(st.permutations(list(range(len(HISTORY)))))
    def test_order_does_not_matter(self, order: list[int]) -> None:
        assert follower_growth([HISTORY[i] for i in order], NOW) == follower_growth(HISTORY, NOW)


class TestEngagementGrowth:
    def test_hand_computed(self) -> None:
        account = [acc(at(2024, 12, 1), followers=1000), acc(at(2025, 12, 31), followers=1200)]
        p = post(
            at(2024, 12, 1),
            snap(at(2025, 11, 1), likes=40, comments=10),
            snap(at(2026, 1, 1, 10), likes=70, comments=20),
        )
        g = engagement_growth([p], account, NOW)
        # now: 90 / 1200 × 100 = 7.5; a month ago (Dec 2): post snapshot Nov 1 with 1000 followers
        # → 50 / 1000 × 100 = 5; growth (7.5 − 5) / 5 × 100 = 50
        assert g.month.value_now == pytest.approx(7.5)
        assert g.month.value_then == pytest.approx(5.0)
        assert g.month.percent == pytest.approx(50.0)
        # a year ago (Jan 1 2025) the post had no snapshot: no rate then, no growth
        assert g.year.value_then is None
        assert g.year.percent is None
        assert g.metric == "engagement_rate:followers"

    def test_no_history_back_then(self) -> None:
        account = [acc(at(2025, 12, 20), followers=100)]
        p = post(at(2025, 12, 1), snap(at(2025, 12, 25), likes=5, comments=5))
        g = engagement_growth([p], account, NOW)
        assert g.month.percent is None
        assert g.month.then_at is None
        assert g.month.value_now == pytest.approx(10.0)

    def test_nothing_new_since_then(self) -> None:
        account = [acc(at(2025, 10, 1), followers=100)]
        p = post(at(2025, 9, 1), snap(at(2025, 10, 1), likes=5, comments=5))
        assert engagement_growth([p], account, NOW).month.percent is None
