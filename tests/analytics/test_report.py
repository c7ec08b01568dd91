from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialpulse.analytics.engagement import account_engagement_rate
from socialpulse.analytics.errors import UnknownMetric
from socialpulse.analytics.report import (
    Average,
    engagement_by_day,
    interactions_by_day,
    is_video,
    last_posts,
    post_averages,
    video_split,
)

from .helpers import acc, at, d, post, snap

POSTS = [
    post(at(2026, 1, 10), snap(at(2026, 1, 12), likes=10, comments=1, views=100), type="reel", key="a"),
    post(at(2026, 1, 9), snap(at(2026, 1, 12), likes=20, comments=2), type="image", key="b"),
    post(at(2026, 1, 8), snap(at(2026, 1, 12), likes=None, comments=3), type=None, key="c"),
    post(None, snap(at(2026, 1, 12), likes=1000, comments=1000), type="video", key="undated"),
]


class TestPostAverages:
    def test_last_three_posts(self) -> None:
        avg = post_averages(POSTS, last=3)
        assert avg.posts == 3
        assert avg.likes == Average(15.0, 2)  # (10 + 20) / 2: the None is ignored, not a 0
        assert avg.comments == Average(2.0, 3)  # (1 + 2 + 3) / 3
        assert avg.views == Average(100.0, 1)
        assert avg.shares == Average(None, 0)

    def test_last_two_posts(self) -> None:
        avg = post_averages(POSTS, last=2)
        assert (avg.posts, avg.likes, avg.comments) == (2, Average(15.0, 2), Average(1.5, 2))

    def test_latest_snapshot_at_or_before_now(self) -> None:
        p = post(at(2026, 1, 1), snap(at(2026, 1, 2), likes=4), snap(at(2026, 1, 5), likes=8))
        assert post_averages([p]).likes == Average(8.0, 1)
        assert post_averages([p], now=at(2026, 1, 3)).likes == Average(4.0, 1)
        assert post_averages([p], now=at(2026, 1, 1)).likes == Average(None, 0)

    def test_undated_posts_come_last(self) -> None:
        assert [p.key for p in last_posts(POSTS)] == ["a", "b", "c", "undated"]


class TestVideoSplit:
    def test_types(self) -> None:
        assert [is_video(t) for t in ("video", "short", "reel", "image", "carousel", "text", None)] == [
            *(True, True, True),
            *(False, False, False, False),
        ]

    def test_split_of_the_last_posts(self) -> None:
        split = video_split(POSTS, last=3)
        assert split.video.posts == 1
        assert split.video.likes == Average(10.0, 1)
        assert split.non_video.posts == 2
        assert split.non_video.likes == Average(20.0, 1)
        assert split.non_video.comments == Average(2.5, 2)  # (2 + 3) / 2
        everything = video_split(POSTS)
        assert everything.video.posts == 2
        assert everything.video.likes == Average(505.0, 2)  # (10 + 1000) / 2


ACCOUNT = [acc(at(2026, 1, 3, 9), followers=100), acc(at(2026, 1, 5, 9), followers=200)]
HISTORY = [
    post(
        at(2026, 1, 1),
        snap(at(2026, 1, 3, 10), likes=5, comments=5),
        snap(at(2026, 1, 5, 10), likes=15, comments=5),
    ),
]


class TestEngagementByDay:
    def test_hand_computed(self) -> None:
        series = engagement_by_day(HISTORY, ACCOUNT)
        assert list(series) == [d(2026, 1, 3), d(2026, 1, 5)]  # days with an account snapshot
        # end of Jan 3: post snapshot Jan 3 (10) with 100 followers → 10 %
        assert series[d(2026, 1, 3)].value == pytest.approx(10.0)
        # end of Jan 5: 20 interactions, 200 followers → 10 %
        assert series[d(2026, 1, 5)].value == pytest.approx(10.0)
        assert series[d(2026, 1, 5)].posts_used == 1
        assert engagement_by_day(HISTORY, ACCOUNT, start=d(2026, 1, 4)) == {
            d(2026, 1, 5): series[d(2026, 1, 5)]
        }

    def test_matches_the_account_rate_at_the_end_of_the_day(self) -> None:
        end = at(2026, 1, 3, 23, 59) + timedelta(seconds=59, microseconds=999_999)
        assert engagement_by_day(HISTORY, ACCOUNT)[d(2026, 1, 3)] == account_engagement_rate(
            HISTORY, ACCOUNT, end
        )


class TestInteractionsByDay:
    def test_hand_computed(self) -> None:
        a = post(
            at(2026, 1, 1),
            snap(at(2026, 1, 1), likes=10, comments=1),
            snap(at(2026, 1, 2), likes=15, comments=3),
        )
        b = post(
            at(2026, 1, 2),
            snap(at(2026, 1, 2), likes=5, comments=0),
            snap(at(2026, 1, 3), likes=8, comments=1),
        )
        # Jan 2: a gains 5 likes + 2 comments = 7 (b's first day has no value); Jan 3: b gains 3 + 1 = 4
        assert interactions_by_day([a, b]) == {d(2026, 1, 2): 7, d(2026, 1, 3): 4}
        assert interactions_by_day([a, b], ["likes"]) == {d(2026, 1, 2): 5, d(2026, 1, 3): 3}

    def test_unknown_metric(self) -> None:
        with pytest.raises(UnknownMetric):
            interactions_by_day([], ["hearts"])

    @given(st.permutations(list(range(4))))
    def test_post_order_does_not_matter(self, order: list[int]) -> None:
        assert post_averages([POSTS[i] for i in order], last=3) == post_averages(POSTS, last=3)
        assert video_split([POSTS[i] for i in order]) == video_split(POSTS)
