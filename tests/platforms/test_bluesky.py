"""Bluesky AppView connector against the wire format of reference section 11 (httpx.MockTransport)."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from socialpulse.platforms.base import (
    AccountRef,
    AuthExpired,
    BadResponse,
    NotFound,
    PlatformError,
    PostData,
    PostRef,
    Private,
    ProfileData,
    RateLimited,
    Suspended,
    TransientError,
)
from socialpulse.platforms.bluesky import BlueskyConnector, normalize_actor, post_type, split_at_uri

BASE = "https://bsky.test/xrpc"

# Example bodies copied from reference/platform-apis.md section 11.
PROFILE = {
    "did": "did:plc:abc",
    "handle": "alice.bsky.social",
    "displayName": "Alice",
    "followersCount": 120,
    "followsCount": 80,
    "postsCount": 300,
    "createdAt": "2023-05-01T00:00:00.000Z",
    "indexedAt": "2024-01-01T00:00:00.000Z",
    "associated": {"lists": 0, "feedgens": 0, "starterPacks": 0},
}
POSTS = {
    "posts": [
        {
            "uri": "at://did:plc:abc/app.bsky.feed.post/3k",
            "cid": "bafy",
            "author": {"did": "did:plc:abc", "handle": "alice.bsky.social"},
            "record": {"$type": "app.bsky.feed.post", "text": "hi", "createdAt": "2024-05-01T00:00:00.000Z"},
            "replyCount": 2,
            "repostCount": 1,
            "likeCount": 10,
            "quoteCount": 0,
            "bookmarkCount": 0,
            "indexedAt": "2024-05-01T00:00:01.000Z",
        }
    ]
}
THREAD = {
    "thread": {
        "$type": "app.bsky.feed.defs#threadViewPost",
        "post": {"uri": "at://...", "likeCount": 10, "replyCount": 1},
        "replies": [
            {
                "$type": "app.bsky.feed.defs#threadViewPost",
                "post": {"uri": "at://...r1", "likeCount": 0},
                "replies": [],
            },
            {"$type": "app.bsky.feed.defs#notFoundPost", "uri": "at://...r2", "notFound": True},
        ],
    }
}
RATE_LIMITED = {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
PROFILE_NOT_FOUND = {"error": "InvalidRequest", "message": "Profile not found"}
TAKEDOWN = {"error": "AccountTakedown", "message": "Account has been suspended"}
DEACTIVATED = {"error": "AccountDeactivated", "message": "Account is deactivated"}

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    def __init__(self, routes: dict[str, Handler]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.routes[request.url.path.rsplit("/", 1)[-1]](request)

    def multi(self, i: int = -1) -> list[tuple[str, str]]:
        return list(self.requests[i].url.params.multi_items())


def connector(
    routes: dict[str, Handler], *, clock: Callable[[], float] | None = None
) -> tuple[BlueskyConnector, Recorder]:
    rec = Recorder(routes)
    client = httpx.AsyncClient(transport=httpx.MockTransport(rec))
    kw: dict[str, Any] = {"clock": clock} if clock else {}
    return BlueskyConnector(client, base_url=BASE, retries=0, **kw), rec


def profile_for(actor: str) -> dict[str, Any]:
    p = copy.deepcopy(PROFILE)
    if actor.startswith("did:"):
        p["did"], p["handle"] = actor, actor.removeprefix("did:plc:") + ".bsky.social"
    else:
        p["did"], p["handle"] = "did:plc:" + actor.split(".")[0], actor
    return p


def echo_profiles(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200, json={"profiles": [profile_for(a) for a in request.url.params.get_list("actors")]}
    )


def post_view(uri: str, **over: Any) -> dict[str, Any]:
    v = copy.deepcopy(POSTS["posts"][0])
    v["uri"] = uri
    v.update(over)
    return v


class TestConnectorShape:
    def test_names_and_limits(self) -> None:
        c, _ = connector({})
        assert c.name == "bluesky-appview"
        assert c.api_version == "app.bsky"
        assert (c.limits.profile_batch, c.limits.post_batch) == (25, 25)
        assert c.limits.daily_quota is None


class TestFetchProfiles:
    async def test_maps_the_reference_body(self) -> None:
        body = {"profiles": [dict(PROFILE, description="bio", avatar="https://cdn/a.jpg")]}
        c, rec = connector({"app.bsky.actor.getProfiles": lambda r: httpx.Response(200, json=body)})
        out = await c.fetch_profiles(
            [AccountRef(key="1", handle="alice.bsky.social", platform_id="did:plc:abc")]
        )
        p = out["1"]
        assert isinstance(p, ProfileData)
        assert p.platform_id == "did:plc:abc"
        assert p.handle == "alice.bsky.social"
        assert p.display_name == "Alice"
        assert p.biography == "bio"
        assert p.avatar_url == "https://cdn/a.jpg"
        assert p.url == "https://bsky.app/profile/alice.bsky.social"
        assert (p.followers, p.following, p.posts) == (120, 80, 300)
        assert p.details["did"] == "did:plc:abc"
        assert p.details["created_at"] == "2023-05-01T00:00:00.000Z"
        assert p.details["starter_packs"] == 0
        assert rec.multi() == [("actors", "did:plc:abc")]
        assert rec.requests[0].url.path == "/xrpc/app.bsky.actor.getProfiles"

    async def test_repeated_keys_did_when_known_else_handle(self) -> None:
        c, rec = connector({"app.bsky.actor.getProfiles": echo_profiles})
        out = await c.fetch_profiles(
            [
                AccountRef(key="1", handle="alice.bsky.social", platform_id="did:plc:alice"),
                AccountRef(key="2", handle="@Bob.bsky.social"),
            ]
        )
        assert rec.multi() == [("actors", "did:plc:alice"), ("actors", "bob.bsky.social")]
        assert "actors=did%3Aplc%3Aalice&actors=bob.bsky.social" in str(rec.requests[0].url)
        assert all(isinstance(v, ProfileData) for v in out.values())
        assert out["2"].handle == "bob.bsky.social"  # type: ignore[union-attr]

    async def test_26_actors_take_two_calls(self) -> None:
        c, rec = connector({"app.bsky.actor.getProfiles": echo_profiles})
        refs = [AccountRef(key=str(i), handle=f"u{i}.bsky.social") for i in range(26)]
        out = await c.fetch_profiles(refs)
        assert [len(r.url.params.get_list("actors")) for r in rec.requests] == [25, 1]
        assert all(isinstance(out[r.key], ProfileData) for r in refs)

    async def test_missing_counts_are_none_on_profiles(self) -> None:
        p = {k: v for k, v in PROFILE.items() if not k.endswith("Count")}
        c, _ = connector(
            {"app.bsky.actor.getProfiles": lambda r: httpx.Response(200, json={"profiles": [p]})}
        )
        out = (await c.fetch_profiles([AccountRef(key="1", handle="x", platform_id="did:plc:abc")]))["1"]
        assert isinstance(out, ProfileData)
        assert (out.followers, out.following, out.posts) == (None, None, None)

    @pytest.mark.parametrize(
        ("body", "error", "words"),
        [
            (PROFILE_NOT_FOUND, NotFound, "not found"),
            (TAKEDOWN, Suspended, "suspended"),
            (DEACTIVATED, NotFound, "deactivated"),
        ],
    )
    async def test_left_out_profiles_ask_get_profile_why(
        self, body: dict[str, str], error: type[PlatformError], words: str
    ) -> None:
        c, rec = connector(
            {
                "app.bsky.actor.getProfiles": lambda r: httpx.Response(200, json={"profiles": [PROFILE]}),
                "app.bsky.actor.getProfile": lambda r: httpx.Response(400, json=body),
            }
        )
        out = await c.fetch_profiles(
            [
                AccountRef(key="1", handle="alice.bsky.social", platform_id="did:plc:abc"),
                AccountRef(key="2", handle="gone.bsky.social"),
            ]
        )
        assert isinstance(out["1"], ProfileData)
        assert type(out["2"]) is error
        assert words in out["2"].message.lower()
        assert rec.multi(-1) == [("actor", "gone.bsky.social")]
        assert c.calls == {"app.bsky.actor.getProfiles": 1, "app.bsky.actor.getProfile": 1}

    async def test_invalid_identifier_in_batch_falls_back_to_one_call_each(self) -> None:
        def single(r: httpx.Request) -> httpx.Response:
            actor = r.url.params["actor"]
            if actor == "not a handle":
                return httpx.Response(
                    400,
                    json={
                        "error": "InvalidRequest",
                        "message": "Error: actor must be a valid did or a handle",
                    },
                )
            return httpx.Response(200, json=profile_for(actor))

        c, _ = connector(
            {
                "app.bsky.actor.getProfiles": lambda r: httpx.Response(
                    400,
                    json={
                        "error": "InvalidRequest",
                        "message": "Error: actors/1 must be a valid did or a handle",
                    },
                ),
                "app.bsky.actor.getProfile": single,
            }
        )
        out = await c.fetch_profiles(
            [AccountRef(key="1", handle="ok.bsky.social"), AccountRef(key="2", handle="not a handle")]
        )
        assert isinstance(out["1"], ProfileData)
        assert isinstance(out["2"], PlatformError)
        assert not out["2"].retryable

    async def test_malformed_profile_fails_only_that_profile(self) -> None:
        bad = dict(profile_for("b.bsky.social"), followersCount="many")
        c, _ = connector(
            {
                "app.bsky.actor.getProfiles": lambda r: httpx.Response(
                    200, json={"profiles": [profile_for("a.bsky.social"), bad]}
                )
            }
        )
        out = await c.fetch_profiles(
            [AccountRef(key="a", handle="a.bsky.social"), AccountRef(key="b", handle="b.bsky.social")]
        )
        assert isinstance(out["a"], ProfileData)
        assert isinstance(out["b"], BadResponse)


def feed_entry(
    rkey: str, *, reason: dict[str, Any] | None = None, author: str = "did:plc:abc"
) -> dict[str, Any]:
    view = post_view(f"at://{author}/app.bsky.feed.post/{rkey}")
    view["author"] = {
        "did": author,
        "handle": "alice.bsky.social" if author == "did:plc:abc" else "other.bsky.social",
    }
    entry: dict[str, Any] = {"post": view}
    if reason:
        entry["reason"] = reason
    return entry


ALICE = ProfileData(platform_id="did:plc:abc", handle="alice.bsky.social", posts=300)


class TestListPosts:
    async def test_skips_reposts_and_maps_metrics(self) -> None:
        feed = {
            "feed": [
                feed_entry("p1"),
                feed_entry(
                    "r1",
                    reason={
                        "$type": "app.bsky.feed.defs#reasonRepost",
                        "by": {"did": "did:plc:abc"},
                        "indexedAt": "x",
                    },
                    author="did:plc:other",
                ),
                feed_entry("p2"),
            ],
            "cursor": "c1",
        }
        c, rec = connector({"app.bsky.feed.getAuthorFeed": lambda r: httpx.Response(200, json=feed)})
        result = await c.list_posts(AccountRef(key="1", handle="alice.bsky.social"), ALICE, 2)
        assert rec.multi() == [
            ("actor", "did:plc:abc"),
            ("limit", "2"),
            ("filter", "posts_and_author_threads"),
        ]
        assert [p.social_id for p in result.posts] == [
            "at://did:plc:abc/app.bsky.feed.post/p1",
            "at://did:plc:abc/app.bsky.feed.post/p2",
        ]
        p = result.posts[0]
        assert p.has_metrics
        assert (p.likes, p.comments, p.shares) == (10, 2, 1)
        assert p.url == "https://bsky.app/profile/alice.bsky.social/post/p1"
        assert result.complete

    async def test_pages_with_cursor_and_caps_limit_at_100(self) -> None:
        def route(r: httpx.Request) -> httpx.Response:
            n = int(r.url.params["limit"])
            start = int(r.url.params.get("cursor", "0"))
            return httpx.Response(
                200,
                json={
                    "feed": [feed_entry(f"k{i}") for i in range(start, start + n)],
                    "cursor": str(start + n),
                },
            )

        c, rec = connector({"app.bsky.feed.getAuthorFeed": route})
        result = await c.list_posts(AccountRef(key="1", handle="a"), ALICE, 150)
        assert [r.url.params["limit"] for r in rec.requests] == ["100", "50"]
        assert rec.requests[1].url.params["cursor"] == "100"
        assert len(result.posts) == 150

    async def test_missing_cursor_is_the_end(self) -> None:
        c, rec = connector(
            {"app.bsky.feed.getAuthorFeed": lambda r: httpx.Response(200, json={"feed": [feed_entry("a")]})}
        )
        result = await c.list_posts(AccountRef(key="1", handle="a"), ALICE, 50)
        assert len(rec.requests) == 1
        assert len(result.posts) == 1
        assert result.complete

    async def test_unknown_actor(self) -> None:
        c, _ = connector(
            {"app.bsky.feed.getAuthorFeed": lambda r: httpx.Response(400, json=PROFILE_NOT_FOUND)}
        )
        with pytest.raises(NotFound):
            await c.list_posts(AccountRef(key="1", handle="a"), ALICE, 10)

    async def test_blocked_actor_is_private(self) -> None:
        c, _ = connector(
            {
                "app.bsky.feed.getAuthorFeed": lambda r: httpx.Response(
                    400, json={"error": "BlockedActor", "message": "blocked"}
                )
            }
        )
        with pytest.raises(Private):
            await c.list_posts(AccountRef(key="1", handle="a"), ALICE, 10)


class TestFetchPosts:
    async def test_maps_the_reference_body(self) -> None:
        c, rec = connector(
            {"app.bsky.feed.getPosts": lambda r: httpx.Response(200, json=copy.deepcopy(POSTS))}
        )
        uri = "at://did:plc:abc/app.bsky.feed.post/3k"
        out = await c.fetch_posts([PostRef(key="p", social_id=uri)])
        p = out["p"]
        assert isinstance(p, PostData)
        assert rec.multi() == [("uris", uri)]
        assert p.social_id == uri
        assert p.author_platform_id == "did:plc:abc"
        assert p.author_handle == "alice.bsky.social"
        assert p.url == "https://bsky.app/profile/alice.bsky.social/post/3k"
        assert p.type == "text"
        assert p.caption == "hi"
        assert p.posted_at == datetime(2024, 5, 1, tzinfo=UTC)
        assert (p.likes, p.comments, p.shares) == (10, 2, 1)
        assert p.extras == {"quotes": 0, "bookmarks": 0}
        assert p.details["cid"] == "bafy"
        assert p.views is None

    async def test_missing_post_counts_are_zero(self) -> None:
        view = {k: v for k, v in POSTS["posts"][0].items() if not k.endswith("Count")}
        c, _ = connector({"app.bsky.feed.getPosts": lambda r: httpx.Response(200, json={"posts": [view]})})
        p = (await c.fetch_posts([PostRef(key="p", social_id=str(view["uri"]))]))["p"]
        assert isinstance(p, PostData)
        assert (p.likes, p.comments, p.shares) == (0, 0, 0)
        assert p.extras == {"quotes": 0, "bookmarks": 0}

    async def test_missing_posts_are_not_found(self) -> None:
        c, _ = connector({"app.bsky.feed.getPosts": lambda r: httpx.Response(200, json=copy.deepcopy(POSTS))})
        out = await c.fetch_posts(
            [
                PostRef(key="a", social_id="at://did:plc:abc/app.bsky.feed.post/3k"),
                PostRef(key="b", social_id="at://did:plc:abc/app.bsky.feed.post/gone"),
            ]
        )
        assert isinstance(out["a"], PostData)
        assert isinstance(out["b"], NotFound)

    async def test_26_posts_take_two_calls_with_repeated_keys(self) -> None:
        def route(r: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json={"posts": [post_view(u) for u in r.url.params.get_list("uris")]})

        c, rec = connector({"app.bsky.feed.getPosts": route})
        refs = [PostRef(key=str(i), social_id=f"at://did:plc:abc/app.bsky.feed.post/r{i}") for i in range(26)]
        out = await c.fetch_posts(refs)
        assert [len(r.url.params.get_list("uris")) for r in rec.requests] == [25, 1]
        assert all(isinstance(v, PostData) for v in out.values())

    async def test_handle_form_uri_matches_the_did_form_answer(self) -> None:
        c, _ = connector({"app.bsky.feed.getPosts": lambda r: httpx.Response(200, json=copy.deepcopy(POSTS))})
        out = await c.fetch_posts(
            [PostRef(key="p", social_id="at://Alice.bsky.social/app.bsky.feed.post/3k")]
        )
        assert isinstance(out["p"], PostData)

    async def test_facets(self) -> None:
        record = {
            "text": "hi #tag @bob link",
            "createdAt": "2024-05-01T00:00:00Z",
            "tags": ["extra"],
            "langs": ["en"],
            "facets": [
                {"features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "tag"}]},
                {"features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:bob"}]},
                {"features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://x.y"}]},
            ],
        }
        view = post_view("at://did:plc:abc/app.bsky.feed.post/f", record=record)
        c, _ = connector({"app.bsky.feed.getPosts": lambda r: httpx.Response(200, json={"posts": [view]})})
        p = (await c.fetch_posts([PostRef(key="p", social_id=view["uri"])]))["p"]
        assert isinstance(p, PostData)
        assert p.details["hashtags"] == ["tag", "extra"]
        assert p.details["mentions"] == ["did:plc:bob"]
        assert p.details["links"] == ["https://x.y"]
        assert p.details["langs"] == ["en"]


class TestPostType:
    @pytest.mark.parametrize(
        ("embed", "kind"),
        [
            (None, "text"),
            ({"$type": "app.bsky.embed.images#view", "images": []}, "image"),
            ({"$type": "app.bsky.embed.video#view"}, "video"),
            ({"$type": "app.bsky.embed.external#view"}, "link"),
            ({"$type": "app.bsky.embed.record#view"}, "text"),
            (
                {
                    "$type": "app.bsky.embed.recordWithMedia#view",
                    "media": {"$type": "app.bsky.embed.video#view"},
                },
                "video",
            ),
            (
                {
                    "$type": "app.bsky.embed.recordWithMedia#view",
                    "media": {"$type": "app.bsky.embed.images#view"},
                },
                "image",
            ),
        ],
    )
    def test_from_embed(self, embed: Any, kind: str) -> None:
        assert post_type(embed).value == kind


class TestFetchComments:
    async def test_direct_replies_by_likes_skipping_missing(self) -> None:
        def reply(rkey: str, likes: int | None) -> dict[str, Any]:
            view = post_view(
                f"at://did:plc:r/app.bsky.feed.post/{rkey}",
                record={"text": f"t{rkey}", "createdAt": "2024-05-02T00:00:00Z"},
            )
            view["author"] = {"did": "did:plc:r", "handle": "Replier.bsky.social"}
            if likes is None:
                del view["likeCount"]
            else:
                view["likeCount"] = likes
            return {"$type": "app.bsky.feed.defs#threadViewPost", "post": view, "replies": []}

        body = copy.deepcopy(THREAD)
        body["thread"]["replies"] = [
            reply("a", 1),
            {
                "$type": "app.bsky.feed.defs#notFoundPost",
                "uri": "at://x/app.bsky.feed.post/n",
                "notFound": True,
            },
            reply("b", 5),
            {
                "$type": "app.bsky.feed.defs#blockedPost",
                "uri": "at://x/app.bsky.feed.post/k",
                "blocked": True,
                "author": {"did": "did:plc:z"},
            },
            reply("c", None),
            reply("d", 3),
        ]
        c, rec = connector({"app.bsky.feed.getPostThread": lambda r: httpx.Response(200, json=body)})
        out = await c.fetch_comments(PostRef(key="p", social_id="at://did:plc:abc/app.bsky.feed.post/3k"), 3)
        assert rec.multi() == [
            ("uri", "at://did:plc:abc/app.bsky.feed.post/3k"),
            ("depth", "1"),
            ("parentHeight", "0"),
        ]
        assert [cm.platform_id.rsplit("/", 1)[-1] for cm in out] == ["b", "d", "a"]
        top = out[0]
        assert top.text == "tb"
        assert top.likes == 5
        assert top.author == "replier.bsky.social"
        assert top.author_id == "did:plc:r"
        assert top.reply_count == 2
        assert top.posted_at == datetime(2024, 5, 2, tzinfo=UTC)

    async def test_reference_thread(self) -> None:
        c, _ = connector(
            {"app.bsky.feed.getPostThread": lambda r: httpx.Response(200, json=copy.deepcopy(THREAD))}
        )
        out = await c.fetch_comments(PostRef(key="p", social_id="at://did:plc:abc/app.bsky.feed.post/3k"), 10)
        assert [cm.platform_id for cm in out] == ["at://...r1"]
        assert out[0].likes == 0

    async def test_missing_root_is_not_found(self) -> None:
        c, _ = connector(
            {
                "app.bsky.feed.getPostThread": lambda r: httpx.Response(
                    400,
                    json={
                        "error": "NotFound",
                        "message": "Post not found: at://did:plc:abc/app.bsky.feed.post/x",
                    },
                )
            }
        )
        with pytest.raises(NotFound):
            await c.fetch_comments(PostRef(key="p", social_id="at://did:plc:abc/app.bsky.feed.post/x"), 10)

    async def test_not_found_thread_body(self) -> None:
        body = {"thread": {"$type": "app.bsky.feed.defs#notFoundPost", "uri": "at://x", "notFound": True}}
        c, _ = connector({"app.bsky.feed.getPostThread": lambda r: httpx.Response(200, json=body)})
        with pytest.raises(NotFound):
            await c.fetch_comments(PostRef(key="p", social_id="at://x"), 10)


class TestErrors:
    async def test_rate_limited_retry_after_header(self) -> None:
        c, _ = connector(
            {
                "app.bsky.feed.getPosts": lambda r: httpx.Response(
                    429, json=RATE_LIMITED, headers={"Retry-After": "12"}
                )
            }
        )
        with pytest.raises(RateLimited) as exc:
            await c.fetch_posts([PostRef(key="p", social_id="at://a/app.bsky.feed.post/b")])
        assert exc.value.retry_after == 12.0

    async def test_rate_limited_reset_is_unix_seconds(self) -> None:
        headers = {
            "RateLimit-Limit": "3000",
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": "1700000090",
            "RateLimit-Policy": "3000;w=300",
        }
        c, _ = connector(
            {"app.bsky.feed.getPosts": lambda r: httpx.Response(429, json=RATE_LIMITED, headers=headers)},
            clock=lambda: 1_700_000_000.0,
        )
        with pytest.raises(RateLimited) as exc:
            await c.fetch_posts([PostRef(key="p", social_id="at://a/app.bsky.feed.post/b")])
        assert exc.value.retry_after == 90.0
        assert exc.value.retryable

    async def test_rate_limited_without_headers(self) -> None:
        c, _ = connector({"app.bsky.feed.getPosts": lambda r: httpx.Response(429, json=RATE_LIMITED)})
        with pytest.raises(RateLimited) as exc:
            await c.fetch_posts([PostRef(key="p", social_id="at://a/app.bsky.feed.post/b")])
        assert exc.value.retry_after is None

    @pytest.mark.parametrize("status", [500, 502, 503])
    async def test_5xx_is_transient(self, status: int) -> None:
        c, _ = connector(
            {
                "app.bsky.feed.getPosts": lambda r: httpx.Response(
                    status, json={"error": "InternalServerError", "message": "x"}
                )
            }
        )
        with pytest.raises(TransientError):
            await c.fetch_posts([PostRef(key="p", social_id="at://a/app.bsky.feed.post/b")])

    async def test_other_invalid_request_is_permanent(self) -> None:
        c, _ = connector(
            {
                "app.bsky.feed.getAuthorFeed": lambda r: httpx.Response(
                    400, json={"error": "InvalidRequest", "message": "bad cursor"}
                )
            }
        )
        with pytest.raises(PlatformError) as exc:
            await c.list_posts(AccountRef(key="1", handle="a"), ALICE, 10)
        assert type(exc.value) is PlatformError
        assert "bad cursor" in exc.value.message

    async def test_takedown_on_author_feed_is_suspended(self) -> None:
        c, _ = connector({"app.bsky.feed.getAuthorFeed": lambda r: httpx.Response(400, json=TAKEDOWN)})
        with pytest.raises(Suspended):
            await c.list_posts(AccountRef(key="1", handle="a"), ALICE, 10)

    async def test_auth_required_names_the_base_url_setting(self) -> None:
        c, _ = connector(
            {
                "app.bsky.feed.getPosts": lambda r: httpx.Response(
                    401, json={"error": "AuthenticationRequired", "message": "x"}
                )
            }
        )
        with pytest.raises(AuthExpired) as exc:
            await c.fetch_posts([PostRef(key="p", social_id="at://a/app.bsky.feed.post/b")])
        assert exc.value.setting == "SOCIALPULSE_BLUESKY_BASE_URL"

    async def test_malformed_json_is_bad_response(self) -> None:
        c, _ = connector({"app.bsky.feed.getPosts": lambda r: httpx.Response(200, content=b"<html>")})
        with pytest.raises(BadResponse):
            await c.fetch_posts([PostRef(key="p", social_id="at://a/app.bsky.feed.post/b")])


class TestHelpers:
    @pytest.mark.parametrize(
        ("value", "actor"),
        [
            ("@Alice.bsky.social", "alice.bsky.social"),
            ("https://bsky.app/profile/Alice.bsky.social", "alice.bsky.social"),
            ("did:plc:AbC", "did:plc:AbC"),
        ],
    )
    def test_normalize_actor(self, value: str, actor: str) -> None:
        assert normalize_actor(value) == actor

    def test_split_at_uri(self) -> None:
        assert split_at_uri("at://did:plc:a/app.bsky.feed.post/3k") == (
            "did:plc:a",
            "app.bsky.feed.post",
            "3k",
        )
        assert split_at_uri("https://x") is None

    def test_needs_listing(self) -> None:
        c, _ = connector({})
        assert c.needs_listing(AccountRef(key="1", handle="a"), ALICE)
        assert not c.needs_listing(AccountRef(key="1", handle="a", last_posts_count=300), ALICE)
        assert c.needs_listing(AccountRef(key="1", handle="a", last_posts_count=299), ALICE)


# ---------------------------------------------------------------------------- against the emulator

FROZEN = datetime(2026, 3, 1, 12, tzinfo=UTC)


def emulator(**cfg: Any) -> Any:
    from socialpulse.emulator.app import EmulatorConfig, create_emulator_app

    settings: dict[str, Any] = {"seed": 42, "frozen_at": FROZEN, "creators_per_platform": 60, **cfg}
    return create_emulator_app(EmulatorConfig(**settings))


def emu_connector(app: Any, **kw: Any) -> BlueskyConnector:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emu")
    kw.setdefault("retries", 0)
    return BlueskyConnector(client, base_url="http://emu/xrpc", **kw)


async def emu_calls(app: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emu") as c:
        body: dict[str, Any] = (await c.get("/_emulator/calls")).json()
        return body


def ms(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp() * 1000)


class TestAgainstEmulator:
    async def test_profiles_match_the_world(self) -> None:
        app = emulator()
        world = app.state.world
        creators = world.creators("bluesky")[:4]
        bs = emu_connector(app)
        refs = [AccountRef(key=c.handle, handle=c.handle, platform_id=c.platform_id) for c in creators[:3]]
        refs.append(AccountRef(key="by-handle", handle="@" + creators[3].handle.upper()))
        out = await bs.fetch_profiles(refs)
        now = world.now_ms()
        for c, ref in zip(creators, refs, strict=True):
            p = out[ref.key]
            assert isinstance(p, ProfileData), p
            st = world.stats(c, now)
            assert (p.platform_id, p.handle, p.display_name) == (c.platform_id, c.handle, c.display_name)
            assert p.biography == (c.biography or None)
            assert p.website == c.website
            assert (p.followers, p.following, p.posts) == (st.followers, st.following, st.posts)
            assert p.url == f"https://bsky.app/profile/{c.handle}"
            assert p.details["did"] == c.platform_id
        assert (await emu_calls(app))["by_endpoint"] == {"bluesky.app.bsky.actor.getProfiles": 1}

    async def test_26_actors_take_two_calls(self) -> None:
        app = emulator()
        creators = app.state.world.creators("bluesky")[:26]
        out = await emu_connector(app).fetch_profiles(
            [AccountRef(key=str(i), handle=c.handle) for i, c in enumerate(creators)]
        )
        assert all(isinstance(v, ProfileData) for v in out.values())
        assert (await emu_calls(app))["by_endpoint"] == {"bluesky.app.bsky.actor.getProfiles": 2}

    async def test_special_accounts(self) -> None:
        app = emulator()
        world = app.state.world
        kinds = ("not_found", "private", "suspended")
        out = await emu_connector(app).fetch_profiles(
            [AccountRef(key=k, handle=world.special("bluesky", k)) for k in kinds]
        )
        assert type(out["not_found"]) is NotFound
        assert "not found" in out["not_found"].message
        assert type(out["private"]) is NotFound
        assert "deactivated" in out["private"].message
        assert type(out["suspended"]) is Suspended
        calls = (await emu_calls(app))["by_endpoint"]
        assert calls == {"bluesky.app.bsky.actor.getProfiles": 1, "bluesky.app.bsky.actor.getProfile": 3}

    async def test_listing_matches_the_world(self) -> None:
        app = emulator()
        world = app.state.world
        c = world.creators("bluesky")[2]
        bs = emu_connector(app)
        profile = (await bs.fetch_profiles([AccountRef(key="c", handle=c.handle)]))["c"]
        assert isinstance(profile, ProfileData)
        listing = await bs.list_posts(AccountRef(key="c", handle=c.handle), profile, 120)
        seeds = world.posts(c)[:120]
        assert [p.social_id for p in listing.posts] == [p.social_id for p in seeds]
        now = world.now_ms()
        for got, seed in zip(listing.posts, seeds, strict=True):
            st = world.post_stats(seed, now)
            assert got.has_metrics
            assert (got.likes, got.comments, got.shares) == (st.likes, st.top_level_comments, st.reposts)
            assert got.extras == {"quotes": st.quotes, "bookmarks": st.bookmarks}
            assert got.caption == seed.text
            assert ms(got.posted_at) == seed.published_ms
            # the emulator's "link" posts carry the link as a facet, not as an external embed,
            # so on the wire they are text posts
            assert got.type == ("text" if seed.kind == "link" else seed.kind)
            if seed.kind == "link":
                assert got.details["links"] == list(seed.links)
            assert got.author_platform_id == c.platform_id
            assert got.url == f"https://bsky.app/profile/{c.handle}/post/{seed.social_id.rsplit('/', 1)[1]}"
            assert got.details["hashtags"] == [t for t in seed.hashtags if f"#{t}" in seed.text]
        calls = (await emu_calls(app))["by_endpoint"]
        assert calls["bluesky.app.bsky.feed.getAuthorFeed"] >= 2

    async def test_posts_match_the_world(self) -> None:
        app = emulator()
        world = app.state.world
        seeds = [p for c in world.creators("bluesky")[:3] for p in world.posts(c, limit=9)]
        refs = [PostRef(key=p.social_id, social_id=p.social_id) for p in seeds]
        refs.append(PostRef(key="gone", social_id=world.special_post("bluesky", "not_found")))
        out = await emu_connector(app).fetch_posts(refs)
        now = world.now_ms()
        for seed in seeds:
            got = out[seed.social_id]
            assert isinstance(got, PostData), got
            st = world.post_stats(seed, now)
            assert (got.likes, got.comments, got.shares) == (st.likes, st.top_level_comments, st.reposts)
            assert got.author_handle == seed.creator.handle
        assert isinstance(out["gone"], NotFound)
        assert (await emu_calls(app))["by_endpoint"] == {"bluesky.app.bsky.feed.getPosts": 2}

    async def test_comments_match_the_world(self) -> None:
        app = emulator()
        world = app.state.world
        now = world.now_ms()
        seed = next(
            p
            for c in world.creators("bluesky")[:20]
            for p in world.posts(c, limit=20)
            if world.post_stats(p, now).top_level_comments > 5
        )
        comments = await emu_connector(app).fetch_comments(PostRef(key="p", social_id=seed.social_id), 5)
        assert len(comments) == 5
        tops = [
            world.comment(seed, k)
            for k in world.listed_comment_range(seed, now)
            if world.parent_of(seed, k) is None
        ]
        tops.sort(key=lambda cm: (-cm.likes_at(now), -cm.published_ms))
        assert [cm.likes for cm in comments] == [t.likes_at(now) for t in tops[:5]]
        assert [cm.text for cm in comments] == [t.text for t in tops[:5]]
        assert [cm.author_id for cm in comments] == [t.author.platform_id for t in tops[:5]]
        assert [ms(cm.posted_at) for cm in comments] == [t.published_ms for t in tops[:5]]

    async def test_missing_post_thread(self) -> None:
        app = emulator()
        uri = app.state.world.special_post("bluesky", "not_found")
        with pytest.raises(NotFound):
            await emu_connector(app).fetch_comments(PostRef(key="p", social_id=uri), 5)

    async def test_rate_limited(self) -> None:
        app = emulator(rate_limit_per_s=1)
        c = app.state.world.creators("bluesky")[0]
        bs = emu_connector(app)
        await bs.fetch_profiles([AccountRef(key="c", handle=c.handle)])
        with pytest.raises(RateLimited) as exc:
            await bs.fetch_profiles([AccountRef(key="c", handle=c.handle)])
        assert exc.value.retry_after == 1.0

    @pytest.mark.parametrize(
        ("fault", "error"), [("500", TransientError), ("429", RateLimited), ("malformed", BadResponse)]
    )
    async def test_faults(self, fault: str, error: type[PlatformError]) -> None:
        app = emulator(fault_rate=1.0, faults=(fault,))
        c = app.state.world.creators("bluesky")[0]
        with pytest.raises(error):
            await emu_connector(app).fetch_profiles([AccountRef(key="c", handle=c.handle)])

    async def test_pacer_keeps_under_the_emulator_limit(self) -> None:
        from socialpulse.config import Settings
        from socialpulse.platforms.pacing import Pacers

        app = emulator(rate_limit_per_s=30)
        c = app.state.world.creators("bluesky")[0]
        settings = Settings(secret_key="s" * 40, bluesky_rate_per_s=30.0, _env_file=None)
        bs = emu_connector(app, pacer=Pacers(settings).get("bluesky"))
        await asyncio.gather(*(bs.fetch_profiles([AccountRef(key="c", handle=c.handle)]) for _ in range(45)))
        calls = await emu_calls(app)
        assert calls["by_endpoint"]["bluesky.app.bsky.actor.getProfiles"] == 45
        assert calls["rate_limited"] == 0
