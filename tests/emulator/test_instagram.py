"""Instagram, both views: answers match the field names of reference sections 2 and 3 (written
below as JSON Schemas, since shared/ has no machine-readable spec for Instagram); errors,
insights and retired metrics, the web view's own limit, and the ids tying the views together."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import jsonschema
import pytest

from socialpulse.emulator.instagram import (
    OWN_IG_USER_ID,
    WEB_APP_ID,
    WebThrottle,
    graph_media_id,
    graph_user_id,
    media_pk,
    numbers,
    parse_fields,
    permalink,
)
from tests.emulator.conftest import Emu, MakeEmu
from tests.emulator.specs import assert_valid

GRAPH = "/graph/v22.0"
WEB = "/instagram-web"
TOKEN = {"Authorization": "Bearer test-token"}
WEB_HEADERS = {"x-ig-app-id": WEB_APP_ID, "User-Agent": "Mozilla/5.0"}
PROFILE_FIELDS = (
    "id,username,name,biography,website,profile_picture_url,followers_count,follows_count,media_count"
)
MEDIA_FIELDS = "id,caption,media_type,media_product_type,permalink,timestamp,like_count,comments_count"

# ----------------------------------------------------------------------------- schemas
# Closed objects (a misspelt field fails). Field names and nesting from reference section 2
# (Graph: Business Discovery, IG Media fields, insights, comments, the error envelope) and
# section 3 (web_profile_info's data.user and its timeline nodes, the app API's comments).

DIGITS = {"type": "string", "pattern": r"^[0-9]+$"}
COUNT = {"type": "integer", "minimum": 0}
URL = {"type": "string", "pattern": r"^https://"}
GRAPH_TIME = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$"}
CURSORS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"before": {"type": "string"}, "after": {"type": "string"}},
}
PAGING = {
    "type": "object",
    "additionalProperties": False,
    "required": ["cursors"],
    "properties": {"cursors": CURSORS, "next": {"type": "string"}},
}


def closed(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": required, "properties": properties}


IG_MEDIA = closed(
    {
        "id": DIGITS,
        "caption": {"type": "string"},
        "media_type": {"enum": ["IMAGE", "VIDEO", "CAROUSEL_ALBUM"]},
        "media_product_type": {"enum": ["FEED", "REELS", "STORY", "AD"]},
        "permalink": {"type": "string", "pattern": r"^https://www\.instagram\.com/(p|reel)/[A-Za-z0-9_-]+/$"},
        "timestamp": GRAPH_TIME,
        "like_count": COUNT,
        "comments_count": COUNT,
        "shortcode": {"type": "string"},
        "media_url": URL,
        "thumbnail_url": URL,
        "username": {"type": "string"},
    },
    ["id"],
)
BUSINESS_DISCOVERY = closed(
    {
        "business_discovery": closed(
            {
                "id": DIGITS,
                "username": {"type": "string"},
                "name": {"type": "string"},
                "biography": {"type": "string"},
                "website": URL,
                "profile_picture_url": URL,
                "followers_count": COUNT,
                "follows_count": COUNT,
                "media_count": COUNT,
                "media": closed({"data": {"type": "array", "items": IG_MEDIA}, "paging": PAGING}, ["data"]),
            },
            ["id"],
        ),
        "id": DIGITS,
    },
    ["business_discovery", "id"],
)
OWN_MEDIA = closed({"data": {"type": "array", "items": IG_MEDIA}, "paging": PAGING}, ["data", "paging"])
INSIGHT = closed(
    {
        "name": {"type": "string"},
        "period": {"enum": ["day", "week", "days_28", "lifetime"]},
        "values": {
            "type": "array",
            "items": closed({"value": COUNT, "end_time": GRAPH_TIME}, ["value"]),
        },
        "total_value": closed({"value": COUNT}, ["value"]),
        "title": {"type": "string"},
        "description": {"type": "string"},
        "id": {"type": "string", "pattern": r"^[0-9]+/insights/[a-z_]+/(day|week|days_28|lifetime)$"},
    },
    ["name", "period", "title", "id"],
)
INSIGHTS = closed({"data": {"type": "array", "items": INSIGHT}}, ["data"])
GRAPH_COMMENT = closed(
    {
        "id": DIGITS,
        "text": {"type": "string"},
        "timestamp": GRAPH_TIME,
        "username": {"type": "string"},
        "like_count": COUNT,
    },
    ["id"],
)
GRAPH_COMMENTS = closed({"data": {"type": "array", "items": GRAPH_COMMENT}, "paging": PAGING}, ["data"])
GRAPH_ERROR = closed(
    {
        "error": closed(
            {
                "message": {"type": "string"},
                "type": {"const": "OAuthException"},
                "is_transient": {"type": "boolean"},
                "code": {"type": "integer"},
                "error_subcode": {"type": "integer"},
                "error_user_title": {"type": "string"},
                "error_user_msg": {"type": "string"},
                "fbtrace_id": {"type": "string"},
            },
            ["message", "type", "code", "fbtrace_id"],
        )
    },
    ["error"],
)

# web: the keys of reference section 3 (instaloader's JSON paths) and the ones the task names
# (bio_links, category_name, __typename, product_type, the caption path, id), then the few
# further keys instaloader's structures read (marked "also read by instaloader")
EDGE_COUNT = closed({"count": COUNT}, ["count"])
PAGE_INFO = closed(
    {"has_next_page": {"type": "boolean"}, "end_cursor": {"type": ["string", "null"]}},
    ["has_next_page", "end_cursor"],
)
TIMELINE_NODE = closed(
    {
        "__typename": {"enum": ["GraphImage", "GraphSidecar", "GraphVideo"]},
        "id": DIGITS,
        "shortcode": {"type": "string", "pattern": r"^[A-Za-z0-9_-]{11}$"},
        "is_video": {"type": "boolean"},
        "taken_at_timestamp": COUNT,
        "edge_media_preview_like": EDGE_COUNT,
        "edge_liked_by": EDGE_COUNT,
        "edge_media_to_comment": EDGE_COUNT,
        "edge_media_to_caption": closed(
            {
                "edges": {
                    "type": "array",
                    "items": closed({"node": closed({"text": {"type": "string"}}, ["text"])}, ["node"]),
                }
            },
            ["edges"],
        ),
        "video_view_count": COUNT,
        "video_play_count": COUNT,
        "product_type": {"enum": ["clips", "feed", "igtv"]},
        # also read by instaloader
        "dimensions": closed({"height": COUNT, "width": COUNT}, ["height", "width"]),
        "display_url": URL,
        "thumbnail_src": URL,
        "video_url": URL,
        "video_duration": {"type": "number"},
        "owner": closed({"id": DIGITS, "username": {"type": "string"}}, ["id"]),
        "comments_disabled": {"type": "boolean"},
        "location": {"type": "null"},
        "edge_media_to_tagged_user": closed({"edges": {"type": "array"}}, ["edges"]),
        "edge_sidecar_to_children": closed(
            {
                "edges": {
                    "type": "array",
                    "items": closed(
                        {
                            "node": closed(
                                {
                                    "__typename": {"enum": ["GraphImage", "GraphVideo"]},
                                    "id": DIGITS,
                                    "is_video": {"type": "boolean"},
                                    "display_url": URL,
                                },
                                ["__typename", "id", "is_video"],
                            )
                        },
                        ["node"],
                    ),
                }
            },
            ["edges"],
        ),
    },
    ["__typename", "id", "shortcode", "is_video", "taken_at_timestamp", "edge_media_to_comment"],
)
TIMELINE = closed(
    {
        "count": COUNT,
        "page_info": PAGE_INFO,
        "edges": {"type": "array", "items": closed({"node": TIMELINE_NODE}, ["node"])},
    },
    ["count", "page_info", "edges"],
)
WEB_USER = closed(
    {
        "id": DIGITS,
        "username": {"type": "string"},
        "full_name": {"type": "string"},
        "biography": {"type": "string"},
        "is_private": {"type": "boolean"},
        "is_verified": {"type": "boolean"},
        "is_business_account": {"type": "boolean"},
        "business_category_name": {"type": ["string", "null"]},
        "category_name": {"type": ["string", "null"]},
        "external_url": {"type": ["string", "null"]},
        "bio_links": {
            "type": "array",
            "items": closed(
                {
                    "title": {"type": "string"},
                    "lynx_url": {"type": "string"},
                    "url": {"type": "string"},
                    "link_type": {"type": "string"},
                },
                ["url"],
            ),
        },
        "profile_pic_url": URL,
        "profile_pic_url_hd": URL,
        "edge_followed_by": EDGE_COUNT,
        "edge_follow": EDGE_COUNT,
        "edge_owner_to_timeline_media": TIMELINE,
        "edge_felix_video_timeline": TIMELINE,
        # also read by instaloader
        "is_professional_account": {"type": "boolean"},
        "highlight_reel_count": COUNT,
    },
    [
        "id",
        "username",
        "full_name",
        "biography",
        "is_private",
        "edge_followed_by",
        "edge_follow",
        "edge_owner_to_timeline_media",
    ],
)
WEB_PROFILE = closed(
    {
        "data": closed({"user": {"anyOf": [WEB_USER, {"type": "null"}]}}, ["user"]),
        "status": {"const": "ok"},
    },
    ["data", "status"],
)
WEB_COMMENT = {
    "type": "object",
    "required": ["pk", "text", "created_at", "user", "comment_like_count", "child_comment_count"],
    "properties": {
        "pk": DIGITS,
        "text": {"type": "string"},
        "created_at": COUNT,
        "created_at_utc": COUNT,
        "user": {
            "type": "object",
            "required": ["pk", "username"],
            "properties": {"pk": DIGITS, "username": {"type": "string"}},
        },
        "comment_like_count": COUNT,
        "child_comment_count": COUNT,
    },
}
WEB_COMMENTS = {
    "type": "object",
    "required": ["comments", "comment_count", "has_more_comments", "status"],
    "properties": {
        "comments": {"type": "array", "items": WEB_COMMENT},
        "comment_count": COUNT,
        "has_more_comments": {"type": "boolean"},
        "next_min_id": {"type": "string"},
        "status": {"const": "ok"},
    },
}
WEB_FAIL = closed(
    {"message": {"type": "string"}, "require_login": {"type": "boolean"}, "status": {"const": "fail"}},
    ["message", "status"],
)


def check(schema: dict[str, Any], body: object) -> None:
    assert_valid(jsonschema.Draft202012Validator(schema), body)


# ----------------------------------------------------------------------------- helpers


async def graph(emu: Emu, path: str, token: str | None = "test-token", **params: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await emu.client.get(f"{GRAPH}/{path}", params=params, headers=headers)


async def discover(emu: Emu, username: str, media: str = "media.limit(5)") -> httpx.Response:
    fields = f"business_discovery.username({username}){{{PROFILE_FIELDS},{media}{{{MEDIA_FIELDS}}}}}"
    return await graph(emu, OWN_IG_USER_ID, fields=fields)


async def web_profile(emu: Emu, username: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return await emu.client.get(
        f"{WEB}/api/v1/users/web_profile_info/",
        params={"username": username},
        headers=WEB_HEADERS if headers is None else headers,
    )


def graph_code(r: httpx.Response) -> tuple[int, int | None]:
    err = r.json()["error"]
    return err["code"], err.get("error_subcode")


def own(emu: Emu) -> Any:
    return emu.world.creators("instagram")[0]


# ----------------------------------------------------------------------------- Graph


class TestFieldParsing:
    def test_nested_expansion(self) -> None:
        [bd] = parse_fields("business_discovery.username(a.b){id,media.after(QVFI).limit(5){id,like_count}}")
        assert (bd.name, bd.mods) == ("business_discovery", {"username": "a.b"})
        assert bd.sub is not None
        assert [s.name for s in bd.sub] == ["id", "media"]
        media = bd.sub[1]
        assert media.mods == {"after": "QVFI", "limit": "5"}
        assert [s.name for s in media.sub or []] == ["id", "like_count"]

    @pytest.mark.parametrize("raw", ["a,", "a{b", "a.limit", "a.limit(5", "{a}", "a}b"])
    def test_malformed(self, raw: str) -> None:
        with pytest.raises(ValueError):  # noqa: PT011  (the message varies)
            parse_fields(raw)


class TestBusinessDiscovery:
    async def test_matches_the_reference_and_the_world(self, emu: Emu) -> None:
        world = emu.world
        now = world.now_ms()
        for c in world.creators("instagram")[:5]:
            r = await discover(emu, c.handle)
            assert r.status_code == 200, r.text
            body = r.json()
            check(BUSINESS_DISCOVERY, body)
            assert body["id"] == OWN_IG_USER_ID
            bd = body["business_discovery"]
            stats = world.stats(c, now)
            assert bd["id"] == graph_user_id(world, c)
            assert bd["id"] != c.platform_id  # the Graph's ig-user-id is not the web's id
            assert (bd["username"], bd["followers_count"], bd["follows_count"], bd["media_count"]) == (
                c.handle,
                stats.followers,
                stats.following,
                stats.posts,
            )
            posts = world.posts(c, limit=5)
            assert [m["id"] for m in bd["media"]["data"]] == [graph_media_id(p) for p in posts]
            for m, p in zip(bd["media"]["data"], posts, strict=True):
                n = numbers(world, p, now)
                assert m["permalink"] == permalink(p)
                assert m["comments_count"] == n.comments
                assert m.get("like_count", n.likes) == n.likes
                expected = {"reel": ("VIDEO", "REELS"), "carousel": ("CAROUSEL_ALBUM", "FEED")}
                assert (m["media_type"], m["media_product_type"]) == expected.get(p.kind, ("IMAGE", "FEED"))
        assert graph_user_id(world, own(emu)) == OWN_IG_USER_ID

    async def test_media_pages(self, emu: Emu) -> None:
        c = emu.world.creators("instagram")[1]
        first = (await discover(emu, c.handle, "media.limit(3)")).json()["business_discovery"]["media"]
        after = first["paging"]["cursors"]["after"]
        second = (await discover(emu, c.handle, f"media.after({after}).limit(3)")).json()
        page = second["business_discovery"]["media"]["data"]
        assert [m["id"] for m in page] == [graph_media_id(p) for p in emu.world.posts(c, limit=6)[3:]]

    async def test_only_business_and_creator_accounts(self, emu: Emu) -> None:
        world = emu.world
        from socialpulse.emulator.instagram import account_type

        personal = next(c for c in world.creators("instagram") if account_type(world, c) == "PERSONAL")
        for name in (personal.handle, "privatevault", "nosuchuser404", "suspendeduser"):
            r = await discover(emu, name)
            assert r.status_code == 400
            check(GRAPH_ERROR, r.json())
            assert graph_code(r) == (110, 2207013)
            assert r.json()["error"]["error_user_title"] == "Cannot find User"

    async def test_own_fields_and_unknown_fields(self, emu: Emu) -> None:
        r = await graph(emu, OWN_IG_USER_ID, fields="username,followers_count")
        assert r.json() == {
            "username": "lenabakes",
            "followers_count": emu.world.stats(own(emu)).followers,
            "id": OWN_IG_USER_ID,
        }
        r = await graph(emu, OWN_IG_USER_ID, fields="username,impressions_count")
        assert graph_code(r) == (100, None)
        assert "nonexisting field (impressions_count)" in r.json()["error"]["message"]
        other = graph_user_id(emu.world, emu.world.creators("instagram")[2])
        r = await graph(emu, other, fields="username")
        assert graph_code(r) == (100, 33)


class TestMedia:
    async def test_own_media_listing_and_multi_id_read(self, emu: Emu) -> None:
        world = emu.world
        r = await graph(emu, f"{OWN_IG_USER_ID}/media", fields=MEDIA_FIELDS, limit=4)
        check(OWN_MEDIA, r.json())
        ids = [m["id"] for m in r.json()["data"]]
        assert ids == [graph_media_id(p) for p in world.posts(own(emu), limit=4)]
        assert r.json()["paging"]["next"].endswith("after=" + r.json()["paging"]["cursors"]["after"])
        other = graph_media_id(world.posts(world.creators("instagram")[1], limit=1)[0])
        r = await graph(
            emu, "", ids=",".join([*ids, other, "17" + "0" * 20]), fields="like_count,comments_count"
        )
        assert list(r.json()) == ids  # others' media and unknown ids are left out
        for mid, p in zip(ids, world.posts(own(emu), limit=4), strict=True):
            n = numbers(world, p, world.now_ms())
            assert r.json()[mid] == {"like_count": n.likes, "comments_count": n.comments, "id": mid}
        r = await graph(emu, "", ids="abc", fields="id")
        assert graph_code(r) == (803, None)
        too_many = ",".join(str(10**17 + i) for i in range(51))
        assert (await graph(emu, "", ids=too_many)).status_code == 400


class TestInsights:
    async def test_account_insights(self, emu: Emu) -> None:
        metrics = "reach,views,accounts_engaged,total_interactions,profile_views"
        r = await graph(
            emu, f"{OWN_IG_USER_ID}/insights", metric=metrics, period="day", metric_type="total_value"
        )
        assert r.status_code == 200, r.text
        check(INSIGHTS, r.json())
        data = r.json()["data"]
        assert [d["name"] for d in data] == metrics.split(",")
        assert all("total_value" in d and d["period"] == "day" for d in data)
        assert data[0]["id"] == f"{OWN_IG_USER_ID}/insights/reach/day"
        r = await graph(emu, f"{OWN_IG_USER_ID}/insights", metric="follower_count", period="day")
        check(INSIGHTS, r.json())
        [series] = r.json()["data"]
        assert len(series["values"]) == 2
        assert all(v["end_time"].endswith("T07:00:00+0000") for v in series["values"])
        r = await graph(emu, f"{OWN_IG_USER_ID}/insights", metric="views", period="day")
        assert "metric_type=total_value" in r.json()["error"]["message"]

    async def test_media_insights(self, emu: Emu) -> None:
        world = emu.world
        p = world.posts(own(emu), limit=3)[2]
        r = await graph(emu, f"{graph_media_id(p)}/insights", metric="reach,views,saved,shares")
        check(INSIGHTS, r.json())
        n = numbers(world, p, world.now_ms())
        values = {d["name"]: d["values"][0]["value"] for d in r.json()["data"]}
        assert values == {"reach": n.reach, "views": n.plays, "saved": n.saves, "shares": n.shares}
        assert {d["period"] for d in r.json()["data"]} == {"lifetime"}
        other = world.posts(world.creators("instagram")[1], limit=1)[0]
        r = await graph(emu, f"{graph_media_id(other)}/insights", metric="reach")
        assert graph_code(r) == (10, None)  # Business Discovery reads no insights of others
        r = await graph(
            emu, f"{graph_user_id(world, world.creators('instagram')[1])}/insights", metric="reach"
        )
        assert graph_code(r) == (10, None)

    async def test_retired_metrics_are_refused(self, make_emu: MakeEmu) -> None:
        emu = await make_emu(retire_metrics=("saved", "profile_views"))
        p = emu.world.posts(own(emu), limit=1)[0]
        r = await graph(emu, f"{graph_media_id(p)}/insights", metric="reach,saved")
        assert r.status_code == 400
        check(GRAPH_ERROR, r.json())
        message = r.json()["error"]["message"]
        assert graph_code(r) == (100, None)
        assert message.startswith("(#100) metric[1] must be one of the following values: ")
        assert "saved" not in message.split(": ", 1)[1].split(", ")
        r = await graph(
            emu, f"{OWN_IG_USER_ID}/insights", metric="profile_views", period="day", metric_type="total_value"
        )
        assert "metric[0] must be one of" in r.json()["error"]["message"]
        for node, metric in ((graph_media_id(p), "impressions"), (OWN_IG_USER_ID, "impressions")):
            r = await graph(emu, f"{node}/insights", metric=f"reach,{metric}", period="day")
            assert graph_code(r) == (100, None)
            assert "The metric impressions is no longer supported" in r.json()["error"]["message"]
        await emu.patch(retire_metrics=[])
        assert (await graph(emu, f"{graph_media_id(p)}/insights", metric="reach,saved")).status_code == 200

    async def test_not_enough_viewers(self, make_emu: MakeEmu, emu: Emu) -> None:
        p = emu.world.posts(own(emu), limit=1)[0]
        fresh = await make_emu(frozen_at=p.published_at + timedelta(seconds=2))
        assert fresh.world.posts(own(fresh), limit=1)[0].social_id == p.social_id
        r = await graph(fresh, f"{graph_media_id(p)}/insights", metric="reach")
        assert graph_code(r) == (10, None)
        assert r.json()["error"]["message"] == "(#10) Not enough viewers for the media to show insights"


class TestComments:
    async def test_own_media_comments(self, emu: Emu) -> None:
        world = emu.world
        p = max(world.posts(own(emu), limit=10), key=lambda q: world.comment_count(q))
        r = await graph(
            emu, f"{graph_media_id(p)}/comments", fields="id,text,timestamp,username,like_count", limit=5
        )
        check(GRAPH_COMMENTS, r.json())
        assert len(r.json()["data"]) == 5
        after = r.json()["paging"]["cursors"]["after"]
        more = await graph(emu, f"{graph_media_id(p)}/comments", fields="id", limit=5, after=after)
        assert not {c["id"] for c in more.json()["data"]} & {c["id"] for c in r.json()["data"]}
        other = world.posts(world.creators("instagram")[1], limit=1)[0]
        assert graph_code(await graph(emu, f"{graph_media_id(other)}/comments")) == (10, None)


class TestGraphErrors:
    async def test_tokens(self, emu: Emu) -> None:
        r = await graph(emu, OWN_IG_USER_ID, token=None, fields="username")
        assert graph_code(r) == (2500, None)
        r = await graph(emu, OWN_IG_USER_ID, token="expired-token", fields="username")
        check(GRAPH_ERROR, r.json())
        assert graph_code(r) == (190, 463)
        assert r.json()["error"]["message"].startswith("Error validating access token")
        r = await emu.client.get(f"{GRAPH}/{OWN_IG_USER_ID}", params={"fields": "id", "access_token": "tok"})
        assert r.status_code == 200

    async def test_rate_limit_and_faults(self, make_emu: MakeEmu) -> None:
        emu = await make_emu(rate_limit_per_s=1)
        assert (await graph(emu, OWN_IG_USER_ID, fields="id")).status_code == 200
        r = await graph(emu, OWN_IG_USER_ID, fields="id")
        assert graph_code(r) == (80002, None)
        usage = json.loads(r.headers["x-business-use-case-usage"])
        [entry] = usage[OWN_IG_USER_ID]
        assert entry["type"] == "instagram"
        assert entry["estimated_time_to_regain_access"] >= 1
        emu = await make_emu(fault_rate=1.0, faults=("429",))
        r = await graph(emu, OWN_IG_USER_ID, fields="id")
        assert graph_code(r) == (4, None)
        assert r.json()["error"]["message"] == "(#4) Application request limit reached"
        emu = await make_emu(fault_rate=1.0, faults=("500",))
        r = await graph(emu, OWN_IG_USER_ID, fields="id")
        assert (r.status_code, graph_code(r)) == (500, (1, None))

    async def test_every_answer_reports_usage(self, emu: Emu) -> None:
        r = await graph(emu, OWN_IG_USER_ID, fields="id")
        usage = json.loads(r.headers["x-business-use-case-usage"])
        assert set(usage[OWN_IG_USER_ID][0]) == {
            "type",
            "call_count",
            "total_cputime",
            "total_time",
            "estimated_time_to_regain_access",
        }

    async def test_unknown_paths(self, emu: Emu) -> None:
        r = await graph(emu, f"{OWN_IG_USER_ID}/stories/extra")
        assert graph_code(r) == (2500, None)


# ----------------------------------------------------------------------------- web


class TestWebProfile:
    async def test_matches_the_reference_and_the_world(self, emu: Emu) -> None:
        world = emu.world
        now = world.now_ms()
        kinds_seen: set[str] = set()
        for c in world.creators("instagram")[:8]:
            r = await web_profile(emu, c.handle)
            assert r.status_code == 200, r.text
            check(WEB_PROFILE, r.json())
            user = r.json()["data"]["user"]
            stats = world.stats(c, now)
            assert user["id"] == c.platform_id
            assert user["edge_followed_by"]["count"] == stats.followers
            assert user["edge_follow"]["count"] == stats.following
            timeline = user["edge_owner_to_timeline_media"]
            assert timeline["count"] == stats.posts
            posts = world.posts(c, limit=12)
            assert [e["node"]["shortcode"] for e in timeline["edges"]] == [p.social_id for p in posts]
            assert timeline["page_info"]["has_next_page"] is (stats.posts > 12)
            for e, p in zip(timeline["edges"], posts, strict=True):
                node, n = e["node"], numbers(world, p, now)
                kinds_seen.add(p.kind)
                assert node["id"] == str(media_pk(p.social_id))
                assert node["taken_at_timestamp"] == p.published_ms // 1000
                assert node["edge_media_preview_like"]["count"] == n.likes
                assert node["edge_media_to_comment"]["count"] == n.comments
                typename = {"carousel": "GraphSidecar", "reel": "GraphVideo"}.get(p.kind, "GraphImage")
                assert node["__typename"] == typename
                if p.kind == "reel":
                    assert (node["product_type"], node["video_view_count"]) == ("clips", n.views)
                    assert node["video_play_count"] == n.plays
                else:
                    assert "video_view_count" not in node
        assert kinds_seen == {"reel", "image", "carousel"}

    async def test_private_unknown_and_suspended(self, emu: Emu) -> None:
        r = await web_profile(emu, "privatevault")
        check(WEB_PROFILE, r.json())
        user = r.json()["data"]["user"]
        assert user["is_private"] is True
        assert user["edge_owner_to_timeline_media"]["edges"] == []
        assert user["edge_followed_by"]["count"] > 0
        r = await web_profile(emu, "nosuchuser404")
        assert r.status_code == 404
        check(WEB_FAIL, r.json())
        r = await web_profile(emu, "suspendeduser")
        assert r.json() == {"data": {"user": None}, "status": "ok"}

    async def test_needs_the_web_app_id(self, emu: Emu) -> None:
        r = await web_profile(emu, "lenabakes", headers={"User-Agent": "Mozilla/5.0"})
        assert r.status_code == 400
        assert r.json() == {"message": "useragent mismatch", "status": "fail"}


class TestWebComments:
    async def test_comments_and_pages(self, emu: Emu) -> None:
        world = emu.world
        p = max(world.posts(own(emu), limit=10), key=lambda q: world.comment_count(q))
        path = f"{WEB}/api/v1/media/{media_pk(p.social_id)}/comments/"
        params = {"can_support_threading": "true", "permalink_enabled": "false"}
        r = await emu.client.get(path, params=params, headers=WEB_HEADERS)
        assert r.status_code == 200, r.text
        check(WEB_COMMENTS, r.json())
        body = r.json()
        assert body["comment_count"] == world.comment_count(p)
        assert body["has_more_comments"] is True
        r2 = await emu.client.get(path, params={**params, "min_id": body["next_min_id"]}, headers=WEB_HEADERS)
        assert not {c["pk"] for c in r2.json()["comments"]} & {c["pk"] for c in body["comments"]}

    async def test_private_and_unknown_media(self, emu: Emu) -> None:
        private = emu.world.special_post("instagram", "private")
        r = await emu.client.get(f"{WEB}/api/v1/media/{media_pk(private)}/comments/", headers=WEB_HEADERS)
        assert r.json() == {"message": "Not authorized to view user", "status": "fail"}
        r = await emu.client.get(f"{WEB}/api/v1/media/12345/comments/", headers=WEB_HEADERS)
        assert r.status_code == 400
        check(WEB_FAIL, r.json())


class TestWebLimits:
    async def test_please_wait_then_the_login_page(self, emu: Emu) -> None:
        emu.app.state.instagram_web_throttle = WebThrottle(limit=2, window_s=600, strikes_before_login=2)
        statuses = [(await web_profile(emu, "lenabakes")).status_code for _ in range(6)]
        assert statuses == [200, 200, 401, 401, 302, 302]
        r = await web_profile(emu, "lenabakes")
        assert r.headers["location"].startswith(f"{WEB}/accounts/login/?next=")
        login = await emu.client.get(r.headers["location"])
        assert login.status_code == 200
        assert login.headers["content-type"].startswith("text/html")
        emu.app.state.instagram_web_throttle = WebThrottle(limit=0, strikes_before_login=5)
        r = await web_profile(emu, "lenabakes")
        assert r.status_code == 401
        assert r.json() == {
            "message": "Please wait a few minutes before you try again.",
            "require_login": True,
            "status": "fail",
        }

    async def test_window_frees_up(self, emu: Emu) -> None:
        throttle = WebThrottle(limit=1, window_s=0.0)
        emu.app.state.instagram_web_throttle = throttle
        for _ in range(3):
            assert (await web_profile(emu, "lenabakes")).status_code == 200
        assert throttle.refused == 0

    async def test_rate_limit_knob_and_faults(self, make_emu: MakeEmu) -> None:
        emu = await make_emu(rate_limit_per_s=1)
        assert (await web_profile(emu, "lenabakes")).status_code == 200
        r = await web_profile(emu, "lenabakes")
        assert r.status_code == 429
        check(WEB_FAIL, r.json())
        emu = await make_emu(fault_rate=1.0, faults=("500",))
        assert (await web_profile(emu, "lenabakes")).status_code == 500
        calls = (await emu.client.get("/_emulator/calls")).json()
        assert calls["by_endpoint"] == {"instagram.web.web_profile_info": 1}
        assert calls["faults"] == {"500": 1}


class TestIds:
    def test_media_ids(self, emu: Emu) -> None:
        p = emu.world.posts(own(emu), limit=1)[0]
        pk = media_pk(p.social_id)
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        assert pk == sum(alphabet.index(ch) * 64**i for i, ch in enumerate(reversed(p.social_id)))
        assert graph_media_id(p) != str(pk)
        assert graph_media_id(p).endswith(str(pk))
