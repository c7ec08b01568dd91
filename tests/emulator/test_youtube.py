"""YouTube Data API v3: responses match the discovery document; errors, quota, pagination, comments."""

from __future__ import annotations

import pytest

from tests.emulator.conftest import Emu, MakeEmu
from tests.emulator.specs import assert_valid, require_specs, youtube_method, youtube_validator

QUOTA_BODY = {
    "error": {
        "code": 403,
        "message": "The request cannot be completed because you have exceeded your "
        '<a href="/youtube/v3/getting-started#quota">quota</a>.',
        "errors": [
            {
                "message": "The request cannot be completed because you have exceeded your "
                '<a href="/youtube/v3/getting-started#quota">quota</a>.',
                "domain": "youtube.quota",
                "reason": "quotaExceeded",
            }
        ],
    }
}


def reason(body: dict[str, object]) -> str:
    error = body["error"]
    assert isinstance(error, dict)
    return str(error["errors"][0]["reason"])


@pytest.fixture(autouse=True)
def _specs() -> None:
    require_specs()


async def channel(
    emu: Emu, handle: str, part: str = "snippet,statistics,contentDetails"
) -> dict[str, object]:
    body = (await emu.yt("channels", part=part, forHandle=handle)).json()
    assert body["pageInfo"]["totalResults"] == 1, body
    item: dict[str, object] = body["items"][0]
    return item


async def uploads(emu: Emu, playlist: str) -> list[str]:
    ids: list[str] = []
    token = None
    while True:
        params = {"part": "contentDetails", "playlistId": playlist, "maxResults": 50}
        if token:
            params["pageToken"] = token
        body = (await emu.yt("playlistItems", **params)).json()
        ids += [i["contentDetails"]["videoId"] for i in body["items"]]
        token = body.get("nextPageToken")
        if not token:
            return ids


class TestShapes:
    async def test_every_list_matches_the_discovery_document(self, emu: Emu) -> None:
        world = emu.world
        handles = [c.handle for c in world.creators("youtube")[:8]]
        handles.append(world.special("youtube", "private"))
        channel_ids = []
        for handle in handles:
            r = await emu.yt(
                "channels",
                part="id,snippet,statistics,contentDetails,status,brandingSettings,topicDetails",
                forHandle=handle,
            )
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("application/json")
            assert_valid(youtube_validator("ChannelListResponse"), r.json())
            channel_ids.append(r.json()["items"][0]["id"])
        r = await emu.yt("channels", part="snippet,statistics", id=",".join(channel_ids))
        assert_valid(youtube_validator("ChannelListResponse"), r.json())
        assert [i["id"] for i in r.json()["items"]] == channel_ids

        c = world.creators("youtube")[0]
        r = await emu.yt(
            "playlistItems",
            part="snippet,contentDetails,status",
            playlistId=c.uploads_playlist,
            maxResults=50,
        )
        assert_valid(youtube_validator("PlaylistItemListResponse"), r.json())
        video_ids = [i["contentDetails"]["videoId"] for i in r.json()["items"]]
        r = await emu.yt(
            "videos",
            part="snippet,statistics,status,contentDetails,player,topicDetails",
            id=",".join(video_ids),
        )
        assert_valid(youtube_validator("VideoListResponse"), r.json())
        assert [v["id"] for v in r.json()["items"]] == video_ids

        commented = max(video_ids, key=lambda v: world.comment_count(world.post_by_id("youtube", v)))  # type: ignore[arg-type]
        r = await emu.yt("commentThreads", part="snippet,replies", videoId=commented, maxResults=100)
        assert_valid(youtube_validator("CommentThreadListResponse"), r.json())
        with_replies = next(t for t in r.json()["items"] if t["snippet"]["totalReplyCount"])
        r = await emu.yt("comments", part="snippet", parentId=with_replies["id"])
        assert_valid(youtube_validator("CommentListResponse"), r.json())
        r = await emu.yt("search", part="snippet", channelId=c.platform_id, type="video", order="date")
        assert_valid(youtube_validator("SearchListResponse"), r.json())
        r = await emu.yt("search", part="snippet", q="lena")
        assert_valid(youtube_validator("SearchListResponse"), r.json())

    async def test_counts_are_strings_and_hidden_counts_are_left_out(self, emu: Emu) -> None:
        item = await channel(emu, "@lenabakes")
        stats = item["statistics"]
        assert isinstance(stats, dict)
        assert stats["hiddenSubscriberCount"] is False
        for name in ("viewCount", "subscriberCount", "videoCount"):
            assert isinstance(stats[name], str)
            assert stats[name].isdigit()
        hidden = next(c for c in emu.world.creators("youtube") if c.hidden_followers)
        stats = (await channel(emu, hidden.handle))["statistics"]
        assert isinstance(stats, dict)
        assert stats["hiddenSubscriberCount"] is True
        assert "subscriberCount" not in stats
        assert int(stats["videoCount"]) == emu.world.post_count(hidden)

    async def test_uploads_are_newest_first_and_match_video_count(self, make_emu: MakeEmu) -> None:
        emu = await make_emu(posts_per_creator=12)
        item = await channel(emu, "@pixelpilot")
        playlist = item["contentDetails"]["relatedPlaylists"]["uploads"]  # type: ignore[index]
        first = (
            await emu.yt("playlistItems", part="snippet,contentDetails", playlistId=playlist, maxResults=5)
        ).json()
        assert first["pageInfo"] == {"totalResults": 12, "resultsPerPage": 5}
        assert [i["snippet"]["position"] for i in first["items"]] == [0, 1, 2, 3, 4]
        ids = await uploads(emu, playlist)
        assert len(ids) == len(set(ids)) == 12 == int(item["statistics"]["videoCount"])  # type: ignore[index]
        videos = (await emu.yt("videos", part="snippet", id=",".join(ids))).json()["items"]
        published = [v["snippet"]["publishedAt"] for v in videos]
        assert published == sorted(published, reverse=True)
        # paging by hand: 5 + 5 + 2, and the previous token leads back
        page2 = (
            await emu.yt(
                "playlistItems",
                part="id",
                playlistId=playlist,
                maxResults=5,
                pageToken=first["nextPageToken"],
            )
        ).json()
        back = (
            await emu.yt(
                "playlistItems",
                part="id",
                playlistId=playlist,
                maxResults=5,
                pageToken=page2["prevPageToken"],
            )
        ).json()
        assert [i["id"] for i in back["items"]] == [i["id"] for i in first["items"]]

    async def test_shorts_and_durations(self, emu: Emu) -> None:
        c = emu.world.creators("youtube")[1]
        ids = [p.social_id for p in emu.world.posts(c, limit=50)]
        items = (await emu.yt("videos", part="contentDetails,snippet", id=",".join(ids))).json()["items"]
        durations = [i["contentDetails"]["duration"] for i in items]
        assert all(d.startswith("PT") for d in durations)
        shorts = [d for d in durations if "M" not in d and "H" not in d]
        assert shorts
        assert all(int(d[2:-1]) < 60 for d in shorts)


class TestMissingThings:
    async def test_unknown_terminated_and_private(self, emu: Emu) -> None:
        world = emu.world
        for kind in ("not_found", "suspended"):
            body = (await emu.yt("channels", part="snippet", forHandle=world.special("youtube", kind))).json()
            assert body["pageInfo"]["totalResults"] == 0
            assert "items" not in body
        suspended = world.special_creator("youtube", "suspended")
        assert suspended is not None
        known = world.creators("youtube")[3].platform_id
        body = (
            await emu.yt(
                "channels", part="id", id=f"{suspended.platform_id},UCnotachannelnotachannel,{known}"
            )
        ).json()
        assert [i["id"] for i in body["items"]] == [known]
        r = await emu.yt("playlistItems", part="id", playlistId=suspended.uploads_playlist)
        assert r.status_code == 404
        assert reason(r.json()) == "playlistNotFound"

        # the private channel: hidden counts, and uploads that are all private
        private = await channel(emu, world.special("youtube", "private"))
        assert private["statistics"]["hiddenSubscriberCount"] is True  # type: ignore[index]
        playlist = private["contentDetails"]["relatedPlaylists"]["uploads"]  # type: ignore[index]
        items = (
            await emu.yt("playlistItems", part="snippet,contentDetails,status", playlistId=playlist)
        ).json()["items"]
        assert items
        assert all(i["status"]["privacyStatus"] == "private" for i in items)
        assert all("videoPublishedAt" not in i["contentDetails"] for i in items)
        private_video = world.special_post("youtube", "private")
        public = world.posts(world.creators("youtube")[0], limit=1)[0].social_id
        for vid in (
            private_video,
            world.special_post("youtube", "suspended"),
            world.special_post("youtube", "not_found"),
        ):
            body = (await emu.yt("videos", part="statistics", id=f"{vid},{public}")).json()
            assert [v["id"] for v in body["items"]] == [public]
        body = (await emu.yt("videos", part="statistics", id="AAAAAAAAAAA")).json()
        assert body["items"] == []
        assert body["pageInfo"]["totalResults"] == 0


class TestErrors:
    async def test_part_is_required(self, emu: Emu) -> None:
        for resource in ("channels", "videos", "playlistItems", "commentThreads", "comments", "search"):
            r = await emu.yt(resource, id="x")
            assert r.status_code == 400
            assert reason(r.json()) == "missingRequiredParameter"
        r = await emu.yt("channels", part="snippet,invideoPromotion", id="UCx")
        assert r.status_code == 400
        assert reason(r.json()) == "unknownPart"

    async def test_filters(self, emu: Emu) -> None:
        r = await emu.yt("channels", part="snippet")
        assert r.status_code == 400
        assert reason(r.json()) == "missingRequiredParameter"
        assert r.json()["error"]["message"].startswith("No filter selected")
        r = await emu.yt("videos", part="snippet", id="abc", chart="mostPopular")
        assert r.status_code == 400
        assert reason(r.json()) == "incompatibleParameters"

    async def test_batch_limit(self, emu: Emu) -> None:
        c = emu.world.creators("youtube")[0]
        ids = [p.social_id for p in emu.world.posts(c, limit=51)]
        r = await emu.yt("videos", part="id", id=",".join(ids))
        assert r.status_code == 400
        r = await emu.yt("videos", part="id", id=",".join(ids[:50]))
        assert r.status_code == 200
        assert len(r.json()["items"]) == 50
        channels = [x.platform_id for x in emu.world.creators("youtube")[:51]]
        assert (await emu.yt("channels", part="id", id=",".join(channels))).status_code == 400

    async def test_page_sizes_follow_the_discovery_document(self, emu: Emu) -> None:
        c = emu.world.creators("youtube")[0]
        video = emu.world.posts(c, limit=1)[0].social_id
        filters = {
            "channels": {"forHandle": "@lenabakes"},
            "playlistItems": {"playlistId": c.uploads_playlist},
            "commentThreads": {"videoId": video},
            "search": {"q": "lena"},
        }
        for resource, params in filters.items():
            limits = youtube_method(resource)["parameters"]["maxResults"]
            top = int(limits["maximum"])
            assert (await emu.yt(resource, part="id", maxResults=top, **params)).status_code == 200
            r = await emu.yt(resource, part="id", maxResults=top + 1, **params)
            assert r.status_code == 400
            assert reason(r.json()) == "invalidParameter"

    async def test_api_key_is_required(self, emu: Emu) -> None:
        r = await emu.yt("channels", part="id", forHandle="@lenabakes", key=None)
        assert r.status_code == 403
        error = r.json()["error"]
        assert error["errors"][0]["reason"] == "forbidden"
        assert "API key" in error["message"]
        r = await emu.client.get(
            "/youtube/v3/channels",
            params={"part": "id", "forHandle": "@lenabakes"},
            headers={"Authorization": "Bearer token"},
        )
        assert r.status_code == 200
        assert (
            await emu.yt("channels", part="id", forHandle="@lenabakes", key="anything")
        ).status_code == 200

    async def test_quota(self, make_emu: MakeEmu) -> None:
        emu = await make_emu(youtube_daily_quota=103)
        for _ in range(3):
            assert (await emu.yt("channels", part="id", forHandle="@lenabakes")).status_code == 200
        assert (await emu.yt("search", part="snippet", q="lena")).status_code == 200  # 100 units
        r = await emu.yt("channels", part="id", forHandle="@lenabakes")
        assert r.status_code == 403
        assert r.json() == QUOTA_BODY
        assert "retry-after" not in r.headers
        calls = (await emu.client.get("/_emulator/calls")).json()
        assert calls["quota_exceeded"] == 1
        assert calls["youtube_quota_used"] == {"2026-06-01": 103}
        # the next Pacific day brings a fresh quota
        await emu.patch(clock_offset_s=86_400)
        assert (await emu.yt("channels", part="id", forHandle="@lenabakes")).status_code == 200

    async def test_rate_limit(self, make_emu: MakeEmu) -> None:
        emu = await make_emu(rate_limit_per_s=2)
        statuses = [(await emu.yt("channels", part="id", forHandle="@lenabakes")) for _ in range(3)]
        assert [r.status_code for r in statuses] == [200, 200, 403]
        limited = statuses[2]
        assert reason(limited.json()) == "rateLimitExceeded"
        assert limited.json()["error"]["errors"][0]["domain"] == "usageLimits"
        assert limited.headers["retry-after"] == "1"


class TestComments:
    async def test_threads_and_replies_add_up_to_the_comment_count(self, emu: Emu) -> None:
        world = emu.world
        candidates = [p for c in world.creators("youtube")[5:40] for p in world.posts(c, limit=3)]
        video = next(p for p in candidates if 40 < world.comment_count(p) < 300 and not p.comments_disabled)
        stats = (await emu.yt("videos", part="statistics", id=video.social_id)).json()["items"][0][
            "statistics"
        ]
        threads, token, pages = [], None, 0
        while True:
            params = {"part": "snippet,replies", "videoId": video.social_id, "maxResults": 15}
            if token:
                params["pageToken"] = token
            body = (await emu.yt("commentThreads", **params)).json()
            threads += body["items"]
            pages += 1
            token = body.get("nextPageToken")
            if not token:
                break
        assert pages > 1
        replies = sum(t["snippet"]["totalReplyCount"] for t in threads)
        assert len(threads) + replies == int(stats["commentCount"])
        times = [t["snippet"]["topLevelComment"]["snippet"]["publishedAt"] for t in threads]
        assert times == sorted(times, reverse=True)
        assert len({t["id"] for t in threads}) == len(threads)
        texts = [t["snippet"]["topLevelComment"]["snippet"]["textOriginal"] for t in threads]
        assert all(texts)
        assert len(set(texts)) > len(texts) // 3

        # replies: the first ones inline, all of them through comments.list
        thread = max(threads, key=lambda t: t["snippet"]["totalReplyCount"])
        listed = (
            await emu.yt("comments", part="snippet", parentId=thread["id"], textFormat="plainText")
        ).json()
        assert len(listed["items"]) == thread["snippet"]["totalReplyCount"]
        assert all(c["snippet"]["parentId"] == thread["id"] for c in listed["items"])
        assert [c["id"] for c in listed["items"][:5]] == [c["id"] for c in thread["replies"]["comments"]]
        by_id = (await emu.yt("comments", part="snippet", id=listed["items"][0]["id"])).json()
        assert by_id["items"][0]["snippet"]["textOriginal"] == listed["items"][0]["snippet"]["textOriginal"]
        again = (await emu.yt("commentThreads", part="snippet", id=thread["id"])).json()
        assert again["items"][0]["id"] == thread["id"]

        relevance = (
            await emu.yt(
                "commentThreads", part="snippet", videoId=video.social_id, order="relevance", maxResults=100
            )
        ).json()["items"]
        likes = [t["snippet"]["topLevelComment"]["snippet"]["likeCount"] for t in relevance]
        assert likes == sorted(likes, reverse=True)

    async def test_html_text_format(self, emu: Emu) -> None:
        world = emu.world
        for c in world.creators("youtube")[:30]:
            for p in world.posts(c, limit=3):
                if not p.comments_disabled and any("'" in cm.text for cm in world.comments(p)[:100]):
                    body = (
                        await emu.yt("commentThreads", part="snippet", videoId=p.social_id, maxResults=100)
                    ).json()
                    snippets = [t["snippet"]["topLevelComment"]["snippet"] for t in body["items"]]
                    quoted = next(s for s in snippets if "'" in s["textOriginal"])
                    assert "&#39;" in quoted["textDisplay"]
                    assert "'" not in quoted["textDisplay"]
                    return
        pytest.fail("no comment with an apostrophe found")

    async def test_video_not_found_and_comments_disabled(self, emu: Emu) -> None:
        world = emu.world
        for vid in (world.special_post("youtube", "not_found"), world.special_post("youtube", "private")):
            r = await emu.yt("commentThreads", part="snippet", videoId=vid)
            assert r.status_code == 404
            assert reason(r.json()) == "videoNotFound"
        disabled = world.special_post("youtube", "comments_disabled")
        r = await emu.yt("commentThreads", part="snippet", videoId=disabled)
        assert r.status_code == 403
        assert reason(r.json()) == "commentsDisabled"
        stats = (await emu.yt("videos", part="statistics", id=disabled)).json()["items"][0]["statistics"]
        assert "commentCount" not in stats
        assert "viewCount" in stats
        r = await emu.yt("comments", part="snippet", parentId="UgzNOTAREALCOMMENTATALL4AaABAg")
        assert r.status_code == 404
        assert reason(r.json()) == "commentNotFound"


async def test_search_costs_a_hundred_units(emu: Emu) -> None:
    body = (await emu.yt("search", part="snippet", q="pixelpilot", type="channel")).json()
    assert body["items"][0]["id"] == {
        "kind": "youtube#channel",
        "channelId": emu.world.creators("youtube")[1].platform_id,
    }
    assert (await emu.client.get("/_emulator/calls")).json()["youtube_quota_used"] == {"2026-06-01": 100}
