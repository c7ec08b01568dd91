"""codvid compatibility (``/codvid-ai/ig-tracking/…``): every request example of the document,
answers checked against JSON Schemas written from it, every documented error message, the
envelope, authentication and tenancy. ``force_scrape`` with a working refresh engine is in
``test_codvid_scrape.py``.

The schemas follow the document: answers are ``{result: true, response}`` or ``{result: false,
message}``; timestamps are ``2025-08-01T12:00:00Z``. Where the document shows a value that
may be unknown (a task never scraped yet, a counter the platform does not report, a comment not
scored) the schema also allows ``null``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jsonschema
import pytest
from sqlalchemy import func, select

from socialpulse.auth.service import issue_jwt
from socialpulse.compat.codvid import MAX_POSTS, TOP_COMMENTS, comments_analyzed
from socialpulse.kit.time import utcnow
from socialpulse.models import Account, Comment, Post, PostSnapshot, RefreshItem, TrackingTask, User
from tests.conftest import Tenant
from tests.tracking.helpers import create_account

BASE = "/codvid-ai/ig-tracking"

# ---------------------------------------------------------------------------- schemas

ISO_UTC = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
TIMESTAMP = {"type": "string", "pattern": ISO_UTC}
MAYBE_TIMESTAMP = {"type": ["string", "null"], "pattern": ISO_UTC}
STRING = {"type": "string", "minLength": 1}
COUNTER = {"type": ["integer", "null"], "minimum": 0}
COUNT = {"type": "integer", "minimum": 0}
LABEL = {"enum": ["positive", "negative", "neutral"]}


def obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


def answer(response: dict[str, Any]) -> dict[str, Any]:
    """``{result: true, response}``."""
    return obj({"result": {"const": True}, "response": response})


ERROR = obj({"result": {"const": False}, "message": STRING})
MESSAGE = answer(obj({"message": STRING}))

CREATED = answer(
    obj(
        {
            "task_id": STRING,
            "message": {"const": "Instagram tracking task created successfully"},
            "target_profile": STRING,
            "next_scrape_due": MAYBE_TIMESTAMP,
        }
    )
)
TASK_FIELDS: dict[str, Any] = {
    "_id": STRING,
    "target_profile": STRING,
    "is_competitor": {"type": "boolean"},
    "created_at": TIMESTAMP,
    "last_scraped": MAYBE_TIMESTAMP,
    "next_scrape_due": MAYBE_TIMESTAMP,
    "status": STRING,
}
TASKS = answer(obj({"tasks": {"type": "array", "items": obj(TASK_FIELDS)}, "total_tasks": COUNT}))
TOP_COMMENT = obj(
    {
        "text": {"type": "string"},
        "sentiment": {"enum": ["positive", "negative", "neutral", None]},
        "owner_username": {"type": ["string", "null"]},
        "timestamp": MAYBE_TIMESTAMP,
        "likes_count": COUNTER,
    }
)
SCRAPED_POST = obj(
    {
        "post_id": STRING,
        "post_url": {"type": ["string", "null"]},
        "timestamp": MAYBE_TIMESTAMP,
        "type": {"enum": ["reel", "image", "carousel", "video", None]},
        "caption": {"type": ["string", "null"]},
        "likes_count": COUNTER,
        "comments_count": COUNTER,
        "video_view_count": COUNTER,
        "video_play_count": COUNTER,
        "hashtags": {"type": "array", "items": {"type": "string", "pattern": "^#"}},
        "mentions": {"type": "array", "items": {"type": "string", "pattern": "^@"}},
        "top_comments": {"type": "array", "items": TOP_COMMENT},
    }
)
TASK = answer(
    obj(
        {
            "task": obj(
                {
                    **TASK_FIELDS,
                    "schema_version": STRING,
                    "user_id": STRING,
                    "scraped_posts": {"type": "array", "items": SCRAPED_POST},
                }
            )
        }
    )
)
SCRAPED = answer(
    obj(
        {
            "message": {"const": "Task scraping completed successfully"},
            "posts_processed": COUNT,
            "comments_analyzed": COUNT,
        }
    )
)
PERCENT = {"type": "number", "minimum": 0, "maximum": 100}
SENTIMENT = answer(
    obj(
        {
            "sentiment_summary": obj(
                {
                    "total_comments": COUNT,
                    "sentiment_distribution": obj({"positive": COUNT, "negative": COUNT, "neutral": COUNT}),
                    "sentiment_percentages": obj(
                        {"positive": PERCENT, "negative": PERCENT, "neutral": PERCENT}
                    ),
                    "overall_sentiment": LABEL,
                }
            )
        }
    )
)

# ---------------------------------------------------------------------------- the document's examples

DOC_CREATE = {
    "result": True,
    "response": {
        "task_id": "uuid-1234-5678-9abc",
        "message": "Instagram tracking task created successfully",
        "target_profile": "instagram_username",
        "next_scrape_due": "2025-08-03T12:00:00Z",
    },
}
DOC_TASK_SUMMARY = {
    "_id": "uuid-1234-5678-9abc",
    "target_profile": "instagram_username",
    "is_competitor": True,
    "created_at": "2025-08-01T12:00:00Z",
    "last_scraped": "2025-08-01T14:00:00Z",
    "next_scrape_due": "2025-08-03T14:00:00Z",
    "status": "active",
}
DOC_TASKS = {"result": True, "response": {"tasks": [DOC_TASK_SUMMARY], "total_tasks": 1}}
DOC_NO_TASKS = {"result": True, "response": {"tasks": [], "total_tasks": 0}}
DOC_TASK = {
    "result": True,
    "response": {
        "task": {
            "_id": "uuid-1234-5678-9abc",
            "schema_version": "1.0",
            "user_id": "user-uuid",
            "target_profile": "instagram_username",
            "is_competitor": True,
            "created_at": "2025-08-01T12:00:00Z",
            "last_scraped": "2025-08-01T14:00:00Z",
            "next_scrape_due": "2025-08-03T14:00:00Z",
            "status": "active",
            "scraped_posts": [
                {
                    "post_id": "abc123",
                    "post_url": "https://instagram.com/p/abc123",
                    "timestamp": "2025-07-30T08:00:00Z",
                    "type": "reel",
                    "caption": "Post caption text",
                    "likes_count": 1234,
                    "comments_count": 56,
                    "video_view_count": 10000,
                    "video_play_count": 8500,
                    "hashtags": ["#food", "#tasty"],
                    "mentions": ["@username"],
                    "top_comments": [
                        {
                            "text": "Amazing product!",
                            "sentiment": "positive",
                            "owner_username": "commenter123",
                            "timestamp": "2025-07-30T09:00:00Z",
                            "likes_count": 5,
                        }
                    ],
                }
            ],
        }
    },
}
DOC_DELETED = {"result": True, "response": {"message": "Tracking task deleted successfully"}}
DOC_UPDATED = {"result": True, "response": {"message": "Tracking task updated successfully"}}
DOC_SCRAPED = {
    "result": True,
    "response": {
        "message": "Task scraping completed successfully",
        "posts_processed": 3,
        "comments_analyzed": 27,
    },
}
DOC_SENTIMENT = {
    "result": True,
    "response": {
        "sentiment_summary": {
            "total_comments": 45,
            "sentiment_distribution": {"positive": 28, "negative": 5, "neutral": 12},
            "sentiment_percentages": {"positive": 62.2, "negative": 11.1, "neutral": 26.7},
            "overall_sentiment": "positive",
        }
    },
}
DOC_ERRORS = [
    "Missing required field: target_profile",
    "Invalid Instagram profile name",
    "Unauthorized: invalid or expired token",
    "Task not found or access denied",
    "No updatable fields provided",
    "Error scraping Instagram profile: Connection timeout",
    "Task not found or no data available",
]

CREATE_EXAMPLE = {
    "schema_version": "4.0",
    "data": {"target_profile": "instagram_username", "is_competitor": True},
}
UPDATE_EXAMPLE = {"schema_version": "4.0", "data": {"is_competitor": False}}
SCRAPE_EXAMPLE: dict[str, Any] = {"schema_version": "4.0", "data": {}}


# ---------------------------------------------------------------------------- helpers


def ok(r: httpx.Response, schema: dict[str, Any]) -> dict[str, Any]:
    """The ``response`` of a successful answer, after checking it against ``schema``."""
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    jsonschema.validate(body, schema)
    response: dict[str, Any] = body["response"]
    return response


def error(r: httpx.Response, status: int) -> str:
    """The ``message`` of an error answer, after checking its status and shape."""
    assert r.status_code == status, r.text
    body = r.json()
    jsonschema.validate(body, ERROR)
    message: str = body["message"]
    return message


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def envelope(**data: Any) -> dict[str, Any]:
    return {"schema_version": "4.0", "data": data}


async def create_task(
    client: httpx.AsyncClient, tenant: Tenant, profile: str = "foodxtaste", competitor: bool = False
) -> str:
    r = await client.post(
        f"{BASE}/create_task",
        json=envelope(target_profile=profile, is_competitor=competitor),
        headers=tenant.headers,
    )
    task_id: str = ok(r, CREATED)["task_id"]
    return task_id


async def task_account(app: Any, task_id: str) -> Account:
    async with app.state.sessions() as s:
        account = await s.scalar(
            select(Account)
            .join(TrackingTask, TrackingTask.account_id == Account.id)
            .where(TrackingTask.public_id == task_id)
        )
        assert account is not None
        return account


async def add_post(
    app: Any,
    account: Account,
    social_id: str,
    posted_at: datetime | None,
    *,
    type: str | None = "reel",
    caption: str | None = None,
    hashtags: list[str] | None = None,
    mentions: list[str] | None = None,
    **counters: Any,
) -> int:
    async with app.state.sessions() as s, s.begin():
        post = Post(
            user_id=account.user_id,
            account_id=account.id,
            platform="instagram",
            social_id=social_id,
            url=f"https://www.instagram.com/p/{social_id}/",
            type=type,
            caption=caption,
            posted_at=posted_at,
            hashtags=hashtags or [],
            mentions=mentions or [],
            tracked=False,
        )
        s.add(post)
        await s.flush()
        if counters:
            s.add(
                PostSnapshot(
                    post_id=post.id, fetched_at=utcnow(), connector="test", api_version="v1", **counters
                )
            )
        return post.id


async def add_comments(app: Any, post_id: int, *rows: tuple[str, str | None, int | None]) -> None:
    """Comments ``(text, sentiment label, likes)`` of a post, as the refresh stores them."""
    now = utcnow()
    async with app.state.sessions() as s, s.begin():
        for i, (text, label, likes) in enumerate(rows):
            s.add(
                Comment(
                    post_id=post_id,
                    platform_comment_id=f"{post_id}-{i}-{text[:8]}",
                    author=f"fan{i}",
                    text=text,
                    posted_at=datetime(2025, 7, 30, 9, i % 60, tzinfo=UTC),
                    likes=likes,
                    sentiment_label=label,
                    sentiment_score=None if label is None else 0.5,
                    analyser=None if label is None else "test",
                    analyser_version=None if label is None else "1",
                    first_seen_at=now,
                    updated_at=now,
                )
            )


# ---------------------------------------------------------------------------- schemas


class TestSchemas:
    """The schemas accept the document's own examples (and so describe the same shapes)."""

    @pytest.mark.parametrize(
        ("example", "schema"),
        [
            (DOC_CREATE, CREATED),
            (DOC_TASKS, TASKS),
            (DOC_NO_TASKS, TASKS),
            (DOC_TASK, TASK),
            (DOC_DELETED, MESSAGE),
            (DOC_UPDATED, MESSAGE),
            (DOC_SCRAPED, SCRAPED),
            (DOC_SENTIMENT, SENTIMENT),
        ],
    )
    def test_documented_answers_validate(self, example: dict[str, Any], schema: dict[str, Any]) -> None:
        jsonschema.validate(example, schema)

    @pytest.mark.parametrize("message", DOC_ERRORS)
    def test_documented_errors_validate(self, message: str) -> None:
        jsonschema.validate({"result": False, "message": message}, ERROR)

    def test_they_reject_other_shapes(self) -> None:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"ok": False, "code": 401, "message": "no"}, ERROR)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"result": True, "response": {"tasks": [{"id": 1}], "total_tasks": 1}}, TASKS)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(
                {"result": True, "response": {**DOC_CREATE["response"], "next_scrape_due": "2025-08-03"}},
                CREATED,
            )


# ---------------------------------------------------------------------------- create_task


class TestCreateTask:
    async def test_document_request_example(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        before = utcnow().replace(microsecond=0)
        r = await client.post(f"{BASE}/create_task", json=CREATE_EXAMPLE, headers=alice.headers)
        created = ok(r, CREATED)
        assert created["target_profile"] == "instagram_username"
        assert created["message"] == "Instagram tracking task created successfully"
        # the first scrape is queued at once
        assert created["next_scrape_due"] is not None
        assert before - timedelta(seconds=1) <= at(created["next_scrape_due"]) <= utcnow()
        account = await task_account(app, created["task_id"])
        assert (account.platform, account.handle, account.is_competitor) == (
            "instagram",
            "instagram_username",
            True,
        )
        # scraped every 2 days, not at the default account cadence
        assert account.refresh_interval_s == 48 * 3600
        async with app.state.sessions() as s:
            items = list(await s.scalars(select(RefreshItem).where(RefreshItem.entity_id == account.id)))
            task = await s.scalar(select(TrackingTask).where(TrackingTask.public_id == created["task_id"]))
        assert [(i.kind, i.status) for i in items] == [("account", "queued")]
        assert task is not None
        assert (task.user_id, task.api, task.last_scraped_at) == (alice.user_id, "codvid", None)

    async def test_usage_example_and_its_task_id(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        """``data = {"target_profile": "foodxtaste", "is_competitor": False}``; the task_id is a UUID."""
        task_id = await create_task(client, alice, "foodxtaste", False)
        assert len(task_id) == 36
        assert task_id.count("-") == 4

    async def test_interval_is_a_setting(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        app.state.settings = app.state.settings.model_copy(update={"codvid_scrape_interval_h": 12})
        task_id = await create_task(client, alice)
        assert (await task_account(app, task_id)).refresh_interval_s == 12 * 3600

    @pytest.mark.parametrize(
        "profile", ["@FoodXTaste", "https://www.instagram.com/foodxtaste/", " foodxtaste "]
    )
    async def test_profile_is_normalised(
        self, client: httpx.AsyncClient, alice: Tenant, profile: str
    ) -> None:
        r = await client.post(
            f"{BASE}/create_task",
            json=envelope(target_profile=profile, is_competitor=True),
            headers=alice.headers,
        )
        assert ok(r, CREATED)["target_profile"] == "foodxtaste"

    async def test_an_account_already_tracked_is_used(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        native = await create_account(client, alice, "instagram", "foodxtaste", refresh_interval_s=7200)
        task_id = await create_task(client, alice, "foodxtaste", True)
        account = await task_account(app, task_id)
        assert account.id == native["id"]
        assert account.is_competitor is True
        assert account.refresh_interval_s == 7200  # its own cadence is kept
        async with app.state.sessions() as s:
            assert await s.scalar(select(func.count()).select_from(Account)) == 1

    async def test_a_profile_has_one_task(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        """Creating the task of a profile again answers the same task, with ``is_competitor`` as asked."""
        task_id = await create_task(client, alice, "foodxtaste", True)
        again = await create_task(client, alice, "@FoodXTaste", False)
        assert again == task_id
        assert (await task_account(app, task_id)).is_competitor is False
        assert ok(await client.get(f"{BASE}/get_tasks", headers=alice.headers), TASKS)["total_tasks"] == 1
        async with app.state.sessions() as s:
            assert await s.scalar(select(func.count()).select_from(Account)) == 1
            assert await s.scalar(select(func.count()).select_from(RefreshItem)) == 1

    @pytest.mark.parametrize(
        "data",
        [
            {"is_competitor": True},
            {"target_profile": None, "is_competitor": True},
            {"target_profile": "", "is_competitor": True},
            {"target_profile": "   ", "is_competitor": False},
        ],
    )
    async def test_missing_target_profile(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any, data: dict[str, Any]
    ) -> None:
        r = await client.post(
            f"{BASE}/create_task", json={"schema_version": "4.0", "data": data}, headers=alice.headers
        )
        assert error(r, 400) == "Missing required field: target_profile"
        async with app.state.sessions() as s:
            assert await s.scalar(select(func.count()).select_from(TrackingTask)) == 0

    @pytest.mark.parametrize(
        "profile",
        [
            "bad name",
            "no..dots",
            ".dot",
            "a" * 31,
            "emoji😀",
            "https://www.tiktok.com/@khaby.lame",
            42,
            ["x"],
        ],
    )
    async def test_invalid_profile_name(self, client: httpx.AsyncClient, alice: Tenant, profile: Any) -> None:
        r = await client.post(
            f"{BASE}/create_task",
            json=envelope(target_profile=profile, is_competitor=True),
            headers=alice.headers,
        )
        assert error(r, 400) == "Invalid Instagram profile name"

    async def test_is_competitor(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        r = await client.post(
            f"{BASE}/create_task", json=envelope(target_profile="foodxtaste"), headers=alice.headers
        )
        assert error(r, 400) == "Missing required field: is_competitor"
        r = await client.post(
            f"{BASE}/create_task",
            json=envelope(target_profile="foodxtaste", is_competitor="yes"),
            headers=alice.headers,
        )
        assert error(r, 400) == "Invalid field: is_competitor must be true or false"


class TestEnvelope:
    @pytest.mark.parametrize(
        ("content", "says"),
        [
            (b"", "Missing required field: data"),
            (b"{}", "Missing required field: data"),
            (b'{"target_profile": "foodxtaste", "is_competitor": true}', "Missing required field: data"),
            (b"{not json", "Invalid request body: not valid JSON"),
            (b'["x"]', "Invalid request body: not a JSON object"),
            (b'{"schema_version": "4.0", "data": []}', "Invalid field: data must be a JSON object"),
            (b'{"schema_version": "4.0", "data": null}', "Invalid field: data must be a JSON object"),
            (b'{"schema_version": {}, "data": {}}', "Invalid field: schema_version must be a string"),
        ],
    )
    @pytest.mark.parametrize(("method", "path"), [("POST", "create_task"), ("PUT", "update_task/x")])
    async def test_bad_envelopes(
        self, client: httpx.AsyncClient, alice: Tenant, method: str, path: str, content: bytes, says: str
    ) -> None:
        headers = {**alice.headers, "Content-Type": "application/json"}
        r = await client.request(method, f"{BASE}/{path}", content=content, headers=headers)
        message = error(r, 400)
        assert message.startswith(says)

    async def test_schema_version_is_optional(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        r = await client.post(
            f"{BASE}/create_task",
            json={"data": {"target_profile": "foodxtaste", "is_competitor": False}},
            headers=alice.headers,
        )
        ok(r, CREATED)

    async def test_unknown_fields_are_ignored(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        body = envelope(target_profile="foodxtaste", is_competitor=False, note="hi")
        ok(await client.post(f"{BASE}/create_task", json=body, headers=alice.headers), CREATED)


# ---------------------------------------------------------------------------- get_tasks


class TestGetTasks:
    async def test_no_tasks(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        r = await client.get(f"{BASE}/get_tasks", headers=alice.headers)
        assert r.json() == DOC_NO_TASKS
        ok(r, TASKS)

    async def test_tasks_oldest_first(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        first = await create_task(client, alice, "instagram_username", True)
        second = await create_task(client, alice, "foodxtaste", False)
        # a native account that no task names is not a task
        await create_account(client, alice, "instagram", "natgeo")
        got = ok(await client.get(f"{BASE}/get_tasks", headers=alice.headers), TASKS)
        assert got["total_tasks"] == 2
        tasks = got["tasks"]
        assert [(t["_id"], t["target_profile"], t["is_competitor"]) for t in tasks] == [
            (first, "instagram_username", True),
            (second, "foodxtaste", False),
        ]
        assert all(t["status"] == "active" and t["last_scraped"] is None for t in tasks)

    async def test_scraped_task(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        """``last_scraped`` is the account's last refresh; ``next_scrape_due`` its next one."""
        task_id = await create_task(client, alice)
        account = await task_account(app, task_id)
        scraped = datetime(2025, 8, 1, 14, 0, 0, 123456, tzinfo=UTC)
        async with app.state.sessions() as s, s.begin():
            row = await s.get(Account, account.id)
            assert row is not None
            row.last_refreshed_at = scraped
            row.next_refresh_at = scraped + timedelta(days=2)
        [task] = ok(await client.get(f"{BASE}/get_tasks", headers=alice.headers), TASKS)["tasks"]
        assert task["last_scraped"] == "2025-08-01T14:00:00Z"
        assert task["next_scrape_due"] == "2025-08-03T14:00:00Z"

    async def test_status_follows_the_account(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        task_id = await create_task(client, alice)
        account = await task_account(app, task_id)
        r = await client.patch(f"/v1/accounts/{account.id}", json={"paused": True}, headers=alice.headers)
        assert r.status_code == 200, r.text
        [task] = ok(await client.get(f"{BASE}/get_tasks", headers=alice.headers), TASKS)["tasks"]
        assert (task["status"], task["next_scrape_due"]) == ("paused", None)
        async with app.state.sessions() as s, s.begin():
            row = await s.get(Account, account.id)
            assert row is not None
            row.paused, row.status = False, "not_found"
        [task] = ok(await client.get(f"{BASE}/get_tasks", headers=alice.headers), TASKS)["tasks"]
        assert task["status"] == "not_found"


# ---------------------------------------------------------------------------- get_task


class TestGetTask:
    async def test_usage_example_without_posts(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        task_id = await create_task(client, alice, "instagram_username", True)
        task = ok(await client.get(f"{BASE}/get_task/{task_id}", headers=alice.headers), TASK)["task"]
        assert task["_id"] == task_id
        assert task["user_id"] == str(alice.user_id)
        assert task["schema_version"] == "1.0"
        assert (task["target_profile"], task["is_competitor"], task["status"]) == (
            "instagram_username",
            True,
            "active",
        )
        assert task["scraped_posts"] == []

    async def test_posts_and_top_comments(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        task_id = await create_task(client, alice)
        account = await task_account(app, task_id)
        reel = await add_post(
            app,
            account,
            "abc123",
            datetime(2025, 7, 30, 8, tzinfo=UTC),
            caption="Post caption text #food #tasty @username",
            hashtags=["#food", "#tasty"],
            mentions=["@username"],
            likes=1234,
            comments=56,
            views=10000,
            plays=8500,
        )
        await add_post(
            app, account, "img456", datetime(2025, 7, 31, 8, tzinfo=UTC), type="image", likes=10, views=99
        )
        await add_post(app, account, "nometrics", None, type=None)
        await add_comments(
            app,
            reel,
            ("Amazing product!", "positive", 5),
            ("meh", "neutral", 1),
            ("not scored yet", None, 9),
            ("worst ever", "negative", None),
        )
        task = ok(await client.get(f"{BASE}/get_task/{task_id}", headers=alice.headers), TASK)["task"]
        posts = task["scraped_posts"]
        # newest first, posts without a time last
        assert [p["post_id"] for p in posts] == ["img456", "abc123", "nometrics"]
        second = posts[1]
        assert {k: v for k, v in second.items() if k != "top_comments"} == {
            "post_id": "abc123",
            "post_url": "https://www.instagram.com/p/abc123/",
            "timestamp": "2025-07-30T08:00:00Z",
            "type": "reel",
            "caption": "Post caption text #food #tasty @username",
            "likes_count": 1234,
            "comments_count": 56,
            "video_view_count": 10000,
            "video_play_count": 8500,
            "hashtags": ["#food", "#tasty"],
            "mentions": ["@username"],
        }
        # most liked first; unknown likes last; unscored comments have no sentiment
        assert [(c["text"], c["sentiment"], c["likes_count"]) for c in second["top_comments"]] == [
            ("not scored yet", None, 9),
            ("Amazing product!", "positive", 5),
            ("meh", "neutral", 1),
            ("worst ever", "negative", None),
        ]
        top = second["top_comments"][1]
        assert (top["owner_username"], top["timestamp"]) == ("fan0", "2025-07-30T09:00:00Z")
        # an image has no video counters; a post without a snapshot has no counters
        assert (posts[0]["type"], posts[0]["likes_count"], posts[0]["video_view_count"]) == (
            "image",
            10,
            None,
        )
        assert posts[2]["type"] is None
        assert posts[2]["likes_count"] is None
        assert posts[2]["top_comments"] == []

    async def test_caps(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        task_id = await create_task(client, alice)
        account = await task_account(app, task_id)
        start = datetime(2025, 1, 1, tzinfo=UTC)
        ids = [
            await add_post(app, account, f"p{i:03d}", start + timedelta(hours=i))
            for i in range(MAX_POSTS + 2)
        ]
        newest = ids[-1]
        await add_comments(app, newest, *[(f"comment {i}", "positive", i) for i in range(TOP_COMMENTS + 5)])
        posts = ok(await client.get(f"{BASE}/get_task/{task_id}", headers=alice.headers), TASK)["task"][
            "scraped_posts"
        ]
        assert len(posts) == MAX_POSTS
        assert posts[0]["post_id"] == f"p{MAX_POSTS + 1:03d}"
        likes = [c["likes_count"] for c in posts[0]["top_comments"]]
        assert likes == list(range(TOP_COMMENTS + 4, 4, -1))

    async def test_types(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        task_id = await create_task(client, alice)
        account = await task_account(app, task_id)
        for i, kind in enumerate(["video", "carousel", "slideshow", "short", "text"]):
            await add_post(app, account, f"t{i}", datetime(2025, 1, 1 + i, tzinfo=UTC), type=kind)
        posts = ok(await client.get(f"{BASE}/get_task/{task_id}", headers=alice.headers), TASK)["task"][
            "scraped_posts"
        ]
        assert [p["type"] for p in reversed(posts)] == ["video", "carousel", "carousel", "reel", None]

    async def test_unknown_task(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        for task_id in ("uuid-1234-5678-9abc", "00000000-0000-0000-0000-000000000000", "x" * 300):
            r = await client.get(f"{BASE}/get_task/{task_id}", headers=alice.headers)
            assert error(r, 404) == "Task not found or access denied"


# ---------------------------------------------------------------------------- update_task


class TestUpdateTask:
    async def test_document_request_example(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        task_id = await create_task(client, alice, competitor=True)
        r = await client.put(f"{BASE}/update_task/{task_id}", json=UPDATE_EXAMPLE, headers=alice.headers)
        assert ok(r, MESSAGE) == {"message": "Tracking task updated successfully"}
        assert r.json() == DOC_UPDATED
        assert (await task_account(app, task_id)).is_competitor is False
        r = await client.put(
            f"{BASE}/update_task/{task_id}", json=envelope(is_competitor=True), headers=alice.headers
        )
        ok(r, MESSAGE)
        [task] = ok(await client.get(f"{BASE}/get_tasks", headers=alice.headers), TASKS)["tasks"]
        assert task["is_competitor"] is True

    @pytest.mark.parametrize("data", [{}, {"target_profile": "other"}, {"is_competitor": None}])
    async def test_no_updatable_fields(
        self, client: httpx.AsyncClient, alice: Tenant, data: dict[str, Any]
    ) -> None:
        task_id = await create_task(client, alice)
        r = await client.put(
            f"{BASE}/update_task/{task_id}",
            json={"schema_version": "4.0", "data": data},
            headers=alice.headers,
        )
        assert error(r, 400) == "No updatable fields provided"

    async def test_invalid_value(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        task_id = await create_task(client, alice)
        r = await client.put(
            f"{BASE}/update_task/{task_id}", json=envelope(is_competitor=1), headers=alice.headers
        )
        assert error(r, 400) == "Invalid field: is_competitor must be true or false"

    async def test_unknown_task(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        r = await client.put(
            f"{BASE}/update_task/uuid-1234-5678-9abc", json=UPDATE_EXAMPLE, headers=alice.headers
        )
        assert error(r, 404) == "Task not found or access denied"


# ---------------------------------------------------------------------------- delete_task


async def counts(app: Any) -> dict[str, int]:
    async with app.state.sessions() as s:
        return {
            m.__name__: await s.scalar(select(func.count()).select_from(m)) or 0
            for m in (TrackingTask, Account, Post, PostSnapshot, Comment)
        }


class TestDeleteTask:
    async def test_usage_example_deletes_everything(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        task_id = await create_task(client, alice)
        account = await task_account(app, task_id)
        post = await add_post(app, account, "abc123", utcnow(), likes=1)
        await add_comments(app, post, ("nice", "positive", 1))
        r = await client.delete(f"{BASE}/delete_task/{task_id}", headers=alice.headers)
        assert ok(r, MESSAGE) == {"message": "Tracking task deleted successfully"}
        assert r.json() == DOC_DELETED
        assert await counts(app) == dict.fromkeys(
            ["TrackingTask", "Account", "Post", "PostSnapshot", "Comment"], 0
        )
        r = await client.delete(f"{BASE}/delete_task/{task_id}", headers=alice.headers)
        assert error(r, 404) == "Task not found or access denied"
        r = await client.get(f"{BASE}/get_task/{task_id}", headers=alice.headers)
        assert error(r, 404) == "Task not found or access denied"

    async def test_account_of_another_task_stays(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        """Another task over the same account (as two concurrent creations could leave) keeps it."""
        first = await create_task(client, alice)
        account = await task_account(app, first)
        async with app.state.sessions() as s, s.begin():
            s.add(
                TrackingTask(
                    public_id="second-task", user_id=alice.user_id, account_id=account.id, api="codvid"
                )
            )
        ok(await client.delete(f"{BASE}/delete_task/{first}", headers=alice.headers), MESSAGE)
        assert (await counts(app))["Account"] == 1
        ok(await client.get(f"{BASE}/get_task/second-task", headers=alice.headers), TASK)

    async def test_account_tracked_before_stays(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        native = await create_account(client, alice, "instagram", "foodxtaste")
        task_id = await create_task(client, alice)
        ok(await client.delete(f"{BASE}/delete_task/{task_id}", headers=alice.headers), MESSAGE)
        assert (await counts(app))["TrackingTask"] == 0
        r = await client.get(f"/v1/accounts/{native['id']}", headers=alice.headers)
        assert r.status_code == 200


# ---------------------------------------------------------------------------- sentiment_summary


class TestSentimentSummary:
    async def test_document_figures(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        """28 positive, 5 negative and 12 neutral comments answer the document's example."""
        task_id = await create_task(client, alice, "instagram_username", True)
        account = await task_account(app, task_id)
        a = await add_post(app, account, "abc123", datetime(2025, 7, 30, tzinfo=UTC))
        b = await add_post(app, account, "def456", datetime(2025, 7, 31, tzinfo=UTC))
        await add_comments(app, a, *[(f"good {i}", "positive", i) for i in range(20)], ("unscored", None, 3))
        await add_comments(
            app,
            b,
            *[(f"good {i}", "positive", i) for i in range(8)],
            *[(f"bad {i}", "negative", i) for i in range(5)],
            *[(f"ok {i}", "neutral", i) for i in range(12)],
        )
        r = await client.get(f"{BASE}/sentiment_summary/{task_id}", headers=alice.headers)
        ok(r, SENTIMENT)
        assert r.json() == DOC_SENTIMENT

    async def test_no_data(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        task_id = await create_task(client, alice)
        r = await client.get(f"{BASE}/sentiment_summary/{task_id}", headers=alice.headers)
        assert error(r, 404) == "Task not found or no data available"
        account = await task_account(app, task_id)
        post = await add_post(app, account, "abc123", utcnow())
        await add_comments(app, post, ("not scored", None, 1))
        r = await client.get(f"{BASE}/sentiment_summary/{task_id}", headers=alice.headers)
        assert error(r, 404) == "Task not found or no data available"

    async def test_unknown_task(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        r = await client.get(f"{BASE}/sentiment_summary/uuid-1234-5678-9abc", headers=alice.headers)
        assert error(r, 404) == "Task not found or access denied"

    async def test_only_this_accounts_comments(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        mine = await create_task(client, alice, "foodxtaste")
        other = await create_task(client, alice, "natgeo")
        await add_comments(
            app, await add_post(app, await task_account(app, mine), "m1", utcnow()), ("yay", "positive", 1)
        )
        await add_comments(
            app, await add_post(app, await task_account(app, other), "o1", utcnow()), ("boo", "negative", 1)
        )
        summary = ok(await client.get(f"{BASE}/sentiment_summary/{mine}", headers=alice.headers), SENTIMENT)
        assert summary["sentiment_summary"] == {
            "total_comments": 1,
            "sentiment_distribution": {"positive": 1, "negative": 0, "neutral": 0},
            "sentiment_percentages": {"positive": 100.0, "negative": 0.0, "neutral": 0.0},
            "overall_sentiment": "positive",
        }


# ---------------------------------------------------------------------------- force_scrape (no worker)


class TestForceScrapeWithoutWorkers:
    """No worker runs in the ``app`` fixture: the wait ends after ``compat_refresh_timeout_s``."""

    async def test_timeout_is_a_scrape_error(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        app.state.settings = app.state.settings.model_copy(update={"compat_refresh_timeout_s": 0.2})
        task_id = await create_task(client, alice)
        r = await client.post(f"{BASE}/force_scrape/{task_id}", json=SCRAPE_EXAMPLE, headers=alice.headers)
        message = error(r, 500)
        assert message.startswith("Error scraping Instagram profile: the scrape did not finish within 0.2 s")
        assert "get_task" in message

    async def test_unknown_task(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        r = await client.post(
            f"{BASE}/force_scrape/uuid-1234-5678-9abc", json=SCRAPE_EXAMPLE, headers=alice.headers
        )
        assert error(r, 404) == "Task not found or access denied"

    async def test_paused(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        task_id = await create_task(client, alice)
        account = await task_account(app, task_id)
        await client.patch(f"/v1/accounts/{account.id}", json={"paused": True}, headers=alice.headers)
        r = await client.post(f"{BASE}/force_scrape/{task_id}", json=SCRAPE_EXAMPLE, headers=alice.headers)
        message = error(r, 409)
        assert message.startswith("Error scraping Instagram profile: tracking of foodxtaste is paused")

    async def test_bad_body(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        task_id = await create_task(client, alice)
        r = await client.post(
            f"{BASE}/force_scrape/{task_id}",
            content=b"[1]",
            headers={**alice.headers, "Content-Type": "application/json"},
        )
        assert error(r, 400).startswith("Invalid request body: not a JSON object")


class TestCommentsAnalyzed:
    @pytest.mark.parametrize(
        ("result", "expected"),
        [
            (None, 0),
            ({}, 0),
            ({"posts_listed": 3, "posts_queued": 1}, 0),
            (
                {
                    "posts_listed": 3,
                    "comments": {
                        "posts": 2,
                        "fetched": 27,
                        "new": 20,
                        "updated": 1,
                        "scored": 20,
                        "skipped": None,
                    },
                },
                27,
            ),
            ({"comments": {"posts": 0, "fetched": 0, "skipped": "comments skipped: quota"}}, 0),
            ({"comments": {"fetched": -1}}, 0),
            ({"comments": {"fetched": True}}, 0),
            ({"comments": "quota"}, 0),
        ],
    )
    def test_result_keys(self, result: dict[str, Any] | None, expected: int) -> None:
        assert comments_analyzed(result) == expected


# ---------------------------------------------------------------------------- auth and tenancy

REQUESTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "create_task", CREATE_EXAMPLE),
    ("GET", "get_tasks", None),
    ("GET", "get_task/{task}", None),
    ("DELETE", "delete_task/{task}", None),
    ("PUT", "update_task/{task}", UPDATE_EXAMPLE),
    ("POST", "force_scrape/{task}", SCRAPE_EXAMPLE),
    ("GET", "sentiment_summary/{task}", None),
]
UNAUTHORIZED = {"result": False, "message": "Unauthorized: invalid or expired token"}


class TestAuth:
    @pytest.mark.parametrize(("method", "path", "body"), REQUESTS)
    @pytest.mark.parametrize(
        "header", [None, "Bearer sp_not-a-key", "Bearer", "Basic dXNlcjpwYXNz", "Bearer a.b.c", "Token x"]
    )
    async def test_bad_credentials(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        header: str | None,
    ) -> None:
        task_id = await create_task(client, alice)
        headers = {"Authorization": header} if header else {}
        r = await client.request(method, f"{BASE}/{path.format(task=task_id)}", json=body, headers=headers)
        assert r.status_code == 401
        assert r.json() == UNAUTHORIZED

    async def test_expired_and_orphan_jwts(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        expired = issue_jwt(
            app.state.settings.model_copy(update={"jwt_ttl_s": -60}),
            User(id=alice.user_id, email=alice.email),
        )
        orphan = issue_jwt(app.state.settings, User(id=alice.user_id + 1000, email="gone@example.com"))
        for token in (expired, orphan):
            r = await client.get(f"{BASE}/get_tasks", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 401
            assert r.json() == UNAUTHORIZED

    async def test_a_jwt_works(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        task_id = await create_task(client, alice)
        r = await client.post("/v1/auth/token", data={"username": alice.email, "password": "wonderland-42"})
        token = r.json()["access_token"]
        tasks = ok(await client.get(f"{BASE}/get_tasks", headers={"Authorization": f"Bearer {token}"}), TASKS)
        assert [t["_id"] for t in tasks["tasks"]] == [task_id]

    async def test_auth_comes_before_the_body(self, client: httpx.AsyncClient) -> None:
        r = await client.post(f"{BASE}/create_task", content=b"{bad")
        assert r.json() == UNAUTHORIZED


class TestTenancy:
    """Bob's key never sees or touches Alice's tasks: they answer as unknown ones."""

    @pytest.mark.parametrize(("method", "path", "body"), [r for r in REQUESTS if "{task}" in r[1]])
    async def test_another_users_task(
        self,
        client: httpx.AsyncClient,
        alice: Tenant,
        bob: Tenant,
        app: Any,
        method: str,
        path: str,
        body: dict[str, Any] | None,
    ) -> None:
        task_id = await create_task(client, alice, competitor=True)
        account = await task_account(app, task_id)
        await add_comments(app, await add_post(app, account, "abc123", utcnow()), ("yay", "positive", 1))
        r = await client.request(
            method, f"{BASE}/{path.format(task=task_id)}", json=body, headers=bob.headers
        )
        assert error(r, 404) == "Task not found or access denied"
        # nothing of Alice's changed
        assert ok(await client.get(f"{BASE}/get_tasks", headers=bob.headers), TASKS)["total_tasks"] == 0
        [task] = ok(await client.get(f"{BASE}/get_tasks", headers=alice.headers), TASKS)["tasks"]
        assert (task["_id"], task["is_competitor"]) == (task_id, True)
        async with app.state.sessions() as s:
            asked = await s.scalar(
                select(func.count()).select_from(RefreshItem).where(RefreshItem.user_id == bob.user_id)
            )
        assert asked == 0

    async def test_same_profile_for_two_users(
        self, client: httpx.AsyncClient, alice: Tenant, bob: Tenant, app: Any
    ) -> None:
        mine = await create_task(client, alice)
        theirs = await create_task(client, bob)
        assert (await task_account(app, mine)).id != (await task_account(app, theirs)).id
        ok(await client.delete(f"{BASE}/delete_task/{theirs}", headers=bob.headers), MESSAGE)
        ok(await client.get(f"{BASE}/get_task/{mine}", headers=alice.headers), TASK)


class TestOpenAPI:
    async def test_routes_are_documented(self, client: httpx.AsyncClient) -> None:
        paths = (await client.get("/openapi.json")).json()["paths"]
        for method, path, _ in REQUESTS:
            route = f"{BASE}/{path.replace('{task}', '{task_id}')}"
            assert method.lower() in paths[route], route
        create = paths[f"{BASE}/create_task"]["post"]
        assert "requestBody" in create
