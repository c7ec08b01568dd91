"""The app: control endpoints, the call counter, knobs, faults, the clock and determinism."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import httpx
import pytest

from socialpulse.emulator.app import EmulatorConfig, create_emulator_app
from tests.emulator.conftest import FROZEN, Emu, MakeEmu


async def profile(emu: Emu, actor: str = "lenabakes.bsky.social") -> httpx.Response:
    return await emu.bsky("app.bsky.actor.getProfile", {"actor": actor})


class TestCalls:
    async def test_counts_every_platform_call_and_nothing_else(self, emu: Emu) -> None:
        await emu.yt("channels", part="id", forHandle="@lenabakes")
        await emu.yt("channels", part="id", forHandle="@pixelpilot")
        await emu.yt("videos", part="id")  # a 400 counts too
        await emu.yt("channels", part="id", forHandle="@lenabakes", key=None)  # so does a 403
        await profile(emu)
        await emu.bsky("app.bsky.feed.getPosts", {"uris": "at://x/app.bsky.feed.post/y"})
        await emu.client.get("/_emulator/config")
        await emu.client.get("/_emulator/world/youtube")
        calls = (await emu.client.get("/_emulator/calls")).json()
        assert calls["total"] == 6
        assert calls["by_endpoint"] == {
            "bluesky.app.bsky.actor.getProfile": 1,
            "bluesky.app.bsky.feed.getPosts": 1,
            "youtube.channels.list": 3,
            "youtube.videos.list": 1,
        }
        assert calls["faults"] == {}
        assert calls["rate_limited"] == 0
        reset = await emu.client.delete("/_emulator/calls")
        assert reset.json()["total"] == 0
        assert (await emu.client.get("/_emulator/calls")).json()["by_endpoint"] == {}

    async def test_rate_limited_and_faulted_calls_are_counted(self, make_emu: MakeEmu) -> None:
        emu = await make_emu(rate_limit_per_s=1)
        for _ in range(3):
            await profile(emu)
        calls = (await emu.client.get("/_emulator/calls")).json()
        assert calls["total"] == 3
        assert calls["rate_limited"] == 2
        emu = await make_emu(fault_rate=1.0, faults=("500",))
        for _ in range(4):
            await profile(emu)
        calls = (await emu.client.get("/_emulator/calls")).json()
        assert calls["total"] == 4
        assert calls["faults"] == {"500": 4}


class TestConfig:
    async def test_get_and_patch(self, emu: Emu) -> None:
        cfg = (await emu.client.get("/_emulator/config")).json()
        assert cfg["seed"] == 42
        assert cfg["faults"] == ["429", "500", "slow", "malformed"]
        assert cfg["frozen_at"] == "2026-06-01T12:00:00Z"
        changed = (await emu.patch(fault_rate=0.5, faults=["500"], retire_metrics=["impressions"])).json()
        assert changed["fault_rate"] == 0.5
        assert changed["faults"] == ["500"]
        assert changed["retire_metrics"] == ["impressions"]
        assert (await emu.client.get("/_emulator/config")).json() == changed

    @pytest.mark.parametrize(
        "body",
        [{"fault_rate": 2}, {"faults": ["teapot"]}, {"no_such_knob": 1}, {"seed": "x"}, [1, 2]],
    )
    async def test_bad_patches_say_what_is_wrong(self, emu: Emu, body: object) -> None:
        r = await emu.client.patch("/_emulator/config", json=body)
        assert r.status_code == 400
        assert r.json()["error"]
        assert (await emu.client.get("/_emulator/config")).json()["fault_rate"] == 0.0

    async def test_patching_the_world_rebuilds_it_in_place(self, emu: Emu) -> None:
        world = emu.world
        before = world.creators("youtube")[10].platform_id
        await emu.patch(seed=7, creators_per_platform=40)
        assert emu.app.state.world is world
        assert len(world.creators("youtube")) == 40
        assert world.creators("youtube")[10].platform_id != before

    def test_config_validates(self) -> None:
        with pytest.raises(ValueError, match="fault_rate"):
            EmulatorConfig(fault_rate=-1)
        naive = EmulatorConfig(frozen_at=datetime(2026, 1, 1))
        assert naive.frozen_at == datetime(2026, 1, 1, tzinfo=UTC)


class TestClock:
    async def test_a_day_later_counters_have_grown(self, emu: Emu) -> None:
        c = emu.world.creators("youtube")[0]
        video = emu.world.posts(c, limit=3)[2].social_id

        async def snapshot() -> list[dict[str, int]]:
            ch = (await emu.yt("channels", part="statistics", id=c.platform_id)).json()["items"][0][
                "statistics"
            ]
            v = (await emu.yt("videos", part="statistics", id=video)).json()["items"][0]["statistics"]
            p = (await profile(emu)).json()
            counts = [
                {k: int(x) for k, x in ch.items() if k != "hiddenSubscriberCount"},
                {k: int(x) for k, x in v.items()},
                {k: p[k] for k in ("followersCount", "followsCount", "postsCount")},
            ]
            return counts

        today = await snapshot()
        assert await snapshot() == today  # frozen: nothing moves
        await emu.patch(clock_offset_s=86_400)
        tomorrow = await snapshot()
        assert tomorrow[0]["subscriberCount"] > today[0]["subscriberCount"]
        assert tomorrow[0]["videoCount"] > today[0]["videoCount"]
        assert tomorrow[1]["viewCount"] > today[1]["viewCount"]
        assert tomorrow[2]["followersCount"] > today[2]["followersCount"]
        for before, after in zip(today, tomorrow, strict=True):
            for name, value in before.items():
                assert after[name] >= value, name

    async def test_unfrozen_clock_follows_real_time(self, emu: Emu) -> None:
        await emu.patch(frozen_at=None)
        assert abs((emu.world.now() - datetime.now(UTC)).total_seconds()) < 5
        await emu.patch(frozen_at="2026-03-01T00:00:00Z", clock_offset_s=3600)
        assert emu.world.now() == datetime(2026, 3, 1, 1, tzinfo=UTC)


class TestFaults:
    async def test_429(self, make_emu: MakeEmu) -> None:
        emu = await make_emu(fault_rate=1.0, faults=("429",))
        r = await profile(emu)
        assert r.status_code == 429
        assert r.headers["retry-after"] == "1"
        assert r.json() == {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
        r = await emu.yt("channels", part="id", forHandle="@lenabakes")
        assert r.status_code == 429
        assert r.headers["retry-after"] == "1"
        assert r.json()["error"]["code"] == 429

    async def test_500(self, make_emu: MakeEmu) -> None:
        emu = await make_emu(fault_rate=1.0, faults=("500",))
        r = await profile(emu)
        assert r.status_code == 500
        assert r.json()["error"] == "InternalServerError"
        r = await emu.yt("videos", part="id", id="abc")
        assert r.status_code == 500
        assert r.json()["error"]["errors"][0]["reason"] == "backendError"

    async def test_slow(self, make_emu: MakeEmu) -> None:
        emu = await make_emu(fault_rate=1.0, faults=("slow",), slow_s=0.05)
        r = await profile(emu)
        assert r.status_code == 200  # late, but whole
        assert (await emu.client.get("/_emulator/calls")).json()["faults"] == {"slow": 1}
        await emu.patch(slow_s=5.0)
        # past any client timeout (ASGITransport has none, so time the call out here)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):
                await profile(emu)

    async def test_malformed(self, make_emu: MakeEmu) -> None:
        emu = await make_emu(fault_rate=1.0, faults=("malformed",))
        for r in (await profile(emu), await emu.yt("channels", part="snippet", forHandle="@lenabakes")):
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("application/json")
            with pytest.raises(json.JSONDecodeError):
                json.loads(r.content)

    async def test_switched_on_mid_test_and_repeatable(self, emu: Emu) -> None:
        assert (await profile(emu)).status_code == 200
        await emu.patch(fault_rate=0.4, faults=["429", "500"])
        first = [(await profile(emu)).status_code for _ in range(30)]
        assert {200, 429, 500} <= set(first)
        await emu.patch(fault_rate=0.0)
        await emu.patch(fault_rate=0.4)  # the same knobs again: the same sequence
        assert [(await profile(emu)).status_code for _ in range(30)] == first

    async def test_control_endpoints_are_never_faulted(self, make_emu: MakeEmu) -> None:
        emu = await make_emu(fault_rate=1.0, latency_ms=2000)
        async with asyncio.timeout(1.0):
            for path in ("/_emulator/calls", "/_emulator/config", "/_emulator/world/bluesky", "/_emulator"):
                r = await emu.client.get(path)
                assert r.status_code == 200, path


async def test_latency(make_emu: MakeEmu) -> None:
    emu = await make_emu(latency_ms=300)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await profile(emu)


async def test_same_seed_same_answers() -> None:
    bodies = []
    for _ in range(2):
        app = create_emulator_app(EmulatorConfig(seed=5, frozen_at=FROZEN, creators_per_platform=100))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emu") as client:
            world = app.state.world
            c = world.creators("youtube")[20]
            yt = await client.get(
                "/youtube/v3/videos",
                params={
                    "part": "snippet,statistics",
                    "id": ",".join(p.social_id for p in world.posts(c, limit=5)),
                    "key": "k",
                },
            )
            b = world.creators("bluesky")[20]
            feed = await client.get("/xrpc/app.bsky.feed.getAuthorFeed", params={"actor": b.handle})
            bodies.append((yt.content, feed.content))
    assert bodies[0] == bodies[1]


async def test_world_listing(emu: Emu) -> None:
    body = (await emu.client.get("/_emulator/world/youtube", params={"limit": 7, "offset": 3})).json()
    assert body["total"] == 300
    assert body["served"]
    assert body["base_path"] == "/youtube/v3"
    assert len(body["creators"]) == 7
    first = body["creators"][0]
    assert first["handle"] == "@marisolmakes"
    assert first["demo"]
    assert first["uploads_playlist"].startswith("UU")
    assert set(body["special"]) == {"not_found", "private", "suspended"}
    later = (await emu.client.get("/_emulator/world/pinterest")).json()  # a platform with no view yet
    assert later["served"] is False
    assert later["creators"][0]["handle"] == "lenabakes"
    assert (await emu.client.get("/_emulator/world/myspace")).status_code == 404
