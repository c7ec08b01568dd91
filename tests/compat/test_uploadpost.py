"""upload-post compatibility: every request example of upload-post's analytics document replayed,
every answer checked against a JSON Schema written from that document, every documented error,
the two post-analytics neighbours the vendor's clients call, and tenancy; on SQLite and
PostgreSQL.

The schemas follow the document's examples and field lists (upload-post-analytics-api.md) and,
for ``post-analytics?platform_post_id=`` and ``post-analytics/cached`` (not in the document),
the response types of upload-post's own clients (npm ``upload-post``'s ``index.d.ts``). The
numbers are checked twice: by hand on a synthetic history, and against the native analytics
endpoints they translate.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import jsonschema
import pytest
from sqlalchemy import insert

from socialpulse.auth.service import issue_jwt
from socialpulse.kit.time import start_of_day, utcnow
from socialpulse.models import AccountSnapshot, Post, PostGroup, PostGroupMember, PostSnapshot, User
from tests.conftest import Tenant
from tests.tracking.helpers import create_account, create_profile

# ---------------------------------------------------------------------------- schemas

DAY = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
NUMBER = {"type": "number"}
NUMBERS = {"type": "object", "additionalProperties": NUMBER}
STRINGS = {"type": "array", "items": {"type": "string"}}
LABELS = {"type": "object", "additionalProperties": {"type": "string"}}
UPLOAD_TIMESTAMP = {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"}
ISO_UTC = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$"}

PLATFORM_ANALYTICS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "followers": NUMBER,
        "impressions": NUMBER,
        "profileViews": NUMBER,
        "reach": NUMBER,
        "likes": NUMBER,
        "comments": NUMBER,
        "shares": NUMBER,
        "saves": NUMBER,
        "reach_timeseries": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"date": DAY, "value": NUMBER},
                "required": ["date", "value"],
                "additionalProperties": False,
            },
        },
        # the document's four values, and "none" for Bluesky (which reports no such number)
        "metric_type": {"enum": ["reach", "views", "impressions", "score", "none"]},
        "primary_impressions_field": {"type": "string"},
        "available_metrics": STRINGS,
        "metric_labels": LABELS,
    },
    "required": ["reach_timeseries"],
    "additionalProperties": False,
}
PLATFORM_UNAVAILABLE: dict[str, Any] = {
    "type": "object",
    "properties": {"success": {"const": False}, "message": {"type": "string", "minLength": 1}},
    "required": ["success", "message"],
    "additionalProperties": False,
}
PROFILE_ANALYTICS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": {"oneOf": [PLATFORM_ANALYTICS, PLATFORM_UNAVAILABLE]},
}


def _impressions(mode: str) -> dict[str, Any]:
    by_metric = {"type": "object", "additionalProperties": NUMBERS}
    per = NUMBERS if mode == "total_impressions" else by_metric
    return {
        "type": "object",
        "properties": {
            "success": {"const": True},
            "profile_username": {"type": "string"},
            "start_date": DAY,
            "end_date": DAY,
            mode: NUMBER if mode == "total_impressions" else NUMBERS,
            "platforms_filter": STRINGS,
            "per_platform": per,
            "per_day": per,
        },
        "required": ["success", "profile_username", "start_date", "end_date", mode],
        "additionalProperties": False,
    }


TOTAL_IMPRESSIONS = _impressions("total_impressions")
METRICS = _impressions("metrics")

POST_PLATFORM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "success": {"type": "boolean"},
        "platform_post_id": {"type": "string"},
        "post_url": {"type": "string"},
        "post_metrics": NUMBERS,
        "post_metrics_source": {"type": "string"},
        "post_metrics_error": {"type": "string"},
        "profile_snapshot_at_post_date": NUMBERS,
        "profile_snapshot_latest": NUMBERS,
        "profile_snapshot_latest_date": DAY,
        "error_message": {"type": "string"},  # a platform the post is not on (the clients' type)
    },
    "required": ["success"],
    "additionalProperties": False,
}
NULLABLE_TEXT = {"type": ["string", "null"]}
POST_CARD_PROPERTIES: dict[str, Any] = {
    "request_id": {"type": "string"},
    "profile_username": NULLABLE_TEXT,
    "post_title": NULLABLE_TEXT,
    "post_caption": NULLABLE_TEXT,
    "media_type": NULLABLE_TEXT,
    "upload_timestamp": UPLOAD_TIMESTAMP,
}
POST_ANALYTICS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "success": {"const": True},
        "post": {
            "type": "object",
            "properties": POST_CARD_PROPERTIES,
            "required": list(POST_CARD_PROPERTIES),
            "additionalProperties": False,
        },
        "platforms": {"type": "object", "additionalProperties": POST_PLATFORM},
    },
    "required": ["success", "post", "platforms"],
    "additionalProperties": False,
}
POST_BY_PLATFORM_ID = copy.deepcopy(POST_ANALYTICS)
POST_BY_PLATFORM_ID["properties"]["post"]["properties"]["request_id"] = NULLABLE_TEXT
POST_BY_PLATFORM_ID["properties"]["post"]["properties"]["source"] = {"enum": ["organic", "api_uploaded"]}
POST_BY_PLATFORM_ID["properties"]["post"]["required"].append("source")

CACHED_ROW: dict[str, Any] = {
    "type": "object",
    "properties": {
        "post_id": {"type": "string"},
        "platform": {"type": "string"},
        "profile_username": {"type": "string"},
        "date": DAY,
        "captured_at": ISO_UTC,
        "metrics": NUMBERS,
        "post_url": NULLABLE_TEXT,
        "media_type": NULLABLE_TEXT,
        "upload_timestamp": UPLOAD_TIMESTAMP,
    },
    "required": ["post_id", "platform", "profile_username", "date", "captured_at", "metrics"],
    "additionalProperties": False,
}
CACHED: dict[str, Any] = {
    "type": "object",
    "properties": {
        "success": {"const": True},
        "profile_username": {"type": "string"},
        "platform": NULLABLE_TEXT,
        "since": DAY,
        "until": DAY,
        "source": {"const": "snapshot_cache"},
        "posts": {"type": "array", "items": CACHED_ROW},
        "limit": {"type": "integer"},
        "next_cursor": NULLABLE_TEXT,
        "has_more": {"type": "boolean"},
    },
    "required": [
        "success",
        "profile_username",
        "platform",
        "since",
        "until",
        "source",
        "posts",
        "limit",
        "next_cursor",
        "has_more",
    ],
    "additionalProperties": False,
}
PLATFORM_METRICS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": {
        "type": "object",
        "properties": {
            "primary_impressions_field": {"type": "string"},
            "metric_type": {"type": "string"},
            "available_metrics": STRINGS,
            "metric_labels": LABELS,
        },
        "required": ["primary_impressions_field", "available_metrics", "metric_labels"],
        "additionalProperties": False,
    },
}
ERROR: dict[str, Any] = {
    "type": "object",
    "properties": {"success": {"const": False}, "message": {"type": "string", "minLength": 1}},
    "required": ["success", "message"],
    "additionalProperties": False,
}


def ok(r: httpx.Response, schema: dict[str, Any]) -> dict[str, Any]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = r.json()
    jsonschema.validate(body, schema)
    return body


def error(r: httpx.Response, status: int, *words: str) -> str:
    """The ``message`` of an error answer; checks status, shape and that it names ``words``."""
    assert r.status_code == status, r.text
    body = r.json()
    jsonschema.validate(body, ERROR)
    message: str = body["message"]
    for word in words:
        assert word in message, message
    return message


class TestSchemas:
    """The schemas accept the document's own examples, so they describe the same shapes."""

    def test_documented_examples_validate(self) -> None:
        series = [{"date": "2025-07-04", "value": 0}, {"date": "2025-08-02", "value": 0}]
        jsonschema.validate(
            {
                "instagram": {
                    "followers": 47,
                    "impressions": 0,
                    "profileViews": 0,
                    "reach": 0,
                    "reach_timeseries": series,
                }
            },
            PROFILE_ANALYTICS,
        )
        jsonschema.validate(
            {
                "success": True,
                "profile_username": "myprofile",
                "start_date": "2026-01-01",
                "end_date": "2026-01-31",
                "total_impressions": 45230,
                "per_platform": {"instagram": 12500, "youtube": 18730, "tiktok": 8000, "facebook": 6000},
                "per_day": {"2026-01-01": 1200, "2026-01-02": 1450, "2026-01-03": 980},
            },
            TOTAL_IMPRESSIONS,
        )
        jsonschema.validate(
            {
                "success": True,
                "profile_username": "myprofile",
                "start_date": "2026-02-13",
                "end_date": "2026-02-20",
                "total_impressions": 8523,
            },
            TOTAL_IMPRESSIONS,
        )
        jsonschema.validate(
            {
                "success": True,
                "profile_username": "myprofile",
                "start_date": "2026-01-21",
                "end_date": "2026-02-20",
                "metrics": {"likes": 4520, "comments": 312, "shares": 189},
                "per_platform": {
                    "likes": {"instagram": 2100, "youtube": 1200, "tiktok": 1220},
                    "comments": {"instagram": 150, "youtube": 80, "tiktok": 82},
                    "shares": {"instagram": 90, "youtube": 45, "tiktok": 54},
                },
                "per_day": {
                    "likes": {"2026-01-21": 150, "2026-01-22": 160},
                    "comments": {"2026-01-21": 10, "2026-01-22": 12},
                    "shares": {"2026-01-21": 6, "2026-01-22": 8},
                },
            },
            METRICS,
        )
        jsonschema.validate(
            {
                "success": True,
                "profile_username": "myprofile",
                "start_date": "2026-01-20",
                "end_date": "2026-02-19",
                "total_impressions": 26730,
                "platforms_filter": ["youtube", "tiktok"],
                "per_platform": {"youtube": 18730, "tiktok": 8000},
                "per_day": {"2026-01-20": 850, "2026-01-21": 920},
            },
            TOTAL_IMPRESSIONS,
        )
        snapshot = {"followers": 1500, "impressions": 45000, "likes": 320, "comments": 15, "shares": 8}
        jsonschema.validate(
            {
                "success": True,
                "post": {
                    "request_id": "abc123-def456",
                    "profile_username": "myprofile",
                    "post_title": "My Video",
                    "post_caption": "Check this out!",
                    "media_type": "video",
                    "upload_timestamp": "2026-02-10 14:30:00",
                },
                "platforms": {
                    "youtube": {
                        "success": True,
                        "platform_post_id": "dQw4w9WgXcQ",
                        "post_url": "https://youtube.com/watch?v=dQw4w9WgXcQ",
                        "post_metrics": {"views": 5200, "likes": 120, "comments": 8, "favorites": 3},
                        "post_metrics_source": "platform_api",
                        "profile_snapshot_at_post_date": snapshot,
                        "profile_snapshot_latest": snapshot,
                        "profile_snapshot_latest_date": "2026-02-20",
                    },
                    "tiktok": {
                        "success": True,
                        "platform_post_id": "7123456789",
                        "post_url": "https://tiktok.com/@user/video/7123456789",
                        "post_metrics_error": "TikTok video not found (ID: 7123456789).",
                        "profile_snapshot_at_post_date": snapshot,
                        "profile_snapshot_latest": snapshot,
                        "profile_snapshot_latest_date": "2026-02-20",
                    },
                },
            },
            POST_ANALYTICS,
        )
        jsonschema.validate(
            {
                "instagram": {
                    "primary_impressions_field": "reach",
                    "available_metrics": ["followers", "reach", "impressions", "profileViews", "likes"],
                    "metric_labels": {"reach": "Unique Reach", "impressions": "Content Views"},
                },
                "youtube": {
                    "primary_impressions_field": "impressions",
                    "available_metrics": ["followers", "impressions", "likes", "comments", "shares"],
                    "metric_labels": {"impressions": "Video Views", "followers": "Subscribers"},
                },
            },
            PLATFORM_METRICS,
        )

    def test_schemas_refuse_wrong_types(self) -> None:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"instagram": {"followers": "47", "reach_timeseries": []}}, PROFILE_ANALYTICS)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(
                {"success": True, "profile_username": "p", "start_date": "2026-01-01", "end_date": "x"},
                TOTAL_IMPRESSIONS,
            )


# ---------------------------------------------------------------------------- the world

START = date(2025, 12, 20)
RATES = {"youtube": 100, "tiktok": 50, "instagram": 20}
"""Daily views per platform; Instagram's reach grows 10 a day (its primary metric)."""


@dataclass
class World:
    today: date
    myprofile: int
    test: int
    accounts: dict[str, int]
    yt_post: int
    tt_post: int
    ig_post: int

    def k(self, day: date) -> int:
        return (day - START).days


def _snapshot_at(day: date, now: datetime) -> datetime | None:
    at = min(start_of_day(day) + timedelta(hours=1), now - timedelta(seconds=1))
    return at if at.date() == day else None


def account_rows(account_id: int, platform: str, days: list[date], now: datetime) -> list[dict[str, Any]]:
    rows = []
    for day in days:
        at = _snapshot_at(day, now)
        if at is None:
            continue
        k = (day - START).days
        rows.append(
            {
                "account_id": account_id,
                "fetched_at": at,
                "connector": "test",
                "api_version": "v1",
                "followers": 1000 + k,
                "posts": 10 + k,
                "views": RATES[platform] * k,
                "reach": 10 * k if platform == "instagram" else None,
                "likes": 5 * k,
                "comments": 2 * k,
                "shares": k,
            }
        )
    return rows


def at(y: int, m: int, d: int, h: int = 12, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=UTC)


async def add_post(app: Any, tenant: Tenant, account_id: int, **values: Any) -> int:
    row: dict[str, Any] = {"tracked": True, "status": "active", "hashtags": [], "mentions": [], "links": []}
    row.update(values)
    async with app.state.sessions() as s, s.begin():
        post = Post(user_id=tenant.user_id, account_id=account_id, details={}, **row)
        s.add(post)
        await s.flush()
        return int(post.id)


async def add_post_snapshots(app: Any, post_id: int, *points: tuple[datetime, dict[str, int]]) -> None:
    async with app.state.sessions() as s, s.begin():
        for when, counters in points:
            s.add(
                PostSnapshot(post_id=post_id, fetched_at=when, connector="test", api_version="v1", **counters)
            )


async def add_group(app: Any, tenant: Tenant, public_id: str, title: str | None, post_ids: list[int]) -> None:
    async with app.state.sessions() as s, s.begin():
        group = PostGroup(public_id=public_id, user_id=tenant.user_id, title=title)
        s.add(group)
        await s.flush()
        s.add_all([PostGroupMember(group_id=group.id, post_id=p) for p in post_ids])


@pytest.fixture
async def world(app: Any, client: httpx.AsyncClient, alice: Tenant) -> World:
    now = utcnow()
    today = now.date()
    days = [START + timedelta(days=n) for n in range((today - START).days + 1)]
    mine = await create_profile(client, alice, "myprofile")
    test = await create_profile(client, alice, "test")
    accounts = {
        "youtube": (await create_account(client, alice, "youtube", "@natgeo", profile_id=mine["id"]))["id"],
        "tiktok": (await create_account(client, alice, "tiktok", "@natgeo", profile_id=mine["id"]))["id"],
        "instagram": (await create_account(client, alice, "instagram", "natgeo", profile_id=mine["id"]))[
            "id"
        ],
    }
    nasa_ig = (await create_account(client, alice, "instagram", "nasa", profile_id=test["id"]))["id"]
    nasa_yt = (await create_account(client, alice, "youtube", "@nasa", profile_id=test["id"]))["id"]
    rows = [r for p, a in accounts.items() for r in account_rows(a, p, days, now)]
    rows += account_rows(nasa_ig, "instagram", days[-40:], now) + account_rows(
        nasa_yt, "youtube", days[-40:], now
    )
    async with app.state.sessions() as s, s.begin():
        await s.execute(insert(AccountSnapshot), rows)
    yt = await add_post(
        app,
        alice,
        accounts["youtube"],
        platform="youtube",
        social_id="dQw4w9WgXcQ",
        url="https://youtube.com/watch?v=dQw4w9WgXcQ",
        type="video",
        caption="Check this out!",
        posted_at=at(2026, 2, 10, 14, 30),
    )
    tt = await add_post(
        app,
        alice,
        accounts["tiktok"],
        platform="tiktok",
        social_id="7123456789",
        url="https://tiktok.com/@user/video/7123456789",
        type="video",
        caption="Check this out!",
        posted_at=at(2026, 2, 10, 14, 31),
        status="not_found",
        status_detail="TikTok video not found (ID: 7123456789). The token may need to be refreshed.",
    )
    ig = await add_post(
        app,
        alice,
        accounts["instagram"],
        platform="instagram",
        social_id="CxYz123AbCd",
        url="https://www.instagram.com/reel/CxYz123AbCd/",
        type="reel",
        caption="Behind the scenes",
        posted_at=at(2026, 2, 14, 9),
    )
    await add_post_snapshots(
        app,
        yt,
        (at(2026, 2, 11), {"views": 1000, "likes": 20, "comments": 1}),
        (at(2026, 2, 20, 10), {"views": 5000, "likes": 110, "comments": 7}),
        (at(2026, 2, 20, 18), {"views": 5200, "likes": 120, "comments": 8}),
    )
    await add_post_snapshots(
        app,
        ig,
        (at(2026, 2, 15), {"plays": 300, "likes": 30, "reach": 250}),
        (at(2026, 2, 20), {"plays": 900, "likes": 70, "reach": 700}),
        (now - timedelta(seconds=1), {"plays": 2000, "likes": 150, "reach": 1500}),
    )
    await add_group(app, alice, "abc123-def456", "My Video", [yt, tt])
    return World(
        today=today,
        myprofile=mine["id"],
        test=test["id"],
        accounts=accounts,
        yt_post=yt,
        tt_post=tt,
        ig_post=ig,
    )


def apikey(tenant: Tenant) -> dict[str, str]:
    return {"Authorization": f"Apikey {tenant.key}"}


async def native(client: httpx.AsyncClient, tenant: Tenant, path: str, **params: Any) -> dict[str, Any]:
    r = await client.get(path, params=params, headers=tenant.headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


# ---------------------------------------------------------------------------- authentication


class TestAuthentication:
    PATHS = [
        "/api/analytics/myprofile?platforms=instagram",
        "/api/uploadposts/total-impressions/myprofile",
        "/api/uploadposts/post-analytics/abc123-def456",
        "/api/uploadposts/post-analytics?platform_post_id=dQw4w9WgXcQ&platform=youtube&user=myprofile",
        "/api/uploadposts/post-analytics/cached?user=myprofile",
    ]

    @pytest.mark.parametrize("path", PATHS)
    @pytest.mark.parametrize(
        "header",
        [None, "Apikey", "Apikey sp_not_a_key", "Basic dXNlcjpwYXNz", "Apikey a.b.c"],
    )
    async def test_401_in_upload_posts_shape(
        self, client: httpx.AsyncClient, world: World, path: str, header: str | None
    ) -> None:
        headers = {"Authorization": header} if header is not None else {}
        error(await client.get(path, headers=headers), 401)

    async def test_a_jwt_with_the_apikey_scheme(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        await create_profile(client, alice, "myprofile")
        token = issue_jwt(app.state.settings, User(id=alice.user_id, email=alice.email))
        for scheme in ("Apikey", "Bearer"):
            r = await client.get(
                "/api/uploadposts/total-impressions/myprofile", headers={"Authorization": f"{scheme} {token}"}
            )
            assert ok(r, TOTAL_IMPRESSIONS)["total_impressions"] == 0

    async def test_a_jwt_of_a_deleted_user(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        token = issue_jwt(app.state.settings, User(id=alice.user_id + 1000, email="gone@example.com"))
        r = await client.get(
            "/api/uploadposts/total-impressions/myprofile", headers={"Authorization": f"Apikey {token}"}
        )
        error(r, 401)

    async def test_platform_metrics_is_public(self, client: httpx.AsyncClient) -> None:
        body = ok(await client.get("/api/uploadposts/platform-metrics"), PLATFORM_METRICS)
        assert body["instagram"]["primary_impressions_field"] == "reach"
        assert body["youtube"]["metric_labels"]["impressions"] == "Video Views"


# ---------------------------------------------------------------------------- profile analytics


class TestProfileAnalytics:
    async def test_documented_example(self, client: httpx.AsyncClient, alice: Tenant, world: World) -> None:
        r = await client.get(
            "/api/analytics/test?platforms=instagram,youtube,threads,pinterest,reddit", headers=apikey(alice)
        )
        body = ok(r, PROFILE_ANALYTICS)
        assert list(body) == ["instagram", "youtube", "threads", "pinterest", "reddit"]
        k = world.k(world.today)
        ig, yt = body["instagram"], body["youtube"]
        jsonschema.validate(ig, PLATFORM_ANALYTICS)
        assert ig["followers"] == 1000 + k
        assert ig["reach"] == 10 * k
        assert ig["impressions"] == 20 * k  # Instagram's impressions are its views
        assert ig["likes"] == 5 * k
        assert ig["comments"] == 2 * k
        assert ig["shares"] == k
        assert "saves" not in ig
        assert "profileViews" not in ig
        assert ig["metric_type"] == "reach"
        assert ig["primary_impressions_field"] == "reach"
        assert len(ig["reach_timeseries"]) == 30
        assert {p["value"] for p in ig["reach_timeseries"]} == {10}
        assert ig["reach_timeseries"][-1]["date"] == world.today.isoformat()
        assert yt["impressions"] == 100 * k
        assert yt["metric_type"] == "views"
        assert {p["value"] for p in yt["reach_timeseries"]} == {100}
        assert "reach" not in yt  # YouTube reports no reach
        assert yt["metric_labels"]["followers"] == "Subscribers"
        for name in ("threads", "pinterest", "reddit"):
            jsonschema.validate(body[name], PLATFORM_UNAVAILABLE)
            assert f"no {name} account" in body[name]["message"]

    async def test_translates_the_native_answer(
        self, client: httpx.AsyncClient, alice: Tenant, world: World
    ) -> None:
        up = ok(
            await client.get(
                "/api/analytics/myprofile?platforms=youtube,tiktok,instagram", headers=apikey(alice)
            ),
            PROFILE_ANALYTICS,
        )
        mine = await native(
            client, alice, f"/v1/profiles/{world.myprofile}/analytics", platforms="youtube,tiktok,instagram"
        )
        for name, item in mine["platforms"].items():
            assert up[name]["followers"] == item["followers"]
            assert up[name]["available_metrics"] == item["available_metrics"]
            assert up[name]["reach_timeseries"] == [p for p in item["timeseries"] if p["value"] is not None]

    async def test_unsupported_platform_answers_a_message_for_it(
        self, client: httpx.AsyncClient, alice: Tenant, world: World
    ) -> None:
        body = ok(
            await client.get("/api/analytics/test?platforms=instagram,myspace", headers=apikey(alice)),
            PROFILE_ANALYTICS,
        )
        assert "followers" in body["instagram"]
        assert body["myspace"]["success"] is False
        assert "not a supported platform" in body["myspace"]["message"]

    async def test_aliases_and_case(self, client: httpx.AsyncClient, alice: Tenant, world: World) -> None:
        body = ok(
            await client.get(
                "/api/analytics/test?platforms=Instagram,YOUTUBE,twitter", headers=apikey(alice)
            ),
            PROFILE_ANALYTICS,
        )
        assert list(body) == ["instagram", "youtube", "x"]

    async def test_page_id_and_page_urn_are_accepted(
        self, client: httpx.AsyncClient, alice: Tenant, world: World
    ) -> None:
        r = await client.get(
            "/api/analytics/test?platforms=instagram&page_id=123&page_urn=me", headers=apikey(alice)
        )
        assert "followers" in ok(r, PROFILE_ANALYTICS)["instagram"]

    @pytest.mark.parametrize("query", ["", "?platforms=", "?platforms=,,"])
    async def test_platforms_missing_or_empty_is_400(
        self, client: httpx.AsyncClient, alice: Tenant, world: World, query: str
    ) -> None:
        error(await client.get(f"/api/analytics/test{query}", headers=apikey(alice)), 400, "platforms")

    async def test_unknown_profile_is_404(
        self, client: httpx.AsyncClient, alice: Tenant, world: World
    ) -> None:
        r = await client.get("/api/analytics/nobody?platforms=instagram", headers=apikey(alice))
        error(r, 404, "nobody")


# ---------------------------------------------------------------------------- total impressions


class TestTotalImpressions:
    PATH = "/api/uploadposts/total-impressions/myprofile"

    async def get(self, client: httpx.AsyncClient, tenant: Tenant, query: str) -> httpx.Response:
        return await client.get(f"{self.PATH}?{query}" if query else self.PATH, headers=apikey(tenant))

    async def test_range_with_breakdown(self, client: httpx.AsyncClient, alice: Tenant, world: World) -> None:
        r = await self.get(client, alice, "start_date=2026-01-01&end_date=2026-01-31&breakdown=true")
        body = ok(r, TOTAL_IMPRESSIONS)
        assert body["profile_username"] == "myprofile"
        assert (body["start_date"], body["end_date"]) == ("2026-01-01", "2026-01-31")
        assert body["per_platform"] == {"youtube": 3100, "tiktok": 1550, "instagram": 310}
        assert len(body["per_day"]) == 31
        assert set(body["per_day"].values()) == {160}
        assert body["total_impressions"] == 4960
        assert next(iter(body["per_day"])) == "2026-01-01"
        assert "platforms_filter" not in body

    async def test_period_shortcut(self, client: httpx.AsyncClient, alice: Tenant, world: World) -> None:
        body = ok(await self.get(client, alice, "period=last_week"), TOTAL_IMPRESSIONS)
        assert body["end_date"] == world.today.isoformat()
        assert body["start_date"] == (world.today - timedelta(days=7)).isoformat()
        assert body["total_impressions"] == 8 * 160
        assert "per_day" not in body
        assert "per_platform" not in body

    async def test_custom_metrics(self, client: httpx.AsyncClient, alice: Tenant, world: World) -> None:
        r = await self.get(client, alice, "period=last_month&metrics=likes,comments,shares&breakdown=true")
        body = ok(r, METRICS)
        assert "total_impressions" not in body
        assert body["metrics"] == {"likes": 3 * 5 * 31, "comments": 3 * 2 * 31, "shares": 3 * 31}
        assert body["per_platform"]["likes"] == {"youtube": 155, "tiktok": 155, "instagram": 155}
        assert set(body["per_day"]["shares"].values()) == {3}
        for metric in ("likes", "comments", "shares"):
            assert sum(body["per_day"][metric].values()) == body["metrics"][metric]

    async def test_single_date(self, client: httpx.AsyncClient, alice: Tenant, world: World) -> None:
        body = ok(await self.get(client, alice, "date=2026-02-15"), TOTAL_IMPRESSIONS)
        assert (body["start_date"], body["end_date"], body["total_impressions"]) == (
            "2026-02-15",
            "2026-02-15",
            160,
        )

    async def test_platform_filter(self, client: httpx.AsyncClient, alice: Tenant, world: World) -> None:
        body = ok(await self.get(client, alice, "platform=youtube,tiktok&breakdown=true"), TOTAL_IMPRESSIONS)
        assert body["platforms_filter"] == ["youtube", "tiktok"]
        assert body["per_platform"] == {"youtube": 3100, "tiktok": 1550}
        assert body["total_impressions"] == 4650
        assert body["start_date"] == (world.today - timedelta(days=30)).isoformat()

    async def test_stock_metric_and_no_breakdown(
        self, client: httpx.AsyncClient, alice: Tenant, world: World
    ) -> None:
        body = ok(await self.get(client, alice, "metrics=followers&end_date=2026-01-31"), METRICS)
        assert body["metrics"] == {"followers": 3 * (1000 + world.k(date(2026, 1, 31)))}

    @pytest.mark.parametrize(
        "query",
        [
            "start_date=2026-01-01&end_date=2026-01-31&breakdown=true",
            "period=last_month&metrics=likes,comments,shares&breakdown=true",
            "date=2026-02-15",
            "platform=youtube,tiktok&breakdown=true",
            "period=last_year&metrics=followers,reach,impressions,video_count&breakdown=1",
        ],
    )
    async def test_translates_the_native_answer(
        self, client: httpx.AsyncClient, alice: Tenant, world: World, query: str
    ) -> None:
        up = (await self.get(client, alice, query)).json()
        params = dict(part.split("=") for part in query.split("&"))
        params["breakdown"] = "true"
        mine = await native(client, alice, "/v1/analytics/impressions", profile=world.myprofile, **params)
        assert (up["start_date"], up["end_date"]) == (mine["start_date"], mine["end_date"])
        if mine["mode"] == "total_impressions":
            assert up["total_impressions"] == mine["total_impressions"]["total"]
            if "per_day" in up:
                assert up["per_day"] == mine["total_impressions"]["per_day"]
                assert up["per_platform"] == mine["total_impressions"]["per_platform"]
        else:
            assert up["metrics"] == {m: t["total"] for m, t in mine["metrics"].items()}
            assert up["per_platform"] == {m: t["per_platform"] for m, t in mine["metrics"].items()}

    @pytest.mark.parametrize(
        ("query", "named"),
        [
            ("date=2026-13-01", "date"),
            ("date=15/02/2026", "date"),
            ("start_date=yesterday", "start_date"),
            ("end_date=2026-02-30", "end_date"),
            ("start_date=2026-02-01&end_date=2026-01-01", "start_date"),
            ("metrics=likes,views", "'views'"),
            ("metrics=Likes", "'Likes'"),
            ("period=last_decade", "last_decade"),
            ("platform=youtube,myspace", "myspace"),
            ("breakdown=maybe", "breakdown"),
            ("start_date=2010-01-01&end_date=2026-01-01", "start_date"),
        ],
    )
    async def test_bad_parameters_are_400_naming_them(
        self, client: httpx.AsyncClient, alice: Tenant, world: World, query: str, named: str
    ) -> None:
        error(await self.get(client, alice, query), 400, named)

    async def test_unknown_profile_is_404(
        self, client: httpx.AsyncClient, alice: Tenant, world: World
    ) -> None:
        r = await client.get("/api/uploadposts/total-impressions/nobody", headers=apikey(alice))
        error(r, 404, "nobody")

    async def test_empty_parameters_mean_defaults(
        self, client: httpx.AsyncClient, alice: Tenant, world: World
    ) -> None:
        body = ok(
            await self.get(client, alice, "date=&period=&metrics=&platform=&breakdown="), TOTAL_IMPRESSIONS
        )
        assert body["end_date"] == world.today.isoformat()


# ---------------------------------------------------------------------------- post analytics


class TestPostAnalytics:
    async def test_documented_example(self, client: httpx.AsyncClient, alice: Tenant, world: World) -> None:
        r = await client.get("/api/uploadposts/post-analytics/abc123-def456", headers=apikey(alice))
        body = ok(r, POST_ANALYTICS)
        assert body["post"] == {
            "request_id": "abc123-def456",
            "profile_username": "myprofile",
            "post_title": "My Video",
            "post_caption": "Check this out!",
            "media_type": "video",
            "upload_timestamp": "2026-02-10 14:30:00",
        }
        assert list(body["platforms"]) == ["youtube", "tiktok"]
        yt, tt = body["platforms"]["youtube"], body["platforms"]["tiktok"]
        k_post, k_now = world.k(date(2026, 2, 10)), world.k(world.today)
        assert yt["success"] is True
        assert yt["platform_post_id"] == "dQw4w9WgXcQ"
        assert yt["post_url"] == "https://youtube.com/watch?v=dQw4w9WgXcQ"
        assert yt["post_metrics"] == {"views": 5200, "likes": 120, "comments": 8}
        assert yt["post_metrics_source"] == "platform_api"
        assert "post_metrics_error" not in yt
        assert yt["profile_snapshot_at_post_date"] == {
            "followers": 1000 + k_post,
            "impressions": 100 * k_post,
            "likes": 5 * k_post,
            "comments": 2 * k_post,
            "shares": k_post,
            "video_count": 10 + k_post,
        }
        assert yt["profile_snapshot_latest"]["followers"] == 1000 + k_now
        assert yt["profile_snapshot_latest_date"] == world.today.isoformat()
        assert tt["platform_post_id"] == "7123456789"
        assert "post_metrics" not in tt
        assert "post_metrics_source" not in tt
        assert tt["post_metrics_error"].startswith("TikTok video not found (ID: 7123456789)")
        assert tt["profile_snapshot_at_post_date"]["impressions"] == 50 * k_post

    async def test_single_platform(self, client: httpx.AsyncClient, alice: Tenant, world: World) -> None:
        r = await client.get(
            "/api/uploadposts/post-analytics/abc123-def456?platform=youtube", headers=apikey(alice)
        )
        body = ok(r, POST_ANALYTICS)
        assert list(body["platforms"]) == ["youtube"]
        assert body["post"]["request_id"] == "abc123-def456"
        assert body["post"]["upload_timestamp"] == "2026-02-10 14:30:00"

    async def test_a_platform_the_post_is_not_on(
        self, client: httpx.AsyncClient, alice: Tenant, world: World
    ) -> None:
        r = await client.get(
            "/api/uploadposts/post-analytics/abc123-def456?platform=x", headers=apikey(alice)
        )
        body = ok(r, POST_ANALYTICS)
        assert body["platforms"] == {
            "x": {"success": False, "error_message": "post group abc123-def456 has no x post"}
        }

    async def test_translates_the_native_answer(
        self, client: httpx.AsyncClient, alice: Tenant, world: World
    ) -> None:
        up = ok(
            await client.get("/api/uploadposts/post-analytics/abc123-def456", headers=apikey(alice)),
            POST_ANALYTICS,
        )
        mine = await native(client, alice, f"/v1/posts/{world.yt_post}/analytics")
        latest = mine["account_snapshot_latest"]
        assert up["platforms"]["youtube"]["profile_snapshot_latest"]["impressions"] == latest["views"]
        assert up["platforms"]["youtube"]["post_metrics"]["views"] == mine["metrics"]["views"]

    async def test_a_group_made_with_the_native_api(
        self, client: httpx.AsyncClient, alice: Tenant, world: World
    ) -> None:
        r = await client.post("/v1/post-groups", json={"post_ids": [world.ig_post]}, headers=alice.headers)
        request_id = r.json()["request_id"]
        body = ok(
            await client.get(f"/api/uploadposts/post-analytics/{request_id}", headers=apikey(alice)),
            POST_ANALYTICS,
        )
        assert body["post"]["post_title"] is None  # no title given, none known
        assert body["post"]["media_type"] == "video"  # a reel
        assert body["platforms"]["instagram"]["post_metrics"] == {"plays": 2000, "likes": 150, "reach": 1500}

    async def test_unknown_request_id_is_404(
        self, client: httpx.AsyncClient, alice: Tenant, world: World
    ) -> None:
        r = await client.get("/api/uploadposts/post-analytics/nope-123", headers=apikey(alice))
        error(r, 404, "nope-123")

    async def test_unknown_platform_is_400(
        self, client: httpx.AsyncClient, alice: Tenant, world: World
    ) -> None:
        r = await client.get(
            "/api/uploadposts/post-analytics/abc123-def456?platform=myspace", headers=apikey(alice)
        )
        error(r, 400, "platform", "myspace")


class TestPostAnalyticsByPlatformId:
    PATH = "/api/uploadposts/post-analytics"

    async def test_a_post_in_a_group(self, client: httpx.AsyncClient, alice: Tenant, world: World) -> None:
        params = {"platform_post_id": "dQw4w9WgXcQ", "platform": "youtube", "user": "myprofile"}
        body = ok(await client.get(self.PATH, params=params, headers=apikey(alice)), POST_BY_PLATFORM_ID)
        assert body["post"]["request_id"] == "abc123-def456"
        assert body["post"]["source"] == "api_uploaded"
        assert body["post"]["profile_username"] == "myprofile"
        assert body["platforms"]["youtube"]["post_metrics"] == {"views": 5200, "likes": 120, "comments": 8}

    async def test_an_organic_post_by_its_url(
        self, client: httpx.AsyncClient, alice: Tenant, world: World
    ) -> None:
        params = {
            "platform_post_id": "https://www.instagram.com/reel/CxYz123AbCd/",
            "platform": "Instagram",
            "user": "myprofile",
        }
        body = ok(await client.get(self.PATH, params=params, headers=apikey(alice)), POST_BY_PLATFORM_ID)
        assert body["post"]["request_id"] is None
        assert body["post"]["source"] == "organic"
        assert body["post"]["post_caption"] == "Behind the scenes"
        assert body["post"]["upload_timestamp"] == "2026-02-14 09:00:00"
        assert list(body["platforms"]) == ["instagram"]

    @pytest.mark.parametrize("missing", ["platform_post_id", "platform", "user"])
    async def test_missing_parameters_are_400(
        self, client: httpx.AsyncClient, alice: Tenant, world: World, missing: str
    ) -> None:
        params = {"platform_post_id": "dQw4w9WgXcQ", "platform": "youtube", "user": "myprofile"}
        del params[missing]
        error(await client.get(self.PATH, params=params, headers=apikey(alice)), 400, missing)

    @pytest.mark.parametrize(
        ("params", "status", "named"),
        [
            ({"platform_post_id": "dQw4w9WgXcQ", "platform": "myspace", "user": "myprofile"}, 400, "myspace"),
            ({"platform_post_id": "dQw4w9WgXcQ", "platform": "youtube", "user": "nobody"}, 404, "nobody"),
            (
                {"platform_post_id": "aaaaaaaaaaa", "platform": "youtube", "user": "myprofile"},
                404,
                "aaaaaaaaaaa",
            ),
            (
                {"platform_post_id": "dQw4w9WgXcQ", "platform": "tiktok", "user": "myprofile"},
                404,
                "dQw4w9WgXcQ",
            ),
            ({"platform_post_id": "dQw4w9WgXcQ", "platform": "youtube", "user": "test"}, 404, "'test'"),
        ],
    )
    async def test_errors(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        world: World,
        params: dict[str, str],
        status: int,
        named: str,
    ) -> None:
        error(await client.get(self.PATH, params=params, headers=apikey(alice)), status, named)


class TestCachedPostAnalytics:
    PATH = "/api/uploadposts/post-analytics/cached"

    async def test_rows_per_post_and_day_newest_first(
        self, client: httpx.AsyncClient, alice: Tenant, world: World
    ) -> None:
        params = {"user": "myprofile", "since": "2026-02-01", "until": "2026-02-28"}
        body = ok(await client.get(self.PATH, params=params, headers=apikey(alice)), CACHED)
        assert (body["since"], body["until"], body["platform"], body["limit"]) == (
            "2026-02-01",
            "2026-02-28",
            None,
            50,
        )
        assert body["has_more"] is False
        assert body["next_cursor"] is None
        rows = [(r["date"], r["platform"], r["metrics"]) for r in body["posts"]]
        assert rows == [
            ("2026-02-20", "instagram", {"plays": 900, "likes": 70, "reach": 700}),
            ("2026-02-20", "youtube", {"views": 5200, "likes": 120, "comments": 8}),
            ("2026-02-15", "instagram", {"plays": 300, "likes": 30, "reach": 250}),
            ("2026-02-11", "youtube", {"views": 1000, "likes": 20, "comments": 1}),
        ]
        first = body["posts"][1]
        assert first["post_id"] == "dQw4w9WgXcQ"
        assert first["profile_username"] == "myprofile"
        assert first["captured_at"] == "2026-02-20T18:00:00.000Z"
        assert first["post_url"] == "https://youtube.com/watch?v=dQw4w9WgXcQ"
        assert first["media_type"] == "video"
        assert first["upload_timestamp"] == "2026-02-10 14:30:00"

    async def test_cursor_pages_through_every_row(
        self, client: httpx.AsyncClient, alice: Tenant, world: World
    ) -> None:
        params: dict[str, Any] = {
            "user": "myprofile",
            "since": "2026-02-01",
            "until": "2026-02-28",
            "limit": 1,
        }
        seen: list[tuple[str, str]] = []
        while True:
            body = ok(await client.get(self.PATH, params=params, headers=apikey(alice)), CACHED)
            seen += [(r["date"], r["post_id"]) for r in body["posts"]]
            assert body["has_more"] is (body["next_cursor"] is not None)
            if not body["has_more"]:
                break
            params["cursor"] = body["next_cursor"]
        assert len(seen) == 4 == len(set(seen))
        assert seen[0] == ("2026-02-20", "CxYz123AbCd")
        assert seen[-1] == ("2026-02-11", "dQw4w9WgXcQ")

    async def test_platform_filter_and_defaults(
        self, client: httpx.AsyncClient, alice: Tenant, world: World
    ) -> None:
        params = {"user": "myprofile", "platform": "youtube", "since": "2026-01-01", "until": "2026-03-01"}
        body = ok(await client.get(self.PATH, params=params, headers=apikey(alice)), CACHED)
        assert body["platform"] == "youtube"
        assert [r["date"] for r in body["posts"]] == [
            "2026-02-20",
            "2026-02-11",
        ]
        recent = ok(await client.get(self.PATH, params={"user": "myprofile"}, headers=apikey(alice)), CACHED)
        assert recent["until"] == world.today.isoformat()
        assert recent["since"] == (world.today - timedelta(days=30)).isoformat()
        assert [(r["post_id"], r["metrics"]["plays"]) for r in recent["posts"]] == [("CxYz123AbCd", 2000)]

    @pytest.mark.parametrize(
        ("params", "named"),
        [
            ({}, "user"),
            ({"user": "myprofile", "limit": "0"}, "limit"),
            ({"user": "myprofile", "limit": "201"}, "limit"),
            ({"user": "myprofile", "limit": "ten"}, "limit"),
            ({"user": "myprofile", "cursor": "not-a-cursor"}, "cursor"),
            ({"user": "myprofile", "since": "2026-02-30"}, "since"),
            ({"user": "myprofile", "until": "tomorrow"}, "until"),
            ({"user": "myprofile", "since": "2026-03-01", "until": "2026-02-01"}, "since"),
            ({"user": "myprofile", "platform": "myspace"}, "myspace"),
        ],
    )
    async def test_bad_parameters_are_400(
        self, client: httpx.AsyncClient, alice: Tenant, world: World, params: dict[str, str], named: str
    ) -> None:
        error(await client.get(self.PATH, params=params, headers=apikey(alice)), 400, named)

    async def test_unknown_profile_is_404(
        self, client: httpx.AsyncClient, alice: Tenant, world: World
    ) -> None:
        error(await client.get(self.PATH, params={"user": "nobody"}, headers=apikey(alice)), 404, "nobody")


# ---------------------------------------------------------------------------- tenancy


class TestTenancy:
    async def test_another_users_profiles_and_groups_do_not_exist_for_you(
        self, client: httpx.AsyncClient, bob: Tenant, world: World
    ) -> None:
        await create_profile(client, bob, "other")
        for path in (
            "/api/analytics/myprofile?platforms=youtube",
            "/api/uploadposts/total-impressions/myprofile",
            "/api/uploadposts/post-analytics/abc123-def456",
            "/api/uploadposts/post-analytics?platform_post_id=dQw4w9WgXcQ&platform=youtube&user=myprofile",
            "/api/uploadposts/post-analytics?platform_post_id=dQw4w9WgXcQ&platform=youtube&user=other",
            "/api/uploadposts/post-analytics/cached?user=myprofile",
        ):
            error(await client.get(path, headers=apikey(bob)), 404)

    async def test_same_profile_name_counts_only_your_accounts(
        self, client: httpx.AsyncClient, bob: Tenant, world: World
    ) -> None:
        await create_profile(client, bob, "myprofile")
        body = ok(
            await client.get(
                "/api/uploadposts/total-impressions/myprofile?breakdown=true", headers=apikey(bob)
            ),
            TOTAL_IMPRESSIONS,
        )
        assert body["total_impressions"] == 0
        assert body["per_platform"] == {}
        cached = ok(
            await client.get("/api/uploadposts/post-analytics/cached?user=myprofile", headers=apikey(bob)),
            CACHED,
        )
        assert cached["posts"] == []
