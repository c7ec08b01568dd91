"""TikTok connectors (Display API v2 and Research API) through the emulator in-process
(``httpx.ASGITransport``), plus ``httpx.MockTransport`` for answers the emulator never gives."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from socialpulse.config import Settings
from socialpulse.emulator.app import EmulatorConfig, create_emulator_app
from socialpulse.emulator.tiktok import comment_id, likes_total, open_id
from socialpulse.emulator.world import PostSeed, World
from socialpulse.models.enums import Platform
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
    QuotaExceeded,
    RateLimited,
    Suspended,
    TransientError,
    Unsupported,
)
from socialpulse.platforms.credentials import MemoryTokenStore, StoredToken
from socialpulse.platforms.metrics import METRIC_CONFIGS
from socialpulse.platforms.pacing import RatePacer
from socialpulse.platforms.registry import ConnectorRegistry
from socialpulse.platforms.tiktok import (
    ACCESS_TOKEN_SETTING,
    CLIENT_KEY_SETTING,
    created_at,
    listing_target,
    normalize_username,
    post_type,
)
from socialpulse.platforms.tiktok_display import NO_COMMENTS, TikTokDisplayConnector
from socialpulse.platforms.tiktok_research import QUOTA_KEY, TikTokResearchConnector, _windows

FROZEN = datetime(2026, 3, 1, 12, tzinfo=UTC)
BASE = "http://emu/tiktok"


def emulator(**cfg: Any) -> Any:
    settings: dict[str, Any] = {"seed": 42, "frozen_at": FROZEN, "creators_per_platform": 60, **cfg}
    return create_emulator_app(EmulatorConfig(**settings))


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emu")


def display(app: Any, **kw: Any) -> TikTokDisplayConnector:
    kw.setdefault("retries", 0)
    kw.setdefault("clock", app.state.world.now)
    return TikTokDisplayConnector(_client(app), base_url=BASE, **kw)


def research(app: Any, **kw: Any) -> TikTokResearchConnector:
    kw.setdefault("retries", 0)
    kw.setdefault("client_key", "key")
    kw.setdefault("client_secret", "secret")
    kw.setdefault("clock", app.state.world.now)
    return TikTokResearchConnector(_client(app), base_url=BASE, **kw)


async def emu_calls(app: Any) -> dict[str, int]:
    async with _client(app) as c:
        body: dict[str, Any] = (await c.get("/_emulator/calls")).json()
        return dict(body["by_endpoint"])


def world_of(app: Any) -> World:
    world: World = app.state.world
    return world


def ref_of(world: World, i: int, key: str | None = None, **kw: Any) -> AccountRef:
    c = world.creators("tiktok")[i]
    return AccountRef(key=key or str(i), handle=c.handle, **kw)


def stored(account_id: int, token: str, **kw: Any) -> StoredToken:
    return StoredToken(credential_id=100 + account_id, account_id=account_id, access_token=token, **kw)


class Budget:
    """A quota budget in memory (the shared one is ``QuotaGuard``, tested with a database)."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.spent: list[tuple[str, int]] = []
        self.exhausted: list[str] = []

    async def spend(self, platform: str, units: int) -> None:
        if sum(u for _, u in self.spent) + units > self.budget:
            raise QuotaExceeded("budget spent", resets_at=datetime(2026, 3, 2, tzinfo=UTC))
        self.spent.append((platform, units))

    async def exhaust(self, platform: str) -> None:
        self.exhausted.append(platform)


def with_slideshow(world: World) -> tuple[int, PostSeed]:
    """An account (index) whose 20 newest posts hold a photo-mode one."""
    for i, c in enumerate(world.creators("tiktok")):
        for p in world.posts(c, limit=20):
            if p.kind == "slideshow" and p.privacy == "public":
                return i, p
    raise AssertionError("no photo-mode post in the world")


# ---------------------------------------------------------------------------- shape


class TestConnectorShape:
    def test_names_limits_and_metrics(self) -> None:
        d = TikTokDisplayConnector(httpx.AsyncClient())
        r = TikTokResearchConnector(httpx.AsyncClient())
        assert (d.name, d.api_version, d.platform) == ("tiktok-display-v2", "v2", Platform.tiktok)
        assert (r.name, r.api_version, r.platform) == ("tiktok-research-v2", "v2", Platform.tiktok)
        assert (d.limits.profile_batch, d.limits.post_batch, d.limits.daily_quota) == (20, 20, None)
        assert (r.limits.post_batch, r.limits.daily_quota) == (100, 1000)
        assert r.limits.quota_costs == {
            "research.user.info": 1,
            "research.video.query": 1,
            "research.video.comment.list": 1,
        }
        assert d.limits.rate_per_s == r.limits.rate_per_s == 10.0  # 600 requests a minute, per endpoint
        assert d.metric_config is r.metric_config is METRIC_CONFIGS[Platform.tiktok]


class TestHelpers:
    def test_the_creation_time_is_in_the_id(self) -> None:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        when = datetime(2025, 5, 4, 3, 2, 1, tzinfo=UTC)
        video_id = str((int(when.timestamp()) << 32) | 123456)
        assert created_at(video_id, now) == when
        assert created_at("1", now) is None  # 1970: no TikTok video
        assert created_at(str(int(now.timestamp() + 10 * 86400) << 32), now) is None  # the future
        assert created_at("abc", now) is None

    def test_usernames(self) -> None:
        assert normalize_username("@Lena.Bakes") == "lena.bakes"
        assert normalize_username("https://www.tiktok.com/@Some.User?lang=en") == "some.user"

    def test_photo_mode(self) -> None:
        assert post_type(0).value == "slideshow"
        assert post_type(15).value == "video"
        assert post_type(None).value == "video"
        assert post_type(30, "https://www.tiktok.com/@a/photo/7").value == "slideshow"

    def test_listing_target(self) -> None:
        p = ProfileData(platform_id="x", handle="x", posts=40)
        assert listing_target(AccountRef(key="1", handle="x"), p, 25) == 25
        assert listing_target(AccountRef(key="1", handle="x", last_posts_count=38), p, 25) == 2
        assert listing_target(AccountRef(key="1", handle="x", last_posts_count=41), p, 25) == 1

    def test_windows_span_at_most_30_days(self) -> None:
        d = date(2026, 1, 1)
        days = [d, d + timedelta(days=29), d + timedelta(days=30), d + timedelta(days=70)]
        assert _windows(days) == [
            (d, d + timedelta(days=29)),
            (d + timedelta(days=30), d + timedelta(days=30)),
            (days[3], days[3]),
        ]


# ---------------------------------------------------------------------------- Display API


class TestDisplayProfiles:
    async def test_maps_every_field(self) -> None:
        app = emulator()
        world = world_of(app)
        c = world.creators("tiktok")[2]
        conn = display(app, access_token=f"act.{c.handle}")
        p = (await conn.fetch_profiles([ref_of(world, 2)]))["2"]
        assert isinstance(p, ProfileData), p
        now = world.now_ms()
        stats = world.stats(c, now)
        assert p.platform_id == open_id(c)
        assert p.handle == c.handle
        assert p.display_name == c.display_name
        assert p.biography == (c.biography or None)
        assert p.avatar_url is not None
        assert p.avatar_url.startswith("https://")
        assert p.url == f"https://www.tiktok.com/@{c.handle}"
        assert (p.followers, p.following, p.posts) == (stats.followers, stats.following, stats.posts)
        assert p.likes == likes_total(world, c, now)
        assert p.views is None  # TikTok reports no account views
        assert p.details["open_id"] == open_id(c)
        assert p.details["username"] == c.handle
        assert p.details["is_verified"] is c.verified
        assert isinstance(p.details["union_id"], str)
        assert str(p.details["profile_deep_link"]).startswith("https://vm.tiktok.com/")
        assert await emu_calls(app) == {"tiktok.user.info": 1}

    async def test_a_token_of_someone_else_is_refused(self) -> None:
        app = emulator()
        world = world_of(app)
        conn = display(app, access_token="act.pixelpilot")
        out = await conn.fetch_profiles([ref_of(world, 0), ref_of(world, 1)])
        assert isinstance(out["1"], ProfileData)  # pixelpilot is creator 1
        err = out["0"]
        assert isinstance(err, AuthExpired)
        assert err.setting == ACCESS_TOKEN_SETTING
        assert "@pixelpilot, not by @lenabakes" in err.message

    async def test_a_renamed_account_is_known_by_its_open_id(self) -> None:
        app = emulator()
        c = world_of(app).creators("tiktok")[1]
        conn = display(app, access_token=f"act.{c.handle}")
        ref = AccountRef(key="r", handle="old-name", platform_id=open_id(c))
        p = (await conn.fetch_profiles([ref]))["r"]
        assert isinstance(p, ProfileData)
        assert p.handle == c.handle

    async def test_no_token_at_all(self) -> None:
        app = emulator()
        out = await display(app).fetch_profiles([ref_of(world_of(app), 0)])
        err = out["0"]
        assert isinstance(err, AuthExpired)
        assert err.setting == ACCESS_TOKEN_SETTING
        assert "authorise" in err.message
        assert await emu_calls(app) == {}

    async def test_an_expired_settings_token_names_the_setting(self) -> None:
        app = emulator()
        err = (await display(app, access_token="act.expired-1").fetch_profiles([ref_of(world_of(app), 0)]))[
            "0"
        ]
        assert isinstance(err, AuthExpired)
        assert err.setting == ACCESS_TOKEN_SETTING
        assert "access_token_expired" in err.message
        assert f"renew {ACCESS_TOKEN_SETTING}" in err.message

    async def test_stored_tokens_per_account(self) -> None:
        app = emulator()
        world = world_of(app)
        a, b = world.creators("tiktok")[0], world.creators("tiktok")[3]
        store = MemoryTokenStore({"10": stored(10, f"act.{a.handle}"), "11": stored(11, f"act.{b.handle}")})
        conn = display(app, tokens=store)
        out = await conn.fetch_profiles(
            [
                AccountRef(key="10", handle=a.handle),
                AccountRef(key="11", handle=b.handle),
                ref_of(world, 5, "12"),
            ]
        )
        assert [getattr(out[k], "platform_id", None) for k in ("10", "11")] == [open_id(a), open_id(b)]
        assert isinstance(out["12"], AuthExpired)  # no stored token and no fallback
        assert await emu_calls(app) == {"tiktok.user.info": 2}

    async def test_a_stored_token_that_expired_needs_authorising_again(self) -> None:
        app = emulator()
        world = world_of(app)
        past = world.now() - timedelta(hours=1)
        store = MemoryTokenStore({"0": stored(0, "act.lenabakes", expires_at=past)})
        err = (
            await display(app, tokens=store, access_token="act.lenabakes").fetch_profiles([ref_of(world, 0)])
        )["0"]
        assert isinstance(err, AuthExpired)
        assert err.setting is None  # nothing to set: the account's owner must authorise again
        assert "account 0" in err.message
        assert "authorise socialpulse again" in err.message
        assert await emu_calls(app) == {}  # refused locally

    async def test_a_stored_token_is_renewed_with_its_refresh_token(self) -> None:
        app = emulator()
        world = world_of(app)
        store = MemoryTokenStore({"0": stored(0, "act.expired-x", refresh_token="rft.lenabakes")})
        conn = display(app, tokens=store, client_key="key", client_secret="secret")
        p = (await conn.fetch_profiles([ref_of(world, 0)]))["0"]
        assert isinstance(p, ProfileData), p
        renewed = store.tokens["0"]
        assert renewed.access_token.startswith("act.lenabakes!")
        assert renewed.refresh_token is not None
        assert renewed.refresh_token.startswith("rft.lenabakes!")
        assert renewed.expires_at == world.now() + timedelta(hours=24)
        assert "video.list" in renewed.scopes
        assert await emu_calls(app) == {"tiktok.user.info": 2, "tiktok.oauth.token": 1}
        # the renewed token is used from then on, and renewed again before it expires
        await display(app, tokens=store, client_key="key", client_secret="secret").fetch_profiles(
            [ref_of(world, 0)]
        )
        assert (await emu_calls(app))["tiktok.user.info"] == 3
        store.tokens["0"] = stored(
            0, renewed.access_token, refresh_token="rft.lenabakes", expires_at=world.now()
        )
        await conn.fetch_profiles([ref_of(world, 0)])
        calls = await emu_calls(app)
        assert (calls["tiktok.oauth.token"], calls["tiktok.user.info"]) == (2, 4)  # renewed before the call

    async def test_a_refused_refresh_token(self) -> None:
        app = emulator()
        store = MemoryTokenStore({"0": stored(0, "act.expired-x", refresh_token="rft.expired")})
        conn = display(app, tokens=store, client_key="key", client_secret="secret")
        err = (await conn.fetch_profiles([ref_of(world_of(app), 0)]))["0"]
        assert isinstance(err, AuthExpired)
        assert "invalid_grant" in err.message
        assert "authorise socialpulse again" in err.message

    async def test_without_client_credentials_a_refresh_token_cannot_be_used(self) -> None:
        app = emulator()
        store = MemoryTokenStore({"0": stored(0, "act.expired-x", refresh_token="rft.lenabakes")})
        err = (await display(app, tokens=store).fetch_profiles([ref_of(world_of(app), 0)]))["0"]
        assert isinstance(err, AuthExpired)
        assert CLIENT_KEY_SETTING in err.message


class TestDisplayPosts:
    async def test_listing_maps_every_field(self) -> None:
        app = emulator()
        world = world_of(app)
        c = world.creators("tiktok")[3]
        conn = display(app, access_token=f"act.{c.handle}")
        ref = ref_of(world, 3)
        profile = (await conn.fetch_profiles([ref]))["3"]
        assert isinstance(profile, ProfileData)
        listing = await conn.list_posts(ref, profile, 25)
        expected = [p for p in world.posts(c, limit=40) if p.privacy == "public"][:25]
        assert [p.social_id for p in listing.posts] == [p.social_id for p in expected]
        assert listing.complete
        now = world.now_ms()
        for got, seed in zip(listing.posts, expected, strict=True):
            st = world.post_stats(seed, now)
            assert got.has_metrics
            assert (got.views, got.likes, got.comments, got.shares) == (
                st.views,
                st.likes,
                st.comments,
                st.shares,
            )
            assert got.saves is None  # the Display API has no favourites count
            assert got.type == seed.kind
            assert got.caption == seed.text
            assert got.posted_at == datetime.fromtimestamp(seed.published_ms // 1000, UTC)
            assert (got.author_platform_id, got.author_handle) == (open_id(c), c.handle)
            path = "photo" if seed.kind == "slideshow" else "video"
            assert got.url == f"https://www.tiktok.com/@{c.handle}/{path}/{seed.social_id}"
            assert got.details["title"] == seed.title
            assert got.details["duration_s"] == (0 if seed.kind == "slideshow" else seed.duration_s)
            assert str(got.details["cover_image_url"]).startswith("https://")
        assert await emu_calls(app) == {"tiktok.user.info": 1, "tiktok.video.list": 2}  # 20 + 5

    async def test_a_later_listing_stops_at_the_new_posts(self) -> None:
        app = emulator()
        world = world_of(app)
        conn = display(app, access_token="act.lenabakes")
        profile = (await conn.fetch_profiles([ref_of(world, 0)]))["0"]
        assert isinstance(profile, ProfileData)
        assert profile.posts
        ref = ref_of(world, 0, last_posts_count=profile.posts - 1)
        assert conn.needs_listing(ref, profile)
        assert not conn.needs_listing(ref_of(world, 0, last_posts_count=profile.posts), profile)
        listing = await conn.list_posts(ref, profile, 60)
        assert len(listing.posts) == 20  # one page holds the new post
        assert (await emu_calls(app))["tiktok.video.list"] == 1

    async def test_slideshows(self) -> None:
        app = emulator()
        world = world_of(app)
        i, photo = with_slideshow(world)
        c = world.creators("tiktok")[i]
        conn = display(app, access_token=f"act.{c.handle}")
        got = (await conn.fetch_posts([PostRef(key="p", social_id=photo.social_id)]))["p"]
        assert isinstance(got, PostData)
        assert got.type == "slideshow"
        assert (
            got.url == f"https://www.tiktok.com/@{c.handle}/photo/{photo.social_id}"
        )  # the share link, untracked

    async def test_21_ids_take_two_calls(self) -> None:
        app = emulator()
        world = world_of(app)
        c = world.creators("tiktok")[0]
        seeds = [p for p in world.posts(c, limit=25) if p.privacy == "public"][:21]
        conn = display(app, access_token=f"act.{c.handle}")
        out = await conn.fetch_posts([PostRef(key=p.social_id, social_id=p.social_id) for p in seeds])
        now = world.now_ms()
        for seed in seeds:
            got = out[seed.social_id]
            assert isinstance(got, PostData), got
            assert got.views == world.post_stats(seed, now).views
            assert got.posted_at == datetime.fromtimestamp(seed.published_ms // 1000, UTC)
        assert await emu_calls(app) == {"tiktok.video.query": 2}

    async def test_missing_and_foreign_videos_are_not_found(self) -> None:
        app = emulator()
        world = world_of(app)
        other = world.posts(world.creators("tiktok")[1], limit=1)[0].social_id
        refs = [
            PostRef(key="gone", social_id=world.special_post("tiktok", "not_found")),
            PostRef(key="theirs", social_id=other),
        ]
        out = await display(app, access_token="act.lenabakes").fetch_posts(refs)
        for key in ("gone", "theirs"):
            err = out[key]
            assert isinstance(err, NotFound)
            assert "not posted by the account that authorised the token" in err.message

    async def test_posts_go_out_with_their_accounts_tokens(self) -> None:
        app = emulator()
        world = world_of(app)
        a, b = world.creators("tiktok")[0], world.creators("tiktok")[1]
        pa, pb = world.posts(a, limit=1)[0], world.posts(b, limit=1)[0]
        store = MemoryTokenStore(
            {"1": stored(1, f"act.{a.handle}"), "2": stored(2, "act.expired-b")}, posts={"pa": "1", "pb": "2"}
        )
        out = await display(app, tokens=store).fetch_posts(
            [PostRef(key="pa", social_id=pa.social_id), PostRef(key="pb", social_id=pb.social_id)]
        )
        assert isinstance(out["pa"], PostData)
        err = out["pb"]
        assert isinstance(err, AuthExpired)  # only the posts of the refused token
        assert "account 2" in err.message
        assert await emu_calls(app) == {"tiktok.video.query": 2}

    async def test_no_comments_in_the_display_api(self) -> None:
        app = emulator()
        p = world_of(app).posts(world_of(app).creators("tiktok")[0], limit=1)[0]
        assert (
            await display(app, access_token="act.x").fetch_comments(
                PostRef(key="p", social_id=p.social_id), 20
            )
            == []
        )
        assert await emu_calls(app) == {}
        assert "Research API" in NO_COMMENTS


# ---------------------------------------------------------------------------- Research API


class TestResearchProfiles:
    async def test_maps_every_field(self) -> None:
        app = emulator()
        world = world_of(app)
        c = world.creators("tiktok")[4]
        p = (await research(app).fetch_profiles([AccountRef(key="a", handle="@" + c.handle.upper())]))["a"]
        assert isinstance(p, ProfileData), p
        now = world.now_ms()
        stats = world.stats(c, now)
        assert (p.platform_id, p.handle) == (c.handle, c.handle)
        assert p.display_name == c.display_name
        assert p.biography == (c.biography or None)
        assert p.avatar_url is not None
        assert p.url == f"https://www.tiktok.com/@{c.handle}"
        assert (p.followers, p.following, p.posts) == (stats.followers, stats.following, stats.posts)
        assert p.likes == likes_total(world, c, now)
        assert p.details == {"username": c.handle, "is_verified": c.verified}
        assert await emu_calls(app) == {"tiktok.oauth.token": 1, "tiktok.research.user.info": 1}

    async def test_unknown_private_and_banned_accounts(self) -> None:
        app = emulator()
        world = world_of(app)
        refs = [
            AccountRef(key=k, handle=world.special("tiktok", k))
            for k in ("not_found", "private", "suspended")
        ]
        out = await research(app).fetch_profiles(refs)
        assert isinstance(out["not_found"], NotFound)
        assert "no public account @nosuchuser404" in out["not_found"].message
        assert isinstance(out["private"], Private)
        assert isinstance(out["suspended"], Suspended)

    async def test_the_client_token_is_kept_until_it_expires(self) -> None:
        app = emulator()
        world = world_of(app)
        conn = research(app)
        await conn.fetch_profiles([ref_of(world, 0)])
        await conn.fetch_profiles([ref_of(world, 1)])
        assert (await emu_calls(app))["tiktok.oauth.token"] == 1
        async with _client(app) as c:  # two hours later the token has expired
            await c.patch("/_emulator/config", json={"clock_offset_s": 7200 - 30})
        await conn.fetch_profiles([ref_of(world, 2)])
        calls = await emu_calls(app)
        assert (calls["tiktok.oauth.token"], calls["tiktok.research.user.info"]) == (2, 3)

    async def test_a_refused_client_token_is_fetched_again(self) -> None:
        app = emulator()
        world = world_of(app)
        conn = research(app)
        conn._token, conn._token_expires_at = "clt.expired-old", None  # TikTok revoked it
        p = (await conn.fetch_profiles([ref_of(world, 0)]))["0"]
        assert isinstance(p, ProfileData)
        assert await emu_calls(app) == {"tiktok.oauth.token": 1, "tiktok.research.user.info": 2}

    async def test_wrong_or_missing_client_credentials(self) -> None:
        app = emulator()
        with pytest.raises(AuthExpired) as exc:
            await research(app, client_key="invalid-key").fetch_profiles([ref_of(world_of(app), 0)])
        assert exc.value.setting == CLIENT_KEY_SETTING
        assert "invalid_client" in exc.value.message
        with pytest.raises(AuthExpired) as exc:
            await research(app, client_secret=None).fetch_profiles([ref_of(world_of(app), 0)])
        assert exc.value.setting == CLIENT_KEY_SETTING
        assert (await emu_calls(app)).get("tiktok.research.user.info") is None


class TestResearchPosts:
    async def test_listing_maps_every_field(self) -> None:
        app = emulator()
        world = world_of(app)
        c = world.creators("tiktok")[0]  # a demo account posting daily: one window holds 25 posts
        conn = research(app)
        ref = ref_of(world, 0)
        profile = (await conn.fetch_profiles([ref]))["0"]
        assert isinstance(profile, ProfileData)
        listing = await conn.list_posts(ref, profile, 25)
        expected = [p for p in world.posts(c, limit=40) if p.privacy == "public"][:25]
        assert [p.social_id for p in listing.posts] == [p.social_id for p in expected]
        assert listing.complete
        now = world.now_ms()
        for got, seed in zip(listing.posts, expected, strict=True):
            st = world.post_stats(seed, now)
            assert got.has_metrics
            assert (got.views, got.likes, got.comments, got.shares, got.saves) == (
                st.views,
                st.likes,
                st.comments,
                st.shares,
                st.saves,
            )
            assert got.type == seed.kind
            assert got.caption == seed.text
            assert got.posted_at == datetime.fromtimestamp(seed.published_ms // 1000, UTC)
            assert (got.author_platform_id, got.author_handle) == (c.handle, c.handle)
            assert got.details["hashtags"] == list(seed.hashtags)
            assert got.details["region_code"] == c.country
            assert got.details["duration_s"] == (0 if seed.kind == "slideshow" else seed.duration_s)
            assert str(got.details["music_id"]).isdigit()
            assert isinstance(got.details["is_stem_verified"], bool)
        assert (await emu_calls(app))["tiktok.research.video.query"] == 1

    async def test_listing_walks_back_window_by_window(self) -> None:
        app = emulator()
        world = world_of(app)
        i, c = next(
            (i, c)
            for i, c in enumerate(world.creators("tiktok"))
            if c.listed and c.posts_gap_ms > 4 * 86_400_000 and world.post_count(c) > 40
        )
        conn = research(app, lookback_days=365)
        ref = ref_of(world, i)
        profile = (await conn.fetch_profiles([ref]))[str(i)]
        assert isinstance(profile, ProfileData)
        listing = await conn.list_posts(ref, profile, 25)
        expected = [p.social_id for p in world.posts(c, limit=25)]
        assert [p.social_id for p in listing.posts] == expected
        oldest = world.post_by_id("tiktok", expected[-1])
        assert oldest is not None
        windows = math.ceil(((FROZEN.date() - oldest.published_at.date()).days + 1) / 30)
        assert (await emu_calls(app))["tiktok.research.video.query"] == windows > 1

    async def test_a_short_lookback_leaves_the_listing_incomplete(self) -> None:
        app = emulator()
        world = world_of(app)
        i = next(
            i for i, c in enumerate(world.creators("tiktok")) if c.listed and c.posts_gap_ms > 4 * 86_400_000
        )
        conn = research(app, lookback_days=30)
        ref = ref_of(world, i)
        profile = (await conn.fetch_profiles([ref]))[str(i)]
        assert isinstance(profile, ProfileData)
        listing = await conn.list_posts(ref, profile, 25)
        assert not listing.complete
        assert (await emu_calls(app))["tiktok.research.video.query"] == 1

    async def test_slideshows(self) -> None:
        app = emulator()
        world = world_of(app)
        i, photo = with_slideshow(world)
        got = (await research(app).fetch_posts([PostRef(key="p", social_id=photo.social_id)]))["p"]
        assert isinstance(got, PostData)
        assert got.type == "slideshow"
        assert (
            got.url == f"https://www.tiktok.com/@{world.creators('tiktok')[i].handle}/photo/{photo.social_id}"
        )

    async def test_posts_by_id_in_windows_of_100(self) -> None:
        app = emulator(creators_per_platform=200)
        world = world_of(app)
        start = FROZEN - timedelta(days=25)
        recent = [
            p
            for c in world.creators("tiktok")
            for p in world.posts(c, limit=30)
            if p.published_at >= start and p.privacy == "public"
        ][:101]
        assert len(recent) == 101
        old = world.posts(world.creators("tiktok")[0], limit=200)[-1]  # half a year ago: another window
        refs = [PostRef(key=p.social_id, social_id=p.social_id) for p in [*recent, old]]
        out = await research(app).fetch_posts(refs)
        now = world.now_ms()
        for seed in [*recent, old]:
            got = out[seed.social_id]
            assert isinstance(got, PostData), got
            assert got.views == world.post_stats(seed, now).views
        assert (await emu_calls(app))["tiktok.research.video.query"] == 3  # 100 + 1 + the old one

    async def test_missing_private_and_impossible_ids(self) -> None:
        app = emulator()
        world = world_of(app)
        refs = [
            PostRef(key="private", social_id=world.special_post("tiktok", "private")),
            PostRef(key="no-date", social_id=world.special_post("tiktok", "not_found")),
        ]
        out = await research(app).fetch_posts(refs)
        assert isinstance(out["private"], NotFound)
        assert "not public" in out["private"].message
        assert isinstance(out["no-date"], NotFound)
        assert "carries no creation time" in out["no-date"].message
        assert (await emu_calls(app))["tiktok.research.video.query"] == 1  # the impossible id cost nothing

    async def test_top_comments(self) -> None:
        app = emulator()
        world = world_of(app)
        now = world.now_ms()
        seed = next(
            p
            for c in world.creators("tiktok")[:20]
            for p in world.posts(c, limit=20)
            if p.privacy == "public" and world.comment_count(p, now) > 12
        )
        comments = await research(app).fetch_comments(PostRef(key="p", social_id=seed.social_id), 10)
        assert len(comments) == 10
        likes = [c.likes or 0 for c in comments]
        assert likes == sorted(likes, reverse=True)
        events = {
            str(comment_id(world, seed, k)): world.comment(seed, k)
            for k in world.listed_comment_range(seed, now)
        }
        best = sorted((cm.likes_at(now) for cm in events.values()), reverse=True)[:10]
        assert likes == best
        for c in comments:
            event = events[c.platform_id]
            assert c.text == event.text
            assert c.posted_at == datetime.fromtimestamp(event.published_ms // 1000, UTC)
            assert (c.parent_id is None) == (event.parent is None)
            assert isinstance(c.reply_count, int)
        assert (await emu_calls(app))["tiktok.research.video.comment.list"] == 1

    async def test_comments_of_missing_videos(self) -> None:
        app = emulator()
        world = world_of(app)
        with pytest.raises(NotFound):
            await research(app).fetch_comments(
                PostRef(key="p", social_id=world.special_post("tiktok", "private")), 5
            )
        disabled = next(
            p
            for c in world.creators("tiktok")
            for p in world.posts(c, limit=60)
            if p.comments_disabled and p.privacy == "public"
        )
        assert await research(app).fetch_comments(PostRef(key="p", social_id=disabled.social_id), 5) == []


class TestResearchQuota:
    async def test_every_call_spends_the_daily_quota(self) -> None:
        app = emulator()
        world = world_of(app)
        budget = Budget(2)
        conn = research(app, quota=budget)
        await conn.fetch_profiles([ref_of(world, 0), ref_of(world, 1)])
        assert budget.spent == [(QUOTA_KEY, 1), (QUOTA_KEY, 1)]
        with pytest.raises(QuotaExceeded) as exc:
            await conn.fetch_profiles([ref_of(world, 2)])
        assert exc.value.resets_at == datetime(2026, 3, 2, tzinfo=UTC)
        assert (await emu_calls(app))["tiktok.research.user.info"] == 2  # refused locally
        assert budget.exhausted == []

    async def test_tiktok_saying_the_quota_is_spent(self) -> None:
        def answer(request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/oauth/token/"):
                return httpx.Response(
                    200, json={"access_token": "clt.x", "expires_in": 7200, "token_type": "Bearer"}
                )
            err = {"code": "rate_limit_exceeded", "message": "Daily quota limit exceeded", "log_id": "1"}
            return httpx.Response(429, json={"data": {}, "error": err})

        budget = Budget(100)
        now = datetime(2026, 3, 1, 20, 30, tzinfo=UTC)
        conn = TikTokResearchConnector(
            httpx.AsyncClient(transport=httpx.MockTransport(answer)),
            client_key="k",
            client_secret="s",
            quota=budget,
            retries=0,
            clock=lambda: now,
        )
        with pytest.raises(QuotaExceeded) as exc:
            await conn.fetch_profiles([AccountRef(key="a", handle="someone")])
        assert exc.value.resets_at == datetime(2026, 3, 2, tzinfo=UTC)  # midnight UTC
        assert "2026-03-02T00:00:00Z" in exc.value.message
        assert budget.exhausted == [QUOTA_KEY]


# ---------------------------------------------------------------------------- errors


def mock(answer: Callable[[httpx.Request], httpx.Response]) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(answer))


def envelope_error(status: int, code: str, message: str = "m") -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            status, json={"data": {}, "error": {"code": code, "message": message, "log_id": "L1"}}
        )

    return answer


class TestErrors:
    async def test_rate_limited(self) -> None:
        app = emulator(rate_limit_per_s=1)
        world = world_of(app)
        conn = display(app, access_token="act.lenabakes")
        await conn.fetch_profiles([ref_of(world, 0)])
        with pytest.raises(RateLimited) as exc:
            await conn.fetch_profiles([ref_of(world, 0)])
        assert exc.value.retry_after is None  # no rate-limit headers: the engine backs off
        assert exc.value.status == 429

    @pytest.mark.parametrize(
        ("fault", "error"), [("500", TransientError), ("429", RateLimited), ("malformed", BadResponse)]
    )
    async def test_faults(self, fault: str, error: type[PlatformError]) -> None:
        app = emulator(fault_rate=1.0, faults=(fault,))
        world = world_of(app)
        with pytest.raises(error):
            await research(app).fetch_profiles([ref_of(world, 0)])
        conn = display(app, access_token="act.lenabakes")
        if error is RateLimited:  # stops the whole batch
            with pytest.raises(RateLimited):
                await conn.fetch_profiles([ref_of(world, 0)])
        else:  # that account's refresh is tried again
            assert isinstance((await conn.fetch_profiles([ref_of(world, 0)]))["0"], error)

    async def test_scope_not_authorized(self) -> None:
        conn = TikTokDisplayConnector(
            mock(envelope_error(401, "scope_not_authorized")), access_token="act.x", retries=0
        )
        err = (await conn.fetch_profiles([AccountRef(key="a", handle="a")]))["a"]
        assert isinstance(err, AuthExpired)
        assert "user.info.stats" in err.message
        assert err.request_id is None or isinstance(err.request_id, str)

    async def test_an_error_inside_a_200(self) -> None:
        conn = TikTokDisplayConnector(
            mock(envelope_error(200, "access_token_invalid")), access_token="act.x", retries=0
        )
        err = (await conn.fetch_profiles([AccountRef(key="a", handle="a")]))["a"]
        assert isinstance(err, AuthExpired)
        assert err.setting == ACCESS_TOKEN_SETTING

    async def test_malformed_bodies(self) -> None:
        def no_data(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json={"error": {"code": "ok", "message": "", "log_id": "L"}})

        def string_count(request: httpx.Request) -> httpx.Response:
            user = {"open_id": "o", "username": "a", "follower_count": "12"}
            return httpx.Response(200, json={"data": {"user": user}, "error": {"code": "ok"}})

        for answer in (no_data, string_count):
            conn = TikTokDisplayConnector(mock(answer), access_token="act.x", retries=0)
            assert isinstance(
                (await conn.fetch_profiles([AccountRef(key="a", handle="a")]))["a"], BadResponse
            )

    async def test_internal_error_is_transient(self) -> None:
        conn = TikTokDisplayConnector(
            mock(envelope_error(500, "internal_error")), access_token="act.x", retries=0
        )
        assert isinstance((await conn.fetch_profiles([AccountRef(key="a", handle="a")]))["a"], TransientError)

    async def test_bodies_and_headers_sent(self) -> None:
        seen: list[httpx.Request] = []

        def answer(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            if request.url.path.endswith("/oauth/token/"):
                return httpx.Response(
                    200, json={"access_token": "clt.tok", "expires_in": 7200, "token_type": "Bearer"}
                )
            return httpx.Response(
                200, json={"data": {"videos": [], "cursor": 0, "has_more": False}, "error": {"code": "ok"}}
            )

        now = datetime(2026, 3, 1, 12, tzinfo=UTC)
        conn = TikTokResearchConnector(
            mock(answer), client_key="k", client_secret="s", retries=0, clock=lambda: now
        )
        profile = ProfileData(platform_id="joe123", handle="joe123", posts=3)
        await conn.list_posts(AccountRef(key="a", handle="joe123"), profile, 10)
        token_request, query_request = seen[0], seen[1]
        assert token_request.headers["content-type"] == "application/x-www-form-urlencoded"
        assert dict(httpx.QueryParams(token_request.content.decode())) == {
            "client_key": "k",
            "client_secret": "s",
            "grant_type": "client_credentials",
        }
        assert query_request.headers["authorization"] == "Bearer clt.tok"
        assert query_request.url.path == "/v2/research/video/query/"
        assert query_request.url.params["fields"].split(",")[:3] == ["id", "video_description", "create_time"]
        import json

        assert json.loads(query_request.content) == {
            "query": {"and": [{"operation": "EQ", "field_name": "username", "field_values": ["joe123"]}]},
            "start_date": "20260131",
            "end_date": "20260301",
            "max_count": 100,
        }


# ---------------------------------------------------------------------------- pacing, settings, registry


def settings(**kw: Any) -> Settings:
    return Settings(secret_key="s" * 40, _env_file=None, **kw)


class TestRegistry:
    async def test_source_from_settings_and_per_account(self) -> None:
        async with httpx.AsyncClient() as client:
            registry = ConnectorRegistry(settings(tiktok_source="research"), client=client)
            default = registry.get("tiktok")
            assert isinstance(default, TikTokResearchConnector)
            assert registry.get("tiktok", "research") is default
            assert isinstance(registry.get("tiktok", "display"), TikTokDisplayConnector)
            assert registry.supported("tiktok")
            with pytest.raises(Unsupported) as exc:
                registry.get("tiktok", "web")
            assert "display or research" in exc.value.message
            await registry.aclose()

    async def test_connectors_are_built_from_settings(self) -> None:
        s = settings(
            tiktok_base_url="http://emu/tiktok",
            tiktok_access_token="act.a",
            tiktok_client_key="k",
            tiktok_client_secret="s",
            tiktok_rate_per_s=5.0,
            tiktok_research_daily_quota=50,
        )
        async with httpx.AsyncClient() as client:
            registry = ConnectorRegistry(s, client=client)
            d = registry.get("tiktok", "display")
            r = registry.get("tiktok", "research")
            assert isinstance(d, TikTokDisplayConnector)
            assert isinstance(r, TikTokResearchConnector)
            assert (d.base_url, d.access_token, d.client_key) == ("http://emu/tiktok", "act.a", "k")
            assert (r.client_key, r.client_secret, r.limits.daily_quota) == ("k", "s", 50)
            assert d.calls is r.calls is registry.calls
            assert sorted(d.pacers) == ["user.info", "video.list", "video.query"]
            assert sorted(r.pacers) == [
                "research.user.info",
                "research.video.comment.list",
                "research.video.query",
            ]
            pacers = [p for p in [*d.pacers.values(), *r.pacers.values()] if isinstance(p, RatePacer)]
            assert len({p.identifiers for p in pacers}) == 6  # each endpoint its own window
            assert all(p.item.amount == 4 for p in pacers)  # 5 a second, with headroom
            await registry.aclose()

    def test_settings_defaults_and_the_emulator(self) -> None:
        s = settings()
        assert (s.tiktok_source, s.tiktok_base_url) == ("display", "https://open.tiktokapis.com")
        assert (s.tiktok_rate_per_s, s.tiktok_research_daily_quota) == (10.0, 1000)
        assert s.tiktok_access_token is None
        emu = s.with_emulator("http://emu:8001/")
        assert emu.tiktok_base_url == "http://emu:8001/tiktok"
        assert emu.tiktok_access_token is not None
        assert emu.tiktok_access_token.startswith("act.")
        assert emu.tiktok_client_key
        assert emu.tiktok_client_secret
        pointed = settings(emulator_url="http://emu:8001")
        assert pointed.tiktok_base_url == "http://emu:8001/tiktok"
        assert pointed.tiktok_access_token == emu.tiktok_access_token
        kept = settings(
            emulator_url="http://emu:8001", tiktok_access_token="act.mine", tiktok_source="display"
        )
        assert kept.with_emulator("http://e").tiktok_access_token == "act.mine"
        # every emulated account is public, and a Display token reads one account: the emulator
        # serves TikTok through the Research API unless the source was chosen
        assert (emu.tiktok_source, pointed.tiktok_source) == ("research", "research")
        assert (kept.tiktok_source, kept.with_emulator("http://e").tiktok_source) == ("display", "display")
        assert settings(tiktok_source="display").with_emulator("http://e").tiktok_source == "display"
        with pytest.raises(ValueError, match="tiktok_source"):
            settings(tiktok_source="web")

    async def test_the_pacer_keeps_under_the_emulator_limit(self) -> None:
        app = emulator(rate_limit_per_s=40)
        s = settings(tiktok_rate_per_s=40.0, tiktok_access_token="act.lenabakes").with_emulator("http://emu")
        async with _client(app) as client:
            registry = ConnectorRegistry(s, client=client)
            conn = registry.get("tiktok", "display")
            refs = [ref_of(world_of(app), 0)]
            await asyncio.gather(*(conn.fetch_profiles(refs) for _ in range(60)))
            await registry.aclose()
        calls = await emu_calls(app)
        assert calls == {"tiktok.user.info": 60}
        async with _client(app) as c:
            assert (await c.get("/_emulator/calls")).json()["rate_limited"] == 0
