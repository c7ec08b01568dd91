from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialpulse.analytics.errors import UnknownMetric
from socialpulse.analytics.snapshots import (
    ACCOUNT_COUNTERS,
    POST_COUNTERS,
    AccountPoint,
    daily_deltas,
    daily_values,
    day_values,
    last_per_day,
    latest,
)
from socialpulse.models.stats import ACCOUNT_METRICS, POST_METRICS

from .helpers import acc, at, d


class TestCounterNames:
    def test_match_the_snapshot_tables(self) -> None:
        assert ACCOUNT_COUNTERS == ACCOUNT_METRICS
        assert POST_COUNTERS == POST_METRICS


HISTORY = [
    acc(at(2026, 1, 1, 9), views=100),
    acc(at(2026, 1, 1, 18), views=130),  # last of Jan 1
    acc(at(2026, 1, 2), views=180),
    acc(at(2026, 1, 3, 8), views=170),  # a drop: posts were deleted
    acc(at(2026, 1, 4, 10), views=200),
    # no snapshot on Jan 5
    acc(at(2026, 1, 6, 10), views=260),
    acc(at(2026, 1, 7, 10), views=None),  # not reported that day
    acc(at(2026, 1, 8, 10), views=300),
    acc(at(2026, 1, 9, 10), views=300),
]


class TestLastPerDay:
    def test_keeps_the_last_snapshot_of_each_utc_day(self) -> None:
        days = last_per_day(reversed(HISTORY))
        assert list(days) == [d(2026, 1, n) for n in (1, 2, 3, 4, 6, 7, 8, 9)]
        assert days[d(2026, 1, 1)].views == 130

    def test_days_are_utc_days(self) -> None:
        # 20:30 at UTC-5 is 01:30 UTC the next day; a naive timestamp is UTC
        minus5 = timezone(timedelta(hours=-5))
        snaps = [
            AccountPoint(fetched_at=datetime(2026, 1, 1, 20, 30, tzinfo=minus5), followers=2),
            AccountPoint(fetched_at=datetime(2026, 1, 1, 23, 0), followers=1),
        ]
        days = last_per_day(snaps)
        assert {day: s.followers for day, s in days.items()} == {d(2026, 1, 1): 1, d(2026, 1, 2): 2}

    def test_same_instant_is_ordered_by_id_then_completeness(self) -> None:
        class Row:
            def __init__(self, ident: int, followers: int | None) -> None:
                self.id = ident
                self.fetched_at = at(2026, 1, 1)
                self.followers = followers

        rows = [Row(2, 10), Row(1, 99)]
        assert latest(rows) is rows[0]  # the later insert wins, as in the stats repository
        plain = [acc(at(2026, 1, 1), followers=None), acc(at(2026, 1, 1), followers=5)]
        assert latest(plain) is plain[1]
        assert latest(list(reversed(plain))) is plain[1]


class TestLatest:
    def test_at_or_before(self) -> None:
        assert latest(HISTORY, at=at(2026, 1, 2)) is HISTORY[2]  # same instant counts
        assert latest(HISTORY, at=at(2026, 1, 2, 11)) is HISTORY[1]
        assert latest(HISTORY, at=at(2025, 12, 31)) is None
        assert latest([]) is None


class TestDailyValues:
    def test_hand_computed(self) -> None:
        assert daily_values(HISTORY, "views") == {
            d(2026, 1, 1): None,  # first day: nothing to subtract
            d(2026, 1, 2): 50,  # 180 - 130
            d(2026, 1, 3): 0,  # 170 - 180 = -10, clamped
            d(2026, 1, 4): 30,  # 200 - 170: measured from the dropped level
            d(2026, 1, 6): None,  # Jan 5 missing: the 60 over two days belongs to no single day
            d(2026, 1, 7): None,  # not reported
            d(2026, 1, 8): None,  # previous day not reported
            d(2026, 1, 9): 0,  # 300 - 300
        }

    def test_day_values(self) -> None:
        assert day_values(HISTORY, "views")[d(2026, 1, 3)] == 170
        assert day_values(HISTORY, "followers")[d(2026, 1, 3)] is None

    def test_unknown_metric(self) -> None:
        with pytest.raises(UnknownMetric) as err:
            daily_values(HISTORY, "view")
        assert isinstance(err.value, ValueError)
        assert "'view'" in str(err.value)

    def test_deltas_from_levels(self) -> None:
        assert daily_deltas({}) == {}
        assert daily_deltas({d(2026, 1, 2): 5, d(2026, 1, 1): 3}) == {d(2026, 1, 1): None, d(2026, 1, 2): 2}


# ---------------------------------------------------------------------------- properties

values = st.one_of(st.none(), st.integers(min_value=0, max_value=10**9))
snapshots = st.lists(
    st.builds(
        lambda day, second, v: acc(at(2026, 1, 1, 0) + timedelta(days=day, seconds=second), views=v),
        st.integers(min_value=0, max_value=20),
        st.integers(min_value=0, max_value=86_399),
        values,
    ),
    max_size=40,
)

# few distinct instants: many snapshots share their fetched_at
colliding = st.lists(
    st.builds(
        lambda day, hour, v, f: acc(
            at(2026, 1, 1, 0) + timedelta(days=day, hours=hour), views=v, followers=f
        ),
        st.integers(min_value=0, max_value=3),
        st.sampled_from([0, 23]),
        values,
        values,
    ),
    max_size=20,
)


class TestDailyValueProperties:
    @given(snapshots)
    def test_never_negative_and_only_on_days_with_a_snapshot(self, snaps: list[AccountPoint]) -> None:
        out = daily_values(snaps, "views")
        assert all(v is None or v >= 0 for v in out.values())
        assert set(out) == {s.fetched_at.astimezone(UTC).date() for s in snaps}
        if out:
            assert out[min(out)] is None

    @given(snapshots, st.randoms(use_true_random=False))
    def test_insertion_order_does_not_matter(self, snaps: list[AccountPoint], rnd: random.Random) -> None:
        shuffled = list(snaps)
        rnd.shuffle(shuffled)
        assert daily_values(shuffled, "views") == daily_values(snaps, "views")
        assert day_values(shuffled, "views") == day_values(snaps, "views")
        assert latest(shuffled) == latest(snaps)

    @given(colliding, st.randoms(use_true_random=False))
    def test_same_instant_snapshots_do_not_depend_on_order(
        self, snaps: list[AccountPoint], rnd: random.Random
    ) -> None:
        shuffled = list(snaps)
        rnd.shuffle(shuffled)
        for metric in ("views", "followers"):
            assert daily_values(shuffled, metric) == daily_values(snaps, metric)
        assert last_per_day(shuffled) == last_per_day(snaps)
