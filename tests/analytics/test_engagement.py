from __future__ import annotations

import random
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialpulse.analytics.engagement import (
    account_engagement_rate,
    content_per_week,
    followers_at,
    percent,
    post_engagement,
    post_engagement_at,
    recent_posts,
)
from socialpulse.analytics.snapshots import PostHistory

from .helpers import acc, at, post, snap


class TestPercent:
    def test_none_and_zero_denominators(self) -> None:
        assert percent(1, 4) == 25.0
        assert percent(None, 4) is None
        assert percent(1, None) is None
        assert percent(1, 0) is None


class TestPostEngagement:
    def test_hand_computed(self) -> None:
        s = snap(at(2026, 1, 5), likes=90, comments=10, shares=5, saves=None, views=2000, reach=500)
        rates = post_engagement(s, followers=4000)
        assert rates.by_followers == pytest.approx(2.5)  # (90 + 10) / 4000 × 100
        assert rates.by_followers_with_shares_saves == pytest.approx(2.625)  # (90 + 10 + 5) / 4000 × 100
        assert rates.added == ("shares",)  # saves not reported: left out, not counted as 0
        assert rates.by_views == pytest.approx(5.0)  # 100 / 2000 × 100
        assert rates.by_reach == pytest.approx(20.0)  # 100 / 500 × 100
        assert rates.followers == 4000
        assert rates.formula("followers_with_shares_saves") == "(likes + comments + shares) / followers × 100"
        assert rates.formula("views") == "(likes + comments) / views × 100"

    def test_shares_and_saves_both_reported(self) -> None:
        s = snap(at(2026, 1, 5), likes=30, comments=10, shares=6, saves=4)
        rates = post_engagement(s, followers=1000)
        assert rates.by_followers_with_shares_saves == pytest.approx(5.0)  # (30 + 10 + 6 + 4) / 1000 × 100
        assert rates.added == ("shares", "saves")

    def test_missing_inputs_give_none_never_zero(self) -> None:
        no_likes = post_engagement(snap(at(2026, 1, 5), comments=3, views=10, reach=10, shares=1), 100)
        assert (no_likes.by_followers, no_likes.by_views, no_likes.by_reach) == (None, None, None)
        assert no_likes.by_followers_with_shares_saves is None
        bare = post_engagement(snap(at(2026, 1, 5), likes=3, comments=1), 0)  # followers 0
        assert bare.by_followers is None
        assert bare.by_followers_with_shares_saves is None  # neither shares nor saves reported
        assert bare.by_views is None
        assert bare.by_reach is None
        assert post_engagement(snap(at(2026, 1, 5), likes=3, comments=1), None).by_followers is None
        assert post_engagement(None, 100).by_followers is None

    def test_zero_interactions_is_a_real_zero(self) -> None:
        assert post_engagement(snap(at(2026, 1, 5), likes=0, comments=0), 100).by_followers == 0.0


ACCOUNT = [
    acc(at(2026, 1, 1), followers=1000),
    acc(at(2026, 1, 5), followers=1200),
    acc(at(2026, 1, 10), followers=1500),
]


class TestFollowersAt:
    def test_nearest_at_or_before(self) -> None:
        assert followers_at(ACCOUNT, at(2026, 1, 7)) == 1200
        assert followers_at(ACCOUNT, at(2026, 1, 5)) == 1200  # same instant
        assert followers_at(ACCOUNT, at(2026, 1, 4, 23)) == 1000
        assert followers_at(ACCOUNT, at(2025, 12, 31)) is None  # nothing before: not the next one

    def test_post_engagement_at_uses_the_follower_count_of_its_latest_snapshot(self) -> None:
        p = post(
            at(2026, 1, 2),
            snap(at(2026, 1, 3), likes=10, comments=2),
            snap(at(2026, 1, 7), likes=50, comments=10),
        )
        # latest post snapshot Jan 7 → followers at or before Jan 7 = 1200 → 60 / 1200 × 100 = 5
        assert post_engagement_at(p, ACCOUNT).by_followers == pytest.approx(5.0)
        # as of Jan 4: post snapshot Jan 3 → followers 1000 → 12 / 1000 × 100 = 1.2
        assert post_engagement_at(p, ACCOUNT, at=at(2026, 1, 4)).by_followers == pytest.approx(1.2)


NOW = at(2026, 1, 20, 12)
FLAT = [acc(at(2026, 1, 1), followers=1000)]


def ladder() -> list[PostHistory]:
    """13 posts old enough (post i has (likes + comments) = 10·i → rate i %, i = 1 newest),
    plus two too recent ones with huge rates."""
    posts = [
        post(
            NOW - timedelta(hours=24 * i),
            snap(NOW - timedelta(hours=1), likes=8 * i, comments=2 * i),
            key=f"p{i}",
        )
        for i in range(1, 14)
    ]
    posts.append(post(NOW - timedelta(hours=2), snap(NOW, likes=900, comments=100), key="fresh"))
    posts.append(
        post(NOW - timedelta(hours=23, minutes=59), snap(NOW, likes=900, comments=100), key="almost")
    )
    return posts


class TestAccountEngagementRate:
    def test_mean_and_median_of_the_last_twelve_posts_at_least_a_day_old(self) -> None:
        rate = account_engagement_rate(ladder(), FLAT, NOW)
        # posts 1..12 (post 1 is exactly 24 h old: included), rates 1 % … 12 %
        assert rate.value == pytest.approx(6.5)  # (1 + 2 + … + 12) / 12 = 78 / 12
        assert rate.median == pytest.approx(6.5)  # (6 + 7) / 2
        assert rate.posts_used == 12
        assert "(likes + comments) / followers × 100" in rate.formula
        assert "12 posts" in rate.formula
        assert "24 h" in rate.formula

    def test_a_post_without_data_is_left_out_not_replaced(self) -> None:
        posts = ladder()
        posts[11] = post(posts[11].posted_at, snap(NOW, likes=None, comments=24), key="p12")
        rate = account_engagement_rate(posts, FLAT, NOW)
        assert rate.posts_used == 11
        assert rate.value == pytest.approx(6.0)  # (1 + … + 11) / 11 = 66 / 11
        assert rate.median == pytest.approx(6.0)

    def test_other_bases(self) -> None:
        posts = [post(NOW - timedelta(days=2), snap(NOW, likes=40, comments=10, views=1000, reach=200))]
        assert account_engagement_rate(posts, FLAT, NOW, basis="views").value == pytest.approx(5.0)
        assert account_engagement_rate(posts, FLAT, NOW, basis="reach").value == pytest.approx(25.0)
        no_extra = account_engagement_rate(posts, FLAT, NOW, basis="followers_with_shares_saves")
        assert no_extra.value is None
        assert no_extra.posts_used == 0

    def test_nothing_to_rest_on(self) -> None:
        rate = account_engagement_rate([], FLAT, NOW)
        assert (rate.value, rate.median, rate.posts_used) == (None, None, 0)
        assert account_engagement_rate(ladder(), [], NOW).value is None  # no follower count

    def test_snapshots_after_now_are_not_read(self) -> None:
        p = post(
            at(2026, 1, 1),
            snap(at(2026, 1, 5), likes=10, comments=0),
            snap(at(2026, 1, 25), likes=90, comments=0),
        )
        assert account_engagement_rate([p], FLAT, NOW).value == pytest.approx(1.0)  # 10 / 1000 × 100

    def test_recent_posts_ignores_undated_posts_and_orders_ties_by_key(self) -> None:
        same = NOW - timedelta(days=3)
        posts = [post(same, key="a"), post(same, key="b"), post(None, key="z")]
        assert [p.key for p in recent_posts(posts, NOW, last=1)] == ["b"]
        assert [p.key for p in recent_posts(posts, NOW)] == ["b", "a"]

    @given(st.permutations(list(range(15))))
    def test_post_order_does_not_matter(self, order: list[int]) -> None:
        posts = ladder()
        shuffled = [posts[i] for i in order]
        assert account_engagement_rate(shuffled, FLAT, NOW) == account_engagement_rate(posts, FLAT, NOW)


class TestContentPerWeek:
    def test_hand_computed(self) -> None:
        times = [
            NOW - timedelta(days=1),
            NOW - timedelta(days=89),
            NOW - timedelta(days=90),  # exactly 90 days: counts
            NOW - timedelta(days=90, seconds=1),  # just outside
            NOW + timedelta(hours=1),  # in the future: does not count
            None,
        ]
        # 3 posts / (90 / 7) = 21 / 90 = 0.2333…
        assert content_per_week(times, NOW) == pytest.approx(7 / 30)

    def test_no_posts_is_zero(self) -> None:
        assert content_per_week([], NOW) == 0.0

    def test_one_post_a_day(self) -> None:
        times = [NOW - timedelta(days=i) for i in range(90)]
        assert content_per_week(times, NOW) == pytest.approx(7.0)  # 90 / (90 / 7)


class TestSnapshotOrder:
    @given(st.randoms(use_true_random=False))
    def test_engagement_does_not_depend_on_snapshot_order(self, rnd: random.Random) -> None:
        account = [acc(at(2026, 1, n), followers=1000 + 10 * n) for n in range(1, 20)]
        snaps = [snap(at(2026, 1, n, 13), likes=5 * n, comments=n, views=100 * n) for n in range(2, 20)]
        posts = [post(at(2026, 1, 1), *snaps, key="a"), post(at(2026, 1, 3), *snaps[5:], key="b")]
        expected = account_engagement_rate(posts, account, NOW, basis="views")
        rnd.shuffle(account)
        shuffled = [
            PostHistory(p.posted_at, rnd.sample(list(p.snapshots), len(p.snapshots)), key=p.key)
            for p in posts
        ]
        assert account_engagement_rate(shuffled, account, NOW, basis="views") == expected
