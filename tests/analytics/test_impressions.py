from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialpulse.analytics.errors import (
    AnalyticsInputError,
    InvalidDate,
    UnknownMetric,
    UnknownPeriod,
    UnknownPlatform,
)
from socialpulse.analytics.impressions import (
    AccountSeries,
    Breakdown,
    DateRange,
    aggregate_metrics,
    parse_metrics,
    parse_platforms,
    period_range,
    resolve_range,
    series_from_snapshots,
    total_impressions,
)
from socialpulse.analytics.snapshots import AccountPoint
from socialpulse.errors import BadRequest
from socialpulse.models.enums import Platform
from socialpulse.platforms.metrics import API_METRICS, STOCK_METRICS

from .helpers import acc, at, d

JAN = {n: d(2026, 1, n) for n in range(1, 32)}
DEC30 = d(2025, 12, 30)
RANGE = DateRange(JAN[2], JAN[4])

INSTAGRAM = AccountSeries(
    "instagram",
    "ig",
    {
        "reach": {JAN[1]: 1000, JAN[2]: 1100, JAN[3]: 1050, JAN[4]: 1200},
        "views": {JAN[1]: 5000, JAN[2]: 9000, JAN[3]: 9500, JAN[4]: 9900},  # not its primary metric
        "followers": {DEC30: 100, JAN[3]: 120, JAN[5]: 130},
        "likes": {JAN[1]: 10, JAN[2]: 15, JAN[3]: 15, JAN[4]: 21},
    },
)
YOUTUBE = AccountSeries(
    "youtube",
    "yt",
    {
        "views": {JAN[1]: 10_000, JAN[2]: 10_500, JAN[4]: 11_000},  # no snapshot on Jan 3
        "followers": {JAN[2]: 50, JAN[4]: 45},
        "likes": {JAN[1]: None, JAN[2]: None, JAN[3]: None, JAN[4]: None},  # not reported
    },
)
BLUESKY = AccountSeries("bluesky", "bs", {"followers": {JAN[1]: 10}})
ALL = [INSTAGRAM, YOUTUBE, BLUESKY]


def adds_up(b: Breakdown) -> bool:
    return sum(b.per_platform.values()) == b.total == sum(b.per_day.values())


class TestTotalImpressions:
    def test_hand_computed(self) -> None:
        b = total_impressions(ALL, RANGE)
        # Instagram contributes reach only: Jan 2 1100 − 1000 = 100, Jan 3 1050 − 1100 → 0, Jan 4 1200 − 1050 = 150
        # YouTube contributes views: Jan 2 500; Jan 3 no snapshot; Jan 4 after a gap → no value
        # Bluesky reports no impressions: nothing
        assert b.total == 750  # 250 + 500
        assert b.per_platform == {"instagram": 250, "youtube": 500}
        assert b.per_day == {JAN[2]: 600, JAN[3]: 0, JAN[4]: 150}
        assert b.missing_days == 5  # YouTube Jan 3 and 4, Bluesky Jan 2–4
        assert b.accounts == 2
        assert b.kind == "flow"
        assert adds_up(b)

    def test_platform_filter(self) -> None:
        b = total_impressions(ALL, RANGE, platforms="YouTube, twitter")
        assert (b.total, b.per_platform, b.per_day) == (500, {"youtube": 500}, {JAN[2]: 500})

    def test_single_day(self) -> None:
        b = total_impressions(ALL, resolve_range(JAN[20], date="2026-01-04"))
        assert (b.total, b.per_day) == (150, {JAN[4]: 150})


class TestAggregateMetrics:
    def test_followers_are_a_stock(self) -> None:
        b = aggregate_metrics(ALL, RANGE, "followers")["followers"]
        # Instagram: level 100 carried in from Dec 30, +20 on Jan 3 → 120 (Jan 5 is after the range)
        # YouTube: 50 on Jan 2, −5 on Jan 4 → 45
        # Bluesky: level 10 carried in from Jan 1
        assert b.total == 175  # 120 + 45 + 10
        assert b.per_platform == {"bluesky": 10, "instagram": 120, "youtube": 45}
        assert b.per_day == {JAN[2]: 160, JAN[3]: 20, JAN[4]: -5}  # running sum: 160, 180, 175
        assert b.kind == "stock"
        assert adds_up(b)
        assert b.missing_days == 0
        assert b.accounts == 3

    def test_stock_known_only_from_mid_range(self) -> None:
        late = AccountSeries("tiktok", "tt", {"followers": {JAN[4]: 7}})
        b = aggregate_metrics([late], RANGE, ["followers"])["followers"]
        assert (b.total, b.per_day, b.missing_days) == (7, {JAN[4]: 7}, 2)

    def test_several_metrics_and_unreported_ones(self) -> None:
        out = aggregate_metrics(ALL, RANGE, "likes,followers,likes")
        assert list(out) == ["likes", "followers"]
        likes = out["likes"]
        # Instagram likes: 5, 0, 6; YouTube does not report likes: nothing, not 0
        assert (likes.total, likes.per_platform) == (11, {"instagram": 11})
        assert likes.per_day == {JAN[2]: 5, JAN[3]: 0, JAN[4]: 6}
        assert likes.missing_days == 6  # YouTube and Bluesky, 3 days each

    def test_impressions_metric_maps_to_each_platforms_column(self) -> None:
        b = aggregate_metrics(ALL, RANGE, "impressions")["impressions"]
        # Instagram's impressions are its content views: 4000 + 500 + 400; YouTube's are views: 500
        assert b.per_platform == {"instagram": 4900, "youtube": 500}

    def test_unknown_metric(self) -> None:
        with pytest.raises(UnknownMetric) as err:
            aggregate_metrics(ALL, RANGE, "likes,views")
        assert err.value.metric == "views"
        assert err.value.parameter == "metrics"
        assert isinstance(err.value, ValueError)
        assert "'views'" in str(err.value)
        with pytest.raises(UnknownMetric):
            parse_metrics(" , ")

    def test_unknown_platform(self) -> None:
        with pytest.raises(UnknownPlatform) as err:
            total_impressions(ALL, RANGE, platforms="youtube,myspace")
        assert err.value.platform == "myspace"
        assert isinstance(err.value, ValueError)
        assert parse_platforms("") is None
        assert parse_platforms(["X", "x"]) == frozenset({"x"})


class TestSeriesFromSnapshots:
    def test_last_snapshot_of_each_day(self) -> None:
        snaps = [
            acc(at(2026, 1, 2, 20), reach=7),
            acc(at(2026, 1, 2, 8), reach=5),
            acc(at(2026, 1, 3), reach=9),
        ]
        series = series_from_snapshots("facebook", "fb", snaps)
        assert series.days["reach"] == {JAN[2]: 7, JAN[3]: 9}
        assert series.days["followers"] == {JAN[2]: None, JAN[3]: None}
        assert total_impressions([series], DateRange(JAN[3], JAN[3])).total == 2


class TestDateRanges:
    @pytest.mark.parametrize(
        ("period", "start"),
        [
            ("last_day", d(2026, 2, 19)),
            ("last_week", d(2026, 2, 13)),  # upload-post's example: 2026-02-13 … 2026-02-20
            ("last_month", d(2026, 1, 21)),  # upload-post's example: 2026-01-21 … 2026-02-20
            ("last_3months", d(2025, 11, 22)),
            ("last_year", d(2025, 2, 20)),
        ],
    )
    def test_periods(self, period: str, start: date) -> None:
        assert period_range(period, d(2026, 2, 20)) == DateRange(start, d(2026, 2, 20))

    def test_precedence_and_defaults(self) -> None:
        today = d(2026, 2, 19)
        # nothing given: the last 30 days (upload-post's example: 2026-01-20 … 2026-02-19)
        assert resolve_range(today) == DateRange(d(2026, 1, 20), today)
        assert resolve_range(today, period="last_week", date="2026-01-01") == DateRange(d(2026, 2, 12), today)
        assert resolve_range(today, date="2026-02-15", start_date="2026-01-01") == DateRange(
            d(2026, 2, 15), d(2026, 2, 15)
        )
        assert resolve_range(today, start_date="2026-01-01", end_date="2026-01-31") == DateRange(
            d(2026, 1, 1), d(2026, 1, 31)
        )
        assert resolve_range(today, start_date="2026-02-01") == DateRange(d(2026, 2, 1), today)
        assert resolve_range(today, end_date="2026-01-31") == DateRange(d(2026, 1, 1), d(2026, 1, 31))
        assert resolve_range(today, period="", date="") == DateRange(d(2026, 1, 20), today)

    @pytest.mark.parametrize(
        ("kwargs", "parameter"),
        [
            ({"start_date": "2026-13-01"}, "start_date"),
            ({"start_date": "2026/01/01"}, "start_date"),
            ({"end_date": "20260101"}, "end_date"),
            ({"end_date": "2026-02-30"}, "end_date"),
            ({"date": "yesterday"}, "date"),
            ({"start_date": "2026-02-10", "end_date": "2026-02-01"}, "start_date"),
            ({"start_date": "2026-03-01"}, "start_date"),  # after today, the default end
            ({"period": "last_fortnight"}, "period"),
        ],
    )
    def test_bad_input_names_the_parameter(self, kwargs: dict[str, Any], parameter: str) -> None:
        with pytest.raises(AnalyticsInputError) as err:
            resolve_range(d(2026, 2, 19), **kwargs)
        assert err.value.parameter == parameter
        assert isinstance(err.value, ValueError)
        assert isinstance(err.value, BadRequest)
        assert err.value.problem()["status"] == 400
        assert err.value.problem()["errors"][0]["field"] == parameter
        assert parameter in str(err.value)

    def test_error_types(self) -> None:
        with pytest.raises(UnknownPeriod):
            period_range("last_decade", d(2026, 1, 1))
        with pytest.raises(InvalidDate):
            DateRange(d(2026, 1, 2), d(2026, 1, 1))
        assert len(DateRange(d(2026, 1, 1), d(2026, 1, 31))) == 31


# ---------------------------------------------------------------------------- properties

PLATFORMS = [p.value for p in Platform]
COLUMNS = ["followers", "following", "posts", "views", "impressions", "reach", "likes", "comments", "shares"]
COLUMNS += ["saves", "profile_views"]
BASE = d(2026, 1, 1)

levels = st.dictionaries(
    st.integers(min_value=0, max_value=30).map(lambda n: BASE + timedelta(days=n)),
    st.one_of(st.none(), st.integers(min_value=0, max_value=10**7)),
    max_size=25,
)
account_series = st.builds(
    lambda platform, key, days: AccountSeries(platform, key, days),
    st.sampled_from(PLATFORMS),
    st.text(min_size=1, max_size=4),
    st.dictionaries(st.sampled_from(COLUMNS), levels),
)
ranges = st.tuples(st.integers(min_value=0, max_value=30), st.integers(min_value=0, max_value=30)).map(
    lambda ab: DateRange(BASE + timedelta(days=min(ab)), BASE + timedelta(days=max(ab)))
)


class TestBreakdownProperties:
    @given(st.lists(account_series, max_size=6), ranges, st.sets(st.sampled_from(PLATFORMS)))
    def test_breakdowns_add_up_to_the_totals(
        self, series: list[AccountSeries], rng: DateRange, platforms: set[str]
    ) -> None:
        for b in [
            total_impressions(series, rng),
            total_impressions(series, rng, platforms=platforms),
            *aggregate_metrics(series, rng, API_METRICS).values(),
            *aggregate_metrics(series, rng, API_METRICS, platforms=platforms).values(),
        ]:
            assert adds_up(b), b
            assert all(day in rng for day in b.per_day)
            if b.kind == "flow":
                assert all(v >= 0 for v in b.per_day.values())
                assert all(v >= 0 for v in b.per_platform.values())
            else:
                assert b.metric in STOCK_METRICS

    @given(st.lists(account_series, max_size=6), ranges, st.randoms(use_true_random=False))
    def test_account_order_does_not_matter(
        self, series: list[AccountSeries], rng: DateRange, rnd: random.Random
    ) -> None:
        shuffled = list(series)
        rnd.shuffle(shuffled)
        assert total_impressions(shuffled, rng) == total_impressions(series, rng)
        assert aggregate_metrics(shuffled, rng, API_METRICS) == aggregate_metrics(series, rng, API_METRICS)

    @given(
        st.lists(
            st.builds(
                lambda n, s, v: acc(at(2026, 1, 1, 0) + timedelta(days=n, seconds=s), views=v, followers=v),
                st.integers(min_value=0, max_value=10),
                st.integers(min_value=0, max_value=86_399),
                st.one_of(st.none(), st.integers(min_value=0, max_value=10**6)),
            ),
            max_size=30,
        ),
        st.randoms(use_true_random=False),
    )
    def test_snapshot_order_does_not_matter(self, snaps: list[AccountPoint], rnd: random.Random) -> None:
        shuffled = list(snaps)
        rnd.shuffle(shuffled)
        rng = DateRange(BASE, BASE + timedelta(days=10))
        a = series_from_snapshots("youtube", "a", shuffled)
        b = series_from_snapshots("youtube", "a", snaps)
        assert a == b
        assert aggregate_metrics([a], rng, "impressions,followers") == aggregate_metrics(
            [b], rng, "impressions,followers"
        )


class TestWindowInsights:
    """Instagram reports our own account's reach per day window (``extras.insights``): each
    day's value counts as it is, not as a difference of levels."""

    def test_daily_window_values_are_summed_as_they_are(self) -> None:
        series = AccountSeries(
            platform="instagram",
            account="1",
            days={"reach": {JAN[1]: None, JAN[2]: None, JAN[3]: None, JAN[4]: None}},
            windows={"reach": {JAN[2]: 100, JAN[3]: None, JAN[4]: 50}},
        )
        b = total_impressions([series], RANGE)
        assert b.total == 150
        assert b.per_day == {JAN[2]: 100, JAN[4]: 50}
        assert b.per_platform == {"instagram": 150}
        assert (b.accounts, b.missing_days) == (1, 1)

    def test_levels_serve_when_no_window_value_was_reported(self) -> None:
        series = AccountSeries(
            platform="instagram",
            account="1",
            days={"reach": {JAN[1]: 10, JAN[2]: 15, JAN[3]: 19, JAN[4]: 30}},
            windows={"reach": {JAN[2]: None}},
        )
        assert total_impressions([series], RANGE).total == 20

    def test_a_metric_list_reads_windows_too(self) -> None:
        series = AccountSeries(
            platform="instagram",
            account="1",
            days={},
            windows={"profile_views": {JAN[2]: 3, JAN[3]: 4}},
        )
        assert aggregate_metrics([series], RANGE, "profileViews")["profileViews"].total == 7
