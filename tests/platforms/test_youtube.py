"""YouTube Data API v3 connector against the wire format of reference section 1 (httpx.MockTransport)."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from socialpulse.platforms.base import (
    AccountRef,
    AuthExpired,
    BadResponse,
    NotFound,
    PlatformError,
    PostRef,
    ProfileData,
    QuotaExceeded,
    RateLimited,
    TransientError,
)
from socialpulse.platforms.youtube import (
    API_KEY_SETTING,
    YouTubeConnector,
    channel_lookup,
    parse_duration,
)

BASE = "https://yt.test/youtube/v3"
KEY = "test-key"

# Example bodies copied from reference/platform-apis.md section 1.
CHANNELS = {
    "kind": "youtube#channelListResponse",
    "etag": "e",
    "pageInfo": {"totalResults": 1, "resultsPerPage": 5},
    "items": [
        {
            "kind": "youtube#channel",
            "etag": "e",
            "id": "UCx",
            "snippet": {"title": "Chan", "customUrl": "@chan", "publishedAt": "2015-01-01T00:00:00Z"},
            "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": "UUx"}},
            "statistics": {
                "viewCount": "1000",
                "subscriberCount": "50",
                "hiddenSubscriberCount": False,
                "videoCount": "10",
            },
        }
    ],
}
VIDEOS = {
    "kind": "youtube#videoListResponse",
    "items": [
        {
            "kind": "youtube#video",
            "id": "v1",
            "snippet": {"publishedAt": "2024-05-01T10:00:00Z", "channelId": "UCx", "title": "T"},
            "statistics": {"viewCount": "123", "likeCount": "4", "favoriteCount": "0", "commentCount": "2"},
        }
    ],
    "pageInfo": {"totalResults": 1, "resultsPerPage": 1},
}
COMMENT_THREADS = {
    "kind": "youtube#commentThreadListResponse",
    "nextPageToken": "QURT",
    "pageInfo": {"totalResults": 20, "resultsPerPage": 20},
    "items": [
        {
            "kind": "youtube#commentThread",
            "id": "Ug1",
            "snippet": {
                "channelId": "UCx",
                "videoId": "v1",
                "canReply": True,
                "totalReplyCount": 1,
                "isPublic": True,
                "topLevelComment": {
                    "kind": "youtube#comment",
                    "id": "Ug1",
                    "snippet": {
                        "textDisplay": "hi",
                        "textOriginal": "hi",
                        "authorDisplayName": "@a",
                        "authorChannelId": {"value": "UCa"},
                        "likeCount": 3,
                        "publishedAt": "2024-05-02T00:00:00Z",
                        "updatedAt": "2024-05-02T00:00:00Z",
                    },
                },
            },
            "replies": {"comments": [{"id": "Ug1.r1", "snippet": {"parentId": "Ug1", "textDisplay": "yo"}}]},
        }
    ],
}
QUOTA_BODY = {
    "error": {
        "code": 403,
        "message": 'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
        "errors": [{"message": "...", "domain": "youtube.quota", "reason": "quotaExceeded"}],
    }
}


def google_error(status: int, reason: str, message: str = "error", domain: str = "youtube") -> httpx.Response:
    body = {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
    }
    return httpx.Response(status, json=body)


Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport that answers by path and keeps every request."""

    def __init__(self, routes: dict[str, Handler]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        name = request.url.path.rsplit("/", 1)[-1]
        return self.routes[name](request)

    def params(self, i: int = -1) -> dict[str, str]:
        return dict(self.requests[i].url.params)


class FakeBudget:
    def __init__(self, budget: int = 10_000) -> None:
        self.budget = budget
        self.spent: list[tuple[str, int]] = []
        self.exhausted: list[str] = []

    async def spend(self, platform: str, units: int) -> None:
        if sum(u for _, u in self.spent) + units > self.budget:
            raise QuotaExceeded("budget spent", resets_at=datetime(2030, 1, 1, tzinfo=UTC))
        self.spent.append((platform, units))

    async def exhaust(self, platform: str) -> None:
        self.exhausted.append(platform)


def connector(
    routes: dict[str, Handler], *, api_key: str | None = KEY, quota: Any = None, retries: int = 0
) -> tuple[YouTubeConnector, Recorder]:
    rec = Recorder(routes)
    client = httpx.AsyncClient(transport=httpx.MockTransport(rec))
    return YouTubeConnector(client, base_url=BASE, api_key=api_key, quota=quota, retries=retries), rec


def channel_item(cid: str, **stats: Any) -> dict[str, Any]:
    item = copy.deepcopy(CHANNELS["items"][0])  # type: ignore[index]
    item["id"] = cid
    item["snippet"]["customUrl"] = f"@{cid.lower()}"
    item["contentDetails"]["relatedPlaylists"]["uploads"] = "UU" + cid[2:]
    item["statistics"].update(stats)
    return dict(item)


def echo_channels(request: httpx.Request) -> httpx.Response:
    ids = request.url.params["id"].split(",")
    return httpx.Response(
        200, json={"kind": "youtube#channelListResponse", "items": [channel_item(i) for i in ids]}
    )


class TestConnectorShape:
    def test_names_and_limits(self) -> None:
        c, _ = connector({})
        assert c.name == "youtube-data-v3"
        assert c.api_version == "v3"
        assert c.limits.profile_batch == 50
        assert c.limits.post_batch == 50
        assert c.limits.daily_quota == 10_000
        assert c.limits.quota_costs["channels.list"] == 1
        assert c.limits.quota_costs["videos.list"] == 1
        assert c.limits.quota_costs["playlistItems.list"] == 1
        assert c.limits.quota_costs["commentThreads.list"] == 1
        assert c.limits.quota_costs["search.list"] == 100

    def test_daily_quota_from_settings(self) -> None:
        c = YouTubeConnector(httpx.AsyncClient(), base_url=BASE, api_key=KEY, daily_quota=500)
        assert c.limits.daily_quota == 500


class TestFetchProfiles:
    async def test_maps_every_field_of_the_reference_body(self) -> None:
        body = copy.deepcopy(CHANNELS)
        snippet = body["items"][0]["snippet"]  # type: ignore[index]
        snippet.update(
            description="About the channel",
            country="US",
            thumbnails={
                "default": {"url": "https://i.yt/d.jpg"},
                "high": {"url": "https://i.yt/h.jpg"},
            },
        )
        c, rec = connector({"channels": lambda r: httpx.Response(200, json=body)})
        out = await c.fetch_profiles([AccountRef(key="1", handle="chan", platform_id="UCx")])
        p = out["1"]
        assert isinstance(p, ProfileData)
        assert p.platform_id == "UCx"
        assert p.handle == "chan"
        assert p.display_name == "Chan"
        assert p.biography == "About the channel"
        assert p.avatar_url == "https://i.yt/h.jpg"
        assert p.url == "https://www.youtube.com/@chan"
        assert p.location == "US"
        assert (p.followers, p.posts, p.views) == (50, 10, 1000)
        assert all(type(v) is int for v in (p.followers, p.posts, p.views))
        assert p.details == {
            "uploads_playlist_id": "UUx",
            "custom_url": "@chan",
            "country": "US",
            "published_at": "2015-01-01T00:00:00Z",
            "hidden_subscriber_count": False,
        }
        assert rec.params() == {"part": "snippet,statistics,contentDetails", "id": "UCx", "key": KEY}
        assert c.calls == {"channels.list": 1}

    async def test_hidden_subscriber_count_is_none(self) -> None:
        item = channel_item("UCh", subscriberCount="1000", hiddenSubscriberCount=True)
        c, _ = connector({"channels": lambda r: httpx.Response(200, json={"items": [item]})})
        p = (await c.fetch_profiles([AccountRef(key="1", handle="h", platform_id="UCh")]))["1"]
        assert isinstance(p, ProfileData)
        assert p.followers is None
        assert p.details["hidden_subscriber_count"] is True

    async def test_missing_subscriber_count_is_none(self) -> None:
        item = channel_item("UCm")
        del item["statistics"]["subscriberCount"]
        c, _ = connector({"channels": lambda r: httpx.Response(200, json={"items": [item]})})
        p = (await c.fetch_profiles([AccountRef(key="1", handle="m", platform_id="UCm")]))["1"]
        assert isinstance(p, ProfileData)
        assert p.followers is None
        assert p.posts == 10

    async def test_url_without_custom_url_uses_channel_id(self) -> None:
        item = channel_item("UCn")
        del item["snippet"]["customUrl"]
        c, _ = connector({"channels": lambda r: httpx.Response(200, json={"items": [item]})})
        p = (await c.fetch_profiles([AccountRef(key="1", handle="@Known", platform_id="UCn")]))["1"]
        assert isinstance(p, ProfileData)
        assert p.url == "https://www.youtube.com/channel/UCn"
        assert p.handle == "Known"

    async def test_51_channels_take_two_calls(self) -> None:
        c, rec = connector({"channels": echo_channels})
        refs = [AccountRef(key=str(i), handle=f"h{i}", platform_id=f"UC{i:022d}") for i in range(51)]
        out = await c.fetch_profiles(refs)
        assert len(rec.requests) == 2
        assert len(rec.params(0)["id"].split(",")) == 50
        assert len(rec.params(1)["id"].split(",")) == 1
        assert all(isinstance(out[r.key], ProfileData) for r in refs)
        assert out["50"].platform_id == "UC" + "50".zfill(22)  # type: ignore[union-attr]

    async def test_ids_left_out_of_items_are_not_found(self) -> None:
        c, _ = connector({"channels": lambda r: httpx.Response(200, json={"items": [channel_item("UCa")]})})
        out = await c.fetch_profiles(
            [
                AccountRef(key="a", handle="a", platform_id="UCa"),
                AccountRef(key="b", handle="b", platform_id="UCb"),
            ]
        )
        assert isinstance(out["a"], ProfileData)
        err = out["b"]
        assert isinstance(err, NotFound)
        assert "channel does not exist or was terminated" in err.message

    async def test_no_items_key_means_not_found(self) -> None:
        c, _ = connector(
            {"channels": lambda r: httpx.Response(200, json={"kind": "youtube#channelListResponse"})}
        )
        out = await c.fetch_profiles([AccountRef(key="a", handle="a", platform_id="UCa")])
        assert isinstance(out["a"], NotFound)

    async def test_handle_only_uses_for_handle_one_call_each(self) -> None:
        def by_handle(r: httpx.Request) -> httpx.Response:
            h = r.url.params["forHandle"]
            return httpx.Response(200, json={"items": [channel_item("UC" + h[1:].upper().ljust(22, "0"))]})

        c, rec = connector({"channels": by_handle})
        out = await c.fetch_profiles(
            [AccountRef(key="1", handle="@alpha"), AccountRef(key="2", handle="beta")]
        )
        assert [dict(r.url.params)["forHandle"] for r in rec.requests] == ["@alpha", "@beta"]
        assert "id" not in rec.params(0)
        assert all(isinstance(v, ProfileData) for v in out.values())

    async def test_legacy_username_falls_back_to_for_username(self) -> None:
        def route(r: httpx.Request) -> httpx.Response:
            if "forUsername" in r.url.params:
                return httpx.Response(200, json={"items": [channel_item("UCLegacy0000000000000000")]})
            return httpx.Response(200, json={"kind": "youtube#channelListResponse", "items": []})

        c, rec = connector({"channels": route})
        out = await c.fetch_profiles([AccountRef(key="1", handle="OldName")])
        assert [dict(r.url.params).get("forUsername") for r in rec.requests] == [None, "OldName"]
        assert isinstance(out["1"], ProfileData)

    async def test_unknown_handle_is_not_found(self) -> None:
        c, _ = connector({"channels": lambda r: httpx.Response(200, json={"items": []})})
        out = await c.fetch_profiles([AccountRef(key="1", handle="@nobody")])
        assert isinstance(out["1"], NotFound)
        assert "@nobody" in out["1"].message

    async def test_malformed_count_fails_only_that_channel(self) -> None:
        items = [channel_item("UCa"), channel_item("UCb", viewCount="lots")]
        c, _ = connector({"channels": lambda r: httpx.Response(200, json={"items": items})})
        out = await c.fetch_profiles(
            [
                AccountRef(key="a", handle="a", platform_id="UCa"),
                AccountRef(key="b", handle="b", platform_id="UCb"),
            ]
        )
        assert isinstance(out["a"], ProfileData)
        assert isinstance(out["b"], BadResponse)

    async def test_malformed_body_fails_the_call(self) -> None:
        c, _ = connector({"channels": lambda r: httpx.Response(200, content=b"{not json")})
        with pytest.raises(BadResponse):
            await c.fetch_profiles([AccountRef(key="a", handle="a", platform_id="UCa")])

    async def test_missing_api_key_fails_before_any_call(self) -> None:
        budget = FakeBudget()
        c, rec = connector({"channels": echo_channels}, api_key=None, quota=budget)
        with pytest.raises(AuthExpired) as exc:
            await c.fetch_profiles([AccountRef(key="a", handle="a", platform_id="UCa")])
        assert exc.value.setting == API_KEY_SETTING
        assert API_KEY_SETTING in exc.value.message
        assert rec.requests == []
        assert budget.spent == []


class TestChannelLookup:
    @pytest.mark.parametrize(
        ("handle", "platform_id", "expected"),
        [
            ("x", "UCabc", ("id", "UCabc")),
            ("@Name", None, ("forHandle", "@Name")),
            ("name", None, ("forHandle", "@name")),
            ("https://www.youtube.com/@name", None, ("forHandle", "@name")),
            ("https://youtube.com/user/legacy", None, ("forUsername", "legacy")),
            ("youtube.com/channel/UC1234567890123456789012", None, ("id", "UC1234567890123456789012")),
            ("UC1234567890123456789012", None, ("id", "UC1234567890123456789012")),
        ],
    )
    def test_lookup(self, handle: str, platform_id: str | None, expected: tuple[str, str]) -> None:
        assert channel_lookup(AccountRef(key="k", handle=handle, platform_id=platform_id)) == expected


class TestNeedsListing:
    def test_changes(self) -> None:
        c, _ = connector({})
        profile = ProfileData(platform_id="UCx", handle="x", posts=10)
        assert c.needs_listing(AccountRef(key="1", handle="x"), profile)
        assert c.needs_listing(AccountRef(key="1", handle="x", last_posts_count=9), profile)
        assert not c.needs_listing(AccountRef(key="1", handle="x", last_posts_count=10), profile)


def playlist_page(start: int, n: int, token: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "youtube#playlistItemListResponse",
        "items": [
            {
                "kind": "youtube#playlistItem",
                "id": f"pi{i}",
                "contentDetails": {"videoId": f"vid{i}", "videoPublishedAt": "2024-05-01T10:00:00Z"},
            }
            for i in range(start, start + n)
        ],
        "pageInfo": {"totalResults": 500, "resultsPerPage": n},
    }
    if token:
        body["nextPageToken"] = token
    return body


PROFILE = ProfileData(platform_id="UCx", handle="chan", posts=500, details={"uploads_playlist_id": "UUx"})


class TestListPosts:
    async def test_one_call_for_up_to_50(self) -> None:
        c, rec = connector(
            {"playlistItems": lambda r: httpx.Response(200, json=playlist_page(0, 25, "NEXT"))}
        )
        result = await c.list_posts(AccountRef(key="1", handle="chan"), PROFILE, 25)
        assert len(rec.requests) == 1
        assert rec.params() == {"part": "contentDetails", "playlistId": "UUx", "maxResults": "25", "key": KEY}
        assert result.complete
        assert [p.social_id for p in result.posts] == [f"vid{i}" for i in range(25)]
        p = result.posts[0]
        assert p.has_metrics is False
        assert p.author_platform_id == "UCx"
        assert p.author_handle == "chan"
        assert p.posted_at == datetime(2024, 5, 1, 10, tzinfo=UTC)
        assert p.url == "https://www.youtube.com/watch?v=vid0"
        assert p.views is None

    async def test_pages_until_limit(self) -> None:
        def route(r: httpx.Request) -> httpx.Response:
            start = int(r.url.params.get("pageToken", "0"))
            n = int(r.url.params["maxResults"])
            return httpx.Response(200, json=playlist_page(start, n, str(start + n)))

        c, rec = connector({"playlistItems": route})
        result = await c.list_posts(AccountRef(key="1", handle="chan"), PROFILE, 120)
        assert [dict(r.url.params)["maxResults"] for r in rec.requests] == ["50", "50", "20"]
        assert len(result.posts) == 120
        assert len({p.social_id for p in result.posts}) == 120

    async def test_stops_at_the_end_of_the_playlist(self) -> None:
        c, rec = connector({"playlistItems": lambda r: httpx.Response(200, json=playlist_page(0, 3, None))})
        result = await c.list_posts(AccountRef(key="1", handle="chan"), PROFILE, 50)
        assert len(rec.requests) == 1
        assert len(result.posts) == 3
        assert result.complete

    async def test_private_and_deleted_uploads_are_skipped(self) -> None:
        body = playlist_page(0, 3, None)
        del body["items"][1]["contentDetails"]["videoPublishedAt"]  # how a private upload is listed
        c, _ = connector({"playlistItems": lambda r: httpx.Response(200, json=body)})
        result = await c.list_posts(AccountRef(key="1", handle="chan"), PROFILE, 50)
        assert [p.social_id for p in result.posts] == ["vid0", "vid2"]

    async def test_uploads_playlist_derived_from_channel_id(self) -> None:
        c, rec = connector({"playlistItems": lambda r: httpx.Response(200, json=playlist_page(0, 1, None))})
        await c.list_posts(
            AccountRef(key="1", handle="c"), ProfileData(platform_id="UCabc", handle="c", posts=1), 5
        )
        assert rec.params()["playlistId"] == "UUabc"

    async def test_no_videos_no_call(self) -> None:
        c, rec = connector({})
        result = await c.list_posts(
            AccountRef(key="1", handle="c"), ProfileData(platform_id="UCa", handle="c", posts=0), 5
        )
        assert result.posts == []
        assert rec.requests == []


def video_item(vid: str, duration: str = "PT5M", **over: Any) -> dict[str, Any]:
    item = copy.deepcopy(VIDEOS["items"][0])  # type: ignore[index]
    item["id"] = vid
    item["snippet"].update(description="Desc", channelTitle="Chan", tags=["a", "b"])
    item["status"] = {"privacyStatus": "public"}
    item["contentDetails"] = {"duration": duration}
    item.update(over)
    return dict(item)


class TestFetchPosts:
    async def test_maps_the_reference_body(self) -> None:
        body = copy.deepcopy(VIDEOS)
        c, rec = connector({"videos": lambda r: httpx.Response(200, json=body)})
        out = await c.fetch_posts([PostRef(key="p", social_id="v1")])
        p = out["p"]
        assert not isinstance(p, PlatformError)
        assert (p.views, p.likes, p.comments) == (123, 4, 2)
        assert all(type(v) is int for v in (p.views, p.likes, p.comments))
        assert p.caption == "T"
        assert p.posted_at == datetime(2024, 5, 1, 10, tzinfo=UTC)
        assert p.author_platform_id == "UCx"
        assert p.url == "https://www.youtube.com/watch?v=v1"
        assert p.has_metrics
        assert rec.params() == {"part": "snippet,statistics,status,contentDetails", "id": "v1", "key": KEY}

    async def test_full_fields(self) -> None:
        c, _ = connector(
            {"videos": lambda r: httpx.Response(200, json={"items": [video_item("v1", "PT1H2M3S")]})}
        )
        p = (await c.fetch_posts([PostRef(key="p", social_id="v1")]))["p"]
        assert not isinstance(p, PlatformError)
        assert p.type == "video"
        assert p.caption == "T\nDesc"
        assert p.details["tags"] == ["a", "b"]
        assert p.details["duration"] == "PT1H2M3S"
        assert p.details["duration_s"] == 3723
        assert p.details["privacy_status"] == "public"
        assert p.details["channel_title"] == "Chan"

    @pytest.mark.parametrize(
        ("duration", "kind"),
        [("PT59S", "short"), ("PT1M", "short"), ("PT1M1S", "video"), ("PT45M", "video"), ("P0D", "video")],
    )
    async def test_short_when_60_seconds_or_less(self, duration: str, kind: str) -> None:
        c, _ = connector(
            {"videos": lambda r: httpx.Response(200, json={"items": [video_item("v1", duration)]})}
        )
        p = (await c.fetch_posts([PostRef(key="p", social_id="v1")]))["p"]
        assert not isinstance(p, PlatformError)
        assert p.type == kind

    async def test_hidden_likes_and_disabled_comments_are_none(self) -> None:
        item = video_item("v1")
        item["statistics"] = {"viewCount": "10"}
        c, _ = connector({"videos": lambda r: httpx.Response(200, json={"items": [item]})})
        p = (await c.fetch_posts([PostRef(key="p", social_id="v1")]))["p"]
        assert not isinstance(p, PlatformError)
        assert (p.views, p.likes, p.comments) == (10, None, None)

    async def test_missing_ids_are_not_found(self) -> None:
        c, _ = connector({"videos": lambda r: httpx.Response(200, json={"items": [video_item("v1")]})})
        out = await c.fetch_posts([PostRef(key="a", social_id="v1"), PostRef(key="b", social_id="gone")])
        assert not isinstance(out["a"], PlatformError)
        assert isinstance(out["b"], NotFound)
        assert "video does not exist, was deleted, or is private" in out["b"].message

    async def test_51_videos_take_two_calls(self) -> None:
        def route(r: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json={"items": [video_item(i) for i in r.url.params["id"].split(",")]})

        c, rec = connector({"videos": route})
        out = await c.fetch_posts([PostRef(key=str(i), social_id=f"v{i}") for i in range(51)])
        assert [len(dict(r.url.params)["id"].split(",")) for r in rec.requests] == [50, 1]
        assert len(out) == 51


class TestParseDuration:
    @pytest.mark.parametrize(
        ("value", "seconds"),
        [
            ("PT15S", 15),
            ("PT1M", 60),
            ("PT1H", 3600),
            ("P1DT1S", 86401),
            ("P1W", 604800),
            ("PT1.6S", 2),
            ("P0D", 0),
        ],
    )
    def test_values(self, value: str, seconds: int) -> None:
        assert parse_duration(value) == seconds

    @pytest.mark.parametrize("value", [None, "", "P", "PT", "5 minutes", "PT5X"])
    def test_unreadable(self, value: str | None) -> None:
        assert parse_duration(value) is None


class TestFetchComments:
    async def test_maps_the_reference_body(self) -> None:
        body = copy.deepcopy(COMMENT_THREADS)
        c, rec = connector({"commentThreads": lambda r: httpx.Response(200, json=body)})
        out = await c.fetch_comments(PostRef(key="p", social_id="v1"), 1)
        assert rec.params() == {
            "part": "snippet",
            "videoId": "v1",
            "order": "relevance",
            "maxResults": "1",
            "textFormat": "plainText",
            "key": KEY,
        }
        assert len(out) == 1
        cm = out[0]
        assert cm.platform_id == "Ug1"
        assert cm.text == "hi"
        assert cm.author == "@a"
        assert cm.author_id == "UCa"
        assert cm.likes == 3
        assert cm.reply_count == 1
        assert cm.posted_at == datetime(2024, 5, 2, tzinfo=UTC)
        assert cm.parent_id is None

    async def test_pages_past_100(self) -> None:
        def route(r: httpx.Request) -> httpx.Response:
            n = int(r.url.params["maxResults"])
            thread = COMMENT_THREADS["items"][0]  # type: ignore[index]
            items = []
            for i in range(n):
                t = copy.deepcopy(thread)
                t["snippet"]["topLevelComment"]["id"] = f"c{r.url.params.get('pageToken', '')}{i}"
                items.append(t)
            return httpx.Response(200, json={"items": items, "nextPageToken": "P2"})

        c, rec = connector({"commentThreads": route})
        out = await c.fetch_comments(PostRef(key="p", social_id="v1"), 150)
        assert [dict(r.url.params)["maxResults"] for r in rec.requests] == ["100", "50"]
        assert len(out) == 150

    async def test_comments_disabled_is_empty(self) -> None:
        c, _ = connector({"commentThreads": lambda r: google_error(403, "commentsDisabled")})
        assert await c.fetch_comments(PostRef(key="p", social_id="v1"), 20) == []

    async def test_video_not_found(self) -> None:
        c, _ = connector({"commentThreads": lambda r: google_error(404, "videoNotFound")})
        with pytest.raises(NotFound, match="video does not exist"):
            await c.fetch_comments(PostRef(key="p", social_id="v1"), 20)

    async def test_zero_limit_makes_no_call(self) -> None:
        c, rec = connector({})
        assert await c.fetch_comments(PostRef(key="p", social_id="v1"), 0) == []
        assert rec.requests == []


LA = ZoneInfo("America/Los_Angeles")


class TestErrors:
    async def test_quota_exceeded_resets_at_pacific_midnight(self) -> None:
        budget = FakeBudget()
        c, _ = connector({"channels": lambda r: httpx.Response(403, json=QUOTA_BODY)}, quota=budget)
        before = datetime.now(UTC)
        with pytest.raises(QuotaExceeded) as exc:
            await c.fetch_profiles([AccountRef(key="a", handle="a", platform_id="UCa")])
        resets = exc.value.resets_at
        assert resets is not None
        assert before < resets <= before + timedelta(hours=24, minutes=1)
        local = resets.astimezone(LA)
        assert (local.hour, local.minute, local.second) == (0, 0, 0)
        assert resets.isoformat().replace("+00:00", "Z") in exc.value.message
        assert exc.value.status == 403
        assert budget.exhausted == ["youtube"]  # every worker stops until the reset

    @pytest.mark.parametrize("reason", ["rateLimitExceeded", "userRateLimitExceeded"])
    async def test_rate_limited_with_retry_after(self, reason: str) -> None:
        def route(r: httpx.Request) -> httpx.Response:
            resp = google_error(403, reason, domain="usageLimits")
            resp.headers["Retry-After"] = "7"
            return resp

        c, _ = connector({"videos": route})
        with pytest.raises(RateLimited) as exc:
            await c.fetch_posts([PostRef(key="p", social_id="v1")])
        assert exc.value.retry_after == 7.0

    async def test_rate_limited_defaults_to_one_second(self) -> None:
        c, _ = connector({"videos": lambda r: google_error(403, "rateLimitExceeded", domain="usageLimits")})
        with pytest.raises(RateLimited) as exc:
            await c.fetch_posts([PostRef(key="p", social_id="v1")])
        assert exc.value.retry_after == 1.0

    @pytest.mark.parametrize(
        ("status", "reason"), [(400, "keyInvalid"), (403, "forbidden"), (403, "accessNotConfigured")]
    )
    async def test_auth_errors_name_the_setting(self, status: int, reason: str) -> None:
        c, _ = connector({"videos": lambda r: google_error(status, reason, "API key not valid")})
        with pytest.raises(AuthExpired) as exc:
            await c.fetch_posts([PostRef(key="p", social_id="v1")])
        assert exc.value.setting == API_KEY_SETTING
        assert f"renew {API_KEY_SETTING}" in exc.value.message
        assert exc.value.status == status

    async def test_invalid_key_in_google_error_details(self) -> None:
        body = {
            "error": {
                "code": 400,
                "message": "API key not valid. Please pass a valid API key.",
                "errors": [{"message": "API key not valid.", "domain": "global", "reason": "badRequest"}],
                "status": "INVALID_ARGUMENT",
                "details": [
                    {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}
                ],
            }
        }
        c, _ = connector({"videos": lambda r: httpx.Response(400, json=body)})
        with pytest.raises(AuthExpired) as exc:
            await c.fetch_posts([PostRef(key="p", social_id="v1")])
        assert exc.value.setting == API_KEY_SETTING
        assert "API key not valid" in exc.value.message

    @pytest.mark.parametrize("status", [500, 502, 503])
    async def test_5xx_is_transient(self, status: int) -> None:
        c, _ = connector({"videos": lambda r: google_error(status, "backendError")})
        with pytest.raises(TransientError) as exc:
            await c.fetch_posts([PostRef(key="p", social_id="v1")])
        assert exc.value.retryable

    async def test_5xx_retried_and_each_attempt_spends_quota(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("socialpulse.platforms.base.backoff_delay", lambda attempt: 0.0)
        answers = [google_error(503, "backendError"), httpx.Response(200, json={"items": [video_item("v1")]})]
        budget = FakeBudget()
        c, rec = connector({"videos": lambda r: answers.pop(0)}, quota=budget, retries=1)
        out = await c.fetch_posts([PostRef(key="p", social_id="v1")])
        assert not isinstance(out["p"], PlatformError)
        assert len(rec.requests) == 2
        assert budget.spent == [("youtube", 1), ("youtube", 1)]

    async def test_other_400_is_a_plain_platform_error(self) -> None:
        c, _ = connector({"videos": lambda r: google_error(400, "invalidPageToken", "bad token")})
        with pytest.raises(PlatformError) as exc:
            await c.fetch_posts([PostRef(key="p", social_id="v1")])
        assert type(exc.value) is PlatformError
        assert "bad token" in exc.value.message
        assert not exc.value.retryable


class TestQuota:
    async def test_each_call_spends_its_units(self) -> None:
        budget = FakeBudget()
        c, _ = connector(
            {
                "channels": echo_channels,
                "videos": lambda r: httpx.Response(200, json={"items": [video_item("v1")]}),
            },
            quota=budget,
        )
        await c.fetch_profiles([AccountRef(key=str(i), handle="h", platform_id=f"UC{i}") for i in range(60)])
        await c.fetch_posts([PostRef(key="p", social_id="v1")])
        assert budget.spent == [("youtube", 1)] * 3

    async def test_spent_budget_refuses_without_calling(self) -> None:
        budget = FakeBudget(budget=1)
        c, rec = connector({"channels": echo_channels}, quota=budget)
        await c.fetch_profiles([AccountRef(key="1", handle="h", platform_id="UCa")])
        with pytest.raises(QuotaExceeded):
            await c.fetch_profiles([AccountRef(key="2", handle="h", platform_id="UCb")])
        assert len(rec.requests) == 1
        assert budget.exhausted == []  # a local refusal is not YouTube's word


# ---------------------------------------------------------------------------- against the emulator

FROZEN = datetime(2026, 3, 1, 12, tzinfo=UTC)


def emulator(**cfg: Any) -> Any:
    from socialpulse.emulator.app import EmulatorConfig, create_emulator_app

    settings: dict[str, Any] = {"seed": 42, "frozen_at": FROZEN, "creators_per_platform": 60, **cfg}
    return create_emulator_app(EmulatorConfig(**settings))


def emu_connector(app: Any, **kw: Any) -> YouTubeConnector:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emu")
    kw.setdefault("retries", 0)
    return YouTubeConnector(client, base_url="http://emu/youtube/v3", api_key="emulator-key", **kw)


async def emu_calls(app: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emu") as c:
        body: dict[str, Any] = (await c.get("/_emulator/calls")).json()
        return body


class TestAgainstEmulator:
    async def test_profiles_match_the_world(self) -> None:
        app = emulator()
        world = app.state.world
        creators = world.creators("youtube")[:6]
        yt = emu_connector(app)
        refs = [
            AccountRef(key=c.handle, handle=c.handle.lstrip("@"), platform_id=c.platform_id)
            for c in creators[:5]
        ]
        refs.append(AccountRef(key="by-handle", handle=creators[5].handle.lstrip("@")))
        out = await yt.fetch_profiles(refs)
        now = world.now_ms()
        for c, ref in zip(creators, refs, strict=True):
            p = out[ref.key]
            assert isinstance(p, ProfileData), p
            stats = world.stats(c, now)
            assert p.platform_id == c.platform_id
            assert p.handle == c.handle.lstrip("@").lower()
            assert p.display_name == c.display_name
            assert p.biography == (c.biography or None)
            assert p.followers == (None if c.hidden_followers else stats.followers)
            assert (p.posts, p.views) == (stats.posts, stats.views)
            assert p.details["uploads_playlist_id"] == c.uploads_playlist
            assert p.details["country"] == c.country
            assert p.url == f"https://www.youtube.com/{c.handle.lower()}"
            assert (p.avatar_url or "").startswith("https://")
        assert (await emu_calls(app))["by_endpoint"]["youtube.channels.list"] == 2

    async def test_hidden_subscribers(self) -> None:
        app = emulator(creators_per_platform=600)
        world = app.state.world
        hidden = [c for c in world.creators("youtube") if c.hidden_followers]
        if not hidden:
            pytest.skip("this world has no channel with hidden subscribers")
        c = hidden[0]
        p = (
            await emu_connector(app).fetch_profiles(
                [AccountRef(key="h", handle="h", platform_id=c.platform_id)]
            )
        )["h"]
        assert isinstance(p, ProfileData)
        assert p.followers is None
        assert p.details["hidden_subscriber_count"] is True

    async def test_51_channels_take_two_calls(self) -> None:
        app = emulator()
        creators = app.state.world.creators("youtube")[:51]
        yt = emu_connector(app)
        out = await yt.fetch_profiles(
            [AccountRef(key=str(i), handle="x", platform_id=c.platform_id) for i, c in enumerate(creators)]
        )
        assert all(isinstance(v, ProfileData) for v in out.values())
        assert (await emu_calls(app))["by_endpoint"] == {"youtube.channels.list": 2}

    async def test_special_accounts(self) -> None:
        app = emulator()
        world = app.state.world
        yt = emu_connector(app)
        out = await yt.fetch_profiles(
            [
                AccountRef(key=k, handle=world.special("youtube", k).lstrip("@"))
                for k in ("not_found", "suspended")
            ]
        )
        for kind in ("not_found", "suspended"):
            err = out[kind]
            assert isinstance(err, NotFound)
            assert "channel does not exist or was terminated" in err.message
        private = world.special_creator("youtube", "private")
        p = (await yt.fetch_profiles([AccountRef(key="p", handle="p", platform_id=private.platform_id)]))["p"]
        assert isinstance(p, ProfileData)
        listing = await yt.list_posts(AccountRef(key="p", handle="p"), p, 10)
        assert listing.posts == []

    async def test_listing_and_posts_match_the_world(self) -> None:
        app = emulator()
        world = app.state.world
        c = world.creators("youtube")[3]
        yt = emu_connector(app)
        profile = (await yt.fetch_profiles([AccountRef(key="c", handle="c", platform_id=c.platform_id)]))["c"]
        assert isinstance(profile, ProfileData)
        listing = await yt.list_posts(AccountRef(key="c", handle="c"), profile, 30)
        public = [p for p in world.posts(c) if p.privacy == "public"][:30]
        assert [p.social_id for p in listing.posts] == [p.social_id for p in public]
        assert all(not p.has_metrics and p.author_platform_id == c.platform_id for p in listing.posts)
        assert [p.posted_at for p in listing.posts] == [
            datetime.fromtimestamp(p.published_ms // 1000, UTC) for p in public
        ]

        refs = [PostRef(key=p.social_id, social_id=p.social_id) for p in public]
        posts = await yt.fetch_posts(refs)
        now = world.now_ms()
        for seed in public:
            got = posts[seed.social_id]
            assert not isinstance(got, PlatformError), got
            st = world.post_stats(seed, now)
            assert got.views == st.views
            assert got.likes == (None if seed.likes_hidden else st.likes)
            assert got.comments == (None if seed.comments_disabled else st.comments)
            assert got.type == seed.kind
            assert got.caption == f"{seed.title}\n{seed.text}" if seed.text else seed.title
            assert got.posted_at == datetime.fromtimestamp(seed.published_ms // 1000, UTC)
            assert got.author_platform_id == c.platform_id
            assert got.details["duration_s"] == seed.duration_s
            assert got.details["tags"] == list(seed.tags)
            assert got.details["privacy_status"] == "public"
        calls = (await emu_calls(app))["by_endpoint"]
        assert calls["youtube.playlistItems.list"] == 1
        assert calls["youtube.videos.list"] == 1

    async def test_missing_and_private_videos_are_not_found(self) -> None:
        app = emulator()
        world = app.state.world
        refs = [PostRef(key=k, social_id=world.special_post("youtube", k)) for k in ("not_found", "private")]
        out = await emu_connector(app).fetch_posts(refs)
        for ref in refs:
            err = out[ref.key]
            assert isinstance(err, NotFound)
            assert "video does not exist, was deleted, or is private" in err.message

    async def test_comments_match_the_world(self) -> None:
        app = emulator()
        world = app.state.world
        now = world.now_ms()
        seed = next(
            p
            for c in world.creators("youtube")[:20]
            for p in world.posts(c, limit=20)
            if p.privacy == "public" and not p.comments_disabled and world.comment_count(p, now) > 5
        )
        comments = await emu_connector(app).fetch_comments(PostRef(key="p", social_id=seed.social_id), 5)
        assert 0 < len(comments) <= 5
        likes = [cm.likes or 0 for cm in comments]
        assert likes == sorted(likes, reverse=True)  # order=relevance
        from socialpulse.emulator.youtube import comment_id

        by_id = {
            comment_id(world, seed, k): world.comment(seed, k)
            for k in world.listed_comment_range(seed, now)
            if world.parent_of(seed, k) is None
        }
        for cm in comments:
            event = by_id[cm.platform_id]
            assert cm.text == event.text
            assert cm.likes == event.likes_at(now)
            assert cm.author_id == event.author.platform_id
            assert cm.posted_at == datetime.fromtimestamp(event.published_ms // 1000, UTC)
            assert isinstance(cm.reply_count, int)

    async def test_comments_disabled_and_missing_video(self) -> None:
        app = emulator()
        world = app.state.world
        yt = emu_connector(app)
        disabled = world.special_post("youtube", "comments_disabled")
        assert await yt.fetch_comments(PostRef(key="p", social_id=disabled), 20) == []
        with pytest.raises(NotFound):
            await yt.fetch_comments(
                PostRef(key="p", social_id=world.special_post("youtube", "not_found")), 20
            )

    async def test_quota_exceeded(self) -> None:
        app = emulator(youtube_daily_quota=1)
        c = app.state.world.creators("youtube")[0]
        yt = emu_connector(app)
        refs = [AccountRef(key="c", handle="c", platform_id=c.platform_id)]
        await yt.fetch_profiles(refs)
        with pytest.raises(QuotaExceeded) as exc:
            await yt.fetch_profiles(refs)
        assert exc.value.resets_at is not None
        local = exc.value.resets_at.astimezone(LA)
        assert (local.hour, local.minute) == (0, 0)

    async def test_rate_limited(self) -> None:
        app = emulator(rate_limit_per_s=1)
        c = app.state.world.creators("youtube")[0]
        yt = emu_connector(app)
        refs = [AccountRef(key="c", handle="c", platform_id=c.platform_id)]
        await yt.fetch_profiles(refs)
        with pytest.raises(RateLimited) as exc:
            await yt.fetch_profiles(refs)
        assert exc.value.retry_after == 1.0

    @pytest.mark.parametrize(
        ("fault", "error"), [("500", TransientError), ("429", RateLimited), ("malformed", BadResponse)]
    )
    async def test_faults(self, fault: str, error: type[PlatformError]) -> None:
        app = emulator(fault_rate=1.0, faults=(fault,))
        c = app.state.world.creators("youtube")[0]
        with pytest.raises(error):
            await emu_connector(app).fetch_profiles(
                [AccountRef(key="c", handle="c", platform_id=c.platform_id)]
            )

    async def test_pacer_keeps_under_the_emulator_limit(self) -> None:
        from socialpulse.config import Settings
        from socialpulse.platforms.pacing import Pacers

        app = emulator(rate_limit_per_s=40)
        c = app.state.world.creators("youtube")[0]
        settings = Settings(secret_key="s" * 40, youtube_rate_per_s=40.0, _env_file=None)
        yt = emu_connector(app, pacer=Pacers(settings).get("youtube"))
        refs = [AccountRef(key="c", handle="c", platform_id=c.platform_id)]
        await asyncio.gather(*(yt.fetch_profiles(refs) for _ in range(60)))
        calls = await emu_calls(app)
        assert calls["by_endpoint"]["youtube.channels.list"] == 60
        assert calls["rate_limited"] == 0
