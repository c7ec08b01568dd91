"""ylytic compatibility: the Data Refresh API's requests, envelopes, errors and tenancy.

The JSON Schemas below are written from ylytic's document (``Data Refresh API``): the POST
answers ``{request_id, request, response: null, status: {code: 201, message: "pending",
request_at, response_at: null}}``; the GET answers the same envelope with the creator report in
``response`` (``growth_trends`` with trends keyed by date and the ``quaterly_*`` keys, ``posts``
split into ``video_posts`` and ``non_video_posts``, ``profile_details``, ``profile_overview``,
``reach_and_engagement_details``); timestamps are RFC 1123 GMT. Counters and rates may be null
here (not measured yet), which the document does not show. The document has no error body, so
errors use its envelope: ``response`` null, ``status.code`` the HTTP status, ``status.message``
the error. These tests run without a worker: requests stay pending (the end-to-end cases, with
the emulator, are in ``test_ylytic_refresh.py``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import jsonschema
import pytest
from sqlalchemy import select

from socialpulse.auth.service import issue_jwt
from socialpulse.kit.time import aware, utcnow
from socialpulse.models import Account, Post, RefreshItem, RefreshRequest, User
from tests.conftest import Tenant
from tests.tracking.helpers import add_account_snapshot, create_account

# ---------------------------------------------------------------------------- schemas

RFC1123 = (
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} GMT$"
)
DATE = r"^\d{4}-\d{2}-\d{2}$"
STRING = {"type": "string"}
TEXT = {"type": ["string", "null"]}
NUMBER = {"type": ["number", "null"]}
INTEGER = {"type": ["integer", "null"]}
STRINGS = {"type": "array", "items": {"type": "string"}}
TIMESTAMP = {"type": "string", "pattern": RFC1123}
PARAMS = ["handle", "ig_user_id", "shortcode", "channel_id", "video_id"]


def obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    """An object with exactly these keys (all required unless ``required`` says otherwise)."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


REQUEST = {
    "type": "object",
    "properties": {
        "request_type": {"enum": ["instagram", "instagram_id", "instagram_post", "youtube", "youtube_post"]},
        **{p: STRING for p in PARAMS},
    },
    "required": ["request_type"],
    "minProperties": 2,
    "maxProperties": 2,
    "additionalProperties": False,
}


def status(code: Any, message: Any, response_at: Any) -> dict[str, Any]:
    return obj({"code": code, "message": message, "request_at": TIMESTAMP, "response_at": response_at})


def by_date(value: dict[str, Any]) -> dict[str, Any]:
    """``[{"2023-12-01": {"followers": 0.8}}, …]``: one date per item."""
    return {
        "type": "array",
        "items": {
            "type": "object",
            "minProperties": 1,
            "maxProperties": 1,
            "propertyNames": {"pattern": DATE},
            "additionalProperties": obj({"followers": value}),
        },
    }


GROWTH_TRENDS = obj(
    {
        "engagement_trends": by_date({"type": "number"}),
        "followers_trends": by_date({"type": "number"}),
        "monthly_engagement_growth": NUMBER,
        "monthly_followers_growth": NUMBER,
        "quaterly_engagement_growth": NUMBER,
        "quaterly_followers_growth": NUMBER,
        "yearly_engagement_growth": NUMBER,
        "yearly_followers_growth": NUMBER,
    }
)
POST_FIELDS: dict[str, Any] = {
    "caption": TEXT,
    "comments_count": INTEGER,
    "engagement": NUMBER,
    "external_links": STRINGS,
    "hashtags": {"type": "array", "items": {"type": "string", "pattern": "^#"}},
    "likes_count": INTEGER,
    "posted_date": {"type": ["string", "null"], "pattern": DATE},
    "raw_image_url": TEXT,
    "shortcode": STRING,
    "sponsored": {"type": "boolean"},
}
NON_VIDEO_POST = obj(POST_FIELDS)
VIDEO_POST = obj({**POST_FIELDS, "views": INTEGER})
POSTS = obj(
    {
        "non_video_posts": {"type": "array", "items": NON_VIDEO_POST},
        "video_posts": {"type": "array", "items": VIDEO_POST},
    }
)
PROFILE_DETAILS = obj(
    {
        "biography": TEXT,
        "brand_mentions": STRINGS,
        "category": TEXT,
        "city": TEXT,
        "country": TEXT,
        "email": TEXT,
        "external_links": STRINGS,
        "full_name": TEXT,
        "hashtags": STRINGS,
        "ig_category": TEXT,
        "mentions": STRINGS,
        "mobile": TEXT,
        "raw_image_url": TEXT,
    }
)
PROFILE_OVERVIEW = obj(
    {
        "content_per_week": NUMBER,
        "engagement": NUMBER,
        "followers_count": INTEGER,
        "following_count": INTEGER,
        "handle": TEXT,
        "ig_user_id": TEXT,
        "influencer_tier": {"enum": ["nano", "micro", "mid", "macro", "mega", None]},
        "post_count": INTEGER,
    }
)
REPORT = obj(
    {
        "growth_trends": GROWTH_TRENDS,
        "posts": POSTS,
        "profile_details": PROFILE_DETAILS,
        "profile_overview": PROFILE_OVERVIEW,
        "reach_and_engagement_details": {"type": "object"},
    }
)
PENDING = obj(
    {
        "request_id": {"type": "string", "minLength": 1},
        "request": REQUEST,
        "response": {"type": "null"},
        "status": status({"const": 201}, {"const": "pending"}, {"type": "null"}),
    }
)
DONE = obj(
    {
        "request_id": {"type": "string", "minLength": 1},
        "request": REQUEST,
        "response": REPORT,
        "status": status({"const": 200}, {"const": "success"}, TIMESTAMP),
    }
)
FAILED = obj(
    {
        "request_id": {"type": "string", "minLength": 1},
        "request": REQUEST,
        "response": {"type": "null"},
        "status": status(
            {"type": "integer", "minimum": 400, "maximum": 599},
            {"type": "string", "pattern": "^failed: "},
            TIMESTAMP,
        ),
    }
)
ERROR = obj(
    {
        "request_id": {"type": ["string", "null"]},
        "request": {"type": ["object", "null"]},
        "response": {"type": "null"},
        "status": status(
            {"type": "integer", "minimum": 400, "maximum": 499}, {"type": "string", "minLength": 1}, TIMESTAMP
        ),
    }
)

# ---------------------------------------------------------------------------- the document's examples

DOC_POST_ANSWER: dict[str, Any] = {
    "request_id": "65b87c8576c9b42b3a285805",
    "request": {"request_type": "instagram", "handle": "thetatvaindia"},
    "response": None,
    "status": {
        "code": 201,
        "message": "pending",
        "request_at": "Tue, 30 Jan 2024 04:35:17 GMT",
        "response_at": None,
    },
}
DOC_GET_ANSWER: dict[str, Any] = {
    "request": {"handle": "handle_name", "request_type": "instagram"},
    "request_id": "request_identifier",
    "response": {
        "growth_trends": {
            "engagement_trends": [
                {"2023-12-01": {"followers": 0.8}},
                {"2023-12-04": {"followers": 0.7}},
                {"2023-12-06": {"followers": 1.1}},
            ],
            "followers_trends": [
                {"2023-12-01": {"followers": 750}},
                {"2023-12-04": {"followers": 800}},
                {"2023-12-06": {"followers": 1000}},
            ],
            "monthly_engagement_growth": 0.54,
            "monthly_followers_growth": 0.07,
            "quaterly_engagement_growth": 0.69,
            "quaterly_followers_growth": -0.07,
            "yearly_engagement_growth": 0.42,
            "yearly_followers_growth": -3.23,
        },
        "posts": {
            "non_video_posts": [
                {
                    "caption": "asdas",
                    "comments_count": 1,
                    "engagement": 1.01,
                    "external_links": ["https://asdas.com"],
                    "hashtags": ["#adsasd"],
                    "likes_count": 10,
                    "posted_date": "2023-12-03",
                    "raw_image_url": "https://instagram.com/images/askdnanla",
                    "shortcode": "asda",
                    "sponsored": False,
                }
            ],
            "video_posts": [
                {
                    "caption": "hello world",
                    "comments_count": 12,
                    "engagement": 1.2,
                    "external_links": ["https://asdas.com"],
                    "hashtags": ["#worth", "#ad"],
                    "likes_count": 24,
                    "posted_date": "2023-12-03",
                    "raw_image_url": "https://instagram.com/images/askdnanla",
                    "shortcode": "asdasd",
                    "sponsored": True,
                    "views": 123,
                }
            ],
        },
        "profile_details": {
            "biography": "Co-Founder of Ylytic",
            "brand_mentions": ["@oi"],
            "category": "Business & Entrepreneurship",
            "city": "Pune",
            "country": "India",
            "email": "anurag@ylytic.com",
            "external_links": ["https://www.ylytic.com"],
            "full_name": "Anurag Gupta",
            "hashtags": ["#growwithylytic"],
            "ig_category": "Business",
            "mentions": ["@mradulsharna"],
            "mobile": "9028055113",
            "raw_image_url": "https://instagram.com/images/askdnanla",
        },
        "profile_overview": {
            "content_per_week": 1.2,
            "engagement": 1.1,
            "followers_count": 10001,
            "following_count": 200,
            "handle": "anurag.itbhu05",
            "ig_user_id": "123456",
            "influencer_tier": "nano",
            "post_count": 10,
        },
        "reach_and_engagement_details": {},
    },
    "status": {
        "code": 200,
        "message": "success",
        "request_at": "Wed, 06 Dec 2023 06:09:37 GMT",
        "response_at": "Wed, 06 Dec 2023 06:09:47 GMT",
    },
}

# the payload table: request_type, its parameter, the sample value
TABLE = [
    ("instagram", "handle", "thetatvaindia"),
    ("instagram_id", "ig_user_id", "2121125346"),
    ("instagram_post", "shortcode", "DHGIoX0y3f3"),
    ("youtube", "channel_id", "UCurYxozQbvKn-oNUxNJh45Q"),
    ("youtube_post", "video_id", "iwIeyWv2ABI"),
]
URL = "/ylytic/api/v1/data_refresh/requests"


class TestSchemas:
    """The schemas accept the document's own examples (and so describe the same shapes)."""

    def test_documented_examples_validate(self) -> None:
        jsonschema.validate(DOC_POST_ANSWER, PENDING)
        jsonschema.validate(DOC_GET_ANSWER, DONE)
        for request_type, param, value in TABLE:
            jsonschema.validate({"request_type": request_type, param: value}, REQUEST)

    def test_they_reject_other_shapes(self) -> None:
        with pytest.raises(jsonschema.ValidationError):  # ISO instead of RFC 1123
            jsonschema.validate(
                {
                    **DOC_POST_ANSWER,
                    "status": {**DOC_POST_ANSWER["status"], "request_at": "2024-01-30T04:35:17Z"},
                },
                PENDING,
            )
        trends = DOC_GET_ANSWER["response"]["growth_trends"]
        renamed = {k.replace("quaterly", "quarterly"): v for k, v in trends.items()}
        with pytest.raises(jsonschema.ValidationError):  # the document's spelling is kept
            jsonschema.validate(renamed, GROWTH_TRENDS)
        with pytest.raises(jsonschema.ValidationError):  # trends are keyed by date
            jsonschema.validate(
                {**trends, "followers_trends": [{"date": "2023-12-01", "followers": 1}]}, GROWTH_TRENDS
            )
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"type": "about:blank", "status": 401, "detail": "no"}, ERROR)


# ---------------------------------------------------------------------------- helpers


def pending(r: httpx.Response, status_code: int = 201) -> dict[str, Any]:
    assert r.status_code == status_code, r.text
    assert r.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = r.json()
    jsonschema.validate(body, PENDING)
    return body


def error(r: httpx.Response, status_code: int) -> str:
    """The ``status.message`` of an error answer, after checking its status and shape."""
    assert r.status_code == status_code, r.text
    body = r.json()
    jsonschema.validate(body, ERROR)
    assert body["status"]["code"] == status_code
    message: str = body["status"]["message"]
    return message


def gmt(text: str) -> datetime:
    return parsedate_to_datetime(text)


async def ask(client: httpx.AsyncClient, tenant: Tenant, body: Any) -> httpx.Response:
    return await client.post(URL, json=body, headers=tenant.headers)


async def stored(app: Any, request_id: str) -> RefreshRequest:
    async with app.state.sessions() as s:
        row = await s.scalar(select(RefreshRequest).where(RefreshRequest.public_id == request_id))
        assert row is not None
        return row


async def items_of(app: Any) -> list[RefreshItem]:
    async with app.state.sessions() as s:
        return list(await s.scalars(select(RefreshItem).order_by(RefreshItem.id)))


async def accounts_of(app: Any, tenant: Tenant) -> list[Account]:
    async with app.state.sessions() as s:
        return list(await s.scalars(select(Account).where(Account.user_id == tenant.user_id)))


async def posts_of(app: Any, tenant: Tenant) -> list[Post]:
    async with app.state.sessions() as s:
        return list(await s.scalars(select(Post).where(Post.user_id == tenant.user_id)))


# ---------------------------------------------------------------------------- POST


class TestCreate:
    async def test_document_curl(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        """``curl --data '{"request_type":"instagram","handle":"thetatvaindia"}'``: curl sends it
        as a form body (no JSON content type), which is read as JSON all the same."""
        r = await client.post(
            URL,
            content=b'{\n    "request_type":"instagram",\n    "handle":"thetatvaindia"\n}',
            headers={**alice.headers, "Content-Type": "application/x-www-form-urlencoded"},
        )
        body = pending(r)
        assert body["request"] == {"request_type": "instagram", "handle": "thetatvaindia"}
        assert body["status"]["response_at"] is None
        [account] = await accounts_of(app, alice)  # tracked for the caller
        assert (account.platform, account.handle) == ("instagram", "thetatvaindia")
        row = await stored(app, body["request_id"])
        assert row.origin == "compat:ylytic"
        assert row.user_id == alice.user_id
        assert row.params["account_ids"] == [account.id]
        assert row.params["priority"] > 0  # ahead of background refreshes
        assert row.params["ylytic"] == {
            "request": body["request"],
            "kind": "account",
            "entity_id": account.id,
        }
        assert gmt(body["status"]["request_at"]) == aware(row.created_at).replace(microsecond=0)
        [item] = await items_of(app)  # queued once, by this request
        assert (item.kind, item.entity_id, item.status) == ("account", account.id, "queued")

    @pytest.mark.parametrize(("request_type", "param", "value"), [t for t in TABLE if t[0] != "instagram_id"])
    async def test_table_samples(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any, request_type: str, param: str, value: str
    ) -> None:
        """Each sample of the payload table (as JSON), for something not tracked yet."""
        body = pending(await ask(client, alice, {"request_type": request_type, param: value}))
        assert body["request"] == {"request_type": request_type, param: value}
        row = await stored(app, body["request_id"])
        meta = row.params["ylytic"]
        if request_type.endswith("_post"):
            [post] = await posts_of(app, alice)
            assert (post.platform, post.social_id, post.tracked) == (request_type.split("_")[0], value, True)
            assert meta == {"request": body["request"], "kind": "post", "entity_id": post.id}
            assert row.params["post_ids"] == [post.id]
        else:
            [account] = await accounts_of(app, alice)
            assert account.platform == request_type
            assert meta["kind"] == "account"
            if param == "channel_id":
                assert account.platform_id == value
        assert len(await items_of(app)) == 1

    async def test_table_sample_as_written(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        """The table writes its samples with single quotes; that form is taken too."""
        r = await client.post(
            URL,
            content=b"{\n'request_type':'youtube_post',\n'video_id':'iwIeyWv2ABI'\n}",
            headers=alice.headers,
        )
        body = pending(r)
        assert body["request"] == {"request_type": "youtube_post", "video_id": "iwIeyWv2ABI"}

    async def test_instagram_id_of_a_tracked_account(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        """``{'request_type': 'instagram_id', 'ig_user_id': '2121125346'}`` names an account by
        its Instagram id, as an integer too."""
        account = await create_account(client, alice, "instagram", "thetatvaindia")
        async with app.state.sessions() as s, s.begin():
            row = await s.get(Account, account["id"])
            assert row is not None
            row.platform_id = "2121125346"
        for value in ("2121125346", 2121125346):
            body = pending(await ask(client, alice, {"request_type": "instagram_id", "ig_user_id": value}))
            assert body["request"] == {"request_type": "instagram_id", "ig_user_id": "2121125346"}
            row = await stored(app, body["request_id"])
            assert row.params["ylytic"]["entity_id"] == account["id"]
        assert len(await accounts_of(app, alice)) == 1

    async def test_tracked_ones_are_not_tracked_again(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        first = pending(await ask(client, alice, {"request_type": "youtube", "channel_id": TABLE[3][2]}))
        second = pending(await ask(client, alice, {"request_type": "youtube", "channel_id": TABLE[3][2]}))
        assert first["request_id"] != second["request_id"]
        assert len(await accounts_of(app, alice)) == 1
        assert len(await items_of(app)) == 1  # one queued item serves both requests
        url = "https://www.instagram.com/p/DHGIoX0y3f3/"
        pending(await ask(client, alice, {"request_type": "instagram_post", "shortcode": "DHGIoX0y3f3"}))
        pending(await ask(client, alice, {"request_type": "instagram_post", "shortcode": url}))
        assert len(await posts_of(app, alice)) == 1

    async def test_post_of_a_tracked_account_refreshes_both(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any
    ) -> None:
        """A post its account's refresh had listed (not tracked) becomes tracked; the request
        refreshes the account along, for its overview."""
        account = await create_account(client, alice, "youtube", TABLE[3][2])
        async with app.state.sessions() as s, s.begin():
            s.add(
                Post(
                    user_id=alice.user_id,
                    account_id=account["id"],
                    platform="youtube",
                    social_id="iwIeyWv2ABI",
                    tracked=False,
                )
            )
        body = pending(await ask(client, alice, {"request_type": "youtube_post", "video_id": "iwIeyWv2ABI"}))
        [post] = await posts_of(app, alice)
        assert post.tracked
        row = await stored(app, body["request_id"])
        assert (row.params["account_ids"], row.params["post_ids"]) == ([account["id"]], [post.id])

    async def test_jwt(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        async with app.state.sessions() as s:
            user = await s.get(User, alice.user_id)
        assert user is not None
        token = issue_jwt(app.state.settings, user)
        r = await client.post(
            URL,
            json={"request_type": "instagram", "handle": "natgeo"},
            headers={"Authorization": f"Bearer {token}"},
        )
        pending(r)


class TestCreateErrors:
    @pytest.mark.parametrize(
        ("body", "says"),
        [
            ({}, "request_type is missing"),
            ({"handle": "natgeo"}, "request_type is missing"),
            ({"request_type": "tiktok", "handle": "x"}, "request_type 'tiktok' is not supported"),
            ({"request_type": "instagram"}, "handle is missing"),
            (
                {"request_type": "youtube", "handle": "UCurYxozQbvKn-oNUxNJh45Q"},
                "'handle' is not a parameter",
            ),
            ({"request_type": "instagram", "handle": "a", "extra": 1}, "'extra' is not a parameter"),
            ({"request_type": "instagram", "handle": ""}, "handle is empty"),
            ({"request_type": "instagram", "handle": ["natgeo"]}, "handle must be a string"),
            ({"request_type": "instagram", "handle": True}, "handle must be a string"),
            ({"request_type": 5, "handle": "natgeo"}, "request_type '5' is not supported"),
            ({"request_type": "instagram", "handle": "not a handle"}, "handle"),
            ({"request_type": "instagram", "handle": "bad..name"}, "contains '..'"),
            ({"request_type": "instagram", "handle": "x" * 501}, "too long"),
            ({"request_type": "instagram_id", "ig_user_id": "natgeo"}, "is not an Instagram user id"),
            ({"request_type": "instagram_post", "shortcode": "no/such"}, "shortcode"),
            ({"request_type": "youtube", "channel_id": "https://x.com/nasa"}, "channel_id"),
            ({"request_type": "youtube_post", "video_id": "short"}, "video_id"),
            ([], "must be a JSON object"),
            ("instagram", "must be a JSON object"),
        ],
    )
    async def test_bad_requests(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any, body: Any, says: str
    ) -> None:
        message = error(await ask(client, alice, body), 400)
        assert says in message
        assert await accounts_of(app, alice) == []
        assert await posts_of(app, alice) == []

    async def test_bad_request_echoes_what_was_sent(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        r = await ask(client, alice, {"request_type": "instagram", "handle": "bad..name"})
        error(r, 400)
        assert r.json()["request"] == {"request_type": "instagram", "handle": "bad..name"}
        assert r.json()["request_id"] is None

    @pytest.mark.parametrize(
        ("content", "says"),
        [
            (b"", "send a JSON body"),
            (b"{not json", "not valid JSON"),
            (b"{'a': {1, 2}}", "not valid JSON"),
            (b"{'a': 1j}", "not valid JSON"),
            (b"\xff\xfe", "not UTF-8"),
            (b"x" * 10_001, "too large"),
        ],
    )
    async def test_bad_bodies(
        self, client: httpx.AsyncClient, alice: Tenant, content: bytes, says: str
    ) -> None:
        r = await client.post(
            URL, content=content, headers={**alice.headers, "Content-Type": "application/json"}
        )
        assert says in error(r, 400)

    async def test_untracked_instagram_id(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        """Instagram looks accounts up by username: an id that names no tracked account is a 404
        that says what to send instead."""
        message = error(
            await ask(client, alice, {"request_type": "instagram_id", "ig_user_id": "2121125346"}), 404
        )
        assert "send request_type instagram with its handle" in message
        assert await accounts_of(app, alice) == []

    async def test_paused_account(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        account = await create_account(client, alice, "instagram", "thetatvaindia", paused=True)
        message = error(
            await ask(client, alice, {"request_type": "instagram", "handle": "thetatvaindia"}), 409
        )
        assert f"(account {account['id']}) is paused" in message
        async with app.state.sessions() as s:
            assert (
                list(await s.scalars(select(RefreshRequest).where(RefreshRequest.origin == "compat:ylytic")))
                == []
            )


class TestAuth:
    @pytest.mark.parametrize(
        "headers",
        [
            {},
            {"Authorization": "Bearer"},
            {"Authorization": "Basic abc"},
            {"Authorization": "Bearer sp_not_a_key"},
            {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.bad"},
        ],
    )
    async def test_401_in_ylytic_shape(
        self, client: httpx.AsyncClient, app: Any, headers: dict[str, str]
    ) -> None:
        r = await client.post(URL, json={"request_type": "instagram", "handle": "natgeo"}, headers=headers)
        assert error(r, 401)
        assert r.headers["www-authenticate"].startswith("Bearer")
        r = await client.get(f"{URL}/abc", headers=headers)
        error(r, 401)
        assert r.json()["request_id"] == "abc"
        async with app.state.sessions() as s:
            assert list(await s.scalars(select(Account))) == []

    async def test_apikey_scheme(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        r = await client.post(
            URL,
            json={"request_type": "instagram", "handle": "natgeo"},
            headers={"Authorization": f"Apikey {alice.key}"},
        )
        pending(r)


# ---------------------------------------------------------------------------- GET


class TestGet:
    async def test_pending_while_nothing_ran(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        """The document's GET, while the refresh has not run (no worker here)."""
        created = pending(await ask(client, alice, {"request_type": "instagram", "handle": "thetatvaindia"}))
        r = await client.get(f"{URL}/{created['request_id']}", headers=alice.headers)
        assert pending(r, 200) == created

    async def test_unknown_request(self, client: httpx.AsyncClient, alice: Tenant) -> None:
        for request_id in ("65b87c8576c9b42b3a285805", "x" * 300, "%20"):
            r = await client.get(f"{URL}/{request_id}", headers=alice.headers)
            assert "no data refresh request" in error(r, 404)

    async def test_a_native_refresh_request_is_not_a_ylytic_one(
        self, client: httpx.AsyncClient, alice: Tenant
    ) -> None:
        r = await client.post("/v1/refresh", json={}, headers=alice.headers)
        assert r.status_code in (200, 201, 202), r.text
        native = r.json()["request_id"]
        error(await client.get(f"{URL}/{native}", headers=alice.headers), 404)

    async def test_tenancy(self, client: httpx.AsyncClient, alice: Tenant, bob: Tenant, app: Any) -> None:
        created = pending(await ask(client, alice, {"request_type": "youtube", "channel_id": TABLE[3][2]}))
        r = await client.get(f"{URL}/{created['request_id']}", headers=bob.headers)
        message = error(r, 404)
        assert created["request_id"] in message
        assert TABLE[3][2] not in r.text
        # Bob asking for the same channel tracks his own account, not Alice's
        mine = pending(await ask(client, bob, {"request_type": "youtube", "channel_id": TABLE[3][2]}))
        [alices] = await accounts_of(app, alice)
        [bobs] = await accounts_of(app, bob)
        assert alices.id != bobs.id
        assert (await stored(app, mine["request_id"])).params["ylytic"]["entity_id"] == bobs.id


async def finish(app: Any, request_id: str, *, error_code: str | None = None) -> None:
    """Stands in for the workers: the request's items end, succeeded or failed with ``error_code``."""
    async with app.state.sessions() as s, s.begin():
        row = await s.scalar(select(RefreshRequest).where(RefreshRequest.public_id == request_id))
        assert row is not None
        now = utcnow()
        items = list(await s.scalars(select(RefreshItem)))
        for item in items:
            item.status = "failed" if error_code else "succeeded"
            item.error_code = error_code
            item.error_message = "as the platform said" if error_code else None
        row.status = "failed" if error_code else "succeeded"
        row.failed, row.succeeded = (len(items), 0) if error_code else (0, len(items))
        row.started_at = row.finished_at = now


class TestGetFinished:
    """The GET after the refresh (the end-to-end runs are in ``test_ylytic_refresh.py``)."""

    async def test_report_from_history(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        created = pending(await ask(client, alice, {"request_type": "instagram", "handle": "thetatvaindia"}))
        [account] = await accounts_of(app, alice)
        now = utcnow()
        for days, followers in ((400, 700), (100, 800), (35, 900), (1, 1000), (0, 1001)):
            await add_account_snapshot(app, account.id, now - timedelta(days=days), followers=followers)
        await finish(app, created["request_id"])
        r = await client.get(f"{URL}/{created['request_id']}", headers=alice.headers)
        assert r.status_code == 200, r.text
        body = r.json()
        jsonschema.validate(body, DONE)
        trends = body["response"]["growth_trends"]
        assert [next(iter(d.values())) for d in trends["followers_trends"]][-2:] == [
            {"followers": 1000},
            {"followers": 1001},
        ]
        assert trends["yearly_followers_growth"] == pytest.approx((1001 - 700) / 700 * 100)
        assert trends["quaterly_followers_growth"] == pytest.approx((1001 - 800) / 800 * 100)
        assert trends["monthly_followers_growth"] == pytest.approx((1001 - 900) / 900 * 100)
        overview = body["response"]["profile_overview"]
        assert (overview["handle"], overview["followers_count"], overview["influencer_tier"]) == (
            "thetatvaindia",
            1001,
            "nano",
        )
        assert body["status"]["response_at"] is not None

    @pytest.mark.parametrize(
        ("code", "status"), [("not_found", 404), ("private", 403), ("suspended", 410), ("transient", 502)]
    )
    async def test_failure_answers_its_status(
        self, client: httpx.AsyncClient, alice: Tenant, app: Any, code: str, status: int
    ) -> None:
        created = pending(await ask(client, alice, {"request_type": "youtube", "channel_id": TABLE[3][2]}))
        await finish(app, created["request_id"], error_code=code)
        r = await client.get(f"{URL}/{created['request_id']}", headers=alice.headers)
        assert r.status_code == 200, r.text
        body = r.json()
        jsonschema.validate(body, FAILED)
        assert body["status"]["code"] == status
        assert body["status"]["message"] == f"failed: {code}: as the platform said"

    async def test_deleted_since(self, client: httpx.AsyncClient, alice: Tenant, app: Any) -> None:
        created = pending(
            await ask(client, alice, {"request_type": "youtube_post", "video_id": "iwIeyWv2ABI"})
        )
        await finish(app, created["request_id"])
        [post] = await posts_of(app, alice)
        r = await client.delete(f"/v1/posts/{post.id}", headers=alice.headers)
        assert r.status_code == 204, r.text
        r = await client.get(f"{URL}/{created['request_id']}", headers=alice.headers)
        assert "no longer tracked" in error(r, 404)


class TestOpenAPI:
    async def test_documented(self, client: httpx.AsyncClient) -> None:
        r = await client.get("/openapi.json")
        assert r.status_code == 200, r.text
        paths = r.json()["paths"]
        create = paths[URL]["post"]
        examples = create["requestBody"]["content"]["application/json"]["examples"]
        assert {e["value"]["request_type"]: e["value"] for e in examples.values()} == {
            t: {"request_type": t, p: v} for t, p, v in TABLE
        }
        assert "201" in create["responses"]
        assert "401" in paths[URL + "/{request_id}"]["get"]["responses"]
