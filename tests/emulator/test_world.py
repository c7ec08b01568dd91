"""The platform-neutral world: determinism, identities, growth, posts and comments."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from socialpulse.emulator import text
from socialpulse.emulator.comments import TEMPLATES
from socialpulse.emulator.world import DEMO_CREATORS, MAX_LISTED_COMMENTS, SPECIAL_HANDLES, World

FROZEN = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SENTIMENT_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "sentiment"
DAY = timedelta(days=1)


def world(**kw: object) -> World:
    settings: dict[str, object] = {"creators_per_platform": 300, "frozen_at": FROZEN, **kw}
    return World(42 if "seed" not in settings else settings.pop("seed"), **settings)  # type: ignore[arg-type]


class TestDeterminism:
    def test_same_seed_same_world(self) -> None:
        a, b = world(), world()
        for platform in ("youtube", "bluesky"):
            ca, cb = a.creators(platform), b.creators(platform)
            assert [(c.handle, c.platform_id, c.display_name, c.biography) for c in ca] == [
                (c.handle, c.platform_id, c.display_name, c.biography) for c in cb
            ]
            for x, y in zip(ca[:20], cb[:20], strict=True):
                assert a.stats(x) == b.stats(y)
                px, py = a.posts(x, limit=3), b.posts(y, limit=3)
                assert [(p.social_id, p.text, a.post_stats(p)) for p in px] == [
                    (p.social_id, p.text, b.post_stats(p)) for p in py
                ]
                if px:
                    assert [(c.text, c.author.handle) for c in a.comments(px[0])] == [
                        (c.text, c.author.handle) for c in b.comments(py[0])
                    ]

    def test_other_seed_other_world(self) -> None:
        a, b = world(), world(seed=7)
        assert [c.platform_id for c in a.creators("youtube")] != [
            c.platform_id for c in b.creators("youtube")
        ]
        # the demo accounts keep their handles whatever the seed
        assert [c.handle for c in b.creators("youtube")[:5]] == list(DEMO_CREATORS["youtube"])

    def test_configure_rebuilds_in_place(self) -> None:
        w = world()
        first = w.creators("youtube")[10].platform_id
        w.configure(seed=7, creators_per_platform=50, posts_per_creator=None)
        assert len(w.creators("youtube")) == 50
        assert w.creators("youtube")[10].platform_id != first


class TestAccounts:
    def test_ids_and_handles_have_the_platform_shapes(self) -> None:
        w = world(creators_per_platform=3000)
        yt, bs = w.creators("youtube"), w.creators("bluesky")
        assert len(yt) == len(bs) == 3000
        for c in yt:
            assert re.fullmatch(r"UC[A-Za-z0-9_-]{22}", c.platform_id)
            assert c.uploads_playlist == "UU" + c.platform_id[2:]
            assert re.fullmatch(r"@[a-z0-9._-]{3,30}", c.handle), c.handle
        for c in bs:
            assert re.fullmatch(r"did:plc:[a-z2-7]{24}", c.platform_id)
            assert re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", c.handle), c.handle
        for cs in (yt, bs):
            assert len({c.handle.lower() for c in cs}) == len(cs)
            assert len({c.platform_id for c in cs}) == len(cs)

    def test_lookups(self) -> None:
        w = world()
        for platform in ("youtube", "bluesky"):
            for c in w.creators(platform)[::37]:
                assert w.by_handle(platform, c.handle.upper()) is c
                assert w.by_id(platform, c.platform_id) is c
                assert w.creator(platform, c.platform_id) is c
        assert w.by_handle("youtube", "lenabakes") is w.creators("youtube")[0]

    def test_demo_and_special_accounts(self) -> None:
        w = world()
        for platform in ("youtube", "bluesky"):
            listed = w.creators(platform)
            assert tuple(c.handle for c in listed[:5]) == DEMO_CREATORS[platform]
            assert all(c.kind == "demo" for c in listed[:5])
            assert w.special(platform, "not_found") == SPECIAL_HANDLES[platform]["not_found"]
            assert w.by_handle(platform, w.special(platform, "not_found")) is None
            for kind in ("private", "suspended"):
                c = w.by_handle(platform, w.special(platform, kind))
                assert c is not None
                assert c.kind == kind
                assert c not in listed
            # the demo accounts posted in the last days
            for c in listed[:5]:
                assert w.posts(c, limit=1)[0].published_at > FROZEN - 2 * DAY
        with pytest.raises(ValueError, match="kind must be"):
            w.special("youtube", "banned")
        with pytest.raises(ValueError, match="unknown platform"):
            w.creators("myspace")

    def test_sizes_are_heavy_tailed(self) -> None:
        w = world(creators_per_platform=3000)
        tiers = Counter(w.tier(w.followers(c)) for c in w.creators("youtube"))
        assert set(tiers) == {"nano", "micro", "mid", "macro", "mega"}
        assert tiers["nano"] > tiers["micro"] > tiers["mid"] > tiers["mega"]

    def test_bios_are_varied(self) -> None:
        bios = [c.biography for c in world(creators_per_platform=1000).creators("youtube")]
        assert any("#" in b for b in bios)
        assert any("@" in b and "." in b for b in bios)  # e-mail addresses
        assert any("https://" in b for b in bios)
        assert any(re.search(r"[\u0600-\u06ff]", b) for b in bios)  # Arabic
        assert any(re.search("[\U0001f300-\U0001faff]", b) for b in bios)  # emoji
        assert "" in bios


class TestGrowth:
    def test_counters_never_decrease_and_grow_day_by_day(self) -> None:
        w = world()
        for platform in ("youtube", "bluesky"):
            for c in [*w.creators(platform)[:5], *w.creators(platform)[100:120]]:
                days = [FROZEN + i * DAY / 4 for i in range(12)]
                stats = [w.stats(c, d) for d in days]
                for earlier, later in itertools.pairwise(stats):
                    assert later.followers >= earlier.followers
                    assert later.posts >= earlier.posts
                    assert later.views >= earlier.views
                for p in w.posts(c, FROZEN, limit=3):
                    post_stats = [w.post_stats(p, d) for d in days]
                    for before, after in itertools.pairwise(post_stats):
                        assert all(
                            getattr(after, f) >= getattr(before, f) for f in before.__dataclass_fields__
                        ), (before, after)
            for c in w.creators(platform)[:2]:  # the bigger demo accounts grow every day
                assert w.followers(c, FROZEN + DAY) > w.followers(c, FROZEN)

    def test_nothing_is_published_after_now(self) -> None:
        w = world()
        for c in w.creators("bluesky")[:50]:
            posts = w.posts(c, limit=40)
            assert all(p.published_at <= FROZEN for p in posts)
            assert [p.published_ms for p in posts] == sorted((p.published_ms for p in posts), reverse=True)
            count = w.post_count(c)
            assert count == w.stats(c).posts
            assert w.post(c, count).published_at > FROZEN  # the next one is still to come
            assert w.post_count(c, FROZEN + 3 * DAY) >= count

    def test_clock(self) -> None:
        w = world()
        assert w.now() == FROZEN
        w.set_clock(frozen_at=FROZEN, clock_offset_s=86_400)
        assert w.now() == FROZEN + DAY
        w.set_clock(frozen_at=None, clock_offset_s=0)
        assert abs((w.now() - datetime.now(UTC)).total_seconds()) < 5


class TestPosts:
    def test_posts_per_creator_fixes_the_count(self) -> None:
        w = world(posts_per_creator=5)
        for c in w.creators("youtube")[:200]:
            assert w.post_count(c) == 5
            assert w.post_count(c, FROZEN + 30 * DAY) == 5
        w0 = world(posts_per_creator=0)
        assert w0.posts(w0.creators("bluesky")[0]) == []

    def test_ids_resolve_in_constant_time(self) -> None:
        w = world()
        for platform in ("youtube", "bluesky"):
            for c in w.creators(platform)[::29]:
                for p in w.posts(c, limit=2):
                    assert w.post_by_id(platform, p.social_id) is p
        assert w.post_by_id("youtube", "dQw4w9WgXcQ") is None
        assert w.post_by_id("youtube", w.special_post("youtube", "not_found")) is None
        assert w.post_by_id("bluesky", w.special_post("bluesky", "not_found")) is None
        # a Bluesky post may be named with its author's handle instead of the did
        c = w.creators("bluesky")[1]
        p = w.posts(c, limit=1)[0]
        assert w.post_by_id("bluesky", p.social_id.replace(c.platform_id, c.handle)) is p

    def test_video_shapes(self) -> None:
        w = world()
        posts = [p for c in w.creators("youtube")[:60] for p in w.posts(c, limit=10)]
        kinds = Counter(p.kind for p in posts)
        assert kinds["short"]
        assert kinds["video"]
        assert all(p.duration_s is not None and p.duration_s < 60 for p in posts if p.kind == "short")
        assert any(p.hashtags and "#" + p.hashtags[0] in p.text for p in posts)
        assert any(p.comments_disabled for p in posts)


class TestComments:
    def test_count_matches_the_counter_and_texts_exist(self) -> None:
        w = world()
        seen_languages: Counter[str] = Counter()
        seen_sentiments: Counter[str] = Counter()
        for c in w.creators("youtube")[:40]:
            for p in w.posts(c, limit=3):
                stats = w.post_stats(p)
                listed = w.comments(p)
                assert len(listed) == min(stats.comments, MAX_LISTED_COMMENTS)
                assert stats.top_level_comments == sum(
                    1 for k in range(stats.comments) if w.parent_of(p, k) is None
                )
                for cm in listed:
                    assert p.published_ms < cm.published_ms <= int(FROZEN.timestamp() * 1000)
                    assert cm.text
                    seen_languages[cm.language] += 1
                    seen_sentiments[cm.sentiment] += 1
                    if cm.parent is not None:
                        assert w.parent_of(p, cm.parent) is None
                        assert cm.index in w.replies_to(p, cm.parent, stats.comments)
                times = [cm.published_ms for cm in listed]
                assert times == sorted(times, reverse=True)
        assert set(seen_languages) == set(text.LANGUAGES)
        assert set(seen_sentiments) == {"positive", "neutral", "negative"}

    def test_big_posts_list_the_newest_comments(self) -> None:
        w = world()
        big = max(
            (p for c in w.creators("youtube")[:5] for p in w.posts(c, limit=5)),
            key=lambda p: w.comment_count(p),
        )
        count = w.comment_count(big)
        assert count > MAX_LISTED_COMMENTS
        assert [cm.index for cm in w.comments(big)] == list(
            range(count - 1, count - 1 - MAX_LISTED_COMMENTS, -1)
        )

    def test_every_language_has_every_sentiment(self) -> None:
        for language in text.LANGUAGES:
            assert set(TEMPLATES[language]) == {"positive", "neutral", "negative"}

    def test_texts_are_our_own(self) -> None:
        """No comment template is a line of the shared sentiment data set."""
        files = sorted(SENTIMENT_DATA.glob("*.tsv"))
        if not files:
            pytest.skip(f"no sentiment data at {SENTIMENT_DATA}")
        lines = {
            line.rstrip("\n").split("\t")[-1].strip().lower()
            for f in files
            for line in f.read_text(encoding="utf-8").splitlines()
        }
        for by_sentiment in TEMPLATES.values():
            for templates in by_sentiment.values():
                for template in templates:
                    assert re.sub(r"\{\w+\}", "", template).strip().lower() not in lines, template
