"""Comment sentiment summaries: the pure rules (percentages, verdict, trend), ``summarise`` on
hand-made comments, and the three endpoints, on SQLite and PostgreSQL. Every expected number
is worked out by hand in the comments next to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialpulse.models import Account, Comment, Post, Profile
from socialpulse.sentiment.summary import (
    VERDICT_MARGIN,
    CommentScope,
    TrendPoint,
    bucket_start,
    percentages,
    summarise,
    summarise_with_coverage,
    trend,
    verdict,
)
from tests.conftest import Tenant
from tests.tracking.helpers import fields, problem


def at(y: int, m: int, d: int, h: int = 12, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=UTC)


def counts(pos: int, neu: int, neg: int) -> dict[str, int]:
    return {"positive": pos, "neutral": neu, "negative": neg}


def pcts(pos: float, neu: float, neg: float) -> dict[str, float]:
    return {"positive": pos, "neutral": neu, "negative": neg}


# ---------------------------------------------------------------------------- pure rules


class TestPercentages:
    def test_exact_shares(self) -> None:
        assert percentages(counts(4, 2, 2)) == pcts(50.0, 25.0, 25.0)

    def test_thirds_give_the_spare_tenth_to_the_first_label(self) -> None:
        # 333.33… tenths each: 333 + 333 + 333 = 999, equal remainders, positive gets the last one
        assert percentages(counts(1, 1, 1)) == pcts(33.4, 33.3, 33.3)

    def test_largest_remainder_wins(self) -> None:
        # 1/3 = 333 r 1, 2/3 = 666 r 2 (of 3): the spare tenth goes to neutral
        assert percentages(counts(1, 2, 0)) == pcts(33.3, 66.7, 0.0)
        # 1/6 = 166.67, 5/6 = 833.33: floors 166 + 833 = 999, positive has the larger remainder
        assert percentages(counts(1, 0, 5)) == pcts(16.7, 0.0, 83.3)

    def test_naive_rounding_would_not_add_up(self) -> None:
        # 2/3, 1/6, 1/6 of 6 → 66.67, 16.67, 16.67 would round to 66.7 + 16.7 + 16.7 = 100.1
        p = percentages(counts(4, 1, 1))
        assert p == pcts(66.7, 16.7, 16.6)
        assert round(sum(p.values()), 1) == 100.0

    def test_single_label(self) -> None:
        assert percentages(counts(0, 0, 7)) == pcts(0.0, 0.0, 100.0)

    def test_no_comments_are_all_zero(self) -> None:
        assert percentages(counts(0, 0, 0)) == pcts(0.0, 0.0, 0.0)

    def test_negative_count_is_refused(self) -> None:
        with pytest.raises(ValueError, match="negative"):
            percentages(counts(1, -1, 0))

    @given(
        st.tuples(st.integers(0, 10**7), st.integers(0, 10**7), st.integers(0, 10**7)).filter(
            lambda c: sum(c) > 0
        )
    )
    def test_always_sum_to_100(self, c: tuple[int, int, int]) -> None:
        p = percentages(counts(*c))
        assert list(p) == ["positive", "neutral", "negative"]
        tenths = [round(v * 10) for v in p.values()]
        assert sum(tenths) == 1000
        assert round(sum(p.values()), 1) == 100.0
        for v, n in zip(p.values(), c, strict=True):
            assert v == round(v, 1)
            assert abs(v - 100 * n / sum(c)) < 0.1 + 1e-9


class TestVerdict:
    def test_margin_is_ten_points(self) -> None:
        assert VERDICT_MARGIN == 10

    @pytest.mark.parametrize(
        ("pos", "neu", "neg", "expected"),
        [
            (4, 2, 2, "positive"),  # lead 2 of 8 = 25 points
            (2, 4, 4, "negative"),  # lead 2 of 10 = 20 points
            (1, 9, 0, "positive"),  # lead 1 of 10 = exactly 10 points: counts
            (1, 10, 0, "neutral"),  # lead 1 of 11 = 9.09 points: not enough
            (0, 9, 1, "negative"),  # mirror of the exact margin
            (0, 10, 1, "neutral"),
            (3, 0, 3, "neutral"),  # tie
            (5, 90, 5, "neutral"),  # tie in a neutral crowd
            (0, 5, 0, "neutral"),  # all neutral
            (1, 0, 0, "positive"),  # one comment
            (0, 0, 1, "negative"),
            (0, 0, 0, "neutral"),  # nothing
            (45, 10, 45, "neutral"),  # split opinion is not a verdict
            (50, 0, 45, "neutral"),  # lead 5 of 95 = 5.3 points
            (55, 0, 45, "positive"),  # lead 10 of 100
        ],
    )
    def test_rule(self, pos: int, neu: int, neg: int, expected: str) -> None:
        assert verdict(counts(pos, neu, neg)) == expected

    def test_decided_on_counts_not_rounded_percentages(self) -> None:
        # 100 of 1001 is 9.99 %, which rounds to 10.0 %, but the lead is under 10 points
        assert verdict(counts(100, 901, 0)) == "neutral"
        assert percentages(counts(100, 901, 0))["positive"] == 10.0


class TestTrend:
    def test_bucket_start(self) -> None:
        assert bucket_start(date(2024, 3, 6), "day") == date(2024, 3, 6)
        assert bucket_start(date(2024, 3, 6), "week") == date(2024, 3, 4)  # Wednesday → Monday
        assert bucket_start(date(2024, 3, 4), "week") == date(2024, 3, 4)
        assert bucket_start(date(2024, 3, 10), "week") == date(2024, 3, 4)  # Sunday

    def test_days_are_zero_filled(self) -> None:
        days = {date(2024, 3, 1): counts(1, 0, 0), date(2024, 3, 3): counts(0, 1, 1)}
        assert trend(days, date(2024, 3, 1), date(2024, 3, 3), "day") == [
            TrendPoint(date(2024, 3, 1), 1, counts(1, 0, 0), pcts(100.0, 0.0, 0.0)),
            TrendPoint(date(2024, 3, 2), 0, counts(0, 0, 0), pcts(0.0, 0.0, 0.0)),
            TrendPoint(date(2024, 3, 3), 2, counts(0, 1, 1), pcts(0.0, 50.0, 50.0)),
        ]

    def test_weeks_add_days_and_ignore_days_outside_the_range(self) -> None:
        days = {
            date(2024, 2, 29): counts(9, 9, 9),  # before start, same ISO week: ignored
            date(2024, 3, 1): counts(1, 0, 0),
            date(2024, 3, 3): counts(1, 1, 0),  # Sunday: still the week of Monday Feb 26
            date(2024, 3, 4): counts(0, 0, 1),
        }
        assert trend(days, date(2024, 3, 1), date(2024, 3, 11), "week") == [
            TrendPoint(date(2024, 2, 26), 3, counts(2, 1, 0), pcts(66.7, 33.3, 0.0)),
            TrendPoint(date(2024, 3, 4), 1, counts(0, 0, 1), pcts(0.0, 0.0, 100.0)),
            TrendPoint(date(2024, 3, 11), 0, counts(0, 0, 0), pcts(0.0, 0.0, 0.0)),
        ]


# ---------------------------------------------------------------------------- fixtures


@dataclass
class World:
    """alice: accounts A and B in profile "brand", account E alone, profile "empty";
    bob: account C. Posts: P1, P2 of A, P3 of B, P4 of E (unscored only), PC of C,
    and PX, a post of bob's that claims account A."""

    alice: Tenant
    bob: Tenant
    a: int
    b: int
    e: int
    c: int
    p1: int
    p2: int
    p3: int
    p4: int
    pc: int
    brand: int
    empty: int
    # comment ids
    love_it: int
    pos_unknown_likes: int
    neg_first: int
    neg_b_top: int


async def _account(s: Any, tenant: Tenant, handle: str, profile_id: int | None = None) -> int:
    row = Account(user_id=tenant.user_id, platform="youtube", handle=handle, profile_id=profile_id)
    s.add(row)
    await s.flush()
    return int(row.id)


async def _post(s: Any, tenant: Tenant, account_id: int | None, social_id: str) -> int:
    row = Post(
        user_id=tenant.user_id, account_id=account_id, platform="youtube", social_id=social_id, tracked=False
    )
    s.add(row)
    await s.flush()
    return int(row.id)


_n = 0


async def _comment(
    s: Any,
    post_id: int,
    label: str | None,
    posted_at: datetime | None,
    likes: int | None = 0,
    *,
    first_seen_at: datetime | None = None,
    text: str = "",
    analyser: str | None = "linear",
    version: str | None = "1.0",
) -> int:
    global _n
    _n += 1
    seen = first_seen_at or at(2024, 6, 1)
    row = Comment(
        post_id=post_id,
        platform_comment_id=f"c{_n}",
        author=f"user{_n}",
        text=text or f"comment {_n}",
        posted_at=posted_at,
        likes=likes,
        sentiment_label=label,
        sentiment_score=None if label is None else {"positive": 0.8, "neutral": 0.0, "negative": -0.7}[label],
        analyser=analyser if label else None,
        analyser_version=version if label else None,
        first_seen_at=seen,
        updated_at=seen,
    )
    s.add(row)
    await s.flush()
    return int(row.id)


@pytest.fixture
async def world(app: Any, alice: Tenant, bob: Tenant) -> World:
    async with app.state.sessions() as s, s.begin():
        brand = Profile(user_id=alice.user_id, name="brand")
        empty = Profile(user_id=alice.user_id, name="empty")
        s.add_all([brand, empty])
        await s.flush()
        a = await _account(s, alice, "@a", brand.id)
        b = await _account(s, alice, "@b", brand.id)
        e = await _account(s, alice, "@e")
        c = await _account(s, bob, "@c")
        p1 = await _post(s, alice, a, "p1")
        p2 = await _post(s, alice, a, "p2")
        p3 = await _post(s, alice, b, "p3")
        p4 = await _post(s, alice, e, "p4")
        pc = await _post(s, bob, c, "pc")
        px = await _post(s, bob, a, "px")  # bob's row pointing at alice's account: never alice's

        # P1 (account A). 2024-03-04 is a Monday.
        await _comment(s, p1, "positive", at(2024, 3, 4, 10), 5)
        love_it = await _comment(s, p1, "positive", at(2024, 3, 4, 23, 59), 9, text="love it")
        pos_unknown = await _comment(s, p1, "positive", at(2024, 3, 5), None)
        await _comment(s, p1, "neutral", at(2024, 3, 5), 2)
        await _comment(s, p1, None, at(2024, 3, 5), 100)  # unscored: never counted
        neg_first = await _comment(s, p1, "negative", at(2024, 3, 10, 8), 3, text="meh, broken")  # Sunday
        await _comment(s, p1, "negative", at(2024, 3, 11), 3, analyser="transformer", version="xlm-r@2")
        # no posted_at: its day is first_seen_at's, 2024-03-11
        await _comment(s, p1, "neutral", None, 1, first_seen_at=at(2024, 3, 11, 12))
        # P2 (account A)
        await _comment(s, p2, "positive", at(2024, 3, 12), 1)
        # P3 (account B)
        neg_b_top = await _comment(s, p3, "negative", at(2024, 3, 6), 50, text="awful")
        await _comment(s, p3, "negative", at(2024, 3, 6), 0)
        # P4 (account E): unscored only
        await _comment(s, p4, None, at(2024, 3, 6))
        await _comment(s, p4, None, at(2024, 3, 7))
        # bob
        await _comment(s, pc, "positive", at(2024, 3, 5), 1000)
        await _comment(s, px, "positive", at(2024, 3, 5), 1000)
        return World(
            alice=alice,
            bob=bob,
            a=a,
            b=b,
            e=e,
            c=c,
            p1=p1,
            p2=p2,
            p3=p3,
            p4=p4,
            pc=pc,
            brand=brand.id,
            empty=empty.id,
            love_it=love_it,
            pos_unknown_likes=pos_unknown,
            neg_first=neg_first,
            neg_b_top=neg_b_top,
        )


# Account A, all time: positive 4 (P1: 3, P2: 1), neutral 2, negative 2 = 8 scored, 1 unscored.
# Days: 03-04 pos 2 | 03-05 pos 1 neu 1 | 03-10 neg 1 | 03-11 neg 1 neu 1 | 03-12 pos 1.


# ---------------------------------------------------------------------------- summarise


class TestSummarise:
    async def test_account_all_time(self, app: Any, world: World) -> None:
        async with app.state.sessions() as s:
            summary = await summarise(s, CommentScope(world.alice.user_id, account_ids=(world.a,)))
        assert summary is not None
        assert summary.total == 8
        assert summary.counts == counts(4, 2, 2)
        assert summary.percentages == pcts(50.0, 25.0, 25.0)
        assert summary.verdict == "positive"  # lead 2 of 8 = 25 points
        assert [(p.start, p.total) for p in summary.trend] == [
            (date(2024, 3, 4), 2),
            (date(2024, 3, 5), 2),
            (date(2024, 3, 6), 0),
            (date(2024, 3, 7), 0),
            (date(2024, 3, 8), 0),
            (date(2024, 3, 9), 0),
            (date(2024, 3, 10), 1),
            (date(2024, 3, 11), 2),
            (date(2024, 3, 12), 1),
        ]
        assert summary.trend[1].counts == counts(1, 1, 0)
        assert summary.trend[7].counts == counts(0, 1, 1)  # the neutral one by first_seen_at
        assert summary.most_liked_positive is not None
        assert summary.most_liked_positive.id == world.love_it
        assert summary.most_liked_positive.text == "love it"
        assert summary.most_liked_negative is not None
        assert summary.most_liked_negative.id == world.neg_first  # 3 likes each: stored first wins

    async def test_weekly_trend(self, app: Any, world: World) -> None:
        async with app.state.sessions() as s:
            summary = await summarise(
                s, CommentScope(world.alice.user_id, account_ids=(world.a,)), bucket="week"
            )
        assert summary is not None
        assert summary.trend == [
            # Mon 03-04 … Sun 03-10: pos 3, neu 1, neg 1
            TrendPoint(date(2024, 3, 4), 5, counts(3, 1, 1), pcts(60.0, 20.0, 20.0)),
            # Mon 03-11 … : pos 1, neu 1, neg 1 → thirds, the spare tenth to positive
            TrendPoint(date(2024, 3, 11), 3, counts(1, 1, 1), pcts(33.4, 33.3, 33.3)),
        ]

    async def test_range_is_inclusive_utc_days(self, app: Any, world: World) -> None:
        scope = CommentScope(world.alice.user_id, account_ids=(world.a,))
        async with app.state.sessions() as s:
            only_4th = await summarise(s, scope, start=date(2024, 3, 4), end=date(2024, 3, 4))
            middle = await summarise(s, scope, start=date(2024, 3, 5), end=date(2024, 3, 10))
            late = await summarise(s, scope, start=date(2024, 3, 11), end=date(2024, 3, 11))
            nothing = await summarise(s, scope, start=date(2024, 3, 6), end=date(2024, 3, 9))
        assert only_4th is not None  # 23:59 on the 4th is still the 4th
        assert (only_4th.counts, only_4th.percentages) == (counts(2, 0, 0), pcts(100.0, 0.0, 0.0))
        assert only_4th.most_liked_negative is None
        assert middle is not None
        assert middle.counts == counts(1, 1, 1)
        assert middle.verdict == "neutral"
        assert len(middle.trend) == 6  # 03-05 … 03-10: first and last days with a comment
        assert middle.most_liked_positive is not None
        assert middle.most_liked_positive.id == world.pos_unknown_likes  # unknown likes still found
        assert late is not None  # the comment without posted_at counts on its first_seen_at day
        assert (late.counts, late.verdict) == (counts(0, 1, 1), "negative")
        assert nothing is None

    async def test_open_ranges(self, app: Any, world: World) -> None:
        scope = CommentScope(world.alice.user_id, account_ids=(world.a,))
        async with app.state.sessions() as s:
            since = await summarise(s, scope, start=date(2024, 3, 11))
            until = await summarise(s, scope, end=date(2024, 3, 5))
            forever = await summarise(s, scope, start=date(1, 1, 1), end=date.max)
        assert since is not None
        assert since.counts == counts(1, 1, 1)
        assert [p.start for p in since.trend] == [date(2024, 3, 11), date(2024, 3, 12)]
        assert until is not None
        assert until.counts == counts(3, 1, 0)
        assert forever is not None
        assert forever.total == 8
        assert len(forever.trend) == 9  # from the first to the last day with a scored comment

    async def test_posts_or_accounts(self, app: Any, world: World) -> None:
        async with app.state.sessions() as s:
            p2 = await summarise(s, CommentScope(world.alice.user_id, post_ids=(world.p2,)))
            both = await summarise(
                s, CommentScope(world.alice.user_id, account_ids=(world.b,), post_ids=(world.p2,))
            )
            overlap = await summarise(
                s, CommentScope(world.alice.user_id, account_ids=(world.a,), post_ids=(world.p1,))
            )
        assert p2 is not None
        assert p2.counts == counts(1, 0, 0)
        assert both is not None
        assert both.counts == counts(1, 0, 2)  # P2's positive and B's two negatives
        assert both.verdict == "negative"
        assert both.most_liked_negative is not None
        assert both.most_liked_negative.id == world.neg_b_top
        assert overlap is not None
        assert overlap.total == 8  # a comment is counted once, however it is reached

    async def test_coverage(self, app: Any, world: World) -> None:
        async with app.state.sessions() as s:
            cov = await summarise_with_coverage(s, CommentScope(world.alice.user_id, account_ids=(world.a,)))
            only_unscored = await summarise_with_coverage(
                s, CommentScope(world.alice.user_id, account_ids=(world.e,))
            )
        assert cov.unscored == 1
        assert (cov.first_day, cov.last_day) == (date(2024, 3, 4), date(2024, 3, 12))
        assert [(u.name, u.version, u.comments) for u in cov.analysers] == [
            ("linear", "1.0", 7),
            ("transformer", "xlm-r@2", 1),
        ]
        assert only_unscored.summary is None
        assert only_unscored.unscored == 2

    async def test_tenancy_and_empty_scope(self, app: Any, world: World) -> None:
        async with app.state.sessions() as s:
            # bob's own account and post, asked as alice: nothing
            assert await summarise(s, CommentScope(world.alice.user_id, account_ids=(world.c,))) is None
            assert await summarise(s, CommentScope(world.alice.user_id, post_ids=(world.pc,))) is None
            # bob asking for alice's account sees only his own post that claims it
            theirs = await summarise(s, CommentScope(world.bob.user_id, account_ids=(world.a,)))
            assert await summarise(s, CommentScope(world.alice.user_id)) is None
        assert theirs is not None
        assert theirs.total == 1

    async def test_reversed_range(self, app: Any, world: World) -> None:
        async with app.state.sessions() as s:
            with pytest.raises(ValueError, match="after end"):
                await summarise(
                    s,
                    CommentScope(world.alice.user_id, account_ids=(world.a,)),
                    start=date(2024, 3, 5),
                    end=date(2024, 3, 4),
                )


# ---------------------------------------------------------------------------- endpoints


async def get(client: httpx.AsyncClient, tenant: Tenant, path: str, **params: Any) -> httpx.Response:
    return await client.get(path, params=params, headers=tenant.headers)


class TestAccountEndpoint:
    async def test_summary(self, client: httpx.AsyncClient, world: World) -> None:
        r = await get(client, world.alice, f"/v1/accounts/{world.a}/sentiment")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["scope"] == {"kind": "account", "id": world.a, "account_ids": [world.a]}
        assert (body["start"], body["end"], body["bucket"]) == ("2024-03-04", "2024-03-12", "day")
        assert (body["total"], body["unscored"]) == (8, 1)
        assert body["counts"] == counts(4, 2, 2)
        assert body["percentages"] == pcts(50.0, 25.0, 25.0)
        assert body["verdict"] == "positive"
        assert "10 percentage points" in body["verdict_rule"]
        assert len(body["trend"]) == 9
        assert body["trend"][0] == {
            "start": "2024-03-04",
            "total": 2,
            "counts": counts(2, 0, 0),
            "percentages": pcts(100.0, 0.0, 0.0),
        }
        top = body["most_liked_positive"]
        assert (top["id"], top["text"], top["likes"], top["sentiment_label"]) == (
            world.love_it,
            "love it",
            9,
            "positive",
        )
        assert top["posted_at"].startswith("2024-03-04T23:59")
        assert (top["analyser"], top["analyser_version"], top["sentiment_score"]) == ("linear", "1.0", 0.8)
        assert body["most_liked_negative"]["id"] == world.neg_first
        assert body["analysers"] == [
            {"name": "linear", "version": "1.0", "comments": 7},
            {"name": "transformer", "version": "xlm-r@2", "comments": 1},
        ]

    async def test_range_and_week(self, client: httpx.AsyncClient, world: World) -> None:
        r = await get(
            client,
            world.alice,
            f"/v1/accounts/{world.a}/sentiment",
            start="2024-03-06",
            end="2024-03-12",
            bucket="week",
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["start"], body["end"], body["bucket"]) == ("2024-03-06", "2024-03-12", "week")
        assert body["unscored"] == 0  # the unscored comment is on the 5th
        assert body["counts"] == counts(1, 1, 2)
        assert body["verdict"] == "negative"  # lead 1 of 4 = 25 points
        assert [(p["start"], p["counts"]) for p in body["trend"]] == [
            ("2024-03-04", counts(0, 0, 1)),  # only 03-06 … 03-10 of that week
            ("2024-03-11", counts(1, 1, 1)),
        ]
        assert body["trend"][1]["percentages"] == pcts(33.4, 33.3, 33.3)

    async def test_nothing_in_range_is_404(self, client: httpx.AsyncClient, world: World) -> None:
        r = await get(
            client, world.alice, f"/v1/accounts/{world.a}/sentiment", start="2025-01-01", end="2025-01-31"
        )
        body = problem(r, 404)
        assert body["detail"] == (
            f"no scored comments for account {world.a} between 2025-01-01 and 2025-01-31: refresh it "
            f"(POST /v1/refresh with account_ids [{world.a}]) or run `socialpulse sentiment backfill`"
        )
        assert body["unscored"] == 0

    async def test_only_unscored_is_404_asking_for_a_backfill(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        body = problem(await get(client, world.alice, f"/v1/accounts/{world.e}/sentiment"), 404)
        assert body["detail"] == (
            f"no scored comments for account {world.e}: 2 comments are not scored yet, "
            "run `socialpulse sentiment backfill`"
        )
        assert body["unscored"] == 2
        body = problem(
            await get(client, world.alice, f"/v1/accounts/{world.e}/sentiment", end="2024-03-06"),
            404,
        )
        assert "until 2024-03-06: 1 comment is not scored yet" in body["detail"]

    async def test_foreign_and_unknown_ids_are_404(self, client: httpx.AsyncClient, world: World) -> None:
        body = problem(await get(client, world.alice, f"/v1/accounts/{world.c}/sentiment"), 404)
        assert body["detail"] == f"account {world.c} not found"
        body = problem(await get(client, world.alice, "/v1/accounts/999999/sentiment"), 404)
        assert body["detail"] == "account 999999 not found"
        mine = await get(client, world.bob, f"/v1/accounts/{world.c}/sentiment")
        assert mine.status_code == 200, mine.text
        assert mine.json()["most_liked_positive"]["likes"] == 1000

    async def test_needs_a_key(self, client: httpx.AsyncClient, world: World) -> None:
        r = await client.get(f"/v1/accounts/{world.a}/sentiment")
        assert r.status_code == 401


class TestPostEndpoint:
    async def test_summary(self, client: httpx.AsyncClient, world: World) -> None:
        r = await get(client, world.alice, f"/v1/posts/{world.p3}/sentiment", bucket="week")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["scope"] == {"kind": "post", "id": world.p3, "account_ids": []}
        assert (body["total"], body["counts"], body["verdict"]) == (2, counts(0, 0, 2), "negative")
        assert body["percentages"] == pcts(0.0, 0.0, 100.0)
        assert body["most_liked_positive"] is None
        assert body["most_liked_negative"]["id"] == world.neg_b_top
        assert body["trend"] == [
            {
                "start": "2024-03-04",
                "total": 2,
                "counts": counts(0, 0, 2),
                "percentages": pcts(0.0, 0.0, 100.0),
            }
        ]

    async def test_404s(self, client: httpx.AsyncClient, world: World) -> None:
        body = problem(await get(client, world.alice, f"/v1/posts/{world.pc}/sentiment"), 404)
        assert body["detail"] == f"post {world.pc} not found"
        body = problem(
            await get(client, world.alice, f"/v1/posts/{world.p2}/sentiment", end="2024-03-11"), 404
        )
        assert body["detail"] == (
            f"no scored comments for post {world.p2} until 2024-03-11: comments are fetched by "
            "refreshes of the post's account while the post is younger than "
            "SOCIALPULSE_COMMENTS_MAX_POST_AGE_DAYS: refresh its account, or run `socialpulse sentiment backfill`"
        )


class TestProfileEndpoint:
    async def test_summary(self, client: httpx.AsyncClient, world: World) -> None:
        r = await get(client, world.alice, f"/v1/profiles/{world.brand}/sentiment")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["scope"] == {"kind": "profile", "id": world.brand, "account_ids": [world.a, world.b]}
        # A: 4 / 2 / 2, B: 0 / 0 / 2 → 4 / 2 / 4 of 10: a tie, neutral
        assert (body["total"], body["unscored"]) == (10, 1)
        assert body["counts"] == counts(4, 2, 4)
        assert body["percentages"] == pcts(40.0, 20.0, 40.0)
        assert body["verdict"] == "neutral"
        assert body["most_liked_negative"]["id"] == world.neg_b_top  # 50 likes, on B
        assert body["most_liked_positive"]["id"] == world.love_it
        assert body["trend"][2] == {
            "start": "2024-03-06",
            "total": 2,
            "counts": counts(0, 0, 2),
            "percentages": pcts(0.0, 0.0, 100.0),
        }

    async def test_profile_without_accounts(self, client: httpx.AsyncClient, world: World) -> None:
        body = problem(await get(client, world.alice, f"/v1/profiles/{world.empty}/sentiment"), 404)
        assert body["detail"] == (
            f"no scored comments for profile {world.empty}: it has no accounts: attach some with "
            f"POST /v1/profiles/{world.empty}/accounts"
        )

    async def test_foreign_profile(self, client: httpx.AsyncClient, world: World) -> None:
        body = problem(await get(client, world.bob, f"/v1/profiles/{world.brand}/sentiment"), 404)
        assert body["detail"] == f"profile {world.brand} not found"


class TestBadInput:
    @pytest.mark.parametrize(
        ("params", "field", "words"),
        [
            ({"start": "2024-13-01"}, "start", "not a calendar date"),
            ({"start": "yesterday"}, "start", "YYYY-MM-DD"),
            ({"end": "2024-02-30"}, "end", "not a calendar date"),
            ({"end": "03/01/2024"}, "end", "YYYY-MM-DD"),
            ({"start": "2024-03-05", "end": "2024-03-04"}, "start", "is after end"),
        ],
    )
    async def test_400_names_the_parameter(
        self, client: httpx.AsyncClient, world: World, params: dict[str, str], field: str, words: str
    ) -> None:
        for path in (
            f"/v1/accounts/{world.a}/sentiment",
            f"/v1/posts/{world.p1}/sentiment",
            f"/v1/profiles/{world.brand}/sentiment",
        ):
            body = problem(await get(client, world.alice, path, **params), 400)
            assert fields(body) == {field}
            assert words in body["detail"]

    async def test_bad_bucket_is_422(self, client: httpx.AsyncClient, world: World) -> None:
        body = problem(
            await get(client, world.alice, f"/v1/accounts/{world.a}/sentiment", bucket="month"), 422
        )
        assert fields(body) == {"bucket"}

    async def test_bad_id_is_422(self, client: httpx.AsyncClient, world: World) -> None:
        body = problem(await get(client, world.alice, "/v1/accounts/twelve/sentiment"), 422)
        assert fields(body) == {"account_id"}

    @pytest.mark.parametrize("bucket", ["day", "week"])
    async def test_wide_range_trend_follows_the_data(
        self, client: httpx.AsyncClient, world: World, bucket: str
    ) -> None:
        r = await get(
            client,
            world.alice,
            f"/v1/accounts/{world.a}/sentiment",
            start="0001-01-01",
            end="9999-12-31",
            bucket=bucket,
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["start"], body["end"], body["total"]) == ("0001-01-01", "9999-12-31", 8)
        assert len(body["trend"]) == (9 if bucket == "day" else 2)
        assert body["trend"][0]["start"] == "2024-03-04"
        assert sum(p["total"] for p in body["trend"]) == 8
