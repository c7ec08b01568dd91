"""Comments in the refresh pipeline: an account refresh fetches the top comments of its young
posts through the emulator, stores each once with its sentiment, adds new ones and updates
likes later, stays off a nearly spent quota with a note, and the comment endpoints page them.
Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from socialpulse.config import Settings
from socialpulse.db.engine import transaction
from socialpulse.emulator.app import EmulatorConfig, create_emulator_app
from socialpulse.kit.time import aware, utcnow
from socialpulse.models import Account, Comment, Post
from socialpulse.platforms.base import PostData
from socialpulse.platforms.pacing import QuotaGuard
from socialpulse.platforms.registry import ConnectorRegistry
from socialpulse.refresh.runtime import Runtime
from socialpulse.refresh.service import refresh_service
from socialpulse.sentiment.base import analyser_for
from socialpulse.stats.comments import KnownPost, plan_targets
from tests.conftest import Tenant, make_tenant

Sessions = async_sessionmaker[AsyncSession]
EMULATOR = "http://emulator.test"


@pytest.fixture
async def user(sessions: Sessions) -> Tenant:
    return await make_tenant(sessions, "comments@example.com")


@pytest.fixture
def emu() -> Any:
    return create_emulator_app(EmulatorConfig(seed=7, frozen_at=utcnow(), creators_per_platform=20))


@pytest.fixture
async def emu_client(emu: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emu), base_url=EMULATOR) as client:
        yield client


def comment_settings(settings: Settings, **kw: Any) -> Settings:
    return settings.with_emulator(EMULATOR).model_copy(
        update={
            "youtube_api_key": "emulator-key",
            "youtube_rate_per_s": 500.0,
            "bluesky_rate_per_s": 500.0,
            "comments_per_post": 5,
            "comments_max_post_age_days": 30,
            **kw,
        }
    )


async def add_account(sessions: Sessions, user: Tenant, platform: str, handle: str) -> int:
    async with transaction(sessions) as s:
        account = Account(user_id=user.user_id, platform=platform, handle=handle)
        s.add(account)
        await s.flush()
        return account.id


async def refresh(settings: Settings, sessions: Sessions, registry: Any, user: Tenant, ids: list[int]) -> Any:
    async with transaction(sessions) as s:
        rid = (await refresh_service.create_request(s, user_id=user.user_id, account_ids=ids)).public_id
    runtime = Runtime(settings, sessions, registry=registry)
    await runtime.start()
    try:
        status = await refresh_service.wait_for(sessions, rid, timeout_s=60, poll_s=0.05)
    finally:
        await runtime.stop()
    assert status.finished
    return status


async def stored(sessions: Sessions, account_id: int) -> list[Comment]:
    async with sessions() as s:
        return list(
            await s.scalars(
                select(Comment)
                .join(Post, Post.id == Comment.post_id)
                .where(Post.account_id == account_id)
                .order_by(Comment.id)
            )
        )


async def calls(client: httpx.AsyncClient, reset: bool = False) -> dict[str, int]:
    body = (await client.get("/_emulator/calls")).json()
    if reset:
        await client.delete("/_emulator/calls")
    return dict(body["by_endpoint"])


class TestPipeline:
    @pytest.mark.parametrize("platform", ["youtube", "bluesky"])
    async def test_refresh_stores_scored_top_comments_of_young_posts_once(
        self,
        platform: str,
        settings: Settings,
        sessions: Sessions,
        user: Tenant,
        emu: Any,
        emu_client: httpx.AsyncClient,
    ) -> None:
        s = comment_settings(settings)
        handle = emu.state.world.creators(platform)[0].handle
        account_id = await add_account(sessions, user, platform, handle)
        registry = ConnectorRegistry(s, client=emu_client)
        status = await refresh(s, sessions, registry, user, [account_id])
        assert status.status == "succeeded"

        comments = await stored(sessions, account_id)
        assert comments, "the refresh stored no comment"
        analyser = analyser_for(None)
        async with sessions() as db:
            posts = {p.id: p for p in await db.scalars(select(Post).where(Post.account_id == account_id))}
        cutoff = utcnow() - timedelta(days=30)
        per_post: dict[int, int] = {}
        for c in comments:
            post = posts[c.post_id]
            assert post.posted_at is not None
            assert aware(post.posted_at) >= cutoff
            per_post[c.post_id] = per_post.get(c.post_id, 0) + 1
            assert c.text
            assert c.platform_comment_id
            assert c.sentiment_label in ("positive", "neutral", "negative")
            assert c.sentiment_score is not None
            assert -1.0 <= c.sentiment_score <= 1.0
            assert (c.analyser, c.analyser_version) == (analyser.name, analyser.version)
            assert c.sentiment_label == analyser.analyse([c.text])[0].label
        assert max(per_post.values()) <= 5  # comments_per_post
        for pid in per_post:
            assert posts[pid].comments_fetched_at is not None

        assert status.comments is not None
        assert status.comments.fetched == len(comments) == status.comments.new == status.comments.scored
        assert status.comments.posts == len({p for p, post in posts.items() if post.comments_fetched_at})

    async def test_later_refreshes_add_new_comments_and_update_likes_without_duplicates(
        self, settings: Settings, sessions: Sessions, user: Tenant, emu: Any, emu_client: httpx.AsyncClient
    ) -> None:
        s = comment_settings(settings, comments_per_post=100, comments_refetch_s=0)
        handle = emu.state.world.creators("youtube")[1].handle
        account_id = await add_account(sessions, user, "youtube", handle)
        registry = ConnectorRegistry(s, client=emu_client)
        await refresh(s, sessions, registry, user, [account_id])
        first = {c.platform_comment_id: c for c in await stored(sessions, account_id)}
        assert first

        # two days later: more comments, more likes
        await emu_client.patch("/_emulator/config", json={"clock_offset_s": 2 * 86400})
        status = await refresh(s, sessions, registry, user, [account_id])
        second = {c.platform_comment_id: c for c in await stored(sessions, account_id)}
        assert set(first) <= set(second)
        assert len(second) == len({(c.post_id, c.platform_comment_id) for c in second.values()})
        assert status.comments is not None
        assert status.comments.new == len(second) - len(first)
        assert status.comments.updated > 0
        grown = [pid for pid, c in first.items() if (second[pid].likes or 0) > (c.likes or 0)]
        assert grown, "no comment's likes were updated"
        for pid, c in first.items():  # the first label stays, and first_seen_at too
            assert second[pid].sentiment_label == c.sentiment_label
            assert aware(second[pid].first_seen_at) == aware(c.first_seen_at)

    async def test_unchanged_posts_are_not_fetched_again_within_the_refetch_interval(
        self, settings: Settings, sessions: Sessions, user: Tenant, emu: Any, emu_client: httpx.AsyncClient
    ) -> None:
        s = comment_settings(settings)
        handle = emu.state.world.creators("youtube")[2].handle
        account_id = await add_account(sessions, user, "youtube", handle)
        registry = ConnectorRegistry(s, client=emu_client)
        await refresh(s, sessions, registry, user, [account_id])
        assert (await calls(emu_client, reset=True)).get("youtube.commentThreads.list", 0) > 0
        status = await refresh(s, sessions, registry, user, [account_id])  # the world stands still
        assert "youtube.commentThreads.list" not in await calls(emu_client)
        assert status.comments is not None
        assert status.comments.fetched == 0

    async def test_comment_fetching_keeps_the_quota_reserve_and_says_so(
        self, settings: Settings, sessions: Sessions, user: Tenant, emu: Any, emu_client: httpx.AsyncClient
    ) -> None:
        # 20 units a day; the profile and its listing take a few, leaving less than the 50 % reserve
        s = comment_settings(settings, youtube_daily_quota=20, comments_quota_reserve=0.9)
        handle = emu.state.world.creators("youtube")[3].handle
        account_id = await add_account(sessions, user, "youtube", handle)
        registry = ConnectorRegistry(s, client=emu_client, quota=QuotaGuard(sessions, s))
        status = await refresh(s, sessions, registry, user, [account_id])
        assert status.status == "succeeded"  # statistics were written
        assert await stored(sessions, account_id) == []
        assert "youtube.commentThreads.list" not in await calls(emu_client)
        assert any("comments skipped" in n and "kept for statistics" in n for n in status.notes)

    async def test_a_spent_quota_stops_comment_fetching_with_its_reset_time(
        self, settings: Settings, sessions: Sessions, user: Tenant, emu: Any, emu_client: httpx.AsyncClient
    ) -> None:
        s = comment_settings(settings, youtube_daily_quota=6, comments_quota_reserve=0.0)
        handle = emu.state.world.creators("youtube")[4].handle
        account_id = await add_account(sessions, user, "youtube", handle)
        registry = ConnectorRegistry(s, client=emu_client, quota=QuotaGuard(sessions, s))
        status = await refresh(s, sessions, registry, user, [account_id])
        assert status.succeeded >= 1  # the account's statistics were written
        notes = [n for n in status.notes if n.startswith("comments skipped")]
        assert notes
        assert "quota" in notes[0]
        assert "resets" in notes[0]
        async with sessions() as db:
            fetched = await db.scalar(
                select(func.count())
                .select_from(Post)
                .where(Post.account_id == account_id, Post.comments_fetched_at.is_not(None))
            )
        assert status.comments is not None
        assert status.comments.posts == fetched


class TestPlanning:
    def test_young_changed_or_never_fetched_posts_are_due_newest_first(self) -> None:
        now = utcnow()
        since = now - timedelta(days=30)

        def known(
            pid: int, days: int, count: int | None, fetched: int | None, fetched_h: float = 1
        ) -> KnownPost:
            return KnownPost(
                id=pid,
                social_id=f"p{pid}",
                posted_at=now - timedelta(days=days),
                author_platform_id=None,
                author_handle=None,
                comments_now=count,
                fetched_at=None if fetched is None else now - timedelta(hours=fetched_h),
                fetched_count=fetched,
            )

        rows = [
            known(1, 2, 10, 10),  # unchanged, fetched an hour ago: not due
            known(2, 3, 12, 10),  # count changed: due
            known(3, 4, 5, None),  # never fetched: due
            known(4, 40, 5, None),  # too old
            known(5, 5, 7, 7, fetched_h=30),  # unchanged but fetched 30 h ago: due
            known(6, 1, 0, None),  # no comments at all: nothing to fetch
        ]
        listed = [PostData(social_id="new", posted_at=now - timedelta(hours=2), comments=3)]
        due = plan_targets(
            rows, listed, since=since, refetch_after=timedelta(hours=24), now=now, author_handle="me"
        )
        assert [t.social_id for t in due] == ["new", "p2", "p3", "p5"]
        assert due[0].post_id is None
        assert due[0].ref.author_handle == "me"
        assert due[1].post_id == 2
        assert due[1].count == 12


class TestEndpoints:
    async def seed(self, sessions: Sessions, user_id: int) -> tuple[int, int, list[int]]:
        now = utcnow()
        async with transaction(sessions) as s:
            account = Account(user_id=user_id, platform="youtube", handle="@seeded")
            s.add(account)
            await s.flush()
            post = Post(user_id=user_id, account_id=account.id, platform="youtube", social_id="v1")
            s.add(post)
            await s.flush()
            ids = []
            for i in range(7):
                c = Comment(
                    post_id=post.id,
                    platform_comment_id=f"c{i}",
                    author=f"fan{i}",
                    text=f"comment {i}",
                    posted_at=now - timedelta(hours=10 - i),
                    likes=[5, 1, 9, 0, 9, 3, None][i],
                    sentiment_label=["positive", "negative", "neutral"][i % 3],
                    sentiment_score=0.5,
                    analyser="linear",
                    analyser_version="1",
                    first_seen_at=now,
                    updated_at=now,
                )
                s.add(c)
                await s.flush()
                ids.append(c.id)
            return account.id, post.id, ids

    async def test_pages_newest_and_top_first_with_sentiment(
        self, client: httpx.AsyncClient, alice: Tenant, sessions: Sessions
    ) -> None:
        account_id, post_id, ids = await self.seed(sessions, alice.user_id)
        seen: list[int] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 3}
            if cursor:
                params["cursor"] = cursor
            r = await client.get(f"/v1/posts/{post_id}/comments", params=params, headers=alice.headers)
            assert r.status_code == 200, r.text
            body = r.json()
            seen += [c["id"] for c in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert seen == list(reversed(ids))  # newest first
        item = body["items"][-1]
        assert item["sentiment"] == {
            "label": "positive",
            "score": 0.5,
            "analyser": "linear",
            "analyser_version": "1",
        }

        top: list[int] = []
        cursor = None
        while True:
            params = {"limit": 2, "order": "top"}
            if cursor:
                params["cursor"] = cursor
            r = await client.get(f"/v1/accounts/{account_id}/comments", params=params, headers=alice.headers)
            assert r.status_code == 200, r.text
            top += [c["id"] for c in r.json()["items"]]
            cursor = r.json()["next_cursor"]
            if cursor is None:
                break
        # likes 9, 9 (newer id first), 5, 3, 1, 0, none
        assert top == [ids[4], ids[2], ids[0], ids[5], ids[1], ids[3], ids[6]]

        r = await client.get(
            f"/v1/posts/{post_id}/comments", params={"sentiment": "negative"}, headers=alice.headers
        )
        assert [c["sentiment"]["label"] for c in r.json()["items"]] == ["negative", "negative"]

    async def test_errors_say_what_to_fix(
        self, client: httpx.AsyncClient, alice: Tenant, bob: Tenant, sessions: Sessions
    ) -> None:
        account_id, post_id, _ = await self.seed(sessions, alice.user_id)
        r = await client.get(f"/v1/posts/{post_id}/comments", headers=bob.headers)
        assert r.status_code == 404
        r = await client.get(f"/v1/accounts/{account_id}/comments", headers=bob.headers)
        assert r.status_code == 404
        r = await client.get(
            f"/v1/posts/{post_id}/comments", params={"cursor": "nope"}, headers=alice.headers
        )
        assert r.status_code == 400
        assert "cursor" in r.json()["detail"]
        r = await client.get(f"/v1/posts/{post_id}/comments", params={"order": "best"}, headers=alice.headers)
        assert r.status_code == 422
        assert "order" in r.json()["detail"]
        r = await client.get(
            f"/v1/posts/{post_id}/comments", params={"start": "yesterday"}, headers=alice.headers
        )
        assert r.status_code == 422
        assert "start" in r.json()["detail"]
        newest = await client.get(f"/v1/posts/{post_id}/comments", params={"limit": 2}, headers=alice.headers)
        r = await client.get(
            f"/v1/posts/{post_id}/comments",
            params={"order": "top", "cursor": newest.json()["next_cursor"]},
            headers=alice.headers,
        )
        assert r.status_code == 400
        assert "order=top" in r.json()["detail"]


class TestInstagram:
    async def test_graph_reads_own_media_comments_web_reads_any_and_others_say_why_not(
        self, settings: Settings, sessions: Sessions, user: Tenant, emu: Any, emu_client: httpx.AsyncClient
    ) -> None:
        s = comment_settings(
            settings,
            instagram_graph_rate_per_s=500.0,
            instagram_discovery_rate_per_s=500.0,
            instagram_web_rate_per_s=500.0,
            recent_posts_limit=5,
            instagram_web_comments=False,
        )
        me, creator, web_one = emu.state.world.creators("instagram")[:3]
        async with transaction(sessions) as db:
            rows = [
                Account(user_id=user.user_id, platform="instagram", handle=me.handle),
                Account(user_id=user.user_id, platform="instagram", handle=creator.handle, source="graph"),
                Account(user_id=user.user_id, platform="instagram", handle=web_one.handle, source="web"),
            ]
            db.add_all(rows)
            await db.flush()
            own_id, creator_id, web_id = (a.id for a in rows)
        registry = ConnectorRegistry(s, client=emu_client)
        status = await refresh(s, sessions, registry, user, [own_id, creator_id, web_id])
        assert (status.status, status.succeeded) == ("succeeded", 3)
        assert await stored(sessions, own_id)
        assert await stored(sessions, web_id)
        assert await stored(sessions, creator_id) == []  # instagram_web_comments is off here
        assert any("comments skipped" in n and "own" in n for n in status.notes)
        by_endpoint = await calls(emu_client)
        assert by_endpoint.get("instagram.graph.comments", 0) > 0
        assert by_endpoint.get("instagram.web.media_comments", 0) > 0

    async def test_other_accounts_comments_come_through_the_web_endpoint_by_default(
        self, settings: Settings, sessions: Sessions, user: Tenant, emu: Any, emu_client: httpx.AsyncClient
    ) -> None:
        s = comment_settings(
            settings,
            instagram_graph_rate_per_s=500.0,
            instagram_discovery_rate_per_s=500.0,
            instagram_web_rate_per_s=500.0,
            recent_posts_limit=5,
        )
        creator = emu.state.world.creators("instagram")[1]
        account_id = await add_account(sessions, user, "instagram", creator.handle)
        registry = ConnectorRegistry(s, client=emu_client)
        status = await refresh(s, sessions, registry, user, [account_id])
        assert status.status == "succeeded"
        assert await stored(sessions, account_id)
        by_endpoint = await calls(emu_client)
        assert by_endpoint.get("instagram.graph.node", 0) == 1  # statistics through Business Discovery
        assert by_endpoint.get("instagram.web.media_comments", 0) > 0
        assert "instagram.graph.comments" not in by_endpoint

        # posts stored without their author's id (as the demo's history stores them): the
        # account is their author, so the Graph is still not asked for another account's comments
        async with transaction(sessions) as db:
            await db.execute(
                update(Post)
                .where(Post.account_id == account_id)
                .values(author_platform_id=None, comments_fetched_at=None)
            )
        await emu_client.delete("/_emulator/calls")
        again = await refresh(s, sessions, registry, user, [account_id])
        assert again.status == "succeeded"
        by_endpoint = await calls(emu_client)
        assert by_endpoint.get("instagram.web.media_comments", 0) > 0
        assert "instagram.graph.comments" not in by_endpoint
        assert not any("could not be fetched" in n for n in again.notes)


class TestStandalonePosts:
    async def test_a_post_tracked_without_its_account_gets_its_comments_from_its_own_refresh(
        self, settings: Settings, sessions: Sessions, user: Tenant, emu: Any, emu_client: httpx.AsyncClient
    ) -> None:
        s = comment_settings(settings)
        world = emu.state.world
        young = next(
            p
            for creator in world.creators("youtube")
            for p in world.posts(creator, limit=10)
            if aware(p.published_at) > utcnow() - timedelta(days=25) and world.post_stats(p).comments > 0
        )
        async with transaction(sessions) as db:
            post = Post(user_id=user.user_id, platform="youtube", social_id=young.social_id)
            db.add(post)
            await db.flush()
            post_id = post.id
        registry = ConnectorRegistry(s, client=emu_client)
        async with transaction(sessions) as db:
            rid = (
                await refresh_service.create_request(db, user_id=user.user_id, post_ids=[post_id])
            ).public_id
        runtime = Runtime(s, sessions, registry=registry)
        await runtime.start()
        try:
            status = await refresh_service.wait_for(sessions, rid, timeout_s=60, poll_s=0.05)
        finally:
            await runtime.stop()
        assert status.status == "succeeded"
        async with sessions() as db:
            comments = list(await db.scalars(select(Comment).where(Comment.post_id == post_id)))
        assert 0 < len(comments) <= 5
        assert all(c.sentiment_label is not None for c in comments)
        assert status.comments is not None
        assert status.comments.new == len(comments)
        assert (await calls(emu_client)).get("youtube.commentThreads.list", 0) >= 1
