"""Instagram connectors (Graph API and public web profile) through the emulator in-process:
field mappings, calls per account, errors (tokens, throttles, redirects, private and unknown
accounts), retired insights metrics, post refreshes through their author, comments."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from socialpulse.config import EMULATOR_INSTAGRAM_CREDENTIALS, Settings
from socialpulse.emulator import instagram as emu_ig
from socialpulse.emulator.app import EmulatorConfig, create_emulator_app
from socialpulse.emulator.instagram import OWN_IG_USER_ID, WebThrottle, graph_user_id, media_pk, numbers
from socialpulse.emulator.world import Creator, PostSeed, World
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
    TransientError,
    Unsupported,
)
from socialpulse.platforms.instagram import (
    ACCESS_TOKEN_SETTING,
    USER_ID_SETTING,
    AuthorUnknown,
    PostOutOfReach,
    default_source,
    normalize_username,
    resolve_source,
    shortcode_from_permalink,
    shortcode_to_pk,
    variant_pacer,
)
from socialpulse.platforms.instagram_graph import (
    DISCOVERY_PAGES,
    MEDIA_METRICS,
    InstagramGraphConnector,
    rejected_metrics,
)
from socialpulse.platforms.instagram_web import (
    LOGIN_WALL_S,
    PLEASE_WAIT_S,
    TOO_MANY_S,
    WEB_APP_ID,
    InstagramWebConnector,
)
from socialpulse.platforms.pacing import Pacers, RatePacer
from socialpulse.platforms.registry import ConnectorRegistry

FROZEN = datetime(2026, 6, 1, 12, tzinfo=UTC)
GRAPH_BASE = "http://emu/graph/v22.0"
WEB_BASE = "http://emu/instagram-web"
SQLITE = "sqlite+aiosqlite:///unused.db"


def emulator(**cfg: Any) -> FastAPI:
    settings: dict[str, Any] = {"seed": 42, "frozen_at": FROZEN, "creators_per_platform": 80, **cfg}
    return create_emulator_app(EmulatorConfig(**settings))


class Recorder(httpx.AsyncBaseTransport):
    """The emulator's ASGI transport, keeping every request the connector sent."""

    def __init__(self, app: FastAPI) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)


def graph(app: FastAPI, **kw: Any) -> tuple[InstagramGraphConnector, Recorder]:
    rec = Recorder(app)
    kw.setdefault("retries", 0)
    kw.setdefault("access_token", "test-token")
    kw.setdefault("user_id", OWN_IG_USER_ID)
    return InstagramGraphConnector(httpx.AsyncClient(transport=rec), base_url=GRAPH_BASE, **kw), rec


def web(app: FastAPI, **kw: Any) -> tuple[InstagramWebConnector, Recorder]:
    rec = Recorder(app)
    kw.setdefault("retries", 0)
    return InstagramWebConnector(httpx.AsyncClient(transport=rec), base_url=WEB_BASE, **kw), rec


async def emu_calls(app: FastAPI) -> dict[str, int]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emu") as c:
        body: dict[str, Any] = (await c.get("/_emulator/calls")).json()
    return dict(body["by_endpoint"])


def world_of(app: FastAPI) -> World:
    world: World = app.state.world
    return world


def creators(app: FastAPI) -> list[Creator]:
    return world_of(app).creators("instagram")


def ref_of(c: Creator, key: str | None = None, **kw: Any) -> AccountRef:
    return AccountRef(key=key or c.handle, handle=c.handle, **kw)


def profile_of(result: ProfileData | PlatformError) -> ProfileData:
    assert isinstance(result, ProfileData), result
    return result


def post_of(result: PostData | PlatformError) -> PostData:
    assert isinstance(result, PostData), result
    return result


def ig_type(p: PostSeed) -> str:
    return p.kind  # the world's Instagram kinds are our post types: reel, image, carousel


@dataclass(frozen=True)
class RefWithHandle(PostRef):
    """A post reference that also names its author (what the engine could pass)."""

    author_handle: str | None = None


def settings(**kw: Any) -> Settings:
    return Settings(database_url=SQLITE, _env_file=None, **kw)  # type: ignore[call-arg]


# ---------------------------------------------------------------------------- sources and wiring


class TestSources:
    def test_default_source(self) -> None:
        assert default_source(settings()) == "web"
        assert default_source(settings(instagram_access_token="t")) == "web"
        with_graph = settings(instagram_access_token="t", instagram_user_id="1784")
        assert default_source(with_graph) == "graph"
        assert default_source(with_graph.model_copy(update={"instagram_source": "web"})) == "web"
        assert default_source(settings(instagram_source="graph")) == "graph"

    def test_resolve_source(self) -> None:
        s = settings()
        assert resolve_source(s, None) == "web"
        assert resolve_source(s, " Graph ") == "graph"
        with pytest.raises(Unsupported, match="graph or web"):
            resolve_source(s, "scraper")

    async def test_registry_builds_one_connector_per_source(self) -> None:
        s = settings(instagram_access_token="t", instagram_user_id="1784", recent_posts_limit=12)
        async with httpx.AsyncClient() as client:
            registry = ConnectorRegistry(s, client=client)
            default = registry.get("instagram")
            assert isinstance(default, InstagramGraphConnector)
            assert registry.get("instagram", "graph") is default
            assert registry.get("instagram", "GRAPH") is default
            webc = registry.get("instagram", "web")
            assert isinstance(webc, InstagramWebConnector)
            assert registry.supported("instagram")
            assert default.base_url == "https://graph.facebook.com/v22.0"
            assert webc.base_url == "https://i.instagram.com"
            assert (default.access_token, default.user_id, default.media_limit) == ("t", "1784", 12)
            assert (default.limits.profile_batch, default.limits.post_batch) == (25, 50)
            assert (webc.limits.profile_batch, webc.limits.post_batch) == (10, 50)
            assert default.name == "instagram-graph"
            assert webc.name == "instagram-web"
            with pytest.raises(Unsupported):
                registry.get("instagram", "scraper")
            await registry.aclose()

    def test_settings_point_at_the_emulator(self) -> None:
        s = settings().with_emulator("http://emu.test/")
        assert s.instagram_graph_base_url == "http://emu.test/graph/v22.0"
        assert s.instagram_web_base_url == "http://emu.test/instagram-web"
        assert (s.instagram_access_token, s.instagram_user_id) == ("emulator-token", OWN_IG_USER_ID)
        assert default_source(s) == "graph"
        assert EMULATOR_INSTAGRAM_CREDENTIALS["instagram_user_id"] == emu_ig.OWN_IG_USER_ID
        env = settings(emulator_url="http://emu.test")
        assert env.instagram_graph_base_url == "http://emu.test/graph/v22.0"
        assert env.instagram_web_base_url == "http://emu.test/instagram-web"
        assert env.instagram_user_id == OWN_IG_USER_ID
        mine = settings(emulator_url="http://emu.test", instagram_web_base_url="https://proxy.example")
        assert mine.instagram_web_base_url == "https://proxy.example"

    def test_paces(self) -> None:
        s = settings()
        pacers = Pacers(s)
        web_pacer = variant_pacer(pacers, "instagram-web", s.instagram_web_rate_per_s)
        assert isinstance(web_pacer, RatePacer)
        per_11_min = web_pacer.item.amount * 660 / web_pacer.item.get_expiry()
        assert 150 <= per_11_min <= 200  # never above instaloader's 200 per 11 minutes
        discovery = variant_pacer(pacers, "instagram-discovery", s.instagram_discovery_rate_per_s)
        assert isinstance(discovery, RatePacer)
        assert discovery.item.amount * 3600 / discovery.item.get_expiry() <= 200
        assert web_pacer.identifiers != discovery.identifiers


class TestHelpers:
    @pytest.mark.parametrize(
        ("handle", "expected"),
        [
            ("@Lena.Bakes", "lena.bakes"),
            ("https://www.instagram.com/lenabakes/", "lenabakes"),
            ("instagram.com/lenabakes?hl=en", "lenabakes"),
            ("no spaces", None),
            ("x" * 31, None),
        ],
    )
    def test_usernames(self, handle: str, expected: str | None) -> None:
        assert normalize_username(handle) == expected

    def test_shortcodes(self) -> None:
        assert shortcode_to_pk("B") == 1
        assert shortcode_to_pk("BA") == 64
        assert shortcode_to_pk("ab!") is None
        assert shortcode_from_permalink("https://www.instagram.com/reel/Cabc_-1/") == "Cabc_-1"
        assert shortcode_from_permalink("https://www.instagram.com/lena/p/Cx/") == "Cx"
        assert shortcode_from_permalink(None) is None

    @pytest.mark.parametrize(
        ("message", "asked", "refused"),
        [
            (
                "(#100) metric[1] must be one of the following values: reach, views, saved",
                ["reach", "plays"],
                ["plays"],
            ),
            ("(#100) metric[0] must be one of the following values: reach, saved.", ["views"], ["views"]),
            (
                "(#100) The metric impressions is no longer supported",
                ["reach", "impressions"],
                ["impressions"],
            ),
            ("The metric impressions is no longer supported", ["impressions", "reach"], ["impressions"]),
            (
                "(#100) The metric plays is no longer supported. Please use views instead",
                ["views", "plays"],
                ["plays"],
            ),
            (
                "(#100) Starting from v22.0, impressions is deprecated, please use views",
                ["views", "impressions"],
                ["impressions"],
            ),
            (
                "(#100) The following metrics (views) should be specified with metric_type=total_value",
                ["views"],
                [],
            ),
            ("(#100) Invalid parameter", ["reach"], []),
        ],
    )
    def test_rejected_metrics(self, message: str, asked: list[str], refused: list[str]) -> None:
        assert rejected_metrics(message, asked) == refused


# ---------------------------------------------------------------------------- Graph: profiles


class TestGraphProfiles:
    async def test_profiles_match_the_world_one_call_each(self) -> None:
        app = emulator()
        world = world_of(app)
        others = creators(app)[1:5]
        ig, rec = graph(app)
        out = await ig.fetch_profiles([ref_of(c) for c in others])
        now = world.now_ms()
        for c in others:
            p = profile_of(out[c.handle])
            st = world.stats(c, now)
            assert p.platform_id == graph_user_id(world, c)
            assert (p.handle, p.display_name) == (c.handle, c.display_name)
            assert p.biography == (c.biography or None)
            assert p.website == c.website
            assert p.avatar_url
            assert p.avatar_url.startswith("https://")
            assert p.url == f"https://www.instagram.com/{c.handle}/"
            assert (p.followers, p.following, p.posts) == (st.followers, st.following, st.posts)
            assert p.details == {"source": "graph", "ig_user_id": p.platform_id, "own_account": False}
            assert p.extras == {}
        assert await emu_calls(app) == {"instagram.graph.node": 4}
        assert ig.calls == {"business_discovery": 4}
        sent = rec.requests[0]
        assert sent.url.path == f"/graph/v22.0/{OWN_IG_USER_ID}"
        assert sent.headers["authorization"] == "Bearer test-token"
        fields = sent.url.params["fields"]
        assert fields.startswith(f"business_discovery.username({others[0].handle}){{id,username,name,")
        assert "media.limit(25){id,caption,media_type,media_product_type,permalink,timestamp," in fields

    async def test_listing_reuses_the_profile_call(self) -> None:
        app = emulator()
        world = world_of(app)
        c = creators(app)[1]
        ig, _ = graph(app)
        p = profile_of((await ig.fetch_profiles([ref_of(c)]))[c.handle])
        unchanged = ref_of(c, last_posts_count=p.posts)
        assert ig.needs_listing(unchanged, p)  # free: the posts came with the profile
        listing = await ig.list_posts(unchanged, p, 10)
        assert await emu_calls(app) == {"instagram.graph.node": 1}
        seeds = world.posts(c, limit=10)
        assert [post.social_id for post in listing.posts] == [s.social_id for s in seeds]
        now = world.now_ms()
        for post, seed in zip(listing.posts, seeds, strict=True):
            n = numbers(world, seed, now)
            assert post.type == ig_type(seed)
            assert post.caption == seed.text
            assert post.posted_at == seed.published_at.replace(microsecond=0)
            assert post.comments == n.comments
            assert post.likes == (None if seed.likes_hidden else n.likes)
            kind = "reel" if seed.kind == "reel" else "p"
            assert post.url == f"https://www.instagram.com/{kind}/{seed.social_id}/"
            assert (post.author_platform_id, post.author_handle) == (p.platform_id, c.handle)
            assert post.details["media_id"] == emu_ig.graph_media_id(seed)
            assert post.has_metrics
            assert (post.views, post.reach) == (None, None)  # no insights for others' media
        # used once: a second listing reads the account again
        assert not ig.needs_listing(unchanged, p)
        again = await ig.list_posts(unchanged, p, 3)
        assert len(again.posts) == 3
        assert await emu_calls(app) == {"instagram.graph.node": 2}

    async def test_own_account_insights(self) -> None:
        app = emulator()
        world = world_of(app)
        me = creators(app)[0]
        ig, _ = graph(app)
        p = profile_of((await ig.fetch_profiles([ref_of(me)]))[me.handle])
        assert p.platform_id == OWN_IG_USER_ID
        assert p.details["own_account"] is True
        insights = p.extras["insights"]
        assert insights["period"] == "day"
        for name in ("reach", "views", "accounts_engaged", "total_interactions", "likes", "profile_views"):
            assert isinstance(insights[name], int), name
        assert insights["reach"] <= insights["views"]
        series = p.extras["follower_count_by_day"]
        assert len(series) == 2
        assert insights["follower_count"] == series[-1]["value"]
        assert (p.reach, p.views, p.profile_views) == (None, None, None)  # windowed, not lifetime
        assert p.followers == world.stats(me).followers
        assert await emu_calls(app) == {"instagram.graph.node": 1, "instagram.graph.insights": 2}

    async def test_own_listing_reads_media_insights(self) -> None:
        app = emulator()
        world = world_of(app)
        me = creators(app)[0]
        ig, _ = graph(app)
        p = profile_of((await ig.fetch_profiles([ref_of(me)]))[me.handle])
        assert ig.needs_listing(ref_of(me), p)
        assert not ig.needs_listing(ref_of(me, last_posts_count=p.posts), p)  # insights cost calls
        listing = await ig.list_posts(ref_of(me), p, 4)
        now = world.now_ms()
        for post, seed in zip(listing.posts, world.posts(me, limit=4), strict=True):
            n = numbers(world, seed, now)
            assert (post.reach, post.views, post.saves, post.shares) == (n.reach, n.plays, n.saves, n.shares)
            assert (post.likes, post.comments) == (n.likes, n.comments)
            assert post.extras["total_interactions"] == n.likes + n.comments + n.shares + n.saves
        assert (await emu_calls(app))["instagram.graph.insights"] == 2 + 4

    async def test_unknown_personal_private_and_suspended(self) -> None:
        app = emulator()
        world = world_of(app)
        personal = next(c for c in creators(app) if emu_ig.account_type(world, c) == "PERSONAL")
        names = [personal.handle, "nosuchuser404", "privatevault", "suspendeduser"]
        ig, _ = graph(app)
        out = await ig.fetch_profiles([AccountRef(key=n, handle=n) for n in names])
        for name in names:
            err = out[name]
            assert type(err) is NotFound, err
            assert f"@{name}" in err.message
            assert "web source" in err.message
        bad = await ig.fetch_profiles([AccountRef(key="x", handle="not a name!")])
        assert isinstance(bad["x"], NotFound)
        assert (await emu_calls(app)) == {"instagram.graph.node": 4}

    async def test_expired_token_names_the_setting_and_stops(self) -> None:
        app = emulator()
        ig, _ = graph(app, access_token="expired-long-ago")
        out = await ig.fetch_profiles([ref_of(c) for c in creators(app)[1:4]])
        for err in out.values():
            assert isinstance(err, AuthExpired)
            assert err.setting == ACCESS_TOKEN_SETTING
            assert ACCESS_TOKEN_SETTING in err.message
            assert "expired or was revoked" in err.message
        assert await emu_calls(app) == {"instagram.graph.node": 1}  # one refusal stops the rest

    @pytest.mark.parametrize(
        ("missing", "setting"), [("access_token", ACCESS_TOKEN_SETTING), ("user_id", USER_ID_SETTING)]
    )
    async def test_missing_credentials_cost_no_call(self, missing: str, setting: str) -> None:
        app = emulator()
        ig, rec = graph(app, **{missing: None})
        out = await ig.fetch_profiles([ref_of(creators(app)[1])])
        [err] = out.values()
        assert isinstance(err, AuthExpired)
        assert err.setting == setting
        assert setting in err.message
        assert rec.requests == []

    async def test_rate_limited_waits_as_the_usage_header_says(self) -> None:
        app = emulator(rate_limit_per_s=1)
        ig, _ = graph(app)
        out = await ig.fetch_profiles([ref_of(c) for c in creators(app)[1:4]])
        results = [out[c.handle] for c in creators(app)[1:4]]
        assert isinstance(results[0], ProfileData)
        for err in results[1:]:
            assert isinstance(err, RateLimited)
            assert err.retry_after == 60.0  # estimated_time_to_regain_access: 1 minute
        assert await emu_calls(app) == {"instagram.graph.node": 2}

    async def test_app_limit_fault(self) -> None:
        app = emulator(fault_rate=1.0, faults=("429",))
        ig, _ = graph(app)
        [err] = (await ig.fetch_profiles([ref_of(creators(app)[1])])).values()
        assert isinstance(err, RateLimited)
        assert err.retry_after == 1.0  # the header says 0 minutes: try again shortly
        app = emulator(fault_rate=1.0, faults=("500",))
        ig, _ = graph(app)
        [err] = (await ig.fetch_profiles([ref_of(creators(app)[1])])).values()
        assert isinstance(err, TransientError)
        app = emulator(fault_rate=1.0, faults=("malformed",))
        ig, _ = graph(app)
        [err] = (await ig.fetch_profiles([ref_of(creators(app)[1])])).values()
        assert isinstance(err, BadResponse)


class TestGraphErrorMapping:
    @pytest.mark.parametrize(
        ("status", "error", "headers", "expected", "retry_after"),
        [
            (400, {"code": 4, "message": "(#4) Application request limit reached"}, {}, RateLimited, 60.0),
            (400, {"code": 17, "message": "(#17) User request limit reached"}, {}, RateLimited, 60.0),
            (400, {"code": 32, "message": "(#32) Page request limit reached"}, {}, RateLimited, 60.0),
            (400, {"code": 613, "message": "(#613) Calls within one hour"}, {}, RateLimited, 60.0),
            (
                400,
                {"code": 80002, "message": "(#80002) too many calls"},
                {
                    "X-Business-Use-Case-Usage": '{"1":[{"type":"instagram","estimated_time_to_regain_access":7}]}'
                },
                RateLimited,
                420.0,
            ),
            (
                400,
                {"code": 100, "error_subcode": 33, "message": "Object with ID 'x' does not exist"},
                {},
                NotFound,
                None,
            ),
            (400, {"code": 100, "message": "Cannot find User"}, {}, NotFound, None),
            (400, {"code": 110, "error_subcode": 2207013, "message": "Invalid user id"}, {}, NotFound, None),
            (
                400,
                {"code": 10, "message": "(#10) Application does not have permission"},
                {},
                AuthExpired,
                None,
            ),
            (403, {"code": 200, "message": "(#200) Permissions error"}, {}, AuthExpired, None),
            (500, {"code": 1, "message": "An unknown error has occurred."}, {}, TransientError, None),
            (
                400,
                {"code": 190, "error_subcode": 460, "message": "Error validating access token"},
                {},
                AuthExpired,
                None,
            ),
            (400, {"code": 2500, "message": "An active access token must be used"}, {}, AuthExpired, None),
            (400, {"code": 2500, "message": "Unknown path components: /v1.0"}, {}, PlatformError, None),
            (
                400,
                {"code": 2, "message": "Service temporarily unavailable", "is_transient": True},
                {},
                TransientError,
                None,
            ),
        ],
    )
    def test_codes(
        self,
        status: int,
        error: dict[str, Any],
        headers: dict[str, str],
        expected: type[PlatformError],
        retry_after: float | None,
    ) -> None:
        ig = InstagramGraphConnector(httpx.AsyncClient(), access_token="t", user_id="1")
        body = {"error": {"type": "OAuthException", "fbtrace_id": "Axyz", **error}}
        err = ig.map_error(httpx.Response(status, json=body, headers=headers), body)
        assert type(err) is expected
        assert err.request_id == "Axyz"
        if retry_after is not None:
            assert isinstance(err, RateLimited)
            assert err.retry_after == retry_after
        if isinstance(err, AuthExpired):
            assert err.setting == ACCESS_TOKEN_SETTING


# ---------------------------------------------------------------------------- Graph: retired metrics


class TestRetiredMetrics:
    async def test_a_retired_media_metric_is_dropped_and_remembered(self) -> None:
        app = emulator(retire_metrics=("views",))
        world = world_of(app)
        me = creators(app)[0]
        ig, _ = graph(app)
        p = profile_of((await ig.fetch_profiles([ref_of(me)]))[me.handle])
        listing = await ig.list_posts(ref_of(me), p, 3)
        now = world.now_ms()
        for post, seed in zip(listing.posts, world.posts(me, limit=3), strict=True):
            n = numbers(world, seed, now)
            assert post.views is None  # unavailable, not 0
            assert (post.reach, post.saves) == (n.reach, n.saves)
            assert post.extras["unavailable_metrics"] == ["views"]
        assert ig.retired_media_metrics == {"views"}
        assert p.extras["insights"]["views"] is None  # the knob retires the account metric too
        assert ig.retired_account_metrics == {"views"}
        calls = (await emu_calls(app))["instagram.graph.insights"]
        assert calls == 3 + 1 + 3  # account insights (one refused), one refused media call, one per media
        refs = [
            PostRef(key=post.social_id, social_id=post.social_id, author_platform_id=OWN_IG_USER_ID)
            for post in listing.posts
        ]
        again = await ig.fetch_posts(refs)
        assert all(post_of(r).views is None for r in again.values())
        assert (await emu_calls(app))["instagram.graph.insights"] == calls + 3  # never asked again

    async def test_a_retired_account_metric(self) -> None:
        app = emulator(retire_metrics=("profile_views",))
        me = creators(app)[0]
        ig, _ = graph(app)
        p = profile_of((await ig.fetch_profiles([ref_of(me)]))[me.handle])
        insights = p.extras["insights"]
        assert insights["profile_views"] is None
        assert isinstance(insights["reach"], int)
        assert p.extras["unavailable_metrics"] == ["profile_views"]
        assert (await emu_calls(app))["instagram.graph.insights"] == 3
        await ig.fetch_profiles([ref_of(me, key="again")])
        assert (await emu_calls(app))["instagram.graph.insights"] == 5

    async def test_a_metric_no_longer_supported(self) -> None:
        app = emulator()
        world = world_of(app)
        me = creators(app)[0]
        ig, _ = graph(app, media_metrics=(*MEDIA_METRICS, "impressions"))
        [seed] = world.posts(me, limit=1)
        ref = PostRef(key="1", social_id=seed.social_id, author_platform_id=OWN_IG_USER_ID)
        post = post_of((await ig.fetch_posts([ref]))["1"])
        assert ig.retired_media_metrics == {"impressions"}
        assert post.reach == numbers(world, seed, world.now_ms()).reach
        assert post.impressions is None
        assert post.extras["unavailable_metrics"] == ["impressions"]

    async def test_not_enough_viewers(self) -> None:
        seed = world_of(emulator()).posts(creators(emulator())[0], limit=1)[0]
        app = emulator(frozen_at=seed.published_at + timedelta(seconds=2))
        ig, _ = graph(app)
        ref = PostRef(key="1", social_id=seed.social_id, author_platform_id=OWN_IG_USER_ID)
        post = post_of((await ig.fetch_posts([ref]))["1"])
        assert (post.reach, post.views, post.saves) == (None, None, None)
        assert "Not enough viewers" in post.extras["insights_unavailable"]
        assert ig.retired_media_metrics == set()


# ---------------------------------------------------------------------------- Graph: posts


class TestGraphPosts:
    async def test_own_posts_by_multi_id_read(self) -> None:
        app = emulator()
        world = world_of(app)
        me = creators(app)[0]
        ig, _ = graph(app)
        await ig.fetch_profiles([ref_of(me)])  # learns our media ids
        seeds = world.posts(me, limit=5)
        refs = [
            PostRef(key=str(i), social_id=s.social_id, author_platform_id=OWN_IG_USER_ID)
            for i, s in enumerate(seeds)
        ]
        before = await emu_calls(app)
        out = await ig.fetch_posts(refs)
        after = await emu_calls(app)
        assert after["instagram.graph.ids"] == 1
        assert after["instagram.graph.insights"] - before["instagram.graph.insights"] == 5
        now = world.now_ms()
        for i, s in enumerate(seeds):
            post = post_of(out[str(i)])
            n = numbers(world, s, now)
            assert (post.social_id, post.likes, post.reach, post.views) == (
                s.social_id,
                n.likes,
                n.reach,
                n.plays,
            )
            assert post.author_handle == "lenabakes"

    async def test_after_a_restart_own_media_are_found_by_listing(self) -> None:
        app = emulator()
        world = world_of(app)
        me = creators(app)[0]
        ig, _ = graph(app)  # a fresh connector: it remembers nothing
        mine = world.posts(me, limit=60)
        theirs = world.posts(creators(app)[1], limit=1)[0]
        refs = [
            PostRef(key="own", social_id=mine[3].social_id, author_platform_id=OWN_IG_USER_ID),
            PostRef(key="older", social_id=mine[55].social_id, author_platform_id=OWN_IG_USER_ID),
            PostRef(key="anon", social_id=mine[1].social_id),  # tracked by URL: author unknown
            PostRef(key="theirs", social_id=theirs.social_id, author_platform_id="17841409999999999"),
        ]
        out = await ig.fetch_posts(refs)
        assert post_of(out["own"]).social_id == mine[3].social_id
        assert post_of(out["older"]).social_id == mine[55].social_id
        assert post_of(out["anon"]).author_platform_id == OWN_IG_USER_ID
        assert isinstance(out["theirs"], AuthorUnknown)
        assert (await emu_calls(app))["instagram.graph.media"] == 2  # 50 per page
        assert "instagram.graph.node" not in await emu_calls(app)

    async def test_other_accounts_posts_through_their_author(self) -> None:
        app = emulator()
        world = world_of(app)
        a, b = creators(app)[1], creators(app)[2]
        ig, _ = graph(app)
        await ig.fetch_profiles([ref_of(a), ref_of(b)])  # learns who they are
        ids = {a.handle: graph_user_id(world, a), b.handle: graph_user_id(world, b)}
        refs = [
            PostRef(key=f"{c.handle}:{i}", social_id=s.social_id, author_platform_id=ids[c.handle])
            for c in (a, b)
            for i, s in enumerate(world.posts(c, limit=3))
        ]
        before = (await emu_calls(app))["instagram.graph.node"]
        out = await ig.fetch_posts(refs)
        assert (await emu_calls(app))["instagram.graph.node"] - before == 2  # one per author
        now = world.now_ms()
        for c in (a, b):
            for i, s in enumerate(world.posts(c, limit=3)):
                post = post_of(out[f"{c.handle}:{i}"])
                assert post.comments == numbers(world, s, now).comments
                assert post.author_handle == c.handle

    async def test_the_engine_may_name_the_author(self) -> None:
        app = emulator()
        world = world_of(app)
        c = creators(app)[2]
        ig, _ = graph(app)
        [s] = world.posts(c, limit=1)
        ref = RefWithHandle(
            key="1", social_id=s.social_id, author_platform_id="unknown", author_handle=c.handle
        )
        assert post_of((await ig.fetch_posts([ref]))["1"]).social_id == s.social_id

    async def test_old_and_deleted_posts(self) -> None:
        app = emulator()
        world = world_of(app)
        c = creators(app)[1]
        ig, _ = graph(app)
        ig.learn_author(graph_user_id(world, c), c.handle)
        old = world.posts(c, limit=400)[-1]
        ref = PostRef(key="old", social_id=old.social_id, author_platform_id=graph_user_id(world, c))
        err = (await ig.fetch_posts([ref]))["old"]
        assert isinstance(err, PostOutOfReach)
        assert "Business Discovery" in err.message
        assert (await emu_calls(app))["instagram.graph.node"] == DISCOVERY_PAGES
        app = emulator(posts_per_creator=5)
        world = world_of(app)
        ig, _ = graph(app)
        ig.learn_author(graph_user_id(world, c), c.handle)
        gone = PostRef(key="gone", social_id="AAAAAAAAAAA", author_platform_id=graph_user_id(world, c))
        err = (await ig.fetch_posts([gone]))["gone"]
        assert type(err) is NotFound
        assert "deleted" in err.message


class TestGraphComments:
    async def test_own_media_comments_most_liked_first(self) -> None:
        app = emulator()
        world = world_of(app)
        me = creators(app)[0]
        seed = max(world.posts(me, limit=20), key=world.comment_count)
        ig, _ = graph(app)
        ref = PostRef(key="1", social_id=seed.social_id, author_platform_id=OWN_IG_USER_ID)
        comments = await ig.fetch_comments(ref, 10)
        assert len(comments) == 10
        likes = [c.likes or 0 for c in comments]
        assert likes == sorted(likes, reverse=True)
        now = world.now_ms()
        top = [k for k in world.listed_comment_range(seed, now) if world.parent_of(seed, k) is None]
        expected = sorted((world.comment(seed, k).likes_at(now) for k in top), reverse=True)[:10]
        assert likes == expected
        assert (await emu_calls(app))["instagram.graph.comments"] == math.ceil(len(top) / 50)
        first = comments[0]
        assert first.platform_id.isdigit()
        assert first.text
        assert first.author
        assert first.posted_at is not None

    async def test_others_comments_are_not_read(self) -> None:
        app = emulator()
        ig, rec = graph(app)
        ref = PostRef(key="1", social_id="Cabcdefghij", author_platform_id="17841409999999999")
        with pytest.raises(Unsupported, match="own account's media only"):
            await ig.fetch_comments(ref, 5)
        assert rec.requests == []


# ---------------------------------------------------------------------------- web


class TestWebProfiles:
    async def test_profiles_match_the_world(self) -> None:
        app = emulator()
        world = world_of(app)
        cs = creators(app)[:4]
        ig, rec = web(app)
        out = await ig.fetch_profiles([ref_of(c) for c in cs])
        now = world.now_ms()
        for c in cs:
            p = profile_of(out[c.handle])
            st = world.stats(c, now)
            kind = emu_ig.account_type(world, c)
            assert (p.platform_id, p.handle, p.display_name) == (c.platform_id, c.handle, c.display_name)
            assert (p.followers, p.following, p.posts) == (st.followers, st.following, st.posts)
            assert p.website == c.website
            assert p.biography == (c.biography or None)
            assert p.url == f"https://www.instagram.com/{c.handle}/"
            assert p.category == (None if kind == "PERSONAL" else emu_ig._category(c))
            assert p.details["is_business_account"] is (kind == "BUSINESS")
            assert p.details["is_private"] is False
            assert p.avatar_url
            assert p.avatar_url.startswith("https://")
        assert await emu_calls(app) == {"instagram.web.web_profile_info": 4}
        assert ig.calls == {"web_profile_info": 4}
        sent = rec.requests[0]
        assert sent.url.path == "/instagram-web/api/v1/users/web_profile_info/"
        assert sent.url.params["username"] == cs[0].handle
        assert sent.headers["x-ig-app-id"] == WEB_APP_ID
        assert sent.headers["user-agent"].startswith("Mozilla/5.0")

    async def test_listing_reuses_the_profile_call(self) -> None:
        app = emulator()
        world = world_of(app)
        c = creators(app)[1]
        ig, _ = web(app)
        p = profile_of((await ig.fetch_profiles([ref_of(c)]))[c.handle])
        ref = ref_of(c, last_posts_count=p.posts)
        assert ig.needs_listing(ref, p)
        listing = await ig.list_posts(ref, p, 25)
        assert await emu_calls(app) == {"instagram.web.web_profile_info": 1}
        seeds = world.posts(c, limit=12)
        assert [post.social_id for post in listing.posts] == [s.social_id for s in seeds]
        assert listing.complete is False  # 12 of thousands, and 25 were asked for
        now = world.now_ms()
        kinds = set()
        for post, seed in zip(listing.posts, seeds, strict=True):
            n = numbers(world, seed, now)
            kinds.add(post.type)
            assert post.type == ig_type(seed)
            assert (post.likes, post.comments) == (n.likes, n.comments)
            assert post.caption == seed.text
            assert post.posted_at == seed.published_at.replace(microsecond=0)
            assert (post.author_platform_id, post.author_handle) == (c.platform_id, c.handle)
            assert post.details["media_id"] == str(media_pk(seed.social_id))
            if seed.kind == "reel":
                assert (post.views, post.plays) == (n.views, n.plays)
            else:
                assert (post.views, post.plays) == (None, None)
        assert kinds == {"reel", "image", "carousel"}

    async def test_private_unknown_and_suspended(self) -> None:
        app = emulator()
        ig, _ = web(app)
        out = await ig.fetch_profiles(
            [AccountRef(key=n, handle=n) for n in ("privatevault", "nosuchuser404", "suspendeduser")]
        )
        assert type(out["privatevault"]) is Private
        assert type(out["nosuchuser404"]) is NotFound
        assert type(out["suspendeduser"]) is NotFound
        assert "deactivated" in out["suspendeduser"].message


class TestWebThrottling:
    async def test_please_wait_backs_off_without_hammering(self) -> None:
        app = emulator()
        app.state.instagram_web_throttle = WebThrottle(limit=2, strikes_before_login=5)
        now = [1000.0]
        ig, _ = web(app, retries=2, clock=lambda: now[0])
        cs = creators(app)[:5]
        out = await ig.fetch_profiles([ref_of(c) for c in cs])
        assert [type(out[c.handle]).__name__ for c in cs] == ["ProfileData"] * 2 + ["RateLimited"] * 3
        err = out[cs[2].handle]
        assert isinstance(err, RateLimited)
        assert err.retry_after == PLEASE_WAIT_S
        assert err.status == 401
        assert await emu_calls(app) == {"instagram.web.web_profile_info": 3}  # no retry, no more calls
        post = PostRef(key="p", social_id="Cabcdefghij", author_platform_id=cs[0].platform_id)
        later = await ig.fetch_posts([post])
        assert isinstance(later["p"], RateLimited)
        assert later["p"].retry_after == pytest.approx(PLEASE_WAIT_S)
        assert await emu_calls(app) == {"instagram.web.web_profile_info": 3}
        with pytest.raises(RateLimited):
            await ig.fetch_comments(post, 5)
        now[0] += PLEASE_WAIT_S + 1  # the wait is over: Instagram is asked again
        app.state.instagram_web_throttle = WebThrottle()
        again = await ig.fetch_profiles([ref_of(cs[3])])
        assert isinstance(again[cs[3].handle], ProfileData)

    async def test_a_redirect_to_the_login_page_is_a_rate_limit(self) -> None:
        app = emulator()
        app.state.instagram_web_throttle = WebThrottle(limit=0, strikes_before_login=0)
        ig, rec = web(app, retries=2)
        out = await ig.fetch_profiles([ref_of(c) for c in creators(app)[:3]])
        for err in out.values():
            assert type(err) is RateLimited
            assert err.retry_after == LOGIN_WALL_S
            assert "login page" in err.message
            assert err.status == 302
        assert len(rec.requests) == 1

    async def test_429(self) -> None:
        app = emulator(rate_limit_per_s=1)
        ig, _ = web(app, retries=2)
        out = await ig.fetch_profiles([ref_of(c) for c in creators(app)[:3]])
        results = [out[c.handle] for c in creators(app)[:3]]
        assert isinstance(results[0], ProfileData)
        assert isinstance(results[1], RateLimited)
        assert results[1].retry_after == TOO_MANY_S
        assert await emu_calls(app) == {"instagram.web.web_profile_info": 2}

    async def test_server_errors_are_transient(self) -> None:
        app = emulator(fault_rate=1.0, faults=("500",))
        ig, _ = web(app)
        [err] = (await ig.fetch_profiles([ref_of(creators(app)[0])])).values()
        assert isinstance(err, TransientError)
        assert ig.blocked_until == 0.0


class TestWebPosts:
    async def test_posts_through_their_author_one_call_each(self) -> None:
        app = emulator()
        world = world_of(app)
        a, b = creators(app)[1], creators(app)[2]
        ig, _ = web(app)
        await ig.fetch_profiles([ref_of(a), ref_of(b)])
        picks = [(a, i) for i in (0, 4, 11)] + [(b, i) for i in (1, 2)]
        refs = [
            PostRef(
                key=f"{c.handle}:{i}",
                social_id=world.posts(c, limit=12)[i].social_id,
                author_platform_id=c.platform_id,
            )
            for c, i in picks
        ]
        out = await ig.fetch_posts(refs)
        assert await emu_calls(app) == {"instagram.web.web_profile_info": 4}  # 2 profiles, then 1 per author
        now = world.now_ms()
        for c, i in picks:
            seed = world.posts(c, limit=12)[i]
            post = post_of(out[f"{c.handle}:{i}"])
            assert post.social_id == seed.social_id
            assert post.likes == numbers(world, seed, now).likes

    async def test_older_unknown_and_deleted(self) -> None:
        app = emulator()
        world = world_of(app)
        c = creators(app)[1]
        ig, rec = web(app)
        old = world.posts(c, limit=20)[-1]
        refs = [
            PostRef(key="old", social_id=old.social_id, author_platform_id=c.platform_id),
            PostRef(key="anon", social_id=old.social_id),
        ]
        ig.learn_author(c.platform_id, c.handle)
        out = await ig.fetch_posts(refs)
        assert isinstance(out["old"], PostOutOfReach)
        assert "12 latest posts" in out["old"].message
        assert isinstance(out["anon"], AuthorUnknown)
        assert len(rec.requests) == 1
        with_handle = RefWithHandle(
            key="h", social_id=world.posts(c, limit=1)[0].social_id, author_handle=c.handle
        )
        assert isinstance((await ig.fetch_posts([with_handle]))["h"], PostData)
        app = emulator(posts_per_creator=5)
        ig, _ = web(app)
        ig.learn_author(c.platform_id, c.handle)
        gone = PostRef(key="gone", social_id="AAAAAAAAAAA", author_platform_id=c.platform_id)
        err = (await ig.fetch_posts([gone]))["gone"]
        assert type(err) is NotFound
        private = world_of(app).special_creator("instagram", "private")
        assert private is not None
        ig.learn_author(private.platform_id, private.handle)
        hidden = PostRef(key="hidden", social_id="AAAAAAAAAAA", author_platform_id=private.platform_id)
        assert type((await ig.fetch_posts([hidden]))["hidden"]) is Private


class TestWebComments:
    async def test_most_liked_first(self) -> None:
        app = emulator()
        world = world_of(app)
        seed = max(world.posts(creators(app)[1], limit=12), key=world.comment_count)
        ig, rec = web(app)
        comments = await ig.fetch_comments(PostRef(key="1", social_id=seed.social_id), 10)
        assert len(comments) == 10
        likes = [c.likes or 0 for c in comments]
        assert likes == sorted(likes, reverse=True)
        assert len(rec.requests) == 2  # two pages at most: the web's budget is small
        sent = rec.requests[0]
        assert sent.url.path == f"/instagram-web/api/v1/media/{media_pk(seed.social_id)}/comments/"
        assert dict(sent.url.params) == {"can_support_threading": "true", "permalink_enabled": "false"}
        assert rec.requests[1].url.params["min_id"]
        first = comments[0]
        assert first.platform_id.isdigit()
        assert first.author
        assert first.author_id
        assert first.author_id.isdigit()
        assert first.posted_at is not None
        assert first.reply_count is not None

    async def test_disabled_private_and_unknown(self) -> None:
        app = emulator()
        world = world_of(app)
        ig, _ = web(app)
        disabled = world.special_post("instagram", "comments_disabled")
        assert await ig.fetch_comments(PostRef(key="1", social_id=disabled), 5) == []
        private = world.special_post("instagram", "private")
        with pytest.raises(Private):
            await ig.fetch_comments(PostRef(key="2", social_id=private), 5)
        with pytest.raises(NotFound):
            await ig.fetch_comments(PostRef(key="3", social_id="AAAAAAAAAAA"), 5)
