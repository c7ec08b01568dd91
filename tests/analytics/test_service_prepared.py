"""The prepared paths the analytics service relies on give exactly what the plain definitions
give: timelines (bisection) against scans, the engagement evaluator (one preparation, many
instants) against the rate evaluated from scratch, and the faster text helpers against their
plain versions. The references below are the definitions of ``docs/metrics.md`` written as
directly as possible."""

from __future__ import annotations

import statistics
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from socialpulse.analytics.engagement import (
    BASES,
    FORMULAS,
    Basis,
    EngagementEvaluator,
    EngagementRate,
    account_engagement_rate,
    post_engagement,
    post_rate,
)
from socialpulse.analytics.growth import engagement_growth, percent_change
from socialpulse.analytics.report import engagement_by_day
from socialpulse.analytics.snapshots import (
    AccountPoint,
    PostHistory,
    PostPoint,
    Timeline,
    Timestamped,
    daily_deltas,
    latest,
    order_key,
)
from socialpulse.analytics.text import _fold, _mask
from socialpulse.kit.time import aware

BASE = datetime(2026, 1, 1, tzinfo=UTC)
NOW = BASE + timedelta(days=40)

counts = st.one_of(st.none(), st.integers(min_value=0, max_value=1000))
hours = st.integers(min_value=0, max_value=40 * 24)
ids = st.one_of(st.none(), st.integers(min_value=1, max_value=30))


@st.composite
def account_points(draw: st.DrawFn) -> list[AccountPoint]:
    rows = draw(st.lists(st.tuples(hours, counts, ids), max_size=25))
    return [AccountPoint(fetched_at=BASE + timedelta(hours=h), followers=f, id=i) for h, f, i in rows]


@st.composite
def post_points(draw: st.DrawFn) -> list[PostPoint]:
    rows = draw(st.lists(st.tuples(hours, counts, counts, counts, counts, counts, ids), max_size=8))
    return [
        PostPoint(
            fetched_at=BASE + timedelta(hours=h), likes=likes, comments=c, views=v, shares=sh, saves=sv, id=i
        )
        for h, likes, c, v, sh, sv, i in rows
    ]


@st.composite
def histories(draw: st.DrawFn) -> list[PostHistory]:
    n = draw(st.integers(min_value=0, max_value=16))
    out = []
    for k in range(n):
        posted = draw(st.one_of(st.none(), hours.map(lambda h: BASE + timedelta(hours=h))))
        key = draw(st.sampled_from(["a", "b", f"k{k}"]))  # repeated keys and times on purpose
        out.append(PostHistory(posted_at=posted, snapshots=draw(post_points()), key=key))
    return out


# ---------------------------------------------------------------------------- references


S = TypeVar("S", bound=Timestamped)


def ref_latest(snapshots: Sequence[S], at: datetime | None) -> S | None:
    chosen = [s for s in snapshots if at is None or aware(s.fetched_at) <= at]
    return max(chosen, key=order_key, default=None)


def ref_rate(
    posts: Sequence[PostHistory], history: Sequence[AccountPoint], now: datetime, basis: Basis
) -> EngagementRate:
    cutoff = now - timedelta(hours=24)
    eligible = [p for p in posts if p.posted_at is not None and p.posted_at <= cutoff]
    eligible.sort(key=lambda p: (p.posted_at or cutoff, p.key), reverse=True)
    rates = []
    for p in eligible[:12]:
        snap = ref_latest(p.snapshots, now)
        if snap is None:
            continue
        account = ref_latest(history, snap.fetched_at)
        value = post_engagement(snap, account.followers if account is not None else None).rate(basis)
        if value is not None:
            rates.append(value)
    formula = f"mean of {FORMULAS[basis]} over the last 12 posts at least 24 h old"
    if not rates:
        return EngagementRate(None, None, formula, 0)
    return EngagementRate(statistics.fmean(rates), statistics.median(rates), formula, len(rates))


def ref_daily_deltas(levels: dict[date, int | None]) -> dict[date, int | None]:
    out: dict[date, int | None] = {}
    for day in sorted(levels):
        now, prev_day = levels[day], day - timedelta(days=1)
        prev = levels.get(prev_day)
        out[day] = None if now is None or prev_day not in levels or prev is None else max(0, now - prev)
    return out


# ---------------------------------------------------------------------------- tests


class TestTimeline:
    @given(account_points(), hours)
    def test_latest_is_the_scan(self, points: list[AccountPoint], hour: int) -> None:
        moment = BASE + timedelta(hours=hour)
        line = Timeline(points)
        assert line.latest(moment) == ref_latest(points, moment)
        assert latest(line, moment) == latest(points, moment)
        assert line.latest() == ref_latest(points, None)
        assert list(line) == sorted(points, key=order_key)

    @given(account_points(), hours, hours)
    def test_time_and_between(self, points: list[AccountPoint], a: int, b: int) -> None:
        lo, hi = sorted((BASE + timedelta(hours=a), BASE + timedelta(hours=b)))
        line = Timeline(points)
        found = ref_latest(points, lo)
        assert line.time_at(lo) == (aware(found.fetched_at) if found is not None else None)
        assert line.any_between(lo, hi) == any(lo < p.fetched_at <= hi for p in points)


class TestEngagementEvaluator:
    @settings(max_examples=150, deadline=None)
    @given(histories(), account_points(), st.sampled_from(BASES), st.lists(hours, max_size=6))
    def test_rate_is_the_definition(
        self, posts: list[PostHistory], history: list[AccountPoint], basis: Basis, instants: list[int]
    ) -> None:
        evaluator = EngagementEvaluator(posts, history, basis=basis)
        moments = [BASE + timedelta(hours=h) for h in instants] + [NOW]
        for moment in moments:
            expected = ref_rate(posts, history, moment, basis)
            assert evaluator.rate(moment) == expected
            assert account_engagement_rate(posts, history, moment, basis=basis) == expected
        assert evaluator.rates(sorted(moments)) == [
            ref_rate(posts, history, m, basis) for m in sorted(moments)
        ]

    @settings(max_examples=100, deadline=None)
    @given(histories(), account_points())
    def test_series_and_growth(self, posts: list[PostHistory], history: list[AccountPoint]) -> None:
        by_day = engagement_by_day(posts, history)
        for day, rate in by_day.items():
            end = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1, microseconds=-1)
            assert rate == ref_rate(posts, history, end, "followers")
        growth = engagement_growth(posts, history, NOW)
        everything: list[Timestamped] = [*history, *(s for p in posts for s in p.snapshots)]
        now_rate = ref_rate(posts, history, NOW, "followers")
        for period, days in (("month", 30), ("quarter", 90), ("year", 365)):
            g = getattr(growth, period)
            then = NOW - timedelta(days=days)
            past = ref_latest(everything, then)
            assert g.then_at == (aware(past.fetched_at) if past is not None else None)
            if past is None:
                assert g.percent is None
                continue
            then_rate = ref_rate(posts, history, then, "followers")
            newer = any(then < aware(s.fetched_at) <= NOW for s in everything)
            assert g.value_then == then_rate.value
            assert g.percent == (percent_change(now_rate.value, then_rate.value) if newer else None)

    @given(post_points(), counts, st.sampled_from(BASES))
    def test_post_rate_is_post_engagement(
        self, snaps: list[PostPoint], followers: int | None, basis: Basis
    ) -> None:
        for snap in snaps:
            assert post_rate(snap, followers, basis) == post_engagement(snap, followers).rate(basis)


class TestDailyDeltas:
    @given(st.dictionaries(st.integers(min_value=0, max_value=40), counts))
    def test_same_as_definition(self, raw: dict[int, int | None]) -> None:
        levels = {date(2026, 1, 1) + timedelta(days=k): v for k, v in raw.items()}
        assert daily_deltas(levels) == ref_daily_deltas(levels)


class TestTextHelpers:
    @given(st.text(max_size=60), st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=5))
    def test_mask(self, text: str, raw: list[tuple[int, int]]) -> None:
        spans = [(min(a, b, len(text)), min(max(a, b), len(text))) for a, b in raw]
        chars = list(text)
        for start, end in spans:
            for i in range(start, end):
                chars[i] = " "
        assert _mask(text, spans) == "".join(chars)

    @given(st.text(max_size=60))
    def test_fold(self, text: str) -> None:
        decomposed = unicodedata.normalize("NFKD", text.lower())
        assert _fold(text) == "".join(c for c in decomposed if not unicodedata.combining(c))
