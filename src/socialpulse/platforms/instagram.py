"""Instagram, two ways: the Graph API (``instagram_graph.py``) or the public web profile
(``instagram_web.py``), chosen per instance and overridable per account.

``SOCIALPULSE_INSTAGRAM_SOURCE`` picks the instance default (``graph`` or ``web``); left
unset, it is ``graph`` when ``SOCIALPULSE_INSTAGRAM_ACCESS_TOKEN`` and
``SOCIALPULSE_INSTAGRAM_USER_ID`` are both set, else ``web``. An account whose ``source`` is
``graph`` or ``web`` uses that one (``registry.get("instagram", source)``).

This module holds what both share: the source choice and the connector factory, usernames,
shortcodes and post types, and :class:`InstagramConnector`, whose memory lets a refresh reuse
what the profile call brought back (one call answers the profile *and* its recent posts on
both sources, so listing an account's posts costs no call of its own).

Identifiers: a post's ``social_id`` is its **shortcode** on both sources (what a post URL
carries), so an account may switch source without its posts changing identity. Account and
media *ids* differ between the sources: the Graph ig-user-id and media id are not the web's
``id``/``pk``. An account's ``platform_id`` is the id of the source that last read it.

Posts are refreshed through their author, whom both sources look up by **username**; a
:class:`~socialpulse.platforms.base.PostRef` carries the author's platform id only, so the
connector remembers ``platform id → username`` from every profile and post it reads (and
uses ``ref.author_handle`` when the engine provides one). A post whose author it has not met
yet answers :class:`AuthorUnknown`, a transient error costing no call: the queue tries again
later, once a refresh of the author's account has taught the connector their username.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import httpx

from socialpulse.kit.time import parse_iso
from socialpulse.models.enums import Platform, PostType
from socialpulse.platforms.base import (
    AccountRef,
    AuthExpired,
    BadResponse,
    HTTPConnector,
    ListResult,
    MetricConfig,
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
from socialpulse.platforms.metrics import METRIC_CONFIGS

if TYPE_CHECKING:
    from socialpulse.config import Settings
    from socialpulse.platforms.base import Connector
    from socialpulse.platforms.pacing import Pacers

SOURCES = ("graph", "web")
SOURCE_SETTING = "SOCIALPULSE_INSTAGRAM_SOURCE"
ACCESS_TOKEN_SETTING = "SOCIALPULSE_INSTAGRAM_ACCESS_TOKEN"
USER_ID_SETTING = "SOCIALPULSE_INSTAGRAM_USER_ID"

_USERNAME = re.compile(r"[a-z0-9._]{1,30}")
_URL_PREFIX = re.compile(r"^(?:https?://)?(?:www\.|m\.)?instagram\.com/", re.IGNORECASE)
_PERMALINK = re.compile(r"instagram\.com/(?:[A-Za-z0-9._]+/)?(?:p|reel|reels|tv)/([A-Za-z0-9_-]+)")
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_B64_INDEX = {c: i for i, c in enumerate(_B64)}

K = TypeVar("K")
V = TypeVar("V")


class AuthorUnknown(TransientError):
    """The post's author is not known to this connector yet: Instagram reads posts through
    their author's username, and the reference carries only the author's id. No call was made;
    the queue tries again later, by when a refresh of the author's account has taught it."""

    code = "author_unknown"


class PostOutOfReach(Unsupported):
    """The post is older than the recent posts the source lists for its author."""

    code = "out_of_reach"


# ---------------------------------------------------------------------------- source choice


def default_source(settings: Settings) -> str:
    """The instance's source: the setting, else ``graph`` with a token and user id, else ``web``."""
    chosen = getattr(settings, "instagram_source", None)
    if chosen in SOURCES:
        return str(chosen)
    if settings.instagram_access_token and settings.instagram_user_id:
        return "graph"
    return "web"


def resolve_source(settings: Settings, source: str | None) -> str:
    """``source`` (an account's override) or the instance default; refuses unknown names."""
    if source is None or not source.strip():
        return default_source(settings)
    value = source.strip().lower()
    if value not in SOURCES:
        raise Unsupported(f"unknown Instagram source {source!r}: an account's source is graph or web")
    return value


def variant_pacer(pacers: Pacers, key: str, rate_per_s: float) -> Pacer:
    """A pacer with its own window (``key``, e.g. ``instagram-web``) in the same store as the
    platforms' pacers (process memory, or Redis shared by every worker)."""
    from socialpulse.platforms.pacing import RatePacer, rate_item

    return RatePacer(
        pacers._get_limiter(),  # the store the platform pacers share (Redis when configured)
        rate_item(rate_per_s),
        (pacers.namespace, "pace", key),
        sleep=pacers._sleep,
        clock=pacers._clock,
    )


def build_connector(
    settings: Settings,
    source: str | None,
    *,
    client: httpx.AsyncClient,
    pacers: Pacers,
    retries: int,
    calls: dict[str, int],
) -> Connector:
    """The connector of ``source`` (``None``: the instance default), paced by its own windows."""
    chosen = resolve_source(settings, source)
    s = settings
    if chosen == "graph":
        from socialpulse.platforms.instagram_graph import InstagramGraphConnector

        return InstagramGraphConnector(
            client,
            base_url=s.instagram_graph_base_url,
            access_token=s.instagram_access_token,
            user_id=s.instagram_user_id,
            pacer=variant_pacer(pacers, "instagram-graph", s.instagram_graph_rate_per_s),
            discovery_pacer=variant_pacer(pacers, "instagram-discovery", s.instagram_discovery_rate_per_s),
            rate_per_s=s.instagram_graph_rate_per_s,
            discovery_rate_per_s=s.instagram_discovery_rate_per_s,
            media_limit=s.recent_posts_limit,
            retries=retries,
            calls=calls,
        )
    from socialpulse.platforms.instagram_web import InstagramWebConnector

    return InstagramWebConnector(
        client,
        base_url=s.instagram_web_base_url,
        pacer=variant_pacer(pacers, "instagram-web", s.instagram_web_rate_per_s),
        rate_per_s=s.instagram_web_rate_per_s,
        retries=retries,
        calls=calls,
    )


# ---------------------------------------------------------------------------- parsing helpers


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _count(container: dict[str, Any], key: str) -> int | None:
    """A counter (a non-negative integer); ``None`` when absent, hidden (-1) or not a number."""
    value = container.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if value >= 0 else None


def _time(value: Any) -> datetime | None:
    """Graph's ``2024-05-01T10:00:00+0000`` or the web's epoch seconds."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        from datetime import UTC

        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value:
        try:
            return parse_iso(value)
        except ValueError:
            return None
    return None


def normalize_username(handle: str) -> str | None:
    """``@Name``, ``name`` or a profile URL → ``name``; ``None`` when it cannot be a username."""
    h = _URL_PREFIX.sub("", handle.strip()).strip("/").split("/")[0].split("?")[0]
    h = h.lstrip("@").lower()
    return h if _USERNAME.fullmatch(h) else None


def shortcode_to_pk(shortcode: str) -> int | None:
    """A post's media id on the web (``pk``): its shortcode read as a base-64 number."""
    code = shortcode.strip()[:11]  # private posts append a longer tail to the shortcode
    if not code:
        return None
    n = 0
    for c in code:
        v = _B64_INDEX.get(c)
        if v is None:
            return None
        n = n * 64 + v
    return n


def shortcode_from_permalink(url: str | None) -> str | None:
    if not url:
        return None
    m = _PERMALINK.search(url)
    return m.group(1) if m else None


def post_url(shortcode: str, post_type: str | None) -> str:
    kind = "reel" if post_type == PostType.reel.value else "p"
    return f"https://www.instagram.com/{kind}/{shortcode}/"


def profile_url(username: str) -> str:
    return f"https://www.instagram.com/{username}/"


def graph_post_type(media_type: str | None, product_type: str | None) -> PostType:
    """Graph ``media_type`` (IMAGE, VIDEO, CAROUSEL_ALBUM) and ``media_product_type`` (FEED, REELS...)."""
    if media_type == "CAROUSEL_ALBUM":
        return PostType.carousel
    if product_type == "REELS":
        return PostType.reel
    if media_type == "VIDEO":
        return PostType.video
    if media_type == "IMAGE":
        return PostType.image
    return PostType.other


def web_post_type(typename: str | None, is_video: bool, product_type: str | None) -> PostType:
    """The web's ``__typename`` (GraphImage, GraphSidecar, GraphVideo) and ``product_type``."""
    if typename == "GraphSidecar":
        return PostType.carousel
    if product_type == "clips":
        return PostType.reel
    if typename == "GraphVideo" or is_video:
        return PostType.video
    if typename == "GraphImage":
        return PostType.image
    return PostType.other


# ---------------------------------------------------------------------------- memory


class Memo(Generic[K, V]):
    """A dict that forgets its oldest entries past ``size``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        return self._data.get(key)

    def put(self, key: K, value: V) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)

    def pop(self, key: K) -> V | None:
        return self._data.pop(key, None)

    def __len__(self) -> int:
        return len(self._data)


class InstagramConnector(HTTPConnector):
    """What both sources share: the platform, its metrics, and the connector's memory."""

    platform: ClassVar[Platform] = Platform.instagram
    metric_config: ClassVar[MetricConfig] = METRIC_CONFIGS[Platform.instagram]  # one source: metrics.py
    source: ClassVar[str]

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str,
        pacer: Pacer | None = None,
        retries: int = 2,
        calls: dict[str, int] | None = None,
        memory: int = 100_000,
    ) -> None:
        super().__init__(client, base_url=base_url, pacer=pacer, retries=retries, calls=calls)
        self.authors: Memo[str, str] = Memo(memory)  # author platform id -> username
        self._recent: Memo[str, tuple[str, list[PostData], bool]] = Memo(2_000)  # ref key -> listing

    # ------------------------------------------------------------------ memory

    def learn_author(self, platform_id: str | None, username: str | None) -> None:
        if platform_id and username:
            self.authors.put(platform_id, username.lower())

    def author_of(self, ref: PostRef) -> str | None:
        """The author's username: the engine's (when it passes one), else remembered."""
        given = getattr(ref, "author_handle", None)
        if isinstance(given, str) and given:
            name = normalize_username(given)
            if name:
                return name
        if ref.author_platform_id:
            return self.authors.get(ref.author_platform_id)
        return None

    def remember_listing(
        self, refs: Sequence[AccountRef], profile: ProfileData, posts: list[PostData], complete: bool
    ) -> None:
        """Keep the posts the profile call returned, for ``list_posts`` to use without a call."""
        for ref in refs:
            self._recent.put(ref.key, (profile.platform_id, posts, complete))

    # ------------------------------------------------------------------ listing

    def needs_listing(self, ref: AccountRef, profile: ProfileData) -> bool:
        """True when the post count changed, and whenever the profile call already brought the
        recent posts along: listing them then costs nothing and refreshes their counters."""
        if ref.last_posts_count is None or ref.last_posts_count != profile.posts:
            return True
        kept = self._recent.get(ref.key)
        return kept is not None and kept[0] == profile.platform_id

    async def list_posts(self, ref: AccountRef, profile: ProfileData, limit: int) -> ListResult:
        if limit <= 0:
            return ListResult(posts=[], complete=True)
        kept = self._recent.pop(ref.key)
        if kept is not None and kept[0] == profile.platform_id:
            _, posts, complete = kept
            return ListResult(posts=posts[:limit], complete=complete or len(posts) >= limit)
        return await self.list_fresh(ref, profile, limit)

    async def list_fresh(self, ref: AccountRef, profile: ProfileData, limit: int) -> ListResult:
        """Read the account again for its recent posts (when the profile call's are not kept)."""
        raise NotImplementedError

    async def _by_author(
        self,
        by_author: dict[str, list[PostRef]],
        read: Callable[[str, Sequence[PostRef]], Awaitable[dict[str, PostData | PlatformError]]],
    ) -> dict[str, PostData | PlatformError]:
        """Read each author's posts with ``read``; an error of one author fails its posts
        only, except an error that holds for every call (credentials, rate limit, quota),
        which fails the rest of the batch without calling again."""
        out: dict[str, PostData | PlatformError] = {}
        stop: PlatformError | None = None
        for author, named in by_author.items():
            if stop is not None:
                out.update({r.key: stop for r in named})
                continue
            try:
                out.update(await read(author, named))
            except (AuthExpired, RateLimited, QuotaExceeded) as exc:
                stop = exc
                out.update({r.key: exc for r in named})
            except PlatformError as exc:
                out.update({r.key: exc for r in named})
        return out


def require_dict(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadResponse(f"Instagram answered {what} with an unexpected body")
    return body
