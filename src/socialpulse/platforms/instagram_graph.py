"""Instagram Graph API (Instagram API with Facebook Login), read through our own account.

Settings: ``SOCIALPULSE_INSTAGRAM_ACCESS_TOKEN`` (a Facebook user or Page token with
``instagram_basic``, ``instagram_manage_insights``, ``pages_read_engagement`` and, for
comments, ``instagram_manage_comments``) and ``SOCIALPULSE_INSTAGRAM_USER_ID`` (the
ig-user-id of our own Business or Creator account, linked to a Facebook Page:
``GET /{page-id}?fields=instagram_business_account``).

Calls (reference section 2):

* **Business Discovery** reads any public Business or Creator account *through* our own
  ig-user-id, profile and recent media in ONE call:
  ``GET /{our-id}?fields=business_discovery.username(NAME){id,username,...,media.limit(N){...}}``.
  It takes one username per call, so there is no batch of profiles. Personal, private,
  unknown and age-gated accounts all answer ``code 110 / subcode 2207013`` (Meta does not
  tell them apart): :class:`~socialpulse.platforms.base.NotFound`, saying that the web source
  can read personal accounts.
* **Our own account** adds its insights: ``GET /{our-id}/insights?metric=reach,views,...
  &period=day&metric_type=total_value`` and ``metric=follower_count&period=day`` (2 calls).
  Instagram reports these only per window (the last day), never as lifetime counters, so they
  are kept in the snapshot's ``extras["insights"]`` rather than in the cumulative columns.
  Our media get ``GET /{media-id}/insights?metric=reach,views,saved,shares,...`` (one media
  per call; lifetime values, stored in the post snapshot's columns).
* **Post refreshes**: our own media by multi-id read ``GET /?ids=a,b&fields=...`` (50 per
  call; the Graph reads no other account's media by id); other accounts' posts through
  Business Discovery of their author (one call per author covers the latest
  ``media_limit``; up to :data:`DISCOVERY_PAGES` pages for older ones).
* **Comments**: ``GET /{media-id}/comments`` for our own media only.

Calls per account: a first refresh costs **1** (Business Discovery: profile and recent
posts; listing reuses them), a refresh with nothing new **1** (the recent posts' counters are
refreshed along, at no cost). Our own account costs 1 + 2 (insights), plus one media-insights
call per listed media when it posted something new.

Errors (Meta's envelope ``{"error": {"message", "type", "code", "error_subcode",
"fbtrace_id"}}``): ``190`` → :class:`AuthExpired` naming ``SOCIALPULSE_INSTAGRAM_ACCESS_TOKEN``;
``4/17/32/613/80002`` → :class:`RateLimited`, waiting for ``X-Business-Use-Case-Usage``'s
``estimated_time_to_regain_access`` (minutes) when sent; ``100/33`` "does not exist" and
``110/2207013`` → :class:`NotFound`; ``(#10) Not enough viewers`` → the media's insights are
unavailable (``None``); other ``10`` and ``200``–``299`` (permissions) → :class:`AuthExpired`.

Retired metrics: an insights call rejected for a metric (``(#100) metric[0] must be one of
the following values: ...``, ``The metric impressions is no longer supported``) is asked
again without it; the metric reads ``None`` and stays retired for the connector's lifetime.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Sequence
from typing import Any, ClassVar

import httpx

from socialpulse.kit.chunks import chunks
from socialpulse.platforms.base import (
    AccountRef,
    AuthExpired,
    BadResponse,
    CommentData,
    Limits,
    ListResult,
    NotFound,
    Pacer,
    PlatformError,
    PostData,
    PostRef,
    ProfileData,
    QuotaExceeded,
    RateLimited,
    TransientError,
    Unsupported,
)
from socialpulse.platforms.instagram import (
    ACCESS_TOKEN_SETTING,
    USER_ID_SETTING,
    AuthorUnknown,
    InstagramConnector,
    Memo,
    PostOutOfReach,
    _count,
    _dict,
    _str,
    _time,
    graph_post_type,
    normalize_username,
    post_url,
    profile_url,
    require_dict,
    shortcode_from_permalink,
)

DEFAULT_BASE_URL = "https://graph.facebook.com/v22.0"
BASE_URL_SETTING = "SOCIALPULSE_INSTAGRAM_GRAPH_BASE_URL"
API_VERSION = "v22.0"
MAX_IDS = 50  # multi-id reads
MAX_MEDIA_PAGE = 50
DISCOVERY_PAGES = 3  # Business Discovery pages read to find an older post of another account
OWN_MEDIA_PAGES = 4  # pages of our own media read to find a post's media id
COMMENT_PAGE = 50
COMMENT_PAGES = 10  # pages of comments read (up to 500) to pick the most liked from
INSIGHTS_CONCURRENCY = 4
DEFAULT_PROFILE_BATCH = 25
DISCOVERY_PER_HOUR = 200  # Platform Rate Limit of Business Discovery: 200 calls per hour per user

PROFILE_FIELDS = (
    "id,username,name,biography,website,profile_picture_url,followers_count,follows_count,media_count"
)
MEDIA_FIELDS = "id,caption,media_type,media_product_type,permalink,timestamp,like_count,comments_count"
COMMENT_FIELDS = "id,text,timestamp,username,like_count"
ACCOUNT_METRICS = (
    "reach",
    "views",
    "accounts_engaged",
    "total_interactions",
    "likes",
    "comments",
    "shares",
    "saves",
    "replies",
    "profile_views",
)
MEDIA_METRICS = ("reach", "views", "saved", "shares", "likes", "comments", "total_interactions")

# call names (counted in ``calls``)
DISCOVERY = "business_discovery"
USER_INSIGHTS = "user_insights"
MEDIA_INSIGHTS = "media_insights"
MEDIA_READ = "media"
OWN_MEDIA = "own_media"
COMMENTS = "comments"

RATE_CODES = frozenset({4, 17, 32, 613, 80002})
TRANSIENT_CODES = frozenset({1, 2})
UNKNOWN_USER_SUBCODE = 2207013
DEFAULT_RATE_WAIT_S = 60.0  # a throttle without a BUC estimate: Meta's windows are an hour long

_REJECTION_PHRASES = (
    "must be one of",
    "no longer supported",
    "not supported",
    "deprecated",
    "invalid metric",
)


class MetricRejected(PlatformError):
    """An insights call named a metric the Graph refuses (retired, or unknown to this version)."""

    code = "metric_rejected"


class MetricsUnavailable(PlatformError):
    """``(#10) Not enough viewers``: the media's insights are withheld, not an error of ours."""

    code = "metrics_unavailable"


# ---------------------------------------------------------------------------- helpers


def rejected_metrics(message: str, asked: Sequence[str]) -> list[str]:
    """The metrics of ``asked`` that the Graph's rejection ``message`` refuses (maybe none)."""
    listed = re.search(r"must be one of the following values:\s*(.+)", message, re.DOTALL)
    if listed:
        allowed = {v.strip().rstrip(".") for v in listed.group(1).split(",")}
        refused = [m for m in asked if m not in allowed]
        if refused:
            return refused
        index = re.search(r"metric\[(\d+)\]", message)
        if index and int(index.group(1)) < len(asked):
            return [asked[int(index.group(1))]]
        return []
    refused = []
    for sentence in re.split(r"[.;]\s+", message):
        if not any(p in sentence.lower() for p in _REJECTION_PHRASES):
            continue
        # "... is no longer supported, please use views instead": the replacement is not refused
        sentence = re.split(r"\b(?:please\s+)?use\b", sentence, flags=re.IGNORECASE)[0]
        refused += [m for m in asked if re.search(rf"(?<![a-z_]){re.escape(m)}(?![a-z_])", sentence)]
    return list(dict.fromkeys(refused))


def insight_value(entry: dict[str, Any]) -> int | None:
    """``total_value.value`` (metric_type=total_value) or the latest of ``values``."""
    total = _dict(entry.get("total_value"))
    if "value" in total:
        return _count(total, "value")
    values = entry.get("values")
    if isinstance(values, list) and values:
        return _count(_dict(values[-1]), "value")
    return None


def buc_wait_s(response: httpx.Response) -> float | None:
    """Seconds until access returns, from ``X-Business-Use-Case-Usage`` (minutes in the header)."""
    raw = response.headers.get("x-business-use-case-usage")
    if not raw:
        return None
    try:
        usage = json.loads(raw)
    except ValueError:
        return None
    minutes: list[float] = []
    for entries in _dict(usage).values():
        for entry in entries if isinstance(entries, list) else []:
            value = _dict(entry).get("estimated_time_to_regain_access")
            if isinstance(value, int | float) and not isinstance(value, bool):
                minutes.append(float(value))
    if not minutes:
        return None
    return max(minutes) * 60


# ---------------------------------------------------------------------------- connector


class InstagramGraphConnector(InstagramConnector):
    name: ClassVar[str] = "instagram-graph"
    api_version: ClassVar[str] = API_VERSION
    source: ClassVar[str] = "graph"
    # other accounts' comments: the Graph API reads our own media's only (SOCIALPULSE_INSTAGRAM_WEB_COMMENTS)
    comments_fallback_source: ClassVar[str] = "web"

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str = DEFAULT_BASE_URL,
        access_token: str | None = None,
        user_id: str | None = None,
        pacer: Pacer | None = None,
        discovery_pacer: Pacer | None = None,
        retries: int = 2,
        calls: dict[str, int] | None = None,
        rate_per_s: float = 2.0,
        discovery_rate_per_s: float = DISCOVERY_PER_HOUR / 3600,
        media_limit: int = 25,
        profile_batch: int = DEFAULT_PROFILE_BATCH,
        account_metrics: Sequence[str] = ACCOUNT_METRICS,
        media_metrics: Sequence[str] = MEDIA_METRICS,
    ) -> None:
        super().__init__(client, base_url=base_url, pacer=pacer, retries=retries, calls=calls)
        self.access_token = access_token
        self.user_id = user_id
        self.discovery_pacer = discovery_pacer
        self.media_limit = max(1, min(media_limit, MAX_MEDIA_PAGE))
        # Business Discovery is one call per account: a batch is just how many a worker holds
        self.limits = Limits(profile_batch=profile_batch, post_batch=MAX_IDS, rate_per_s=rate_per_s)
        self.discovery_rate_per_s = discovery_rate_per_s
        self.account_metrics = tuple(account_metrics)
        self.media_metrics = tuple(media_metrics)
        self.retired_account_metrics: set[str] = set()
        self.retired_media_metrics: set[str] = set()
        self.media_ids: Memo[str, str] = Memo(200_000)  # shortcode -> Graph media id
        self.own_username: str | None = None

    # ------------------------------------------------------------------ plumbing

    async def before_request(self, call: str, cost: int) -> None:
        for setting, value in ((ACCESS_TOKEN_SETTING, self.access_token), (USER_ID_SETTING, self.user_id)):
            if not value:
                raise AuthExpired(
                    f"The Instagram Graph API source needs {setting}: set {ACCESS_TOKEN_SETTING} (a token "
                    f"with instagram_basic and instagram_manage_insights) and {USER_ID_SETTING} (our "
                    "Business or Creator account's ig-user-id), or use the web source "
                    "(SOCIALPULSE_INSTAGRAM_SOURCE=web)",
                    setting=setting,
                )
        if call == DISCOVERY and self.discovery_pacer is not None:
            await self.discovery_pacer.acquire(cost)

    async def _get(self, call: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        body = await self.request_json(
            "GET", path, call=call, params=params, headers={"Authorization": f"Bearer {self.access_token}"}
        )
        return require_dict(body, call)

    def map_error(self, response: httpx.Response, body: Any) -> PlatformError:
        status = response.status_code
        err = _dict(_dict(body).get("error"))
        code = err.get("code") if isinstance(err.get("code"), int) else None
        subcode = err.get("error_subcode") if isinstance(err.get("error_subcode"), int) else None
        message = _str(err.get("message")) or ""
        user_msg = _str(err.get("error_user_msg"))
        trace = _str(err.get("fbtrace_id"))
        said = f"Instagram Graph API answered HTTP {status}" + (
            f" (code {code}{f'/{subcode}' if subcode else ''}): {message}" if code is not None else ""
        )
        kw: dict[str, Any] = {"status": status, "request_id": trace}
        if code == 190:
            return AuthExpired(
                f"{said}. The Instagram access token expired or was revoked: renew {ACCESS_TOKEN_SETTING} "
                "(a long-lived token lasts 60 days; a Page or system-user token does not expire)",
                setting=ACCESS_TOKEN_SETTING,
                **kw,
            )
        if code in RATE_CODES or status == 429:
            wait = buc_wait_s(response)
            retry_after = DEFAULT_RATE_WAIT_S if wait is None else max(wait, 1.0)
            return RateLimited(f"{said}; waiting {retry_after:.0f} s", retry_after=retry_after, **kw)
        if code == 10 and "not enough viewers" in message.lower():
            return MetricsUnavailable(said, **kw)
        if code == 100 and subcode != 33 and "metric" in message.lower():
            return MetricRejected(message, **kw)
        if code == 110 or subcode == UNKNOWN_USER_SUBCODE or "cannot find user" in message.lower():
            return NotFound(user_msg or said, **kw)
        if code == 100 and (subcode == 33 or "does not exist" in message.lower()):
            return NotFound(said, **kw)
        if code in (102, 2500) and "token" in message.lower():  # no usable token was sent at all
            return AuthExpired(
                f"{said}. Set {ACCESS_TOKEN_SETTING} to a valid access token",
                setting=ACCESS_TOKEN_SETTING,
                **kw,
            )
        if code == 2500:  # "Unknown path components": not a Graph API version we can talk to
            return PlatformError(f"{said}. Check {BASE_URL_SETTING} (default {DEFAULT_BASE_URL})", **kw)
        if code == 10 or (code is not None and 200 <= code < 300):
            return AuthExpired(
                f"{said}. Our token lacks a permission: renew {ACCESS_TOKEN_SETTING} with instagram_basic, "
                "instagram_manage_insights, instagram_manage_comments and pages_read_engagement",
                setting=ACCESS_TOKEN_SETTING,
                **kw,
            )
        if code in TRANSIENT_CODES or err.get("is_transient") is True or status >= 500:
            return TransientError(said, **kw)
        if status in (401, 403):
            return AuthExpired(f"{said}; check {ACCESS_TOKEN_SETTING}", setting=ACCESS_TOKEN_SETTING, **kw)
        if status == 404:
            return NotFound(said, **kw)
        return PlatformError(said, **kw)

    # ------------------------------------------------------------------ reading helpers

    def _is_own(self, platform_id: str | None) -> bool:
        return bool(platform_id) and platform_id == self.user_id

    async def _discover(
        self, username: str, limit: int, after: str | None = None
    ) -> tuple[dict[str, Any], list[dict[str, Any]], str | None]:
        """Business Discovery of ``username``: its fields, one page of media, the next cursor."""
        media = f"media.after({after}).limit({limit})" if after else f"media.limit({limit})"
        fields = f"business_discovery.username({username}){{{PROFILE_FIELDS},{media}{{{MEDIA_FIELDS}}}}}"
        try:
            body = await self._get(DISCOVERY, str(self.user_id), {"fields": fields})
        except NotFound as exc:
            raise NotFound(
                f"Instagram has no public Business or Creator account @{username} ({exc.message}). Business "
                "Discovery reads only those; a personal account can be read with the web source "
                "(set this account's source, or SOCIALPULSE_INSTAGRAM_SOURCE, to web)",
                status=exc.status,
                request_id=exc.request_id,
            ) from exc
        found = body.get("business_discovery")
        if not isinstance(found, dict):
            raise BadResponse("Instagram answered Business Discovery without business_discovery")
        edge = _dict(found.get("media"))
        items = edge.get("data", [])
        if not isinstance(items, list):
            raise BadResponse("Instagram answered Business Discovery with malformed media")
        cursors = _dict(_dict(edge.get("paging")).get("cursors"))
        next_after = _str(cursors.get("after"))
        if len(items) < limit:
            next_after = None
        return found, [i for i in items if isinstance(i, dict)], next_after

    def _profile(self, found: dict[str, Any]) -> ProfileData:
        ig_id, username = _str(found.get("id")), _str(found.get("username"))
        if ig_id is None or username is None:
            raise BadResponse("Instagram answered Business Discovery without id or username")
        own = self._is_own(ig_id)
        if own:
            self.own_username = username.lower()
        self.learn_author(ig_id, username)
        return ProfileData(
            platform_id=ig_id,
            handle=username.lower(),
            display_name=_str(found.get("name")),
            biography=_str(found.get("biography")),
            avatar_url=_str(found.get("profile_picture_url")),
            website=_str(found.get("website")),
            url=profile_url(username.lower()),
            followers=_count(found, "followers_count"),
            following=_count(found, "follows_count"),
            posts=_count(found, "media_count"),
            details={"source": "graph", "ig_user_id": ig_id, "own_account": own},
        )

    def _post(self, item: dict[str, Any], author_id: str | None, author: str | None) -> PostData:
        media_id = _str(item.get("id"))
        if media_id is None:
            raise BadResponse("Instagram sent a media without an id")
        link = _str(item.get("permalink"))
        shortcode = shortcode_from_permalink(link) or _str(item.get("shortcode")) or media_id
        self.media_ids.put(shortcode, media_id)
        kind = graph_post_type(_str(item.get("media_type")), _str(item.get("media_product_type")))
        caption = item.get("caption")
        return PostData(
            social_id=shortcode,
            author_platform_id=author_id,
            author_handle=author.lower() if author else None,
            url=link or post_url(shortcode, kind.value),
            type=kind.value,
            caption=caption if isinstance(caption, str) else None,
            posted_at=_time(item.get("timestamp")),
            likes=_count(item, "like_count"),  # left out when the owner hides it
            comments=_count(item, "comments_count"),
            details={
                "media_id": media_id,
                "shortcode": shortcode,
                "media_type": item.get("media_type"),
                "media_product_type": item.get("media_product_type"),
            },
        )

    # ------------------------------------------------------------------ insights

    async def _insights(
        self, node: str, wanted: Sequence[str], params: dict[str, Any], call: str, retired: set[str]
    ) -> dict[str, dict[str, Any]]:
        """The insights entries of ``wanted`` metrics of ``node``, by name; a metric the Graph
        rejects is retired (remembered in ``retired``) and the call made again without it."""
        asked = [m for m in wanted if m not in retired]
        while asked:
            try:
                body = await self._get(call, f"{node}/insights", {"metric": ",".join(asked), **params})
            except MetricRejected as exc:
                refused = rejected_metrics(exc.message, asked)
                if not refused:
                    raise
                retired.update(refused)
                asked = [m for m in asked if m not in refused]
                continue
            data = body.get("data")
            if not isinstance(data, list):
                raise BadResponse(f"Instagram answered {call} without a data list")
            out: dict[str, dict[str, Any]] = {}
            for entry in data:
                entry = _dict(entry)
                name = entry.get("name")
                if isinstance(name, str) and name in asked:
                    out[name] = entry
            return out
        return {}

    async def _account_insights(self) -> dict[str, Any]:
        """Our account's insights of the last day, for the snapshot's ``extras``."""
        node = str(self.user_id)
        extras: dict[str, Any] = {}
        try:
            day = await self._insights(
                node,
                self.account_metrics,
                {"period": "day", "metric_type": "total_value"},
                USER_INSIGHTS,
                self.retired_account_metrics,
            )
            followers = await self._insights(
                node, ("follower_count",), {"period": "day"}, USER_INSIGHTS, self.retired_account_metrics
            )
        except PlatformError as exc:
            extras["insights_error"] = f"{exc.code}: {exc.message}"
            return extras
        insights: dict[str, Any] = {"period": "day"}
        insights.update({m: insight_value(day[m]) if m in day else None for m in self.account_metrics})
        series = followers.get("follower_count")
        insights["follower_count"] = insight_value(series) if series else None
        extras["insights"] = insights
        if series:
            extras["follower_count_by_day"] = [
                {"end_time": _dict(v).get("end_time"), "value": _count(_dict(v), "value")}
                for v in series.get("values") or []
                if isinstance(v, dict)
            ]
        unavailable = sorted(
            m for m in (*self.account_metrics, "follower_count") if m in self.retired_account_metrics
        )
        if unavailable:
            extras["unavailable_metrics"] = unavailable
        return extras

    async def _media_insights(self, post: PostData) -> None:
        """Lifetime insights of one of our media, onto ``post`` (a metric unavailable stays None)."""
        media_id = post.details.get("media_id")
        if not isinstance(media_id, str):
            return
        try:
            entries = await self._insights(
                media_id, self.media_metrics, {}, MEDIA_INSIGHTS, self.retired_media_metrics
            )
        except MetricsUnavailable as exc:
            post.extras["insights_unavailable"] = exc.message
            return
        except PlatformError as exc:
            post.extras["insights_error"] = f"{exc.code}: {exc.message}"
            return
        values = {m: insight_value(entries[m]) if m in entries else None for m in self.media_metrics}
        post.reach = values.get("reach")
        post.views = values.get("views")
        post.saves = values.get("saved")
        post.shares = values.get("shares")
        if post.likes is None:
            post.likes = values.get("likes")
        if post.comments is None:
            post.comments = values.get("comments")
        if values.get("total_interactions") is not None:
            post.extras["total_interactions"] = values["total_interactions"]
        unavailable = sorted(m for m in self.media_metrics if m in self.retired_media_metrics)
        if unavailable:
            post.extras["unavailable_metrics"] = unavailable

    async def _with_insights(self, posts: Sequence[PostData]) -> None:
        if not posts:
            return
        # the first alone: if it learns of a retired metric, the others do not ask for it
        await self._media_insights(posts[0])
        gate = asyncio.Semaphore(INSIGHTS_CONCURRENCY)

        async def one(post: PostData) -> None:
            async with gate:
                await self._media_insights(post)

        await asyncio.gather(*(one(p) for p in posts[1:]))

    # ------------------------------------------------------------------ profiles

    async def _fetch_profile(self, username: str, refs: Sequence[AccountRef]) -> ProfileData:
        found, items, after = await self._discover(username, self.media_limit)
        profile = self._profile(found)
        posts = [self._post(item, profile.platform_id, profile.handle) for item in items]
        if self._is_own(profile.platform_id):
            profile.extras.update(await self._account_insights())
        self.remember_listing(refs, profile, posts, complete=after is None)
        return profile

    async def fetch_profiles(self, refs: Sequence[AccountRef]) -> dict[str, ProfileData | PlatformError]:
        out: dict[str, ProfileData | PlatformError] = {}
        wanted: dict[str, list[AccountRef]] = {}
        for ref in refs:
            name = normalize_username(ref.handle)
            if name is None:
                out[ref.key] = NotFound(f"{ref.handle!r} is not an Instagram username")
            else:
                wanted.setdefault(name, []).append(ref)
        stop: PlatformError | None = None  # a spent limit or a refused token stops every call
        for name, named in wanted.items():
            result: ProfileData | PlatformError
            if stop is not None:
                result = stop
            else:
                try:
                    result = await self._fetch_profile(name, named)
                except (AuthExpired, RateLimited, QuotaExceeded) as exc:
                    stop = result = exc
                except PlatformError as exc:
                    result = exc
            for ref in named:
                out[ref.key] = result
        return out

    def needs_listing(self, ref: AccountRef, profile: ProfileData) -> bool:
        if self._is_own(profile.platform_id):  # listing our media costs an insights call each
            return ref.last_posts_count is None or ref.last_posts_count != profile.posts
        return super().needs_listing(ref, profile)

    async def list_posts(self, ref: AccountRef, profile: ProfileData, limit: int) -> ListResult:
        result = await super().list_posts(ref, profile, limit)
        if self._is_own(profile.platform_id):
            await self._with_insights(result.posts)
        return result

    async def list_fresh(self, ref: AccountRef, profile: ProfileData, limit: int) -> ListResult:
        found, items, after = await self._discover(profile.handle, min(limit, MAX_MEDIA_PAGE))
        author = _str(found.get("id")) or profile.platform_id
        posts = [self._post(item, author, profile.handle) for item in items]
        return ListResult(posts=posts[:limit], complete=after is None or len(posts) >= limit)

    # ------------------------------------------------------------------ posts

    async def _find_own_media(
        self, shortcodes: Sequence[str]
    ) -> tuple[dict[str, dict[str, Any]], set[str], bool]:
        """Our media with these shortcodes: by multi-id read when their ids are known, else by
        paging our media (newest first). Answers the items found, the shortcodes whose known id
        the read left out (deleted), and whether the paging reached our oldest media."""
        wanted = list(dict.fromkeys(shortcodes))
        items: dict[str, dict[str, Any]] = {}
        gone: set[str] = set()
        by_id = {mid: sc for sc in wanted if (mid := self.media_ids.get(sc))}
        for ids in chunks(list(by_id), MAX_IDS):
            body = await self._get(MEDIA_READ, "", {"ids": ",".join(ids), "fields": MEDIA_FIELDS})
            for mid in ids:
                item = body.get(mid)
                if isinstance(item, dict):
                    items[by_id[mid]] = item
                else:  # left out: deleted, or no longer ours to read
                    gone.add(by_id[mid])
                    self.media_ids.pop(by_id[mid])
        missing = {sc for sc in wanted if sc not in items and sc not in gone}
        exhausted = False
        after: str | None = None
        pages = 0
        while missing and pages < OWN_MEDIA_PAGES:
            pages += 1
            params: dict[str, Any] = {"fields": MEDIA_FIELDS, "limit": MAX_MEDIA_PAGE}
            if after:
                params["after"] = after
            body = await self._get(OWN_MEDIA, f"{self.user_id}/media", params)
            data = body.get("data")
            if not isinstance(data, list):
                raise BadResponse("Instagram answered our media listing without a data list")
            for item in data:
                item = _dict(item)
                shortcode = shortcode_from_permalink(_str(item.get("permalink"))) or _str(
                    item.get("shortcode")
                )
                media_id = _str(item.get("id"))
                if shortcode and media_id:
                    self.media_ids.put(shortcode, media_id)
                    if shortcode in missing:
                        items[shortcode] = item
                        missing.discard(shortcode)
            paging = _dict(body.get("paging"))
            after = _str(_dict(paging.get("cursors")).get("after"))
            if not paging.get("next") or not after:
                exhausted = True
                break
        return items, gone, exhausted

    async def _own_posts(
        self, refs: Sequence[PostRef], unknown: Sequence[PostRef]
    ) -> dict[str, PostData | PlatformError]:
        shortcodes = [r.social_id.strip() for r in (*refs, *unknown)]
        items, gone, exhausted = await self._find_own_media(shortcodes)
        posts = {sc: self._post(item, self.user_id, self.own_username) for sc, item in items.items()}
        await self._with_insights(list(posts.values()))
        out: dict[str, PostData | PlatformError] = {}
        for ref in refs:
            sc = ref.social_id.strip()
            found = posts.get(sc)
            if found is not None:
                out[ref.key] = found
            elif sc in gone or exhausted:
                out[ref.key] = NotFound(f"Instagram post {sc} of our account does not exist or was deleted")
            else:
                out[ref.key] = PostOutOfReach(
                    f"Instagram post {sc} is not among our account's {OWN_MEDIA_PAGES * MAX_MEDIA_PAGE} latest "
                    "media, or was deleted"
                )
        for ref in unknown:
            sc = ref.social_id.strip()
            found = posts.get(sc)
            out[ref.key] = found if found is not None else self._author_unknown(sc)
        return out

    @staticmethod
    def _author_unknown(shortcode: str) -> AuthorUnknown:
        return AuthorUnknown(
            f"Instagram post {shortcode}: its author is not known to this worker yet (posts are read "
            "through their author's username); it is refreshed once its account has been read"
        )

    async def _posts_by_discovery(
        self, author: str, refs: Sequence[PostRef]
    ) -> dict[str, PostData | PlatformError]:
        wanted = {r.social_id.strip() for r in refs}
        found: dict[str, PostData] = {}
        after: str | None = None
        exhausted = False
        try:
            for _ in range(DISCOVERY_PAGES):
                bd, items, after = await self._discover(author, MAX_MEDIA_PAGE, after)
                author_id = _str(bd.get("id"))
                self.learn_author(author_id, author)
                for item in items:
                    post = self._post(item, author_id, author)
                    if post.social_id in wanted:
                        found[post.social_id] = post
                if wanted <= found.keys():
                    break
                if after is None:
                    exhausted = True
                    break
        except NotFound as exc:
            return {r.key: exc for r in refs}
        out: dict[str, PostData | PlatformError] = {}
        for ref in refs:
            sc = ref.social_id.strip()
            if sc in found:
                out[ref.key] = found[sc]
            elif exhausted:
                out[ref.key] = NotFound(f"Instagram post {sc} of @{author} does not exist or was deleted")
            else:
                out[ref.key] = PostOutOfReach(
                    f"Instagram post {sc} is older than the {DISCOVERY_PAGES * MAX_MEDIA_PAGE} latest posts of "
                    f"@{author} that Business Discovery lists, or was deleted"
                )
        return out

    async def fetch_posts(self, refs: Sequence[PostRef]) -> dict[str, PostData | PlatformError]:
        out: dict[str, PostData | PlatformError] = {}
        own: list[PostRef] = []
        unknown: list[PostRef] = []
        by_author: dict[str, list[PostRef]] = {}
        for ref in refs:
            author = self.author_of(ref)
            if self._is_own(ref.author_platform_id) or (author is not None and author == self.own_username):
                own.append(ref)
            elif author is None and not ref.author_platform_id:
                unknown.append(ref)  # tracked by URL: perhaps ours, looked for among our media
            elif author is None:
                out[ref.key] = self._author_unknown(ref.social_id)
            else:
                by_author.setdefault(author, []).append(ref)
        if own or unknown:
            out.update(await self._own_posts(own, unknown))
        out.update(await self._by_author(by_author, self._posts_by_discovery))
        return out

    # ------------------------------------------------------------------ comments

    async def fetch_comments(self, ref: PostRef, limit: int) -> list[CommentData]:
        if limit <= 0:
            return []
        if ref.author_platform_id and not self._is_own(ref.author_platform_id):
            raise Unsupported(
                "The Instagram Graph API reads comments on our own account's media only "
                f"({USER_ID_SETTING}); another account's comments need the web source"
            )
        shortcode = ref.social_id.strip()
        media_id = self.media_ids.get(shortcode)
        if media_id is None:
            items, _, _ = await self._find_own_media([shortcode])
            media_id = _str(items[shortcode].get("id")) if shortcode in items else None
        if media_id is None:
            raise Unsupported(
                f"Instagram post {shortcode} is not among our account's latest media: the Graph API reads "
                "comments on our own media only"
            )
        comments: list[CommentData] = []
        after: str | None = None
        for _ in range(COMMENT_PAGES):
            params: dict[str, Any] = {"fields": COMMENT_FIELDS, "limit": COMMENT_PAGE}
            if after:
                params["after"] = after
            body = await self._get(COMMENTS, f"{media_id}/comments", params)
            data = body.get("data")
            if not isinstance(data, list):
                raise BadResponse("Instagram answered comments without a data list")
            for item in data:
                comment = self._comment(_dict(item))
                if comment is not None:
                    comments.append(comment)
            paging = _dict(body.get("paging"))
            after = _str(_dict(paging.get("cursors")).get("after"))
            if not paging.get("next") or not after:
                break
        comments.sort(key=lambda c: c.likes or 0, reverse=True)
        return comments[:limit]

    @staticmethod
    def _comment(item: dict[str, Any]) -> CommentData | None:
        comment_id = _str(item.get("id"))
        if comment_id is None:
            return None
        text = item.get("text")
        return CommentData(
            platform_id=comment_id,
            text=text if isinstance(text, str) else "",
            author=_str(item.get("username")),
            posted_at=_time(item.get("timestamp")),
            likes=_count(item, "like_count"),
        )
