"""Bluesky AppView: responses match the lexicons; errors, batches, feeds with reposts, threads."""

from __future__ import annotations

import pytest

from tests.emulator.conftest import Emu, MakeEmu
from tests.emulator.specs import assert_valid, lexicons, require_specs


@pytest.fixture(autouse=True)
def _specs() -> None:
    require_specs()


def check(ref: str, body: object) -> None:
    assert_valid(lexicons().validator(ref), body)


class TestShapes:
    async def test_profiles_match_the_lexicons(self, emu: Emu) -> None:
        creators = emu.world.creators("bluesky")
        for c in creators[:10]:
            r = await emu.bsky("app.bsky.actor.getProfile", {"actor": c.handle})
            assert r.status_code == 200
            check("app.bsky.actor.defs#profileViewDetailed", r.json())
            assert r.json()["did"] == c.platform_id
            by_did = await emu.bsky("app.bsky.actor.getProfile", {"actor": c.platform_id})
            assert by_did.json() == r.json()
        r = await emu.bsky("app.bsky.actor.getProfiles", [("actors", c.handle) for c in creators[:25]])
        check("app.bsky.actor.getProfiles", r.json())
        assert [p["handle"] for p in r.json()["profiles"]] == [c.handle for c in creators[:25]]
        profile = r.json()["profiles"][0]
        for name in ("followersCount", "followsCount", "postsCount"):
            assert isinstance(profile[name], int)

    async def test_feeds_posts_and_threads_match_the_lexicons(self, emu: Emu) -> None:
        world = emu.world
        for c in world.creators("bluesky")[:6]:
            r = await emu.bsky("app.bsky.feed.getAuthorFeed", {"actor": c.handle, "limit": 100})
            check("app.bsky.feed.getAuthorFeed", r.json())
        feed = r.json()["feed"]
        uris = [item["post"]["uri"] for item in feed[:25]]
        r = await emu.bsky("app.bsky.feed.getPosts", [("uris", u) for u in uris])
        check("app.bsky.feed.getPosts", r.json())
        assert [p["uri"] for p in r.json()["posts"]] == list(dict.fromkeys(uris))
        faceted = [p for p in r.json()["posts"] if p["record"].get("facets")]
        assert faceted
        for post in faceted:  # facets point at the bytes of what they annotate
            raw = post["record"]["text"].encode()
            for facet in post["record"]["facets"]:
                piece = raw[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode()
                feature = facet["features"][0]
                if feature["$type"].endswith("#tag"):
                    assert piece == "#" + feature["tag"]
                elif feature["$type"].endswith("#link"):
                    assert piece == feature["uri"]
                else:
                    assert piece.startswith("@")
        busiest = max(uris, key=lambda u: world.comment_count(world.post_by_id("bluesky", u)))  # type: ignore[arg-type]
        r = await emu.bsky("app.bsky.feed.getPostThread", {"uri": busiest, "depth": 6})
        check("app.bsky.feed.getPostThread", r.json())
        assert r.json()["thread"]["replies"]


class TestErrors:
    async def test_unknown_suspended_and_deactivated(self, emu: Emu) -> None:
        world = emu.world
        expected = {
            "not_found": {"error": "InvalidRequest", "message": "Profile not found"},
            "suspended": {"error": "AccountTakedown", "message": "Account has been suspended"},
            "private": {"error": "AccountDeactivated", "message": "Account is deactivated"},
        }
        for kind, body in expected.items():
            handle = world.special("bluesky", kind)
            for method in ("app.bsky.actor.getProfile", "app.bsky.feed.getAuthorFeed"):
                r = await emu.bsky(method, {"actor": handle})
                assert r.status_code == 400
                assert r.json() == body
        r = await emu.bsky("app.bsky.actor.getProfile", {"actor": "did:plc:" + "a" * 24})
        assert r.json() == expected["not_found"]
        r = await emu.bsky("app.bsky.actor.getProfile", {"actor": "not a handle"})
        assert r.status_code == 400
        assert r.json()["error"] == "InvalidRequest"
        r = await emu.bsky("app.bsky.actor.getProfile")
        assert r.status_code == 400
        assert r.json()["error"] == "InvalidRequest"

    async def test_batches_leave_missing_items_out(self, emu: Emu) -> None:
        world = emu.world
        good = world.creators("bluesky")[2]
        actors = [world.special("bluesky", k) for k in ("not_found", "suspended", "private")] + [good.handle]
        r = await emu.bsky("app.bsky.actor.getProfiles", [("actors", a) for a in actors])
        assert [p["did"] for p in r.json()["profiles"]] == [good.platform_id]
        post = world.posts(good, limit=1)[0]
        uris = [world.special_post("bluesky", k) for k in ("not_found", "suspended", "private")]
        uris.append(post.social_id.replace(good.platform_id, good.handle))  # a handle in the authority
        r = await emu.bsky("app.bsky.feed.getPosts", [("uris", u) for u in uris])
        assert [p["uri"] for p in r.json()["posts"]] == [post.social_id]

    async def test_batch_limits(self, emu: Emu) -> None:
        creators = emu.world.creators("bluesky")
        r = await emu.bsky("app.bsky.actor.getProfiles", [("actors", c.handle) for c in creators[:26]])
        assert r.status_code == 400
        assert r.json()["error"] == "InvalidRequest"
        uris = [p.social_id for p in emu.world.posts(creators[0], limit=26)]
        r = await emu.bsky("app.bsky.feed.getPosts", [("uris", u) for u in uris])
        assert r.status_code == 400
        r = await emu.bsky("app.bsky.feed.getAuthorFeed", {"actor": creators[0].handle, "limit": 101})
        assert r.status_code == 400
        assert "100" in r.json()["message"]

    async def test_thread_not_found(self, emu: Emu) -> None:
        for kind in ("not_found", "suspended"):
            uri = emu.world.special_post("bluesky", kind)
            r = await emu.bsky("app.bsky.feed.getPostThread", {"uri": uri})
            assert r.status_code == 400
            assert r.json() == {"error": "NotFound", "message": f"Post not found: {uri}"}

    async def test_unknown_method(self, emu: Emu) -> None:
        r = await emu.bsky("app.bsky.feed.getTimeline")
        assert r.status_code == 501
        assert r.json()["error"] == "MethodNotImplemented"


class TestFeeds:
    async def test_pages_walk_every_post_and_some_reposts(self, make_emu: MakeEmu) -> None:
        emu = await make_emu(posts_per_creator=60)
        world = emu.world
        c = world.creators("bluesky")[0]
        seen, reposts, cursor = [], 0, None
        while True:
            params = {"actor": c.platform_id, "limit": 17}
            if cursor:
                params["cursor"] = cursor
            body = (await emu.bsky("app.bsky.feed.getAuthorFeed", params)).json()
            for item in body["feed"]:
                if "reason" in item:
                    reposts += 1
                    assert item["reason"]["$type"] == "app.bsky.feed.defs#reasonRepost"
                    assert item["reason"]["by"]["did"] == c.platform_id
                    assert item["post"]["author"]["did"] != c.platform_id
                else:
                    seen.append(item["post"]["uri"])
            cursor = body.get("cursor")
            if not cursor:
                break
        assert seen == [p.social_id for p in world.posts(c)]
        assert reposts > 0
        profile = (await emu.bsky("app.bsky.actor.getProfile", {"actor": c.handle})).json()
        assert profile["postsCount"] == len(seen) == 60

    async def test_media_filters_are_empty(self, emu: Emu) -> None:
        c = emu.world.creators("bluesky")[0]
        body = (
            await emu.bsky("app.bsky.feed.getAuthorFeed", {"actor": c.handle, "filter": "posts_with_media"})
        ).json()
        assert body == {"feed": []}


class TestThreads:
    async def test_replies_match_the_reply_count(self, emu: Emu) -> None:
        world = emu.world
        posts = [p for c in world.creators("bluesky")[:40] for p in world.posts(c, limit=4)]
        post = next(p for p in posts if 10 < world.comment_count(p) < 250)
        view = (await emu.bsky("app.bsky.feed.getPosts", {"uris": post.social_id})).json()["posts"][0]
        thread = (await emu.bsky("app.bsky.feed.getPostThread", {"uri": post.social_id, "depth": 2})).json()[
            "thread"
        ]
        replies = thread["replies"]
        assert len(replies) == view["replyCount"] == thread["post"]["replyCount"]
        nested = sum(len(r["replies"]) for r in replies)
        assert len(replies) + nested == world.comment_count(post)
        for r in replies:
            assert r["post"]["record"]["reply"]["root"]["uri"] == post.social_id
            assert r["post"]["record"]["reply"]["parent"]["uri"] == post.social_id
            assert r["post"]["replyCount"] == len(r["replies"])
            for n in r["replies"]:
                assert n["post"]["record"]["reply"]["parent"]["uri"] == r["post"]["uri"]
        texts = [r["post"]["record"]["text"] for r in replies]
        assert all(texts)
        shallow = (await emu.bsky("app.bsky.feed.getPostThread", {"uri": post.social_id, "depth": 1})).json()
        assert all("replies" not in r for r in shallow["thread"]["replies"])
        none = (await emu.bsky("app.bsky.feed.getPostThread", {"uri": post.social_id, "depth": 0})).json()
        assert "replies" not in none["thread"]


async def test_rate_limit_headers(make_emu: MakeEmu) -> None:
    emu = await make_emu(rate_limit_per_s=3)
    responses = [
        await emu.bsky("app.bsky.actor.getProfile", {"actor": "lenabakes.bsky.social"}) for _ in range(4)
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r.headers["ratelimit-remaining"] for r in responses[:3]] == ["2", "1", "0"]
    limited = responses[3]
    assert limited.json() == {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
    assert limited.headers["ratelimit-limit"] == "3"
    assert limited.headers["ratelimit-remaining"] == "0"
    assert limited.headers["ratelimit-policy"] == "3;w=1"
    assert int(limited.headers["ratelimit-reset"]) > 1_700_000_000
    assert limited.headers["retry-after"] == "1"
