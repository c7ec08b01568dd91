"""codvid's ``force_scrape`` with a working refresh engine: the in-process workers, their
connectors talking to the emulator. What it answers is what the refresh did."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, select, update

from socialpulse.kit.time import utcnow
from socialpulse.models import (
    Comment,
    Post,
    PostSnapshot,
    RefreshItem,
    RefreshRequest,
    RefreshRequestItem,
    TrackingTask,
)
from tests.compat.live import settle
from tests.compat.test_codvid import (
    BASE,
    SCRAPE_EXAMPLE,
    SCRAPED,
    SENTIMENT,
    TASK,
    TASKS,
    at,
    create_task,
    error,
    ok,
    task_account,
)
from tests.conftest import Tenant

ORIGIN = "compat:codvid"


@pytest.fixture
def live_settings() -> dict[str, Any]:
    return {"instagram_source": "web"}  # the source that reads another account's comments


async def scrape_item(app: Any) -> tuple[RefreshRequest, RefreshItem]:
    """The one codvid refresh request and its account item."""
    async with app.state.sessions() as s:
        [request] = list(await s.scalars(select(RefreshRequest).where(RefreshRequest.origin == ORIGIN)))
        assert request.params["priority"] > 0  # at the front of the queue
        item = await s.scalar(
            select(RefreshItem)
            .join(RefreshRequestItem, RefreshRequestItem.item_id == RefreshItem.id)
            .where(RefreshRequestItem.request_id == request.id, RefreshItem.kind == "account")
        )
        assert item is not None
        return request, item


def fetched_comments(result: dict[str, Any] | None) -> int:
    comments = (result or {}).get("comments") or {}
    fetched: int = comments.get("fetched", 0)
    return fetched


async def posts_with_snapshots_since(app: Any, account_id: int, since: datetime) -> set[int]:
    async with app.state.sessions() as s:
        return set(
            await s.scalars(
                select(PostSnapshot.post_id)
                .join(Post, Post.id == PostSnapshot.post_id)
                .where(Post.account_id == account_id, PostSnapshot.fetched_at >= since)
            )
        )


class TestForceScrape:
    async def test_document_example(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant, emulator: Any
    ) -> None:
        handle = emulator.state.world.creators("instagram")[0].handle
        task_id = await create_task(live_client, carol, handle, True)
        await settle(live)  # its first scrape is done
        account = await task_account(live, task_id)
        async with live.state.sessions() as s:
            posts_before = list(await s.scalars(select(Post.id).where(Post.account_id == account.id)))
        assert len(posts_before) == 3
        asked = utcnow().replace(microsecond=0)

        r = await live_client.post(
            f"{BASE}/force_scrape/{task_id}", json=SCRAPE_EXAMPLE, headers=carol.headers
        )

        scraped = ok(r, SCRAPED)
        assert scraped["message"] == "Task scraping completed successfully"
        request, item = await scrape_item(live)
        account = await task_account(live, task_id)
        assert item.status == "succeeded"
        assert item.entity_id == account.id
        # the profile and its newest stored posts (recent_posts_limit) were refreshed
        assert sorted(request.params["post_ids"]) == sorted(posts_before)
        refreshed = await posts_with_snapshots_since(live, account.id, request.created_at)
        assert set(posts_before) <= refreshed
        assert scraped["posts_processed"] == len(refreshed)
        assert scraped["comments_analyzed"] == fetched_comments(item.result)
        async with live.state.sessions() as s:
            task = await s.scalar(select(TrackingTask).where(TrackingTask.public_id == task_id))
        assert task is not None
        assert task.last_scraped_at is not None
        assert task.last_scraped_at >= asked

        detail = ok(await live_client.get(f"{BASE}/get_task/{task_id}", headers=carol.headers), TASK)["task"]
        assert at(detail["last_scraped"]) >= asked
        # scraped every 2 days from now on
        assert (
            47 * 3600
            < (at(detail["next_scrape_due"]) - at(detail["last_scraped"])).total_seconds()
            <= 48 * 3600
        )
        posts = detail["scraped_posts"]
        assert len(posts) >= 3
        assert all("instagram.com/" in p["post_url"] for p in posts), [p["post_url"] for p in posts]
        assert all(isinstance(p["likes_count"], int) for p in posts[:3])

    async def test_comments_end_to_end(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant, emulator: Any
    ) -> None:
        """The comments a scrape fetches are counted, shown as the posts' ``top_comments`` with
        their sentiment, and summarised by ``sentiment_summary``."""
        handle = emulator.state.world.creators("instagram")[1].handle
        task_id = await create_task(live_client, carol, handle, False)
        await settle(live)
        account = await task_account(live, task_id)
        # forget the comments of the first scrape, so that this one fetches them all again
        async with live.state.sessions() as s, s.begin():
            post_ids = select(Post.id).where(Post.account_id == account.id).scalar_subquery()
            await s.execute(delete(Comment).where(Comment.post_id.in_(post_ids)))
            await s.execute(
                update(Post)
                .where(Post.account_id == account.id)
                .values(comments_fetched_at=None, comments_fetched_count=None)
            )

        r = await live_client.post(
            f"{BASE}/force_scrape/{task_id}", json=SCRAPE_EXAMPLE, headers=carol.headers
        )

        scraped = ok(r, SCRAPED)
        async with live.state.sessions() as s:
            stored = list(
                await s.scalars(
                    select(Comment)
                    .join(Post, Post.id == Comment.post_id)
                    .where(Post.account_id == account.id)
                )
            )
        assert stored
        assert scraped["comments_analyzed"] == len(stored)
        scored = [c for c in stored if c.sentiment_label is not None]
        assert scored

        detail = ok(await live_client.get(f"{BASE}/get_task/{task_id}", headers=carol.headers), TASK)["task"]
        shown = [c for p in detail["scraped_posts"] for c in p["top_comments"]]
        assert 0 < len(shown) <= len(stored)
        assert {c["text"] for c in shown} <= {c.text for c in stored}
        for post in detail["scraped_posts"]:
            likes = [c["likes_count"] if c["likes_count"] is not None else -1 for c in post["top_comments"]]
            assert likes == sorted(likes, reverse=True)

        summary = ok(
            await live_client.get(f"{BASE}/sentiment_summary/{task_id}", headers=carol.headers), SENTIMENT
        )
        body = summary["sentiment_summary"]
        assert body["total_comments"] == len(scored)
        assert body["sentiment_distribution"] == {
            label: sum(1 for c in scored if c.sentiment_label == label)
            for label in ("positive", "negative", "neutral")
        }
        assert round(sum(body["sentiment_percentages"].values()), 1) == 100.0

    @pytest.mark.parametrize("body", [None, {}, {"data": {}}])
    async def test_without_envelope(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant, emulator: Any, body: Any
    ) -> None:
        """The usage example sends ``content={}``: no ``data`` is no data."""
        handle = emulator.state.world.creators("instagram")[2].handle
        task_id = await create_task(live_client, carol, handle)
        await settle(live)
        url = f"{BASE}/force_scrape/{task_id}"
        r = await (
            live_client.post(url, headers=carol.headers)
            if body is None
            else live_client.post(url, json=body, headers=carol.headers)
        )
        ok(r, SCRAPED)

    @pytest.mark.parametrize(
        ("kind", "says"), [("not_found", "Instagram has no account @"), ("private", "private")]
    )
    async def test_failure_is_a_scrape_error(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant, emulator: Any, kind: str, says: str
    ) -> None:
        handle = emulator.state.world.special("instagram", kind)
        task_id = await create_task(live_client, carol, handle)
        await settle(live)
        r = await live_client.post(
            f"{BASE}/force_scrape/{task_id}", json=SCRAPE_EXAMPLE, headers=carol.headers
        )
        message = error(r, 500)
        assert message.startswith("Error scraping Instagram profile: ")
        assert says in message
        async with live.state.sessions() as s:
            task = await s.scalar(select(TrackingTask).where(TrackingTask.public_id == task_id))
        assert task is not None
        assert task.last_scraped_at is None
        [summary] = ok(await live_client.get(f"{BASE}/get_tasks", headers=carol.headers), TASKS)["tasks"]
        assert summary["status"] == kind

    async def test_tenancy(
        self, live: Any, live_client: httpx.AsyncClient, carol: Tenant, dave: Tenant, emulator: Any
    ) -> None:
        task_id = await create_task(live_client, carol, emulator.state.world.creators("instagram")[0].handle)
        await settle(live)
        r = await live_client.post(
            f"{BASE}/force_scrape/{task_id}", json=SCRAPE_EXAMPLE, headers=dave.headers
        )
        assert error(r, 404) == "Task not found or access denied"
        async with live.state.sessions() as s:
            codvid = await s.scalar(
                select(func.count()).select_from(RefreshRequest).where(RefreshRequest.origin == ORIGIN)
            )
        assert codvid == 0
