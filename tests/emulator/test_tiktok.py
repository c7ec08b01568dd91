"""TikTok API v2 (Display and Research): answers match the reference's shapes (JSON Schemas written
from reference section 4 below), tokens, errors, paging, windows and the gate's knobs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import jsonschema
import pytest

from socialpulse.emulator.tiktok import open_id
from socialpulse.emulator.world import PostSeed
from tests.emulator.conftest import FROZEN, Emu, MakeEmu
from tests.emulator.specs import assert_valid

# ---------------------------------------------------------------------------- schemas from the reference

# the fields the reference lists for each call (what the connectors ask for)
DISPLAY_USER_FIELDS = [
    *("open_id", "union_id", "avatar_url", "display_name", "bio_description", "profile_deep_link"),
    *("is_verified", "username", "follower_count", "following_count", "likes_count", "video_count"),
]
DISPLAY_VIDEO_FIELDS = [
    *("id", "create_time", "cover_image_url", "share_url", "video_description", "duration", "title"),
    *("like_count", "comment_count", "share_count", "view_count"),
]
RESEARCH_USER_FIELDS = [
    *("display_name", "bio_description", "avatar_url", "is_verified", "follower_count"),
    *("following_count", "likes_count", "video_count"),
]
RESEARCH_VIDEO_FIELDS = [
    *("id", "video_description", "create_time", "region_code", "share_count", "view_count", "like_count"),
    *("comment_count", "music_id", "hashtag_names", "username", "effect_ids", "playlist_id"),
    *("voice_to_text", "is_stem_verified", "favorites_count", "video_duration"),
]
RESEARCH_COMMENT_FIELDS = [
    *("id", "video_id", "text", "like_count", "reply_count", "parent_comment_id", "create_time"),
]

COUNT = {"type": "integer", "minimum": 0}
TEXT = {"type": "string"}
URL = {"type": "string", "pattern": r"^https://\S+$"}
INT64 = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
EPOCH_S = {"type": "integer", "minimum": 1_470_000_000, "maximum": 2_000_000_000}
LOG_ID = {"type": "string", "pattern": r"^\d{14}[0-9A-F]{18}$"}

PROPERTIES: dict[str, dict[str, Any]] = {
    # Display user (user.info.basic / .profile / .stats)
    "display.user": {
        "open_id": TEXT,
        "union_id": TEXT,
        "avatar_url": URL,
        "display_name": TEXT,
        "bio_description": TEXT,
        "profile_deep_link": URL,
        "is_verified": {"type": "boolean"},
        "username": {"type": "string", "pattern": r"^[a-z0-9._]{2,24}$"},
        "follower_count": COUNT,
        "following_count": COUNT,
        "likes_count": COUNT,
        "video_count": COUNT,
    },
    # Display video object
    "display.video": {
        "id": {"type": "string", "pattern": r"^\d{15,20}$"},
        "create_time": EPOCH_S,
        "cover_image_url": URL,
        "share_url": {"type": "string", "pattern": r"^https://www\.tiktok\.com/@[^/]+/(video|photo)/\d+"},
        "video_description": TEXT,
        "duration": COUNT,
        "height": COUNT,
        "width": COUNT,
        "title": TEXT,
        "embed_html": TEXT,
        "embed_link": URL,
        "like_count": COUNT,
        "comment_count": COUNT,
        "share_count": COUNT,
        "view_count": COUNT,
    },
    "research.user": {
        "display_name": TEXT,
        "bio_description": TEXT,
        "avatar_url": URL,
        "is_verified": {"type": "boolean"},
        "follower_count": COUNT,
        "following_count": COUNT,
        "likes_count": COUNT,
        "video_count": COUNT,
    },
    # Research video object: ids are 64-bit integers
    "research.video": {
        "id": INT64,
        "video_description": TEXT,
        "create_time": EPOCH_S,
        "region_code": {"type": "string", "pattern": r"^[A-Z]{2}$"},
        "share_count": COUNT,
        "view_count": COUNT,
        "like_count": COUNT,
        "comment_count": COUNT,
        "music_id": INT64,
        "hashtag_names": {"type": "array", "items": TEXT},
        "username": TEXT,
        "effect_ids": {"type": "array", "items": TEXT},
        "playlist_id": INT64,
        "voice_to_text": TEXT,
        "is_stem_verified": {"type": "boolean"},
        "favorites_count": COUNT,
        "video_duration": COUNT,
    },
    "research.comment": {
        "id": INT64,
        "video_id": INT64,
        "text": TEXT,
        "like_count": COUNT,
        "reply_count": COUNT,
        "parent_comment_id": INT64,
        "create_time": EPOCH_S,
    },
}
OPTIONAL = {"research.video": {"playlist_id"}}  # only videos in a playlist carry it


def obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


def item(kind: str, fields: list[str]) -> dict[str, Any]:
    """An object holding exactly the ``fields`` asked for (and nothing else)."""
    props = {f: PROPERTIES[kind][f] for f in fields}
    return obj(props, [f for f in fields if f not in OPTIONAL.get(kind, set())])


def envelope(data: dict[str, Any]) -> jsonschema.Draft202012Validator:
    error = obj({"code": {"const": "ok"}, "message": {"const": ""}, "log_id": LOG_ID})
    return jsonschema.Draft202012Validator(obj({"data": data, "error": error}))


ERROR = jsonschema.Draft202012Validator(
    obj(
        {
            "data": obj({}),
            "error": obj(
                {
                    "code": {
                        "enum": [
                            *("access_token_invalid", "access_token_expired", "scope_not_authorized"),
                            *("scope_permission_missed", "invalid_params", "rate_limit_exceeded"),
                            "internal_error",
                        ]
                    },
                    "message": {"type": "string", "minLength": 1},
                    "log_id": LOG_ID,
                }
            ),
        }
    )
)
CLIENT_TOKEN = jsonschema.Draft202012Validator(
    obj(
        {
            "access_token": {"type": "string", "pattern": r"^clt\."},
            "expires_in": {"type": "integer", "minimum": 1},
            "token_type": {"const": "Bearer"},
        }
    )
)
USER_TOKEN = jsonschema.Draft202012Validator(
    obj(
        {
            "access_token": {"type": "string", "pattern": r"^act\."},
            "expires_in": {"type": "integer", "minimum": 1},
            "open_id": TEXT,
            "refresh_expires_in": {"type": "integer", "minimum": 1},
            "refresh_token": {"type": "string", "pattern": r"^rft\."},
            "scope": TEXT,
            "token_type": {"const": "Bearer"},
        }
    )
)
OAUTH_ERROR = jsonschema.Draft202012Validator(
    obj({"error": TEXT, "error_description": TEXT, "log_id": LOG_ID})
)


def display_user(fields: list[str] = DISPLAY_USER_FIELDS) -> jsonschema.Draft202012Validator:
    return envelope(obj({"user": item("display.user", fields)}))


def display_videos(*, listing: bool) -> jsonschema.Draft202012Validator:
    videos = {"type": "array", "items": item("display.video", DISPLAY_VIDEO_FIELDS)}
    if listing:
        return envelope(obj({"videos": videos, "cursor": COUNT, "has_more": {"type": "boolean"}}))
    return envelope(obj({"videos": videos}))


def research_videos() -> jsonschema.Draft202012Validator:
    videos = {"type": "array", "items": item("research.video", RESEARCH_VIDEO_FIELDS)}
    return envelope(
        obj(
            {
                "videos": videos,
                "cursor": COUNT,
                "has_more": {"type": "boolean"},
                "search_id": {"type": "string", "pattern": r"^\d+$"},
            }
        )
    )


def research_comments() -> jsonschema.Draft202012Validator:
    comments = {"type": "array", "items": item("research.comment", RESEARCH_COMMENT_FIELDS)}
    return envelope(obj({"comments": comments, "cursor": COUNT, "has_more": {"type": "boolean"}}))


# ---------------------------------------------------------------------------- helpers


def act(handle: str) -> dict[str, str]:
    return {"Authorization": f"Bearer act.{handle}"}


CLT = {"Authorization": "Bearer clt.test-token"}


async def display(
    emu: Emu, path: str, handle: str, fields: list[str], body: Any = None, headers: Any = None
) -> httpx.Response:
    params = {"fields": ",".join(fields)}
    h = act(handle) if headers is None else headers
    if path == "user/info":
        return await emu.client.get("/tiktok/v2/user/info/", params=params, headers=h)
    return await emu.client.post(f"/tiktok/v2/{path}/", params=params, json=body or {}, headers=h)


async def research(emu: Emu, path: str, fields: list[str], body: Any, headers: Any = None) -> httpx.Response:
    return await emu.client.post(
        f"/tiktok/v2/research/{path}/",
        params={"fields": ",".join(fields)},
        json=body,
        headers=CLT if headers is None else headers,
    )


def query(
    username: str | None = None, *, ids: list[str] | None = None, days: int = 29, **kw: Any
) -> dict[str, Any]:
    end = FROZEN.date()
    cond = (
        {"operation": "EQ", "field_name": "username", "field_values": [username]}
        if username is not None
        else {"operation": "IN", "field_name": "video_id", "field_values": ids or []}
    )
    return {
        "query": {"and": [cond]},
        "start_date": (end - timedelta(days=days)).strftime("%Y%m%d"),
        "end_date": end.strftime("%Y%m%d"),
        "max_count": 100,
        **kw,
    }


def public_recent(emu: Emu, c: Any, days: int = 29) -> list[PostSeed]:
    start = FROZEN.replace(hour=0, minute=0) - timedelta(days=days)
    return [p for p in emu.world.posts(c, limit=200) if p.published_at >= start and p.privacy == "public"]


def errored(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert_valid(ERROR, r.json())
    assert r.json()["error"]["code"] == code
    return dict(r.json()["error"])


# ---------------------------------------------------------------------------- Display API


class TestDisplayUserInfo:
    async def test_matches_the_reference_and_the_world(self, emu: Emu) -> None:
        c = emu.world.creators("tiktok")[2]
        r = await display(emu, "user/info", c.handle, DISPLAY_USER_FIELDS)
        assert r.status_code == 200
        assert_valid(display_user(), r.json())
        user = r.json()["data"]["user"]
        stats = emu.world.stats(c)
        assert user["open_id"] == open_id(c)
        assert (user["username"], user["display_name"], user["bio_description"]) == (
            c.handle,
            c.display_name,
            c.biography,
        )
        assert (user["follower_count"], user["following_count"], user["video_count"]) == (
            stats.followers,
            stats.following,
            stats.posts,
        )
        assert user["is_verified"] is c.verified
        assert r.headers["x-tt-logid"]

    async def test_only_the_fields_asked_for(self, emu: Emu) -> None:
        c = emu.world.creators("tiktok")[0]
        fields = ["open_id", "follower_count"]
        r = await display(emu, "user/info", c.handle, fields)
        assert_valid(display_user(fields), r.json())

    async def test_an_unknown_field_is_invalid_params(self, emu: Emu) -> None:
        r = await display(emu, "user/info", "lenabakes", ["open_id", "shoe_size"])
        assert "shoe_size" in errored(r, 400, "invalid_params")["message"]

    async def test_a_token_names_its_user_or_the_first_demo_account(self, emu: Emu) -> None:
        first = emu.world.creators("tiktok")[0]
        r = await display(emu, "user/info", "someone-else", ["username"])
        assert r.json()["data"]["user"]["username"] == first.handle
        r = await display(emu, "user/info", "pixelpilot!device-2", ["username"])
        assert r.json()["data"]["user"]["username"] == "pixelpilot"

    @pytest.mark.parametrize(
        ("headers", "code"),
        [
            ({}, "access_token_invalid"),
            ({"Authorization": "Bearer nonsense"}, "access_token_invalid"),
            ({"Authorization": "Bearer act.expired-123"}, "access_token_expired"),
            ({"Authorization": "Bearer clt.abc"}, "scope_not_authorized"),
        ],
    )
    async def test_tokens(self, emu: Emu, headers: dict[str, str], code: str) -> None:
        r = await display(emu, "user/info", "x", ["open_id"], headers=headers)
        errored(r, 401, code)


class TestDisplayVideos:
    async def test_list_pages_newest_first_by_cursor(self, emu: Emu) -> None:
        c = emu.world.creators("tiktok")[1]
        seen: list[str] = []
        body: dict[str, Any] = {"max_count": 20}
        for _ in range(3):
            r = await display(emu, "video/list", c.handle, DISPLAY_VIDEO_FIELDS, body)
            assert_valid(display_videos(listing=True), r.json())
            data = r.json()["data"]
            assert len(data["videos"]) == 20
            assert data["has_more"] is True
            seen += [v["id"] for v in data["videos"]]
            body = {"max_count": 20, "cursor": data["cursor"]}
        assert seen == [p.social_id for p in emu.world.posts(c, limit=60) if p.privacy == "public"]
        times = [int(v) >> 32 for v in seen]
        assert times == sorted(times, reverse=True)  # the id carries its creation second

    async def test_videos_match_the_world(self, emu: Emu) -> None:
        c = emu.world.creators("tiktok")[4]
        r = await display(emu, "video/list", c.handle, DISPLAY_VIDEO_FIELDS, {"max_count": 5})
        now = emu.world.now_ms()
        for v in r.json()["data"]["videos"]:
            p = emu.world.post_by_id("tiktok", v["id"])
            assert p is not None
            st = emu.world.post_stats(p, now)
            assert (v["view_count"], v["like_count"], v["comment_count"], v["share_count"]) == (
                st.views,
                st.likes,
                st.comments,
                st.shares,
            )
            assert v["create_time"] == p.published_ms // 1000 == int(v["id"]) >> 32
            assert (v["video_description"], v["title"]) == (p.text, p.title)

    async def test_photo_mode_posts_have_no_length_and_a_photo_link(self, emu: Emu) -> None:
        for c in emu.world.creators("tiktok")[:40]:
            photos = [p for p in emu.world.posts(c, limit=20) if p.kind == "slideshow"]
            if photos:
                break
        else:
            pytest.fail("no photo-mode post among the first accounts")
        r = await display(
            emu,
            "video/query",
            c.handle,
            DISPLAY_VIDEO_FIELDS,
            {"filters": {"video_ids": [photos[0].social_id]}},
        )
        [v] = r.json()["data"]["videos"]
        assert v["duration"] == 0
        assert f"/@{c.handle}/photo/{photos[0].social_id}" in v["share_url"]
        video = next(p for p in emu.world.posts(c, limit=40) if p.kind == "video")
        r = await display(
            emu, "video/query", c.handle, DISPLAY_VIDEO_FIELDS, {"filters": {"video_ids": [video.social_id]}}
        )
        [v] = r.json()["data"]["videos"]
        assert v["duration"] > 0
        assert "/video/" in v["share_url"]

    async def test_max_count_is_at_most_20(self, emu: Emu) -> None:
        r = await display(emu, "video/list", "lenabakes", DISPLAY_VIDEO_FIELDS, {"max_count": 21})
        errored(r, 400, "invalid_params")

    async def test_query_takes_20_ids_and_leaves_out_others(self, emu: Emu) -> None:
        world = emu.world
        c, other = world.creators("tiktok")[1], world.creators("tiktok")[2]
        mine = [p.social_id for p in world.posts(c, limit=18)]
        theirs = world.posts(other, limit=1)[0].social_id
        ids = [*mine, theirs, world.special_post("tiktok", "not_found")]
        r = await display(emu, "video/query", c.handle, DISPLAY_VIDEO_FIELDS, {"filters": {"video_ids": ids}})
        assert_valid(display_videos(listing=False), r.json())
        assert [v["id"] for v in r.json()["data"]["videos"]] == mine
        r = await display(
            emu, "video/query", c.handle, DISPLAY_VIDEO_FIELDS, {"filters": {"video_ids": [*ids, "7" * 19]}}
        )
        assert "20" in errored(r, 400, "invalid_params")["message"]


# ---------------------------------------------------------------------------- Research API


class TestResearchUserInfo:
    async def test_matches_the_reference_and_the_world(self, emu: Emu) -> None:
        c = emu.world.creators("tiktok")[5]
        r = await research(emu, "user/info", RESEARCH_USER_FIELDS, {"username": c.handle.upper()})
        assert r.status_code == 200, r.text
        assert_valid(envelope(item("research.user", RESEARCH_USER_FIELDS)), r.json())
        data = r.json()["data"]
        stats = emu.world.stats(c)
        assert (data["display_name"], data["follower_count"], data["video_count"]) == (
            c.display_name,
            stats.followers,
            stats.posts,
        )

    @pytest.mark.parametrize(
        ("kind", "says"), [("not_found", "does not exist"), ("private", "private"), ("suspended", "banned")]
    )
    async def test_unknown_private_and_banned_accounts(self, emu: Emu, kind: str, says: str) -> None:
        r = await research(
            emu, "user/info", RESEARCH_USER_FIELDS, {"username": emu.world.special("tiktok", kind)}
        )
        assert says in errored(r, 400, "invalid_params")["message"]

    async def test_needs_a_client_token(self, emu: Emu) -> None:
        r = await research(
            emu, "user/info", RESEARCH_USER_FIELDS, {"username": "lenabakes"}, headers=act("x")
        )
        errored(r, 401, "scope_not_authorized")
        r = await research(
            emu,
            "user/info",
            RESEARCH_USER_FIELDS,
            {"username": "lenabakes"},
            headers={"Authorization": "Bearer clt.expired"},
        )
        errored(r, 401, "access_token_expired")


class TestResearchVideoQuery:
    async def test_by_username_matches_the_reference_and_the_world(self, emu: Emu) -> None:
        c = emu.world.creators("tiktok")[0]
        r = await research(emu, "video/query", RESEARCH_VIDEO_FIELDS, query(c.handle))
        assert r.status_code == 200, r.text
        assert_valid(research_videos(), r.json())
        data = r.json()["data"]
        expected = public_recent(emu, c)
        assert [str(v["id"]) for v in data["videos"]] == [p.social_id for p in expected]
        assert data["has_more"] is False
        now = emu.world.now_ms()
        for v, p in zip(data["videos"], expected, strict=True):
            st = emu.world.post_stats(p, now)
            assert (v["view_count"], v["like_count"], v["comment_count"], v["share_count"]) == (
                st.views,
                st.likes,
                st.comments,
                st.shares,
            )
            assert v["favorites_count"] == st.saves
            assert v["username"] == c.handle
            assert v["hashtag_names"] == list(p.hashtags)
            assert v["video_duration"] == (0 if p.kind == "slideshow" else p.duration_s)

    async def test_in_works_like_eq(self, emu: Emu) -> None:
        c = emu.world.creators("tiktok")[0]
        body = query(c.handle)
        body["query"]["and"][0].update(operation="IN")
        eq = await research(emu, "video/query", ["id"], query(c.handle))
        in_ = await research(emu, "video/query", ["id"], body)
        assert eq.json()["data"]["videos"] == in_.json()["data"]["videos"]

    async def test_pages_with_cursor_and_search_id(self, emu: Emu) -> None:
        c = emu.world.creators("tiktok")[0]
        first = await research(emu, "video/query", ["id"], query(c.handle, max_count=10))
        data = first.json()["data"]
        assert (data["has_more"], data["cursor"]) == (True, 10)
        second = await research(
            emu, "video/query", ["id"], query(c.handle, max_count=10, cursor=10, search_id=data["search_id"])
        )
        ids = [v["id"] for v in data["videos"] + second.json()["data"]["videos"]]
        assert [str(i) for i in ids] == [p.social_id for p in public_recent(emu, c)][:20]
        bad = await research(emu, "video/query", ["id"], query(c.handle, cursor=10, search_id="123"))
        errored(bad, 400, "invalid_params")

    async def test_by_video_id_leaves_out_missing_and_private(self, emu: Emu) -> None:
        world = emu.world
        c = world.creators("tiktok")[3]
        wanted = [p.social_id for p in public_recent(emu, c)][:5]
        ids = [*wanted, world.special_post("tiktok", "private"), world.special_post("tiktok", "not_found")]
        r = await research(emu, "video/query", RESEARCH_VIDEO_FIELDS, query(ids=ids))
        assert_valid(research_videos(), r.json())
        assert sorted(str(v["id"]) for v in r.json()["data"]["videos"]) == sorted(wanted)

    async def test_videos_outside_the_window_are_left_out(self, emu: Emu) -> None:
        c = emu.world.creators("tiktok")[3]
        old = emu.world.posts(c, limit=300)[-1]
        r = await research(emu, "video/query", ["id"], query(ids=[old.social_id]))
        assert r.json()["data"]["videos"] == []

    @pytest.mark.parametrize(
        "change",
        [
            {"start_date": None},
            {"end_date": "2026-06-01"},
            {"start_date": "20260401"},  # 61 days
            {"start_date": "20260602"},  # after end_date
            {"max_count": 101},
            {"query": {"and": [{"operation": "GT", "field_name": "username", "field_values": ["x"]}]}},
        ],
    )
    async def test_invalid_queries(self, emu: Emu, change: dict[str, Any]) -> None:
        body = {**query("lenabakes"), **change}
        r = await research(emu, "video/query", ["id"], {k: v for k, v in body.items() if v is not None})
        errored(r, 400, "invalid_params")


class TestResearchComments:
    async def test_top_comments_match_the_reference_and_the_world(self, emu: Emu) -> None:
        world = emu.world
        now = world.now_ms()
        p = next(
            p
            for c in world.creators("tiktok")[:30]
            for p in world.posts(c, limit=30)
            if p.privacy == "public" and world.comment_count(p, now) > 15
        )
        body = {"video_id": int(p.social_id), "max_count": 10, "cursor": 0}
        r = await research(emu, "video/comment/list", RESEARCH_COMMENT_FIELDS, body)
        assert r.status_code == 200, r.text
        assert_valid(research_comments(), r.json())
        data = r.json()["data"]
        likes = [c["like_count"] for c in data["comments"]]
        assert likes == sorted(likes, reverse=True)
        assert (data["cursor"], data["has_more"]) == (10, True)
        everything = await research(
            emu, "video/comment/list", RESEARCH_COMMENT_FIELDS, {"video_id": p.social_id, "max_count": 100}
        )
        rows = everything.json()["data"]["comments"]
        assert len(rows) == min(100, world.comment_count(p, now))
        ids = {c["id"] for c in rows}
        for c in rows:
            assert c["video_id"] == int(p.social_id)
            assert c["parent_comment_id"] == int(p.social_id) or c["reply_count"] == 0
        assert any(c["parent_comment_id"] in ids for c in rows) or len(rows) < 10

    async def test_limits_and_missing_videos(self, emu: Emu) -> None:
        p = emu.world.posts(emu.world.creators("tiktok")[0], limit=1)[0]
        r = await research(
            emu, "video/comment/list", ["id"], {"video_id": p.social_id, "max_count": 100, "cursor": 950}
        )
        errored(r, 400, "invalid_params")
        r = await research(
            emu, "video/comment/list", ["id"], {"video_id": emu.world.special_post("tiktok", "private")}
        )
        assert "not public" in errored(r, 400, "invalid_params")["message"]


# ---------------------------------------------------------------------------- OAuth


class TestOAuth:
    async def test_client_credentials(self, emu: Emu) -> None:
        form = {"client_key": "k", "client_secret": "s", "grant_type": "client_credentials"}
        r = await emu.client.post("/tiktok/v2/oauth/token/", data=form)
        assert r.status_code == 200
        assert_valid(CLIENT_TOKEN, r.json())
        token = r.json()["access_token"]
        ok = await research(
            emu,
            "user/info",
            ["display_name"],
            {"username": "lenabakes"},
            {"Authorization": f"Bearer {token}"},
        )
        assert ok.status_code == 200
        await emu.patch(clock_offset_s=r.json()["expires_in"])  # the token's two hours are over
        late = await research(
            emu,
            "user/info",
            ["display_name"],
            {"username": "lenabakes"},
            {"Authorization": f"Bearer {token}"},
        )
        errored(late, 401, "access_token_expired")

    async def test_refresh_token(self, emu: Emu) -> None:
        form = {
            "client_key": "k",
            "client_secret": "s",
            "grant_type": "refresh_token",
            "refresh_token": "rft.pixelpilot",
        }
        r = await emu.client.post("/tiktok/v2/oauth/token/", data=form)
        assert_valid(USER_TOKEN, r.json())
        token = r.json()["access_token"]
        user = await display(emu, "user/info", "", ["username"], headers={"Authorization": f"Bearer {token}"})
        assert user.json()["data"]["user"]["username"] == "pixelpilot"

    @pytest.mark.parametrize(
        ("form", "status", "code"),
        [
            (
                {"client_key": "invalid", "client_secret": "s", "grant_type": "client_credentials"},
                401,
                "invalid_client",
            ),
            ({"client_key": "k", "grant_type": "client_credentials"}, 401, "invalid_client"),
            (
                {
                    "client_key": "k",
                    "client_secret": "s",
                    "grant_type": "refresh_token",
                    "refresh_token": "rft.expired",
                },
                400,
                "invalid_grant",
            ),
            (
                {"client_key": "k", "client_secret": "s", "grant_type": "password"},
                400,
                "unsupported_grant_type",
            ),
        ],
    )
    async def test_refusals(self, emu: Emu, form: dict[str, str], status: int, code: str) -> None:
        r = await emu.client.post("/tiktok/v2/oauth/token/", data=form)
        assert r.status_code == status
        assert_valid(OAUTH_ERROR, r.json())
        assert r.json()["error"] == code


# ---------------------------------------------------------------------------- the gate


class TestGate:
    async def test_calls_are_counted_by_endpoint(self, emu: Emu) -> None:
        await display(emu, "user/info", "lenabakes", ["open_id"])
        await research(emu, "user/info", ["display_name"], {"username": "lenabakes"})
        calls = (await emu.client.get("/_emulator/calls")).json()["by_endpoint"]
        assert calls == {"tiktok.user.info": 1, "tiktok.research.user.info": 1}
        world = (await emu.client.get("/_emulator/world/tiktok", params={"limit": 1})).json()
        assert (world["served"], world["base_path"]) == (True, "/tiktok")

    async def test_rate_limit(self, make_emu: MakeEmu) -> None:
        emu = await make_emu(rate_limit_per_s=1)
        assert (await display(emu, "user/info", "lenabakes", ["open_id"])).status_code == 200
        r = await display(emu, "user/info", "lenabakes", ["open_id"])
        errored(r, 429, "rate_limit_exceeded")
        assert "retry-after" not in r.headers  # TikTok documents no rate-limit headers

    @pytest.mark.parametrize(
        ("fault", "status", "code"), [("500", 500, "internal_error"), ("429", 429, "rate_limit_exceeded")]
    )
    async def test_faults(self, make_emu: MakeEmu, fault: str, status: int, code: str) -> None:
        emu = await make_emu(fault_rate=1.0, faults=(fault,))
        errored(await research(emu, "user/info", ["display_name"], {"username": "lenabakes"}), status, code)
