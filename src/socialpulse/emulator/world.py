"""The emulator's world: creators, their growth, their posts and the comments on them.

One deterministic, platform-neutral world. Every platform module (``youtube.py``,
``bluesky.py``, ...) renders the same world in that platform's wire format.

Design
------
* **People and accounts.** Person ``i`` (name, language, niche, country) is the same on
  every platform; ``creators(platform)[i]`` is their account there, with the platform's
  id format, handle style and audience size. Accounts are built eagerly (cheap: a few
  milliseconds per thousand) when a platform is first asked for, and indexed by handle
  and id for O(1) lookups.
* **Growth.** Followers follow a logistic curve plus a slow linear drift, on a time axis
  warped by a small sine (``t + A·P/2π·sin(2πt/P+φ)``, ``A < 1``), which adds deterministic
  wobble while keeping every counter non-decreasing.
* **Posts** are a closed-form schedule: post ``i`` is published at
  ``start + (i + 0.8·u_i)·gap`` with ``u_i`` in [0, 1), so the number of posts published by
  any instant, post ``i`` itself and the post whose id is given are all O(1) — nothing is
  materialised. With ``posts_per_creator = N`` each account has exactly ``N`` posts, laid
  out before the world's anchor time (``frozen_at``, or the time the world was built).
* **Post metrics** are functions of (post, now): ``V·(1 − e^(−w/τ)) + tail·ln(1 + w/60d)``
  on a warped age ``w``; likes, shares and the rest are floors of per-post rates times
  that, so no counter ever decreases.
* **Comments** are events ``k = 0, 1, 2, ...`` arriving at ages ``−τ·ln(1 − (k+u_k)/C)``, so
  the count by any instant is closed-form and equals the post's comment counter. Every
  fifth event is a reply to a recent top-level comment. Texts exist for every event; the
  platform views list at most :data:`MAX_LISTED_COMMENTS` newest ones.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from socialpulse.emulator import ids, text
from socialpulse.emulator.comments import comment_text
from socialpulse.models.enums import Platform, PostType

DAY_S = 86_400.0
DAY_MS = 86_400_000
REFERENCE = datetime(2026, 1, 1, tzinfo=UTC)  # follower sizes are drawn for this date
REFERENCE_TS = REFERENCE.timestamp()
MAX_LISTED_COMMENTS = 300  # newest comments a platform view lists per post
AUDIENCE_SIZE = 50_000  # commenters per platform (generated on demand)
REPLY_EVERY = 5  # every fifth comment event is a reply
REPLY_WINDOW = 25  # a reply answers one of the previous REPLY_WINDOW events
POST_CACHE_SIZE = 50_000  # posts kept once built (a post is rebuilt the same way when needed again)

SPECIAL_KINDS = ("not_found", "private", "suspended")

# ----------------------------------------------------------------------------- demo people


@dataclass(frozen=True)
class DemoPerson:
    slug: str  # the handle's base, e.g. "lenabakes"
    first: str
    last: str
    display_name: str
    niche: str
    language: str
    country: str
    followers: Mapping[str, int]  # platform -> followers on REFERENCE (default for others: "*")
    gap_days: float  # days between posts
    created: datetime
    website: str | None = None
    handles: Mapping[str, str] = field(default_factory=dict)  # platform -> handle, where not the default


# fmt: off
DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        slug="lenabakes", first="Lena", last="Fischer", display_name="Lena Bakes", niche="cooking",
        language="en", country="GB", followers={"youtube": 240_000, "bluesky": 18_500, "*": 60_000},
        gap_days=1.0, created=datetime(2016, 3, 14, 9, 30, tzinfo=UTC), website="https://lenabakes.co.uk",
    ),
    DemoPerson(
        slug="pixelpilot", first="Kai", last="Brooks", display_name="PixelPilot", niche="gaming",
        language="en", country="US", followers={"youtube": 1_850_000, "bluesky": 96_000, "*": 400_000},
        gap_days=1.0, created=datetime(2013, 8, 2, 17, 5, tzinfo=UTC),
    ),
    DemoPerson(
        slug="trailrunnerjo", first="Jo", last="Marsh", display_name="Jo Marsh | Trail Running",
        niche="fitness", language="en", country="NZ",
        followers={"youtube": 38_000, "bluesky": 4_200, "*": 21_000},
        gap_days=1.0, created=datetime(2019, 11, 20, 6, 0, tzinfo=UTC),
    ),
    DemoPerson(
        slug="marisolmakes", first="Marisol", last="Herrera", display_name="Marisol Makes", niche="diy",
        language="es", country="MX", followers={"youtube": 6_500, "bluesky": 900, "*": 3_000},
        gap_days=1.0, created=datetime(2021, 5, 8, 15, 45, tzinfo=UTC),
    ),
    DemoPerson(
        slug="aaravexplains", first="Aarav", last="Mehta", display_name="Aarav Explains", niche="science",
        language="hi", country="IN", followers={"youtube": 125_000, "bluesky": 7_800, "*": 30_000},
        gap_days=1.0, created=datetime(2018, 1, 9, 12, 0, tzinfo=UTC), website="https://aaravexplains.com",
        handles={"bluesky": "aaravexplains.com"},
    ),
)
# fmt: on

# handles of the accounts that answer "not found", "private/hidden" and "suspended"
SPECIAL_HANDLES: dict[str, dict[str, str]] = {
    "youtube": {
        "not_found": "@nosuchchannel404",
        "private": "@privatevault",
        "suspended": "@terminatedchannel",
    },
    "bluesky": {
        "not_found": "nobody-here.bsky.social",
        "private": "deactivated-account.bsky.social",
        "suspended": "suspended-account.bsky.social",
    },
    "*": {"not_found": "nosuchuser404", "private": "privatevault", "suspended": "suspendeduser"},
}

# ----------------------------------------------------------------------------- platform styles


def _youtube_channel_id(r: random.Random) -> str:
    return "UC" + ids.chars(r, ids.B64URL, 21) + r.choice("AQgw")


def _did(r: random.Random) -> str:
    return "did:plc:" + ids.chars(r, ids.B32, 24)


def _digits(n: int, first: str = "123456789") -> Callable[[random.Random], str]:
    def make(r: random.Random) -> str:
        return r.choice(first) + ids.chars(r, "0123456789", n - 1)

    return make


@dataclass(frozen=True)
class PlatformStyle:
    """How a platform shapes the world: id formats, audience sizes, cadence, post kinds."""

    platform: str
    handle: Callable[[str], str]  # handle from a base ("lenabakes" -> "@lenabakes")
    account_id: Callable[[random.Random], str]
    post_ids: str  # "b64" (11-char YouTube/IG style), "tid" (atproto at-uri), "decimal", "timed" (TikTok)
    median_followers: float
    sigma: float
    max_followers: float
    created_from: datetime
    created_to: datetime
    gap_days: tuple[float, float]  # log-uniform range of days between posts
    kinds: tuple[tuple[str, float], ...]  # post type -> weight
    reach: float  # median views (impressions) per follower per post
    like_rate: float  # median likes per view
    comment_rate: float  # median comments per view
    share_rate: float
    repost_prob: float = 0.0  # chance that a post slot also carries a repost of someone else's post
    microblog: bool = False  # a post is one short text (Bluesky, X, Threads) rather than title + description
    hides_followers: float = 0.0  # share of accounts hiding their follower count


def _at(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


# fmt: off
STYLES: dict[str, PlatformStyle] = {
    s.platform: s
    for s in (
        PlatformStyle(
            platform="youtube", handle=lambda b: "@" + b, account_id=_youtube_channel_id, post_ids="b64",
            median_followers=9_000, sigma=2.3, max_followers=250e6, created_from=_at(2008),
            created_to=_at(2025, 6), gap_days=(1.5, 30.0), kinds=(("video", 0.75), ("short", 0.25)),
            reach=0.12, like_rate=0.035, comment_rate=0.0015, share_rate=0.004, hides_followers=0.04,
        ),
        PlatformStyle(
            platform="bluesky", handle=lambda b: b if "." in b else b + ".bsky.social", account_id=_did,
            post_ids="tid", median_followers=350, sigma=2.0, max_followers=3e6, created_from=_at(2023, 4),
            created_to=_at(2025, 10), gap_days=(0.15, 6.0), kinds=(("text", 0.8), ("link", 0.2)),
            reach=0.35, like_rate=0.05, comment_rate=0.006, share_rate=0.0, repost_prob=0.12, microblog=True,
        ),
        # platforms whose wire modules come later: plausible ids and sizes, to refine with the module
        PlatformStyle(
            platform="instagram", handle=lambda b: b, account_id=_digits(10), post_ids="b64",
            median_followers=4_000, sigma=2.2, max_followers=400e6, created_from=_at(2012),
            created_to=_at(2025, 6), gap_days=(1.0, 10.0),
            kinds=(("reel", 0.45), ("image", 0.35), ("carousel", 0.2)),
            reach=0.3, like_rate=0.04, comment_rate=0.002, share_rate=0.003,
        ),
        PlatformStyle(
            platform="tiktok", handle=lambda b: b, account_id=_digits(19, "67"), post_ids="timed",
            median_followers=6_000, sigma=2.4, max_followers=150e6, created_from=_at(2018),
            created_to=_at(2025, 6), gap_days=(0.5, 7.0), kinds=(("video", 0.9), ("slideshow", 0.1)),
            reach=0.9, like_rate=0.06, comment_rate=0.002, share_rate=0.005,
        ),
        PlatformStyle(
            platform="x", handle=lambda b: b, account_id=_digits(19, "1"), post_ids="decimal",
            median_followers=1_500, sigma=2.3, max_followers=200e6, created_from=_at(2009),
            created_to=_at(2025, 6), gap_days=(0.1, 4.0),
            kinds=(("text", 0.7), ("image", 0.2), ("video", 0.1)),
            reach=0.25, like_rate=0.02, comment_rate=0.002, share_rate=0.003, repost_prob=0.15, microblog=True,
        ),
        PlatformStyle(
            platform="threads", handle=lambda b: b, account_id=_digits(17), post_ids="decimal",
            median_followers=1_200, sigma=2.1, max_followers=50e6, created_from=_at(2023, 7, 6),
            created_to=_at(2025, 6), gap_days=(0.3, 7.0), kinds=(("text", 0.8), ("image", 0.2)),
            reach=0.3, like_rate=0.03, comment_rate=0.004, share_rate=0.002, repost_prob=0.08, microblog=True,
        ),
        PlatformStyle(
            platform="facebook", handle=lambda b: b, account_id=_digits(15), post_ids="decimal",
            median_followers=5_000, sigma=2.2, max_followers=100e6, created_from=_at(2010),
            created_to=_at(2024, 6), gap_days=(0.5, 7.0),
            kinds=(("image", 0.4), ("video", 0.3), ("link", 0.2), ("text", 0.1)),
            reach=0.1, like_rate=0.02, comment_rate=0.002, share_rate=0.004,
        ),
        PlatformStyle(
            platform="linkedin", handle=lambda b: b, account_id=lambda r: "urn:li:organization:" + _digits(8)(r),
            post_ids="decimal", median_followers=2_500, sigma=2.0, max_followers=20e6, created_from=_at(2012),
            created_to=_at(2024, 6), gap_days=(2.0, 21.0),
            kinds=(("text", 0.5), ("image", 0.3), ("link", 0.2)),
            reach=0.15, like_rate=0.015, comment_rate=0.002, share_rate=0.002,
        ),
        PlatformStyle(
            platform="pinterest", handle=lambda b: b, account_id=_digits(18), post_ids="decimal",
            median_followers=1_500, sigma=2.0, max_followers=20e6, created_from=_at(2012),
            created_to=_at(2024, 6), gap_days=(0.5, 7.0), kinds=(("image", 0.9), ("video", 0.1)),
            reach=2.0, like_rate=0.01, comment_rate=0.0003, share_rate=0.02,
        ),
        PlatformStyle(
            platform="reddit", handle=lambda b: b, account_id=lambda r: "t2_" + ids.chars(r, ids.BASE36, 8),
            post_ids="decimal", median_followers=300, sigma=2.0, max_followers=5e6, created_from=_at(2010),
            created_to=_at(2025, 6), gap_days=(1.0, 30.0),
            kinds=(("text", 0.5), ("link", 0.3), ("image", 0.2)),
            reach=1.0, like_rate=0.03, comment_rate=0.01, share_rate=0.001,
        ),
    )
}
# fmt: on

PLATFORMS = tuple(STYLES)


def _style(platform: str) -> PlatformStyle:
    try:
        return STYLES[str(platform)]
    except KeyError:
        raise ValueError(f"unknown platform {platform!r}; the world has {', '.join(PLATFORMS)}") from None


def _base(handle: str) -> str:
    return handle.lstrip("@").split(".")[0]


DEMO_CREATORS: dict[str, tuple[str, ...]] = {
    p: tuple(d.handles.get(p, s.handle(d.slug)) for d in DEMO_PEOPLE) for p, s in STYLES.items()
}
"""The demo accounts per platform, in order (``creators(platform)[:5]``): friendly, fixed
handles with recent posts, of every size from nano (marisolmakes) to mega (pixelpilot)."""

# ----------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class Creator:
    """An account on one platform. Counters are functions of time: see :class:`World`."""

    platform: str
    index: int
    handle: str
    platform_id: str
    display_name: str
    biography: str
    created_at: datetime
    language: str
    country: str | None
    niche: str
    first_name: str
    website: str | None
    kind: str  # "demo" | "regular" | "private" | "suspended"
    hidden_followers: bool
    verified: bool
    # growth: followers(t) = k·(σ((w(t)−mid)/s) − σ((w(c)−mid)/s)) + drift·(w(t) − w(c))
    followers_k: float
    followers_mid_ts: float
    followers_scale_s: float
    followers_drift_per_s: float
    following_base: int
    warp_amp: float
    warp_period_s: float
    warp_phase: float
    # posting: post i at posts_start_ms + (i + 0.8·u_i)·posts_gap_ms
    posts_start_ms: int
    posts_gap_ms: int
    posts_cap: int | None
    reach: float  # expected views per follower per post

    @property
    def created_ts(self) -> float:
        return self.created_at.timestamp()

    @property
    def uploads_playlist(self) -> str:
        """The YouTube uploads playlist id (``UU`` + the channel id's tail)."""
        return "UU" + self.platform_id[2:]

    @property
    def listed(self) -> bool:
        return self.kind in ("demo", "regular")


@dataclass(frozen=True, slots=True)
class Actor:
    """Someone who comments: an audience member or a creator."""

    handle: str
    display_name: str
    platform_id: str
    created_at: datetime
    creator: Creator | None = None


@dataclass(frozen=True, slots=True)
class PostSeed:
    creator: Creator
    index: int
    social_id: str
    published_ms: int
    kind: str  # a PostType value
    title: str
    text: str  # description (video platforms) or the whole post (microblogs)
    hashtags: tuple[str, ...]
    mentions: tuple[str, ...]  # handles of other accounts on the platform
    links: tuple[str, ...]
    tags: tuple[str, ...]
    language: str
    duration_s: int | None
    privacy: str  # "public" | "private"
    comments_disabled: bool
    likes_hidden: bool
    views_final: float
    tau_s: float
    like_rate: float
    share_rate: float
    repost_ratio: float
    quote_ratio: float
    bookmark_ratio: float
    save_rate: float
    comments_final: float
    comments_tau_s: float
    warp_amp: float
    warp_period_s: float
    warp_phase: float
    reception: float  # 0 (hated) .. 1 (loved): skews comment sentiment

    @property
    def published_at(self) -> datetime:
        return datetime.fromtimestamp(self.published_ms / 1000, UTC)

    @property
    def published_ts(self) -> float:
        return self.published_ms / 1000


@dataclass(frozen=True, slots=True)
class PostStats:
    views: int
    likes: int
    comments: int  # every comment so far, replies included
    top_level_comments: int  # comments that are not replies to a comment
    shares: int
    reposts: int
    quotes: int
    bookmarks: int
    saves: int


@dataclass(frozen=True, slots=True)
class CommentSeed:
    post: PostSeed
    index: int  # event number: comments arrive in index order
    parent: int | None  # the top-level comment this one answers
    author: Actor
    text: str
    language: str
    sentiment: str  # "positive" | "neutral" | "negative"
    published_ms: int
    likes_final: float
    likes_tau_s: float

    @property
    def published_at(self) -> datetime:
        return datetime.fromtimestamp(self.published_ms / 1000, UTC)

    def likes_at(self, now_ms: int) -> int:
        age = (now_ms - self.published_ms) / 1000
        if age <= 0:
            return 0
        return int(self.likes_final * (1.0 - math.exp(-age / self.likes_tau_s)))


@dataclass(frozen=True, slots=True)
class RepostSeed:
    by: Creator
    post: PostSeed  # someone else's post
    slot: int  # the reposter's post slot this repost follows
    at_ms: int


@dataclass(frozen=True, slots=True)
class CreatorStats:
    followers: int
    following: int
    posts: int
    views: int  # lifetime views (video platforms)


@dataclass
class _PlatformWorld:
    style: PlatformStyle
    creators: list[Creator]  # listed: demo + regular
    everyone: list[Creator]  # by index: listed, then the special ones
    by_handle: dict[str, Creator]
    by_id: dict[str, Creator]
    specials: dict[str, Creator]
    post_perm: ids.Permutation
    fans: dict[int, Actor] = field(default_factory=dict)


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _warp(t: float, amp: float, period: float, phase: float) -> float:
    """A strictly increasing wobble of ``t`` (slope between 1 − amp and 1 + amp)."""
    return t + amp * period / (2 * math.pi) * math.sin(2 * math.pi * t / period + phase)


def _log_uniform(r: random.Random, lo: float, hi: float) -> float:
    return math.exp(r.uniform(math.log(lo), math.log(hi)))


def _normalise_handle(platform: str, handle: str) -> str:
    h = handle.strip().lower()
    if platform == "youtube":
        return h if h.startswith("@") else "@" + h
    return h.lstrip("@")


# token layout for post ids: creator (20 bits) | post (24 bits) | check (rest)
_CREATOR_BITS = 20
_POST_BITS = 24
# "timed" ids (TikTok's): the creation second in the top bits, then 32 bits holding
# creator (20 bits) | check (12 bits); the post is the creator's post of that second
_TIMED_CHECK_BITS = 32 - _CREATOR_BITS
_PERM_BITS = {"b64": 64, "timed": 32}


class World:
    """The deterministic world. ``now()`` is ``frozen_at`` (or the real UTC time) plus the offset."""

    def __init__(
        self,
        seed: int = 42,
        *,
        creators_per_platform: int = 3000,
        posts_per_creator: int | None = None,
        frozen_at: datetime | None = None,
        clock_offset_s: float = 0.0,
    ) -> None:
        self.frozen_at: datetime | None = None
        self.clock_offset_s = 0.0
        self.set_clock(frozen_at=frozen_at, clock_offset_s=clock_offset_s)
        self.configure(
            seed=seed, creators_per_platform=creators_per_platform, posts_per_creator=posts_per_creator
        )

    # ------------------------------------------------------------------ configuration and clock

    def configure(self, *, seed: int, creators_per_platform: int, posts_per_creator: int | None) -> None:
        """(Re)build the world in place; accounts are generated again on first use."""
        if creators_per_platform < 0:
            raise ValueError("creators_per_platform must be at least 0")
        if posts_per_creator is not None and posts_per_creator < 0:
            raise ValueError("posts_per_creator must be at least 0")
        self.seed = seed
        self.creators_per_platform = creators_per_platform
        self.posts_per_creator = posts_per_creator
        # posts_per_creator lays every account's posts out before this instant
        self.anchor_ms = int(self.now().timestamp()) * 1000
        self._platforms: dict[str, _PlatformWorld] = {}
        self._posts: dict[tuple[str, int, int], PostSeed] = {}

    def set_clock(self, *, frozen_at: datetime | None, clock_offset_s: float) -> None:
        if frozen_at is not None and frozen_at.tzinfo is None:
            frozen_at = frozen_at.replace(tzinfo=UTC)
        self.frozen_at = frozen_at
        self.clock_offset_s = float(clock_offset_s)

    def now(self) -> datetime:
        base = self.frozen_at if self.frozen_at is not None else datetime.now(UTC)
        return base + timedelta(seconds=self.clock_offset_s)

    def now_ms(self) -> int:
        return int(self.now().timestamp() * 1000)

    def _at_ms(self, at: datetime | int | None) -> int:
        if at is None:
            return self.now_ms()
        if isinstance(at, datetime):
            return int(at.timestamp() * 1000)
        return at

    # ------------------------------------------------------------------ accounts

    def platforms(self) -> tuple[str, ...]:
        return PLATFORMS

    def creators(self, platform: str | Platform) -> list[Creator]:
        """Listed accounts of ``platform``: the demo ones first, then the rest (no special ones)."""
        return list(self._platform(str(platform)).creators)

    def creator(self, platform: str | Platform, handle_or_id: str) -> Creator | None:
        """The account with this handle (any case, ``@`` optional) or platform id, special ones included."""
        pw = self._platform(str(platform))
        found = pw.by_id.get(handle_or_id.strip())
        if found is None:
            found = pw.by_handle.get(_normalise_handle(pw.style.platform, handle_or_id))
        return found

    def by_handle(self, platform: str | Platform, handle: str) -> Creator | None:
        """The account with this handle (any case, ``@`` optional), special ones included."""
        pw = self._platform(str(platform))
        return pw.by_handle.get(_normalise_handle(pw.style.platform, handle))

    def by_id(self, platform: str | Platform, platform_id: str) -> Creator | None:
        """The account with this platform id (channel id, did...), special ones included."""
        return self._platform(str(platform)).by_id.get(platform_id.strip())

    def by_index(self, platform: str | Platform, index: int) -> Creator | None:
        everyone = self._platform(str(platform)).everyone
        return everyone[index] if 0 <= index < len(everyone) else None

    def special(self, platform: str | Platform, kind: str) -> str:
        """A handle answering ``kind``: "not_found", "private" (hidden) or "suspended"."""
        if kind not in SPECIAL_KINDS:
            raise ValueError(f"kind must be one of {', '.join(SPECIAL_KINDS)}")
        platform = str(platform)
        _style(platform)
        return SPECIAL_HANDLES.get(platform, SPECIAL_HANDLES["*"])[kind]

    def special_creator(self, platform: str | Platform, kind: str) -> Creator | None:
        """The account behind :meth:`special` ("private" and "suspended"; ``None`` for "not_found")."""
        return self._platform(str(platform)).specials.get(kind)

    def special_post(self, platform: str | Platform, kind: str) -> str:
        """A post id answering ``kind``: "not_found", "private", "suspended" or "comments_disabled"."""
        platform = str(platform)
        pw = self._platform(platform)
        now_ms = self.now_ms()
        if kind == "not_found":
            if pw.style.post_ids == "tid":
                return f"at://did:plc:{'z' * 24}/app.bsky.feed.post/{ids.tid_encode(1 << 60)}"
            if pw.style.post_ids == "b64":
                return "AAAAAAAAAAA"
            return "1"
        if kind in ("private", "suspended"):
            c = pw.specials[kind]
            n = self.post_count(c, now_ms)
            return self.post(c, max(n - 1, 0)).social_id
        if kind == "comments_disabled":
            for c in pw.creators[:200]:
                n = self.post_count(c, now_ms)
                for i in range(n - 1, max(n - 60, -1), -1):
                    p = self.post(c, i)
                    if p.comments_disabled:
                        return p.social_id
            raise LookupError("no post with comments disabled among the first accounts")
        raise ValueError("kind must be not_found, private, suspended or comments_disabled")

    def _platform(self, platform: str) -> _PlatformWorld:
        pw = self._platforms.get(platform)
        if pw is None:
            pw = self._platforms[platform] = self._build_platform(_style(platform))
        return pw

    def _build_platform(self, style: PlatformStyle) -> _PlatformWorld:
        p = style.platform
        taken: set[str] = set(SPECIAL_HANDLES.get(p, SPECIAL_HANDLES["*"]).values())
        ids_taken: set[str] = set()
        n = self.creators_per_platform
        listed: list[Creator] = []
        for i in range(max(n, 0)):
            listed.append(self._make_creator(style, i, taken, ids_taken))
        everyone = list(listed)
        specials: dict[str, Creator] = {}
        for kind in ("private", "suspended"):
            c = self._make_creator(style, len(everyone), taken, ids_taken, special=kind)
            everyone.append(c)
            specials[kind] = c
        by_handle = {_normalise_handle(p, c.handle): c for c in everyone}
        by_id = {c.platform_id: c for c in everyone}
        return _PlatformWorld(
            style=style,
            creators=listed,
            everyone=everyone,
            by_handle=by_handle,
            by_id=by_id,
            specials=specials,
            post_perm=ids.Permutation((self.seed, p, "posts"), _PERM_BITS.get(style.post_ids, 62)),
        )

    def _make_creator(
        self,
        style: PlatformStyle,
        index: int,
        taken: set[str],
        ids_taken: set[str],
        special: str | None = None,
    ) -> Creator:
        p = style.platform
        seed = self.seed
        demo = DEMO_PEOPLE[index] if special is None and index < len(DEMO_PEOPLE) else None
        person = ids.rng(seed, "person", index if special is None else f"special-{special}")
        acct = ids.rng(seed, p, "account", index if special is None else f"special-{special}")

        if demo is not None:
            language, niche_key, country = demo.language, demo.niche, demo.country
            first, last, display = demo.first, demo.last, demo.display_name
        else:
            language = text.pick_language(person)
            niche_key = text.pick_niche(person).key
            country = person.choice(text.COUNTRIES[language])
            first = person.choice(text.FIRST_NAMES[language])
            last = person.choice(text.LAST_NAMES[language])
            display = ""
        niche = text.NICHE_BY_KEY[niche_key]
        slug_first, slug_last = text.ascii_slug(first), text.ascii_slug(last)
        if slug_first == "":  # e.g. Arabic script: romanise through the handle word
            slug_first = "user"

        # handle
        if special is not None:
            handle = SPECIAL_HANDLES.get(p, SPECIAL_HANDLES["*"])[special]
            display = {"private": "Private Vault", "suspended": "Suspended Account"}[special]
        elif demo is not None:
            handle = DEMO_CREATORS[p][index]
        else:
            word = person.choice(niche.handle_words)
            pattern = person.randrange(6)
            base = (
                f"{slug_first}{word}",
                f"{slug_first}{slug_last}",
                f"the{slug_first}{word}",
                f"{slug_first}_{word}",
                f"{slug_first}.{slug_last}",
                f"{word}with{slug_first}",
            )[pattern]
            if p == "bluesky":
                base = base.replace("_", "-").replace(".", "-")
                if acct.random() < 0.1:
                    base = f"{slug_first}{slug_last}.{acct.choice(('com', 'dev', 'net', 'art', 'blog'))}"
            elif p != "youtube":
                base = base.replace(".", "_") if p in ("x", "tiktok", "reddit") else base
            handle = style.handle(base)
            while _normalise_handle(p, handle) in taken:
                suffix = str(acct.randrange(2, 999))
                if "." in base and p == "bluesky":
                    stem, dom = base.split(".", 1)
                    handle = style.handle(f"{stem}{suffix}.{dom}")
                else:
                    handle = style.handle(f"{base}{suffix}")
            display = (
                f"{first} {last}"
                if pattern in (1, 4)
                else person.choice(
                    (
                        f"{first} {niche.brand_words[0]}",
                        f"{first}'s {niche.brand_words[-1]}",
                        f"{first} {last}",
                        f"{first} | {niche.brand_words[1]}",
                    )
                )
            )
        taken.add(_normalise_handle(p, handle))

        platform_id = style.account_id(acct)
        while platform_id in ids_taken:
            platform_id = style.account_id(acct)
        ids_taken.add(platform_id)

        # created, size and growth
        if demo is not None:
            created = max(demo.created, style.created_from + timedelta(days=index * 3, hours=9, minutes=37))
            target = float(demo.followers.get(p, demo.followers["*"]))
            phase = -0.4
            scale_s = 300 * DAY_S
        else:
            span = (style.created_to - style.created_from).total_seconds()
            created = style.created_from + timedelta(seconds=int(acct.random() ** 0.8 * span))
            target = min(
                style.max_followers,
                max(15.0, acct.lognormvariate(math.log(style.median_followers), style.sigma)),
            )
            phase = acct.uniform(-1.5, 3.5)
            scale_s = acct.uniform(120, 900) * DAY_S
        created_ts = created.timestamp()
        mid = REFERENCE_TS - phase * scale_s
        amp, period, wphase = (
            acct.uniform(0.15, 0.6),
            acct.uniform(5, 13) * DAY_S,
            acct.uniform(0, 2 * math.pi),
        )
        w_ref, w_created = _warp(REFERENCE_TS, amp, period, wphase), _warp(created_ts, amp, period, wphase)
        drift_share = 0.25  # of the followers on REFERENCE that came from the linear drift
        span_s = max(w_ref - w_created, DAY_S)
        logistic_span = _sigmoid((w_ref - mid) / scale_s) - _sigmoid((w_created - mid) / scale_s)
        k = target * (1 - drift_share) / max(logistic_span, 1e-3)
        drift = target * drift_share / span_s

        # posting
        if demo is not None:
            gap_days = demo.gap_days if p != "bluesky" else 0.4
        else:
            gap_days = _log_uniform(acct, *style.gap_days)
        gap_ms = max(int(gap_days * DAY_MS), 60_000)
        cap = self.posts_per_creator
        if cap is None:
            start_ms = int(created_ts * 1000) + int(acct.random() * gap_ms)
        else:
            gap_ms = max(min(gap_ms, (self.anchor_ms - int(created_ts * 1000)) // (cap + 1)), 60_000)
            start_ms = self.anchor_ms - cap * gap_ms

        website = demo.website if demo is not None else None
        if website is None and special is None and acct.random() < 0.25:
            website = f"https://{slug_first}{slug_last}.{acct.choice(('com', 'net', 'io', 'co'))}"
        bio = text.biography(acct, niche, language, text.ascii_slug(_base(handle)) or slug_first, website)
        if demo is not None and not bio:
            bio = f"{text.NICHE_PHRASES[niche_key]} {niche.emoji}"

        return Creator(
            platform=p,
            index=index,
            handle=handle,
            platform_id=platform_id,
            display_name=display,
            biography=bio,
            created_at=created,
            language=language,
            country=country if acct.random() < 0.85 or demo is not None else None,
            niche=niche_key,
            first_name=first,
            website=website,
            kind=special or ("demo" if demo is not None else "regular"),
            hidden_followers=special == "private" or (demo is None and acct.random() < style.hides_followers),
            verified=target > 500_000,
            followers_k=k,
            followers_mid_ts=mid,
            followers_scale_s=scale_s,
            followers_drift_per_s=drift,
            following_base=int(min(8000, acct.lognormvariate(math.log(250), 1.0))),
            warp_amp=amp,
            warp_period_s=period,
            warp_phase=wphase,
            posts_start_ms=start_ms,
            posts_gap_ms=gap_ms,
            posts_cap=cap,
            reach=style.reach * acct.lognormvariate(0, 0.5),
        )

    # ------------------------------------------------------------------ account counters

    def followers(self, c: Creator, at: datetime | int | None = None) -> int:
        ts = self._at_ms(at) / 1000
        created = c.created_ts
        if ts <= created:
            return 0
        w = _warp(ts, c.warp_amp, c.warp_period_s, c.warp_phase)
        wc = _warp(created, c.warp_amp, c.warp_period_s, c.warp_phase)
        mid, s = c.followers_mid_ts, c.followers_scale_s
        value = c.followers_k * (_sigmoid((w - mid) / s) - _sigmoid((wc - mid) / s))
        return max(0, int(value + c.followers_drift_per_s * (w - wc)))

    def following(self, c: Creator, at: datetime | int | None = None) -> int:
        ts = self._at_ms(at) / 1000
        age_years = max(0.0, (ts - c.created_ts) / (365 * DAY_S))
        return int(c.following_base * (0.3 + 0.7 * min(1.0, age_years / 2)))

    def stats(self, c: Creator, at: datetime | int | None = None) -> CreatorStats:
        now_ms = self._at_ms(at)
        followers = self.followers(c, now_ms)
        posts = self.post_count(c, now_ms)
        # lifetime views: uploads so far times the average views an upload gets at this size
        views = int(posts * (followers + 50) * c.reach * 2.0)
        return CreatorStats(
            followers=followers, following=self.following(c, now_ms), posts=posts, views=views
        )

    @staticmethod
    def tier(followers: int) -> str:
        if followers < 10_000:
            return "nano"
        if followers < 100_000:
            return "micro"
        if followers < 500_000:
            return "mid"
        if followers < 1_000_000:
            return "macro"
        return "mega"

    # ------------------------------------------------------------------ posts

    def _slot_ms(self, c: Creator, i: int) -> int:
        u = ids.unit(self.seed, c.platform, c.index, i, "t")
        return c.posts_start_ms + int((i + 0.8 * u) * c.posts_gap_ms)

    def post_count(self, c: Creator, at: datetime | int | None = None) -> int:
        """How many posts ``c`` has published by ``at`` (default: now)."""
        now_ms = self._at_ms(at)
        if now_ms < c.posts_start_ms:
            return 0
        k = (now_ms - c.posts_start_ms) // c.posts_gap_ms
        n = k + (1 if self._slot_ms(c, k) <= now_ms else 0)
        return n if c.posts_cap is None else min(n, c.posts_cap)

    def posts(self, c: Creator, at: datetime | int | None = None, limit: int | None = None) -> list[PostSeed]:
        """``c``'s posts published by ``at`` (default: now), newest first."""
        n = self.post_count(c, at)
        stop = -1 if limit is None else max(n - 1 - limit, -1)
        return [self.post(c, i) for i in range(n - 1, stop, -1)]

    def post(self, c: Creator, i: int) -> PostSeed:
        """Post number ``i`` (0 = the first) of ``c``, whether published yet or not."""
        key = (c.platform, c.index, i)
        found = self._posts.get(key)
        if found is None:
            if len(self._posts) >= POST_CACHE_SIZE:
                self._posts.clear()
            found = self._posts[key] = self._make_post(c, i)
        return found

    def post_by_id(
        self, platform: str | Platform, social_id: str, at: datetime | int | None = None
    ) -> PostSeed | None:
        """The published post with this id (for Bluesky an at-uri, with a did or a handle), or ``None``."""
        pw = self._platform(str(platform))
        now_ms = self._at_ms(at)
        found = self._decode_post_id(pw, social_id.strip())
        if found is None:
            return None
        c, i = found
        if i >= self.post_count(c, now_ms):
            return None
        post = self.post(c, i)
        if pw.style.post_ids == "tid":
            return post if post.social_id.rsplit("/", 1)[1] == social_id.rsplit("/", 1)[1] else None
        return post if post.social_id == social_id.strip() else None

    def _post_token(self, pw: _PlatformWorld, c: Creator, i: int) -> int:
        bits = 64 if pw.style.post_ids == "b64" else 62
        check_bits = bits - _CREATOR_BITS - _POST_BITS
        check = ids.h64(self.seed, c.platform, c.index, i, "check") & ((1 << check_bits) - 1)
        return pw.post_perm.forward((c.index << (_POST_BITS + check_bits)) | (i << check_bits) | check)

    def _post_id(self, pw: _PlatformWorld, c: Creator, i: int, published_ms: int) -> str:
        kind = pw.style.post_ids
        if kind == "tid":
            micros = published_ms * 1000 + ids.h64(self.seed, c.index, i, "us") % 1000
            tid = ids.tid_encode((micros << 10) | (ids.h64(self.seed, c.index, i, "clock") % 1024))
            return f"at://{c.platform_id}/app.bsky.feed.post/{tid}"
        if kind == "timed":
            second = published_ms // 1000
            check = ids.h64(self.seed, c.platform, c.index, second, "check") & ((1 << _TIMED_CHECK_BITS) - 1)
            return str((second << 32) | pw.post_perm.forward((c.index << _TIMED_CHECK_BITS) | check))
        token = self._post_token(pw, c, i)
        if kind == "b64":
            return ids.b64_encode(token << 2, 11)
        return str(token + 4_611_686_018_427_387_904)  # 19 digits

    def _decode_post_id(self, pw: _PlatformWorld, social_id: str) -> tuple[Creator, int] | None:
        kind = pw.style.post_ids
        if kind == "tid":
            if not social_id.startswith("at://"):
                return None
            parts = social_id[5:].split("/")
            if len(parts) != 3 or parts[1] != "app.bsky.feed.post":
                return None
            c = self.creator(pw.style.platform, parts[0])
            value = ids.tid_decode(parts[2])
            if c is None or value is None:
                return None
            published_ms = (value >> 10) // 1000
            if published_ms < c.posts_start_ms:
                return None
            return c, (published_ms - c.posts_start_ms) // c.posts_gap_ms
        if kind == "timed":
            return self._decode_timed_id(pw, social_id)
        if kind == "b64":
            if len(social_id) != 11:
                return None
            raw = ids.b64_decode(social_id)
            if raw is None or raw & 3:
                return None
            token = raw >> 2
            bits = 64
        else:
            if not social_id.isdigit():
                return None
            token = int(social_id) - 4_611_686_018_427_387_904
            bits = 62
            if not 0 <= token < (1 << bits):
                return None
        plain = pw.post_perm.inverse(token)
        check_bits = bits - _CREATOR_BITS - _POST_BITS
        ci = plain >> (_POST_BITS + check_bits)
        i = (plain >> check_bits) & ((1 << _POST_BITS) - 1)
        if ci >= len(pw.everyone):
            return None
        c = pw.everyone[ci]
        if plain & ((1 << check_bits) - 1) != ids.h64(self.seed, c.platform, c.index, i, "check") & (
            (1 << check_bits) - 1
        ):
            return None
        return c, i

    def _decode_timed_id(self, pw: _PlatformWorld, social_id: str) -> tuple[Creator, int] | None:
        if not social_id.isdigit() or len(social_id) > 20:
            return None
        value = int(social_id)
        second, plain = value >> 32, pw.post_perm.inverse(value & 0xFFFFFFFF)
        ci = plain >> _TIMED_CHECK_BITS
        if second <= 0 or ci >= len(pw.everyone):
            return None
        c = pw.everyone[ci]
        check = ids.h64(self.seed, c.platform, c.index, second, "check") & ((1 << _TIMED_CHECK_BITS) - 1)
        if plain & ((1 << _TIMED_CHECK_BITS) - 1) != check:
            return None
        i = (second * 1000 - c.posts_start_ms) // c.posts_gap_ms
        for cand in (i, i + 1, i - 1):  # the id keeps whole seconds: the slot may be a neighbour
            if cand >= 0 and self._slot_ms(c, cand) // 1000 == second:
                return c, cand
        return None

    def _make_post(self, c: Creator, i: int) -> PostSeed:
        pw = self._platform(c.platform)
        style = pw.style
        r = ids.rng(self.seed, c.platform, c.index, i, "post")
        niche = text.NICHE_BY_KEY[c.niche]
        published_ms = self._slot_ms(c, i)
        kinds, weights = zip(*style.kinds, strict=True)
        kind = r.choices(kinds, weights=weights)[0]
        language = c.language if r.random() < 0.9 else text.pick_language(r)
        link_share = 0.45
        if style.microblog:
            # a microblog post is a "link" post exactly when it carries a link
            link_share = 1.0 if kind == "link" else 0.0

        hashtags = tuple(
            dict.fromkeys(r.sample(niche.hashtags, k=r.randint(1, 3) if r.random() < 0.8 else 0))
        )
        links: list[str] = []
        mentions: list[str] = []
        if r.random() < link_share:
            site = c.website or f"https://linktr.ee/{text.ascii_slug(_base(c.handle)) or 'links'}"
            links.append(site.rstrip("/") + (f"/p/{i}" if r.random() < 0.5 else ""))
        if r.random() < 0.12 and len(pw.creators) > 1:
            other = pw.creators[r.randrange(len(pw.creators))]
            if other.index != c.index:
                mentions.append(other.handle)

        duration: int | None = None
        if kind in ("short", "reel"):
            duration = r.randint(8, 59)
        elif kind == "video":
            duration = (
                int(min(4 * 3600, r.lognormvariate(math.log(660), 0.7)))
                if r.random() > 0.02
                else r.randint(3600, 3 * 3600)
            )

        if style.microblog:
            body = text.post_text(r, niche, language)
            for m in mentions:
                body += f" cc {m if m.startswith('@') else '@' + m}"
            for h in hashtags:
                body += f" #{h}"
            for link in links:
                body += f" {link}"
            title = ""
        else:
            title = text.title(r, niche, language)
            if kind == "short":
                title = f"{title} #shorts"
            lines = [text.post_text(r, niche, language)]
            if links:
                lines.append("More: " + " ".join(links))
            if mentions:
                lines.append("With " + " ".join(m if m.startswith("@") else "@" + m for m in mentions))
            if hashtags:
                lines.append(" ".join("#" + h for h in hashtags))
            body = "\n\n".join(lines)
        tags = tuple(dict.fromkeys([*r.sample(niche.things, k=min(3, len(niche.things))), niche.key]))

        followers_then = self.followers(c, published_ms)
        viral = r.uniform(10, 60) if r.random() < 0.01 else r.lognormvariate(0, 0.6)
        short_boost = 2.5 if kind in ("short", "reel") else 1.0
        views_final = 30 + (followers_then + 20) * c.reach * viral * short_boost
        private = c.kind == "private"
        tau_days = r.uniform(0.5, 3.0) if style.microblog else r.uniform(2.0, 10.0)
        comments_disabled = not private and r.random() < 0.03
        reception = min(1.0, max(0.0, r.gauss(0.72, 0.18)))
        return PostSeed(
            creator=c,
            index=i,
            social_id=self._post_id(pw, c, i, published_ms),
            published_ms=published_ms,
            kind=PostType(kind).value,
            title=title,
            text=body,
            hashtags=hashtags,
            mentions=tuple(mentions),
            links=tuple(links),
            tags=tags,
            language=language,
            duration_s=duration,
            privacy="private" if private else "public",
            comments_disabled=comments_disabled,
            likes_hidden=r.random() < 0.02,
            views_final=views_final,
            tau_s=tau_days * DAY_S,
            like_rate=style.like_rate * r.lognormvariate(0, 0.35),
            share_rate=style.share_rate * r.lognormvariate(0, 0.5),
            repost_ratio=r.uniform(0.06, 0.2),
            quote_ratio=r.uniform(0.005, 0.04),
            bookmark_ratio=r.uniform(0.02, 0.1),
            save_rate=style.share_rate * r.lognormvariate(0, 0.5),
            comments_final=0.0
            if comments_disabled
            else views_final * style.comment_rate * r.lognormvariate(0, 0.6),
            comments_tau_s=tau_days * 0.6 * DAY_S,
            warp_amp=r.uniform(0.1, 0.5),
            warp_period_s=r.uniform(0.7, 3.0) * DAY_S,
            warp_phase=r.uniform(0, 2 * math.pi),
            reception=reception,
        )

    # ------------------------------------------------------------------ post counters

    def _age_warp(self, p: PostSeed, age_s: float) -> float:
        # anchored at 0 so that a brand-new post starts from nothing
        return _warp(age_s, p.warp_amp, p.warp_period_s, p.warp_phase) - _warp(
            0.0, p.warp_amp, p.warp_period_s, p.warp_phase
        )

    def views(self, p: PostSeed, at: datetime | int | None = None) -> int:
        age = (self._at_ms(at) - p.published_ms) / 1000
        if age <= 0:
            return 0
        w = self._age_warp(p, age)
        v = p.views_final
        return int(v * (1.0 - math.exp(-w / p.tau_s)) + 0.08 * v * math.log1p(w / (60 * DAY_S)))

    def post_stats(self, p: PostSeed, at: datetime | int | None = None) -> PostStats:
        now_ms = self._at_ms(at)
        views = self.views(p, now_ms)
        likes = int(views * p.like_rate)
        comments = self.comment_count(p, now_ms)
        return PostStats(
            views=views,
            likes=likes,
            comments=comments,
            top_level_comments=comments - self._replies_below(p, comments),
            shares=int(views * p.share_rate),
            reposts=int(likes * p.repost_ratio),
            quotes=int(likes * p.quote_ratio),
            bookmarks=int(likes * p.bookmark_ratio),
            saves=int(views * p.save_rate),
        )

    # ------------------------------------------------------------------ comments

    def _comment_u(self, p: PostSeed, k: int) -> float:
        return ids.unit(self.seed, p.social_id, k, "cu")

    def comment_count(self, p: PostSeed, at: datetime | int | None = None) -> int:
        """Comments (replies included) on ``p`` by ``at``: the post's comment counter."""
        if p.comments_final <= 0:
            return 0
        age = (self._at_ms(at) - p.published_ms) / 1000
        if age <= 0:
            return 0
        x = p.comments_final * (1.0 - math.exp(-age / p.comments_tau_s))
        k = int(x)
        return k + (1 if k + self._comment_u(p, k) <= x else 0)

    def _reply_offset(self, p: PostSeed) -> int:
        return ids.h64(self.seed, p.social_id, "reply-offset") % REPLY_EVERY

    def is_reply(self, p: PostSeed, k: int) -> bool:
        return k >= 1 and (k + self._reply_offset(p)) % REPLY_EVERY == 0

    def _replies_below(self, p: PostSeed, n: int) -> int:
        """How many of events ``0 .. n-1`` are replies."""
        if n <= 1:
            return 0
        r = (-self._reply_offset(p)) % REPLY_EVERY
        total = (n - r + REPLY_EVERY - 1) // REPLY_EVERY if n > r else 0
        return total - (1 if r == 0 else 0)  # event 0 is never a reply

    def parent_of(self, p: PostSeed, k: int) -> int | None:
        if not self.is_reply(p, k):
            return None
        c = k - 1 - ids.h64(self.seed, p.social_id, k, "parent") % min(k, REPLY_WINDOW)
        return c - 1 if self.is_reply(p, c) else c

    def replies_to(self, p: PostSeed, parent: int, count: int) -> list[int]:
        """Events among the first ``count`` that answer top-level comment ``parent``, oldest first."""
        hi = min(count, parent + REPLY_WINDOW + 2)
        return [k for k in range(parent + 1, hi) if self.is_reply(p, k) and self.parent_of(p, k) == parent]

    def listed_comment_range(self, p: PostSeed, at: datetime | int | None = None) -> range:
        """The events a platform lists, oldest first (the newest :data:`MAX_LISTED_COMMENTS`)."""
        n = self.comment_count(p, at)
        return range(max(0, n - MAX_LISTED_COMMENTS), n)

    def comments(self, p: PostSeed, at: datetime | int | None = None) -> list[CommentSeed]:
        """The listed comments on ``p`` (replies included), newest first."""
        return [self.comment(p, k) for k in reversed(self.listed_comment_range(p, at))]

    def comment(self, p: PostSeed, k: int) -> CommentSeed:
        c = p.creator
        r = ids.rng(self.seed, p.social_id, k, "comment")
        u = self._comment_u(p, k)
        frac = min((k + u) / p.comments_final, 0.999999) if p.comments_final > 0 else 0.999999
        age_s = -p.comments_tau_s * math.log(1.0 - frac)
        published_ms = p.published_ms + max(1000, int(age_s * 1000))
        parent = self.parent_of(p, k)
        if parent is not None and r.random() < 0.3:
            author = self._creator_actor(c)
        else:
            author = self.fan(c.platform, int(r.random() * AUDIENCE_SIZE))
        language = c.language if r.random() < 0.7 else text.pick_language(r)
        pos = 0.25 + 0.55 * p.reception
        neg = 0.05 + 0.35 * (1 - p.reception)
        roll = r.random()
        sentiment = "positive" if roll < pos else ("negative" if roll < pos + neg else "neutral")
        if author.creator is not None:
            sentiment = "positive"
        body = comment_text(r, language, sentiment, text.NICHE_BY_KEY[c.niche], c.first_name)
        scale = max(1.0, math.sqrt(p.views_final / 20_000))
        likes_final = r.lognormvariate(0.2, 1.3) * (1 + 8 * math.exp(-k / 15)) * scale
        if r.random() < 0.35:
            likes_final *= 0.05
        return CommentSeed(
            post=p,
            index=k,
            parent=parent,
            author=author,
            text=body,
            language=language,
            sentiment=sentiment,
            published_ms=published_ms,
            likes_final=likes_final,
            likes_tau_s=2 * DAY_S,
        )

    def _creator_actor(self, c: Creator) -> Actor:
        return Actor(
            handle=c.handle,
            display_name=c.display_name,
            platform_id=c.platform_id,
            created_at=c.created_at,
            creator=c,
        )

    def fan(self, platform: str, i: int) -> Actor:
        """Audience member ``i`` of ``platform`` (someone who comments; not a tracked account)."""
        pw = self._platform(platform)
        found = pw.fans.get(i)
        if found is not None:
            return found
        r = ids.rng(self.seed, platform, "fan", i)
        language = text.pick_language(r)
        first = r.choice(text.FIRST_NAMES[language])
        last = r.choice(text.LAST_NAMES[language])
        slug = text.ascii_slug(first) or "user"
        pattern = r.randrange(4)
        base = (
            f"{slug}{r.randrange(10, 9999)}",
            f"{slug}.{text.ascii_slug(last) or 'x'}{r.randrange(1, 99)}",
            f"{r.choice(text.FAN_WORDS)}{slug}{r.randrange(1, 999)}",
            f"{slug}_{r.choice(text.FAN_WORDS)}{r.randrange(1, 99)}",
        )[pattern]
        if platform == "bluesky":
            base = base.replace(".", "-").replace("_", "-")
        handle = pw.style.handle(base)
        created = pw.style.created_from + timedelta(
            seconds=int(r.random() * (REFERENCE - pw.style.created_from).total_seconds())
        )
        actor = Actor(
            handle=handle,
            display_name=f"{first} {last}" if r.random() < 0.7 else "",
            platform_id=pw.style.account_id(r),
            created_at=created,
        )
        if len(pw.fans) < 100_000:
            pw.fans[i] = actor
        return actor

    # ------------------------------------------------------------------ reposts

    def repost_after(self, c: Creator, slot: int) -> RepostSeed | None:
        """The repost of someone else's post that ``c`` made after post ``slot``, if any."""
        pw = self._platform(c.platform)
        if pw.style.repost_prob <= 0 or len(pw.creators) < 2:
            return None
        if ids.unit(self.seed, c.platform, c.index, slot, "repost") >= pw.style.repost_prob:
            return None
        at_ms = self._slot_ms(c, slot) + int(
            (0.02 + 0.15 * ids.unit(self.seed, c.index, slot, "repost-at")) * c.posts_gap_ms
        )
        other = pw.creators[ids.h64(self.seed, c.index, slot, "repost-of") % len(pw.creators)]
        if other.index == c.index:
            return None
        n = self.post_count(other, at_ms)
        if n == 0:
            return None
        back = ids.h64(self.seed, c.index, slot, "repost-back") % min(n, 3)
        return RepostSeed(by=c, post=self.post(other, n - 1 - back), slot=slot, at_ms=at_ms)
