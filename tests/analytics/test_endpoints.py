"""The analytics endpoints on hand-made snapshots, with the expected numbers computed by hand,
on SQLite and PostgreSQL: creator report, impressions across platforms, per-platform analytics,
post analytics, platform metrics; tenancy and bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from socialpulse.config import Settings
from socialpulse.models import Account, Post, RefreshItem
from socialpulse.platforms.registry import ConnectorRegistry
from tests.conftest import Tenant
from tests.tracking.helpers import (
    add_account_snapshot,
    add_post_snapshot,
    create_account,
    create_profile,
    fields,
    problem,
)

T = "2024-06-30T12:00:00Z"  # the instant the report describes


def at(y: int, m: int, d: int, h: int = 12, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=UTC)


def approx(value: float) -> Any:
    return pytest.approx(value, rel=1e-12)


async def add_post(app: Any, tenant: Tenant, account_id: int | None, **values: Any) -> int:
    """A post row as a refresh writes it (found by listing the account)."""
    row: dict[str, Any] = {
        "platform": "instagram",
        "tracked": False,
        "status": "active",
        "hashtags": [],
        "mentions": [],
        "links": [],
        "details": {},
    }
    row.update(values)
    async with app.state.sessions() as s, s.begin():
        post = Post(user_id=tenant.user_id, account_id=account_id, **row)
        s.add(post)
        await s.flush()
        return int(post.id)


async def add_refresh_item(app: Any, tenant: Tenant, post_id: int, **values: Any) -> None:
    async with app.state.sessions() as s, s.begin():
        s.add(
            RefreshItem(
                user_id=tenant.user_id,
                platform=values.pop("platform"),
                kind="post",
                entity_id=post_id,
                **values,
            )
        )


async def attach(client: httpx.AsyncClient, tenant: Tenant, profile_id: int, ids: list[int]) -> None:
    r = await client.post(
        f"/v1/profiles/{profile_id}/accounts", json={"account_ids": ids}, headers=tenant.headers
    )
    assert r.status_code == 200, r.text


# ---------------------------------------------------------------------------- creator report


@pytest.fixture
async def creator(client: httpx.AsyncClient, alice: Tenant, app: Any) -> dict[str, int]:
    """An Instagram account with five snapshots over a year and three posts.

    Followers: 800 (2023-06-01), 900 (2024-03-01), 950 (2024-05-31 12:00), 1000 (2024-06-29 12:00),
    1100 (2024-06-30 08:00). At T = 2024-06-30 12:00 the month, quarter and year instants are
    2024-05-31 12:00 (950 taken exactly then), 2024-04-01 12:00 (900) and 2023-07-01 12:00 (800).
    """
    account = await create_account(client, alice, "instagram", "alice.runs", tags=["runner"])
    aid = int(account["id"])
    for when, followers in [
        (at(2023, 6, 1), 800),
        (at(2024, 3, 1), 900),
        (at(2024, 5, 31), 950),
        (at(2024, 6, 29), 1000),
    ]:
        await add_account_snapshot(app, aid, when, followers=followers)
    await add_account_snapshot(app, aid, at(2024, 6, 30, 8), followers=1100, following=50, posts=3)
    await add_account_snapshot(app, aid, at(2024, 7, 2), followers=5000)  # after T: ignored
    async with app.state.sessions() as s, s.begin():
        row = await s.get(Account, aid)
        assert row is not None
        row.display_name = "Alice Runs"
        row.biography = "Runner & coach #runlife. Mail alice [at] runmail [dot] com · linktr.ee/alice"
        row.website = "https://alice.run"
        row.category = "Sports"
        row.location = "Pune, India"
    p1 = await add_post(
        app,
        alice,
        aid,
        social_id="P1",
        type="reel",
        posted_at=at(2024, 6, 20, 10),
        caption="Morning run with @nike #running #ad www.nike.com/run",
        details={"title": "Run", "thumbnail_url": "https://img/p1.jpg"},
    )
    await add_post_snapshot(
        app, p1, at(2024, 6, 21, 10), likes=50, comments=10, views=1000, shares=5, saves=5
    )
    await add_post_snapshot(app, p1, at(2024, 6, 29, 10), likes=90, comments=10, views=2000, shares=5)
    p2 = await add_post(
        app,
        alice,
        aid,
        social_id="P2",
        type="image",
        posted_at=at(2024, 6, 25, 9),
        caption="Sunset #Running @alice.runs",
    )
    await add_post_snapshot(app, p2, at(2024, 6, 30, 7), likes=30, comments=3)
    p3 = await add_post(
        app,
        alice,
        aid,
        social_id="P3",
        type="image",
        posted_at=at(2024, 6, 30, 6),
        caption="ignored: the stored features win",
        hashtags=["#stretch"],
        mentions=["@coach"],
        links=["https://coach.example"],
        sponsored=False,
    )
    await add_post_snapshot(app, p3, at(2024, 6, 30, 7, 30), likes=5, comments=0)
    await add_post_snapshot(app, p3, at(2024, 6, 30, 13), likes=500, comments=0)  # after T
    later = await add_post(app, alice, aid, social_id="P4", type="image", posted_at=at(2024, 7, 1))
    await add_post_snapshot(app, later, at(2024, 7, 1, 13), likes=1, comments=1)
    return {"account": aid, "p1": p1, "p2": p2, "p3": p3}


async def report(client: httpx.AsyncClient, tenant: Tenant, account_id: int, **params: Any) -> dict[str, Any]:
    r = await client.get(
        f"/v1/accounts/{account_id}/report", params={"at": T, **params}, headers=tenant.headers
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


R1 = 100 / 950 * 100  # P1: (90 + 10) / 950 followers (the account snapshot before 2024-06-29 10:00)
R2 = 33 / 1000 * 100  # P2: (30 + 3) / 1000 followers (the account snapshot before 2024-06-30 07:00)


class TestReport:
    async def test_overview(self, client: httpx.AsyncClient, alice: Tenant, creator: dict[str, int]) -> None:
        body = await report(client, alice, creator["account"])
        assert body["account_id"] == creator["account"]
        assert body["at"] == T
        o = body["profile_overview"]
        assert (o["platform"], o["handle"], o["followers"], o["following"], o["post_count"]) == (
            "instagram",
            "alice.runs",
            1100,
            50,
            3,
        )
        assert o["snapshot_at"] == "2024-06-30T08:00:00Z"
        assert o["influencer_tier"] == "nano"
        # three posts published in the 90 days before T (P4 is after T)
        assert o["content_per_week"]["value"] == approx(3 * 7 / 90)
        assert o["content_per_week"]["posts_used"] == 3
        # P1 and P2 are at least 24 h old at T; P3 is not
        rate = o["engagement_rate"]
        assert rate["value"] == approx((R1 + R2) / 2)
        assert rate["median"] == approx((R1 + R2) / 2)
        assert rate["posts_used"] == 2
        assert rate["basis"] == "followers"
        assert "(likes + comments) / followers × 100" in rate["formula"]
        assert "last 12 posts at least 24 h old" in rate["formula"]

    async def test_engagement_basis_by_views(
        self, client: httpx.AsyncClient, alice: Tenant, creator: dict[str, int]
    ) -> None:
        rate = (await report(client, alice, creator["account"], basis="views"))["profile_overview"][
            "engagement_rate"
        ]
        # P2 reports no views: only P1 enters the mean, (90 + 10) / 2000
        assert (rate["value"], rate["posts_used"], rate["basis"]) == (approx(5.0), 1, "views")
        assert "/ views" in rate["formula"]

    async def test_details(self, client: httpx.AsyncClient, alice: Tenant, creator: dict[str, int]) -> None:
        d = (await report(client, alice, creator["account"]))["profile_details"]
        assert (d["full_name"], d["category"], d["location"]) == ("Alice Runs", "Sports", "Pune, India")
        assert d["biography"].startswith("Runner & coach")
        assert d["external_links"] == ["https://alice.run", "linktr.ee/alice"]
        assert d["hashtags"] == ["#runlife"]
        assert d["emails"] == ["alice@runmail.com"]
        # posts read: P3, P2, P1 (P4 is after T); P3's stored features are used as they are
        assert d["posts_read"] == 3
        assert d["top_hashtags"] == [
            {"item": "#running", "count": 2},
            {"item": "#stretch", "count": 1},
            {"item": "#ad", "count": 1},
        ]
        assert d["top_mentions"] == [
            {"item": "@coach", "count": 1},
            {"item": "@alice.runs", "count": 1},
            {"item": "@nike", "count": 1},
        ]
        # the account's own handle is not a brand
        assert d["brand_mentions"] == [{"item": "@coach", "count": 1}, {"item": "@nike", "count": 1}]

    async def test_growth(self, client: httpx.AsyncClient, alice: Tenant, creator: dict[str, int]) -> None:
        g = (await report(client, alice, creator["account"]))["growth"]
        assert (g["start_date"], g["end_date"]) == ("2024-04-02", "2024-06-30")
        assert g["followers_by_day"] == [
            {"date": "2024-05-31", "value": 950},
            {"date": "2024-06-29", "value": 1000},
            {"date": "2024-06-30", "value": 1100},
        ]
        f = g["followers"]
        assert f["month"]["percent"] == approx((1100 - 950) / 950 * 100)
        assert f["month"]["then_at"] == "2024-05-31T12:00:00Z"
        assert f["quarter"]["percent"] == approx((1100 - 900) / 900 * 100)
        assert (f["quarter"]["value_then"], f["quarter"]["then_at"]) == (900, "2024-03-01T12:00:00Z")
        assert f["year"]["percent"] == approx(37.5)
        assert "followers then" in f["formula"]
        # engagement by day: evaluated at the end of each day with an account snapshot
        by_day = {p["date"]: p for p in g["engagement_by_day"]}
        assert list(by_day) == ["2024-05-31", "2024-06-29", "2024-06-30"]
        assert by_day["2024-05-31"] == {"date": "2024-05-31", "value": None, "median": None, "posts_used": 0}
        # end of 06-29: P1 and P2 are old enough; P2 has no snapshot yet
        assert (by_day["2024-06-29"]["value"], by_day["2024-06-29"]["posts_used"]) == (approx(R1), 1)
        assert (by_day["2024-06-30"]["value"], by_day["2024-06-30"]["posts_used"]) == (
            approx((R1 + R2) / 2),
            2,
        )
        e = g["engagement_rate"]
        assert e["month"]["value_now"] == approx((R1 + R2) / 2)
        assert (e["month"]["value_then"], e["month"]["percent"]) == (None, None)  # no post old enough then
        assert (e["month"]["posts_now"], e["month"]["posts_then"]) == (2, 0)
        assert (f["month"]["posts_now"], f["month"]["posts_then"]) == (None, None)

    async def test_days_parameter(
        self, client: httpx.AsyncClient, alice: Tenant, creator: dict[str, int]
    ) -> None:
        g = (await report(client, alice, creator["account"], days=1))["growth"]
        assert (g["start_date"], g["end_date"]) == ("2024-06-30", "2024-06-30")
        assert [p["date"] for p in g["followers_by_day"]] == ["2024-06-30"]
        assert [p["date"] for p in g["engagement_by_day"]] == ["2024-06-30"]

    async def test_posts(self, client: httpx.AsyncClient, alice: Tenant, creator: dict[str, int]) -> None:
        posts = (await report(client, alice, creator["account"]))["posts"]
        assert posts["listed"] == 3
        assert [p["social_id"] for p in posts["video_posts"]] == ["P1"]
        assert [p["social_id"] for p in posts["non_video_posts"]] == ["P3", "P2"]
        p1 = posts["video_posts"][0]
        assert (p1["type"], p1["is_video"], p1["title"], p1["thumbnail_url"]) == (
            "reel",
            True,
            "Run",
            "https://img/p1.jpg",
        )
        assert (p1["hashtags"], p1["mentions"], p1["brand_mentions"]) == (
            ["#running", "#ad"],
            ["@nike"],
            ["@nike"],
        )
        assert p1["external_links"] == ["www.nike.com/run"]
        assert (p1["sponsored"], p1["sponsored_signals"], p1["text_source"]) == (True, ["#ad"], "caption")
        assert p1["metrics"]["fetched_at"] == "2024-06-29T10:00:00Z"
        assert (p1["metrics"]["likes"], p1["metrics"]["views"], p1["metrics"]["saves"]) == (90, 2000, None)
        e = p1["engagement"]
        assert (e["followers"], e["followers_at"]) == (950, "2024-05-31T12:00:00Z")
        assert e["by_followers"] == {
            "value": approx(R1),
            "formula": "(likes + comments) / followers × 100",
            "posts_used": 1,
        }
        # saves were not reported in the latest snapshot: only shares are added, and the formula says so
        assert e["by_followers_with_shares_saves"] == {
            "value": approx(105 / 950 * 100),
            "formula": "(likes + comments + shares) / followers × 100",
            "posts_used": 1,
        }
        assert e["by_views"]["value"] == approx(5.0)
        assert e["by_reach"] == {
            "value": None,
            "formula": "(likes + comments) / reach × 100",
            "posts_used": 0,
        }
        p3 = posts["non_video_posts"][0]
        assert (p3["hashtags"], p3["mentions"], p3["external_links"]) == (
            ["#stretch"],
            ["@coach"],
            ["https://coach.example"],
        )
        assert (p3["text_source"], p3["sponsored"]) == ("stored", False)
        assert p3["metrics"]["likes"] == 5  # the snapshot at 13:00 is after T
        p2 = posts["non_video_posts"][1]
        assert (p2["brand_mentions"], p2["mentions"]) == ([], ["@alice.runs"])
        assert (p2["engagement"]["by_followers"]["value"], p2["engagement"]["followers"]) == (
            approx(R2),
            1000,
        )

    async def test_posts_parameter(
        self, client: httpx.AsyncClient, alice: Tenant, creator: dict[str, int]
    ) -> None:
        body = await report(client, alice, creator["account"], posts=1)
        assert body["posts"]["listed"] == 1
        assert [p["social_id"] for p in body["posts"]["non_video_posts"]] == ["P3"]
        assert body["posts"]["video_posts"] == []
        assert body["profile_details"]["posts_read"] == 1
        # the engagement rate still reads the last 12 posts at least 24 h old
        assert body["profile_overview"]["engagement_rate"]["posts_used"] == 2

    async def test_reach_and_engagement(
        self, client: httpx.AsyncClient, alice: Tenant, creator: dict[str, int]
    ) -> None:
        r = (await report(client, alice, creator["account"]))["reach_and_engagement"]
        assert "last 30 posts" in r["formula"]
        a = r["all_posts"]
        assert a["posts"] == 3
        assert a["likes"] == {"mean": approx((90 + 30 + 5) / 3), "posts_used": 3}
        assert a["comments"] == {"mean": approx((10 + 3 + 0) / 3), "posts_used": 3}
        assert a["views"] == {"mean": approx(2000.0), "posts_used": 1}
        assert a["shares"] == {"mean": approx(5.0), "posts_used": 1}
        assert r["video_posts"]["posts"] == 1
        assert r["video_posts"]["likes"]["mean"] == approx(90.0)
        assert r["non_video_posts"]["posts"] == 2
        assert r["non_video_posts"]["likes"]["mean"] == approx(17.5)
        assert r["non_video_posts"]["views"] == {"mean": None, "posts_used": 0}

    async def test_account_without_history(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        account = await create_account(client, alice, "youtube", "@empty")
        r = await client.get(f"/v1/accounts/{account['id']}/report", headers=alice.headers)
        assert r.status_code == 200, r.text
        body = r.json()
        o = body["profile_overview"]
        assert (o["followers"], o["influencer_tier"], o["snapshot_at"]) == (None, None, None)
        assert o["engagement_rate"]["value"] is None
        assert o["engagement_rate"]["posts_used"] == 0
        assert o["content_per_week"]["value"] == 0.0
        assert body["growth"]["followers"]["month"]["percent"] is None
        assert body["posts"] == {"listed": 0, "video_posts": [], "non_video_posts": []}

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"at": "yesterday"}, "at"),
            ({"posts": 0}, "posts"),
            ({"posts": 201}, "posts"),
            ({"days": 366}, "days"),
            ({"basis": "likes"}, "basis"),
        ],
    )
    async def test_bad_input(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        creator: dict[str, int],
        params: dict[str, Any],
        field: str,
    ) -> None:
        r = await client.get(
            f"/v1/accounts/{creator['account']}/report", params=params, headers=alice.headers
        )
        assert field in fields(problem(r, 422))


# ---------------------------------------------------------------------------- impressions


@pytest.fixture
async def brand(client: httpx.AsyncClient, alice: Tenant, app: Any) -> dict[str, int]:
    """A profile with an Instagram (primary: reach), a YouTube (primary: views) and a Bluesky
    account (no impressions at all), with daily snapshots around 2024-01-02 … 2024-01-05.

    Daily increases in the range: Instagram reach 01-02 +50, 01-03 0, 01-04 0 (a drop is no
    negative reach), 01-05 +60 (the last snapshot of the day counts): 110. YouTube views
    01-02 +300, 01-03 no snapshot, 01-04 none (the day after a gap), 01-05 +100: 400.
    """
    profile = await create_profile(client, alice, "brand")
    ig = (await create_account(client, alice, "instagram", "brand.ig"))["id"]
    yt = (await create_account(client, alice, "youtube", "@brandyt"))["id"]
    bs = (await create_account(client, alice, "bluesky", "brand.bsky.social"))["id"]
    await attach(client, alice, profile["id"], [ig, yt, bs])
    for day, reach, views, followers in [
        (1, 100, 1, 10),
        (2, 150, 1, None),
        (3, 150, 1, 12),
        (4, 140, 1, None),
    ]:
        await add_account_snapshot(app, ig, at(2024, 1, day), reach=reach, views=views, followers=followers)
    await add_account_snapshot(app, ig, at(2024, 1, 5, 8), reach=500, followers=99)
    await add_account_snapshot(app, ig, at(2024, 1, 5, 20), reach=200, followers=11)
    for day, views, followers, likes in [
        (1, 1000, 100, 5),
        (2, 1300, None, 8),
        (4, 1500, None, None),
        (5, 1600, 130, None),
    ]:
        await add_account_snapshot(app, yt, at(2024, 1, day), views=views, followers=followers, likes=likes)
    await add_account_snapshot(app, bs, at(2023, 12, 30), followers=7)
    await add_account_snapshot(app, bs, at(2024, 1, 4), followers=9)
    return {"profile": profile["id"], "ig": ig, "yt": yt, "bs": bs}


async def impressions(client: httpx.AsyncClient, tenant: Tenant, **params: Any) -> dict[str, Any]:
    r = await client.get("/v1/analytics/impressions", params=params, headers=tenant.headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


RANGE = {"start_date": "2024-01-02", "end_date": "2024-01-05"}


class TestImpressions:
    async def test_total_with_breakdown(
        self, client: httpx.AsyncClient, alice: Tenant, brand: dict[str, int]
    ) -> None:
        body = await impressions(client, alice, profile=brand["profile"], breakdown="true", **RANGE)
        assert (body["start_date"], body["end_date"], body["days"], body["mode"]) == (
            "2024-01-02",
            "2024-01-05",
            4,
            "total_impressions",
        )
        assert body["scope"] == {
            "profile_id": brand["profile"],
            "account_ids": [brand["ig"], brand["yt"], brand["bs"]],
        }
        assert body["metrics"] is None
        t = body["total_impressions"]
        assert t["total"] == 510
        assert t["per_platform"] == {"instagram": 110, "youtube": 400}
        assert t["per_day"] == {"2024-01-02": 350, "2024-01-03": 0, "2024-01-04": 0, "2024-01-05": 160}
        assert sum(t["per_platform"].values()) == sum(t["per_day"].values()) == t["total"]
        # YouTube has no value on 01-03 and 01-04; Bluesky reports no impressions on any day
        assert (t["accounts"], t["missing_days"]) == (2, 2 + 4)
        assert "primary impressions metric" in t["formula"]
        assert body["primary_metrics"] == {
            "bluesky": {"field": "impressions", "metric_type": "none", "column": None},
            "instagram": {"field": "reach", "metric_type": "reach", "column": "reach"},
            "youtube": {"field": "impressions", "metric_type": "views", "column": "views"},
        }

    async def test_without_breakdown(
        self, client: httpx.AsyncClient, alice: Tenant, brand: dict[str, int]
    ) -> None:
        t = (await impressions(client, alice, profile=brand["profile"], **RANGE))["total_impressions"]
        assert (t["total"], t["per_platform"], t["per_day"]) == (510, None, None)

    async def test_one_date(self, client: httpx.AsyncClient, alice: Tenant, brand: dict[str, int]) -> None:
        body = await impressions(client, alice, profile=brand["profile"], date="2024-01-05", breakdown="true")
        assert (body["start_date"], body["end_date"]) == ("2024-01-05", "2024-01-05")
        assert body["total_impressions"]["per_platform"] == {"instagram": 60, "youtube": 100}
        assert body["total_impressions"]["total"] == 160

    async def test_platform_filter(
        self, client: httpx.AsyncClient, alice: Tenant, brand: dict[str, int]
    ) -> None:
        body = await impressions(
            client, alice, profile=brand["profile"], platform="YouTube,twitter", breakdown="true", **RANGE
        )
        assert body["platforms_filter"] == ["x", "youtube"]
        assert body["scope"]["account_ids"] == [brand["yt"]]
        t = body["total_impressions"]
        assert (t["total"], t["per_platform"]) == (400, {"youtube": 400})
        assert t["per_day"] == {"2024-01-02": 300, "2024-01-05": 100}

    async def test_account_ids(self, client: httpx.AsyncClient, alice: Tenant, brand: dict[str, int]) -> None:
        query = f"account_ids={brand['ig']},{brand['yt']}&account_ids={brand['ig']}"
        r = await client.get(
            f"/v1/analytics/impressions?{query}&start_date=2024-01-02&end_date=2024-01-05",
            headers=alice.headers,
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["scope"] == {"profile_id": None, "account_ids": [brand["ig"], brand["yt"]]}
        assert body["total_impressions"]["total"] == 510

    async def test_metrics_stock_and_flow(
        self, client: httpx.AsyncClient, alice: Tenant, brand: dict[str, int]
    ) -> None:
        body = await impressions(
            client, alice, profile=brand["profile"], metrics="followers,likes", breakdown="true", **RANGE
        )
        assert body["mode"] == "metrics"
        assert body["total_impressions"] is None
        f = body["metrics"]["followers"]
        # levels at the end: Instagram 11 (the last snapshot of 01-05), YouTube 130, Bluesky 9
        assert (f["kind"], f["total"]) == ("stock", 150)
        assert f["per_platform"] == {"bluesky": 9, "instagram": 11, "youtube": 130}
        # opening levels on 01-02: 10 + 100 + 7 (Bluesky's carried from 2023-12-30), then the changes
        assert f["per_day"] == {"2024-01-02": 117, "2024-01-03": 2, "2024-01-04": 2, "2024-01-05": 29}
        assert sum(f["per_day"].values()) == f["total"]
        likes = body["metrics"]["likes"]
        # only YouTube reports likes, on 01-01 and 01-02: +3 on 01-02
        assert (likes["kind"], likes["total"], likes["per_platform"]) == ("flow", 3, {"youtube": 3})
        assert likes["per_day"] == {"2024-01-02": 3}
        assert likes["accounts"] == 1
        # Instagram: four days without likes; YouTube three; Bluesky (no likes at all) four
        assert likes["missing_days"] == 4 + 3 + 4

    async def test_period(self, client: httpx.AsyncClient, alice: Tenant, brand: dict[str, int]) -> None:
        body = await impressions(client, alice, profile=brand["profile"], period="last_week")
        today = datetime.now(UTC).date()
        assert (body["start_date"], body["end_date"], body["days"]) == (
            (today - timedelta(days=7)).isoformat(),
            today.isoformat(),
            8,
        )
        assert body["total_impressions"]["total"] == 0  # the snapshots are from 2024

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"start_date": "2024-13-01"}, "start_date"),
            ({"end_date": "01/05/2024"}, "end_date"),
            ({"date": "2024-02-30"}, "date"),
            ({"start_date": "2024-01-05", "end_date": "2024-01-01"}, "start_date"),
            ({"period": "last_decade"}, "period"),
            ({"metrics": "views"}, "metrics"),
            ({"metrics": "likes,Followers"}, "metrics"),
            ({"platform": "myspace"}, "platform"),
            ({"start_date": "2020-01-01", "end_date": "2024-01-01"}, "start_date"),
        ],
    )
    async def test_bad_input_names_the_parameter(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        brand: dict[str, int],
        params: dict[str, Any],
        field: str,
    ) -> None:
        r = await client.get(
            "/v1/analytics/impressions", params={"profile": brand["profile"], **params}, headers=alice.headers
        )
        body = problem(r, 400)
        assert body["errors"][0]["field"] == field
        assert body["detail"]

    async def test_unknown_metric_is_named(
        self, client: httpx.AsyncClient, alice: Tenant, brand: dict[str, int]
    ) -> None:
        r = await client.get(
            "/v1/analytics/impressions",
            params={"profile": brand["profile"], "metrics": "likes,views"},
            headers=alice.headers,
        )
        assert "'views'" in problem(r, 400)["detail"]

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("", "profile"),
            ("profile=1&account_ids=1", "profile"),
            ("account_ids=1,abc", "account_ids"),
            ("account_ids=,", "profile"),
        ],
    )
    async def test_scope_is_required(
        self, client: httpx.AsyncClient, alice: Tenant, query: str, field: str
    ) -> None:
        r = await client.get(f"/v1/analytics/impressions?{query}", headers=alice.headers)
        assert problem(r, 400)["errors"][0]["field"] == field

    async def test_profile_must_be_an_id(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        r = await client.get("/v1/analytics/impressions?profile=brand", headers=alice.headers)
        assert "profile" in fields(problem(r, 422))

    async def test_unknown_accounts_are_named(
        self, client: httpx.AsyncClient, alice: Tenant, brand: dict[str, int]
    ) -> None:
        r = await client.get(
            f"/v1/analytics/impressions?account_ids={brand['ig']},999999", headers=alice.headers
        )
        body = problem(r, 404)
        assert body["missing_ids"] == [999999]


# ---------------------------------------------------------------------------- per-platform analytics


class TestProfileAnalytics:
    async def test_per_platform(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        profile = await create_profile(client, alice, "creator")
        ig = (await create_account(client, alice, "instagram", "creator.ig"))["id"]
        yt = (await create_account(client, alice, "youtube", "@creatoryt"))["id"]
        await attach(client, alice, profile["id"], [ig, yt])
        now = datetime.now(UTC).replace(hour=0, minute=30, second=0, microsecond=0)
        today = now.date()
        for back, reach, followers in [(2, 100, 50), (1, 130, 52), (0, 170, 55)]:
            await add_account_snapshot(
                app,
                ig,
                now - timedelta(days=back),
                reach=reach,
                followers=followers,
                views=500,
                likes=10 + back,
            )
        for back, views in [(2, 1000), (0, 1150)]:
            await add_account_snapshot(app, yt, now - timedelta(days=back), views=views, followers=7)
        r = await client.get(
            f"/v1/profiles/{profile['id']}/analytics",
            params={"platforms": "instagram,YouTube,tiktok,myspace"},
            headers=alice.headers,
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["profile_id"], body["profile_name"]) == (profile["id"], "creator")
        assert (body["start_date"], body["end_date"]) == (
            (today - timedelta(days=29)).isoformat(),
            today.isoformat(),
        )
        assert list(body["platforms"]) == ["instagram", "youtube", "tiktok", "myspace"]
        i = body["platforms"]["instagram"]
        assert (i["success"], i["account_ids"], i["followers"], i["reach"], i["impressions"]) == (
            True,
            [ig],
            55,
            170,
            500,  # Instagram's impressions are its views ("Content Views")
        )
        assert (i["likes"], i["comments"], i["profile_views"]) == (10, None, None)
        assert (i["metric_type"], i["primary_impressions_field"], i["timeseries_metric"]) == (
            "reach",
            "reach",
            "reach",
        )
        assert i["metric_labels"]["reach"] == "Unique Reach"
        assert "profileViews" in i["available_metrics"]
        series = {p["date"]: p["value"] for p in i["timeseries"]}
        assert len(series) == 30
        assert series[(today - timedelta(days=1)).isoformat()] == 30
        assert series[today.isoformat()] == 40
        assert series[(today - timedelta(days=2)).isoformat()] is None  # the first day has no increase
        assert sum(v for v in series.values() if v is not None) == i["period_totals"]["reach"] == 70
        assert i["period_totals"]["likes"] == 0  # likes fell: never negative
        y = body["platforms"]["youtube"]
        assert (y["success"], y["impressions"], y["followers"], y["metric_type"]) == (True, 1150, 7, "views")
        assert y["metric_labels"]["followers"] == "Subscribers"
        # a gap on the day before today: no daily value at all
        assert all(p["value"] is None for p in y["timeseries"])
        assert y["period_totals"]["impressions"] is None
        t = body["platforms"]["tiktok"]
        assert t["success"] is False
        assert "no tiktok account" in t["message"]
        m = body["platforms"]["myspace"]
        assert m["success"] is False
        assert "not a supported platform" in m["message"]

    async def test_default_platforms_are_the_profiles(
        self, client: httpx.AsyncClient, alice: Tenant, brand: dict[str, int]
    ) -> None:
        r = await client.get(f"/v1/profiles/{brand['profile']}/analytics", headers=alice.headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert list(body["platforms"]) == ["bluesky", "instagram", "youtube"]
        b = body["platforms"]["bluesky"]
        assert (b["success"], b["followers"], b["metric_type"], b["timeseries_metric"]) == (
            True,
            9,
            "none",
            None,
        )
        assert all(p["value"] is None for p in b["timeseries"])

    async def test_empty_platforms(
        self, client: httpx.AsyncClient, alice: Tenant, brand: dict[str, int]
    ) -> None:
        r = await client.get(f"/v1/profiles/{brand['profile']}/analytics?platforms=,", headers=alice.headers)
        assert problem(r, 400)["errors"][0]["field"] == "platforms"


# ---------------------------------------------------------------------------- post analytics


@pytest.fixture
async def posted(client: httpx.AsyncClient, alice: Tenant, app: Any) -> dict[str, int]:
    account = await create_account(client, alice, "tiktok", "@dancer")
    aid = int(account["id"])
    await add_account_snapshot(app, aid, at(2024, 2, 10, 8), followers=1500, views=45000)
    await add_account_snapshot(app, aid, at(2024, 2, 10, 20), followers=1510, views=46000)
    await add_account_snapshot(app, aid, at(2024, 2, 20), followers=1650, views=52000)
    post = await add_post(
        app,
        alice,
        aid,
        platform="tiktok",
        social_id="7123456789",
        type="video",
        posted_at=at(2024, 2, 10, 14, 30),
        caption="Dance",
        url="https://www.tiktok.com/@dancer/video/7123456789",
        details={"title": "My Video"},
    )
    await add_post_snapshot(app, post, at(2024, 2, 11), views=800, likes=10, comments=1)
    await add_post_snapshot(app, post, at(2024, 2, 19), views=5200, likes=120, comments=8, shares=3)
    return {"account": aid, "post": post}


class TestPostAnalytics:
    async def test_metrics_and_snapshots(
        self, client: httpx.AsyncClient, alice: Tenant, posted: dict[str, int]
    ) -> None:
        r = await client.get(f"/v1/posts/{posted['post']}/analytics", headers=alice.headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["post"]["social_id"] == "7123456789"
        assert (body["post"]["title"], body["post"]["account_id"]) == ("My Video", posted["account"])
        m = body["metrics"]
        assert (m["fetched_at"], m["views"], m["likes"], m["comments"], m["shares"], m["saves"]) == (
            "2024-02-19T12:00:00Z",
            5200,
            120,
            8,
            3,
            None,
        )
        assert (body["metrics_error"], body["metrics_error_source"]) == (None, None)
        # the latest account snapshot taken by the end of 2024-02-10 (the post's day)
        s = body["account_snapshot_at_post_date"]
        assert (s["fetched_at"], s["followers"], s["views"]) == ("2024-02-10T20:00:00Z", 1510, 46000)
        latest = body["account_snapshot_latest"]
        assert (latest["fetched_at"], latest["followers"]) == ("2024-02-20T12:00:00Z", 1650)
        e = body["engagement"]
        # followers at the post snapshot (2024-02-19 12:00): 1510
        assert (e["followers"], e["followers_at"]) == (1510, "2024-02-10T20:00:00Z")
        assert e["by_followers"]["value"] == approx(128 / 1510 * 100)
        assert e["by_followers_with_shares_saves"] == {
            "value": approx(131 / 1510 * 100),
            "formula": "(likes + comments + shares) / followers × 100",
            "posts_used": 1,
        }
        assert e["by_views"]["value"] == approx(128 / 5200 * 100)

    async def test_failed_refresh_shows_its_error(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any, posted: dict[str, int]
    ) -> None:
        await add_refresh_item(app, alice, posted["post"], platform="tiktok", status="succeeded", attempts=1)
        await add_refresh_item(
            app,
            alice,
            posted["post"],
            platform="tiktok",
            status="failed",
            attempts=5,
            error_code="transient",
            error_message="TikTok answered 503 five times",
        )
        r = await client.get(f"/v1/posts/{posted['post']}/analytics", headers=alice.headers)
        body = r.json()
        assert body["metrics_error"] == "the last refresh failed: TikTok answered 503 five times"
        assert body["metrics_error_source"] == "refresh"
        assert body["metrics"]["views"] == 5200  # the stored history is still shown

    async def test_retry_pending_and_later_success(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any, posted: dict[str, int]
    ) -> None:
        await add_refresh_item(
            app,
            alice,
            posted["post"],
            platform="tiktok",
            status="queued",
            attempts=1,
            error_message="rate limited by TikTok",
        )
        r = await client.get(f"/v1/posts/{posted['post']}/analytics", headers=alice.headers)
        assert r.json()["metrics_error"] == (
            "the last refresh attempt failed and will be retried: rate limited by TikTok"
        )
        async with app.state.sessions() as s, s.begin():
            await s.execute(update(RefreshItem).values(status="succeeded", error_message=None))
        r = await client.get(f"/v1/posts/{posted['post']}/analytics", headers=alice.headers)
        assert r.json()["metrics_error"] is None

    async def test_post_status_detail(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any, posted: dict[str, int]
    ) -> None:
        async with app.state.sessions() as s, s.begin():
            post = await s.get(Post, posted["post"])
            assert post is not None
            post.status = "not_found"
            post.status_detail = "tiktok has no such post (video not found): it may have been deleted"
        r = await client.get(f"/v1/posts/{posted['post']}/analytics", headers=alice.headers)
        body = r.json()
        assert body["metrics_error"] == "tiktok has no such post (video not found): it may have been deleted"
        assert body["metrics_error_source"] == "post_status"

    async def test_post_without_account_or_snapshots(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        post = await add_post(app, alice, None, social_id="lonely", posted_at=None)
        r = await client.get(f"/v1/posts/{post}/analytics", headers=alice.headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["metrics"] is None
        assert body["account_snapshot_at_post_date"] is None
        assert body["account_snapshot_latest"] is None
        assert body["engagement"]["by_followers"]["value"] is None
        assert body["engagement"]["followers"] is None


# ---------------------------------------------------------------------------- platforms


class TestPlatforms:
    async def test_configuration(self, client: httpx.AsyncClient, app: Any) -> None:
        r = await client.get("/v1/platforms")  # public: configuration only
        assert r.status_code == 200, r.text
        platforms = r.json()["platforms"]
        assert len(platforms) == 10
        yt = platforms["youtube"]
        assert (yt["primary_impressions_field"], yt["primary_column"], yt["metric_type"]) == (
            "impressions",
            "views",
            "views",
        )
        assert yt["metric_labels"]["followers"] == "Subscribers"
        assert platforms["reddit"]["metric_type"] == "score"
        assert platforms["bluesky"]["primary_column"] is None
        # whether a connector exists is the registry's answer
        settings: Settings = app.state.settings
        async with httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(599))) as offline:
            registry = ConnectorRegistry(settings, client=offline)
            expected = {name: registry.supported(name) for name in platforms}
            await registry.aclose()
        assert {name: p["connector"] for name, p in platforms.items()} == expected
        assert (yt["connector"], platforms["bluesky"]["connector"]) == (True, True)


# ---------------------------------------------------------------------------- tenancy


class TestTenancy:
    async def test_other_users_ids_are_not_found(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        bob: Tenant,
        brand: dict[str, int],
        posted: dict[str, int],
    ) -> None:
        for path in (
            f"/v1/accounts/{brand['ig']}/report",
            f"/v1/profiles/{brand['profile']}/analytics",
            f"/v1/posts/{posted['post']}/analytics",
            f"/v1/analytics/impressions?profile={brand['profile']}",
            f"/v1/analytics/impressions?account_ids={brand['ig']}",
        ):
            theirs = await client.get(path, headers=bob.headers)
            assert problem(theirs, 404)["status"] == 404, path
            assert (await client.get(path, headers=alice.headers)).status_code == 200, path

    async def test_credentials_are_required(self, client: httpx.AsyncClient, brand: dict[str, int]) -> None:
        r = await client.get(f"/v1/accounts/{brand['ig']}/report")
        assert problem(r, 401)["status"] == 401
