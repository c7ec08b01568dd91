"""Demo history: 90 days of daily snapshots for the demo's accounts, read from the emulator's world.

On a fresh demo database every account would otherwise have one snapshot (the first
refresh), so growth, daily values and impressions over a month would all be empty. The
emulator's world gives any account's and post's numbers at any past moment, so the demo
writes one account snapshot per day for the last :data:`HISTORY_DAYS` days, and one post
snapshot per day (since publication) for each account's recent posts: the ones its first
refresh lists (``recent_posts_limit`` newest, the demo's tracked post among them). Post rows
missing for those are added as a listing adds them (untracked, of the account) with just
their publication time; the first refresh's listing fills in the rest.

Each row holds what the account's connector would have stored had it fetched the world at
that moment: the same columns filled, the same ones left ``None`` (Bluesky and TikTok's
research source report no account views; no account column holds reach), the same
``extras`` (our own Instagram account's daily insights, its reach among them, kept in
``extras["insights"]`` as the Graph connector keeps them). Rows say where they come from:
their ``connector`` is the connector's name followed by :data:`HISTORY_SUFFIX`
(``youtube-data-v3-demo-history``).

An account that already has a snapshot, or a post that already has one, is left alone, so
writing twice writes nothing the second time. Rows are written with a few bulk INSERTs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from socialpulse.db.dialect import dialect_insert
from socialpulse.emulator import instagram as ig_view
from socialpulse.emulator.tiktok import likes_total
from socialpulse.emulator.world import Creator, PostSeed, World
from socialpulse.kit.chunks import chunks
from socialpulse.kit.time import utcnow
from socialpulse.models import Account, AccountSnapshot, Post, PostSnapshot
from socialpulse.models.enums import PostStatus
from socialpulse.models.stats import ACCOUNT_METRICS, POST_METRICS
from socialpulse.platforms.base import PostData, ProfileData, Unsupported
from socialpulse.platforms.instagram_graph import ACCOUNT_METRICS as IG_ACCOUNT_METRICS
from socialpulse.platforms.registry import ConnectorRegistry

HISTORY_DAYS = 90
HISTORY_SUFFIX = "-demo-history"
DAY = timedelta(days=1)
DAY_MS = 86_400_000
CHUNK = 500
IG_NOT_ENOUGH_VIEWERS = "(#10) Not enough viewers for the media to show insights"

ProfileReader = Callable[[World, Creator, int], ProfileData]
PostReader = Callable[[World, PostSeed, int], PostData]


@dataclass(frozen=True)
class HistoryWritten:
    accounts: int
    account_snapshots: int
    posts: int
    post_snapshots: int


# ----------------------------------------------------------------------------- the connectors' view
# Each reader returns what a connector's parse of the emulator's answer at ``now_ms`` holds
# (counters and extras only: the descriptive fields are not part of a snapshot).


def _youtube_profile(world: World, c: Creator, now_ms: int) -> ProfileData:
    st = world.stats(c, now_ms)
    return ProfileData(
        platform_id=c.platform_id,
        handle=c.handle,
        followers=None if c.hidden_followers else st.followers,
        posts=0 if c.kind == "private" else st.posts,
        views=st.views,
    )


def _youtube_post(world: World, p: PostSeed, now_ms: int) -> PostData:
    st = world.post_stats(p, now_ms)
    return PostData(
        social_id=p.social_id,
        views=st.views,
        likes=None if p.likes_hidden else st.likes,
        comments=None if p.comments_disabled else st.comments,
    )


def _bluesky_profile(world: World, c: Creator, now_ms: int) -> ProfileData:
    st = world.stats(c, now_ms)
    return ProfileData(
        platform_id=c.platform_id,
        handle=c.handle,
        followers=st.followers,
        following=st.following,
        posts=st.posts,
    )


def _bluesky_post(world: World, p: PostSeed, now_ms: int) -> PostData:
    st = world.post_stats(p, now_ms)
    return PostData(
        social_id=p.social_id,
        likes=st.likes,
        comments=st.top_level_comments,
        shares=st.reposts,
        extras={"quotes": st.quotes, "bookmarks": st.bookmarks},
    )


def _tiktok_profile(world: World, c: Creator, now_ms: int) -> ProfileData:
    st = world.stats(c, now_ms)
    return ProfileData(
        platform_id=c.handle,
        handle=c.handle,
        followers=st.followers,
        following=st.following,
        posts=st.posts,
        likes=likes_total(world, c, now_ms),
    )


def _tiktok_research_post(world: World, p: PostSeed, now_ms: int) -> PostData:
    st = world.post_stats(p, now_ms)
    return PostData(
        social_id=p.social_id,
        views=st.views,
        likes=st.likes,
        comments=st.comments,
        shares=st.shares,
        saves=st.saves,
    )


def _tiktok_display_post(world: World, p: PostSeed, now_ms: int) -> PostData:
    st = world.post_stats(p, now_ms)
    return PostData(
        social_id=p.social_id, views=st.views, likes=st.likes, comments=st.comments, shares=st.shares
    )


def _instagram_counts(world: World, c: Creator, now_ms: int) -> ProfileData:
    st = world.stats(c, now_ms)
    return ProfileData(
        platform_id=c.platform_id,
        handle=c.handle,
        followers=st.followers,
        following=st.following,
        posts=st.posts,
    )


def _instagram_graph_profile(world: World, c: Creator, now_ms: int) -> ProfileData:
    """Business Discovery's counts; our own account adds the day's insights to ``extras``,
    as the Graph connector asks them (``period=day``, ``metric_type=total_value``)."""
    profile = _instagram_counts(world, c, now_ms)
    if not ig_view.is_own(world, c):
        return profile
    # the emulator's own arithmetic, so the numbers are the ones its insights endpoint answers
    window = ig_view._day_window(world, c, now_ms - DAY_MS, now_ms)
    insights: dict[str, Any] = {"period": "day"}
    insights.update({m: window.get(m) for m in IG_ACCOUNT_METRICS})
    insights["follower_count"] = None
    if world.followers(c, now_ms) >= 100:  # Instagram leaves follower_count out for small accounts
        last_end = (now_ms - ig_view.DAY_END_HOUR_MS) // DAY_MS * DAY_MS + ig_view.DAY_END_HOUR_MS
        by_day = [
            {
                "end_time": ig_view._gmt(end),
                "value": max(0, world.followers(c, end) - world.followers(c, end - DAY_MS)),
            }
            for end in (last_end - DAY_MS, last_end)
        ]
        insights["follower_count"] = by_day[-1]["value"]
        profile.extras["follower_count_by_day"] = by_day
    profile.extras["insights"] = insights
    return profile


def _instagram_graph_post(world: World, p: PostSeed, now_ms: int) -> PostData:
    """Business Discovery's likes and comments; our own media add their lifetime insights."""
    n = ig_view.numbers(world, p, now_ms)
    own = ig_view.is_own(world, p.creator)
    post = PostData(
        social_id=p.social_id,
        likes=n.likes if own or not p.likes_hidden else None,
        comments=n.comments,
    )
    if own:
        if n.reach < ig_view.NOT_ENOUGH_VIEWERS:
            post.extras["insights_unavailable"] = IG_NOT_ENOUGH_VIEWERS
        else:
            post.reach, post.views, post.saves, post.shares = n.reach, n.plays, n.saves, n.shares
            post.extras["total_interactions"] = n.likes + n.comments + n.shares + n.saves
    return post


def _instagram_web_post(world: World, p: PostSeed, now_ms: int) -> PostData:
    n = ig_view.numbers(world, p, now_ms)
    video = p.kind in ("reel", "video")
    return PostData(
        social_id=p.social_id,
        likes=n.likes,
        comments=n.comments,
        views=n.views if video else None,
        plays=n.plays if video else None,
    )


READERS: dict[str, tuple[ProfileReader, PostReader | None]] = {
    "youtube-data-v3": (_youtube_profile, _youtube_post),
    "bluesky-appview": (_bluesky_profile, _bluesky_post),
    "tiktok-research-v2": (_tiktok_profile, _tiktok_research_post),
    "tiktok-display-v2": (_tiktok_profile, _tiktok_display_post),
    "instagram-graph": (_instagram_graph_profile, _instagram_graph_post),
    "instagram-web": (_instagram_counts, _instagram_web_post),
}
"""Per connector name: how it reads an account and a post of the world."""


# ----------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class _Target:
    id: int
    creator: Creator
    connector: str
    api_version: str
    profile: ProfileReader
    post: PostReader | None


def _connector_of(registry: ConnectorRegistry, account: Account) -> tuple[str, str] | None:
    try:
        connector = registry.get(account.platform, account.source)
    except (Unsupported, ValueError):
        return None
    return connector.name, connector.api_version


async def _without_history(session: AsyncSession, user_id: int) -> list[Account]:
    has_snapshot = select(AccountSnapshot.id).where(AccountSnapshot.account_id == Account.id).exists()
    rows = await session.scalars(
        select(Account).where(Account.user_id == user_id, ~has_snapshot).order_by(Account.id)
    )
    return list(rows)


async def _targets(
    session: AsyncSession, world: World, registry: ConnectorRegistry, user_id: int
) -> list[_Target]:
    """The user's accounts of the world's demo creators that have no snapshot yet."""
    out: list[_Target] = []
    for account in await _without_history(session, user_id):
        if account.platform not in world.platforms():
            continue
        creator = world.creator(account.platform, account.handle)
        if creator is None or creator.kind != "demo":
            continue
        found = _connector_of(registry, account)
        if found is None or found[0] not in READERS:
            continue
        profile, post = READERS[found[0]]
        out.append(_Target(account.id, creator, found[0], found[1], profile, post))
    return out


def _moments(now: datetime, world_now: datetime, days: int) -> list[tuple[datetime, int]]:
    """``(fetched_at, world instant in ms)`` for each of the ``days`` days before now, oldest first."""
    return [(now - k * DAY, int((world_now - k * DAY).timestamp() * 1000)) for k in range(days, 0, -1)]


async def _insert(session: AsyncSession, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    for chunk in chunks(rows, CHUNK):
        await session.execute(insert(table), chunk)


async def write_history(
    session: AsyncSession,
    world: World,
    registry: ConnectorRegistry,
    user_id: int,
    *,
    days: int = HISTORY_DAYS,
    now: datetime | None = None,
) -> HistoryWritten:
    """Write ``days`` daily snapshots before ``now`` for each of the user's demo accounts that
    has none yet, and for the recent posts of those accounts that have none yet (from the
    day after each was published). Does not commit."""
    now = (now or utcnow()).astimezone(UTC)
    targets = await _targets(session, world, registry, user_id)
    if not targets:
        return HistoryWritten(0, 0, 0, 0)
    moments = _moments(now, world.now(), days)

    account_rows: list[dict[str, Any]] = []
    for t in targets:
        connector = t.connector + HISTORY_SUFFIX
        for fetched_at, at_ms in moments:
            if at_ms <= t.creator.created_ts * 1000:
                continue
            data = t.profile(world, t.creator, at_ms)
            account_rows.append(
                {
                    "account_id": t.id,
                    "fetched_at": fetched_at,
                    "connector": connector,
                    "api_version": t.api_version,
                    **{m: getattr(data, m) for m in ACCOUNT_METRICS},
                    "extras": data.extras or None,
                }
            )
    await _insert(session, AccountSnapshot, account_rows)

    listed = await _listed_posts(session, world, user_id, targets, registry.settings.recent_posts_limit)
    post_rows = _post_rows(world, listed, moments)
    await _insert(session, PostSnapshot, post_rows)
    return HistoryWritten(
        accounts=len(targets),
        account_snapshots=len(account_rows),
        posts=len({r["post_id"] for r in post_rows}),
        post_snapshots=len(post_rows),
    )


async def _listed_posts(
    session: AsyncSession, world: World, user_id: int, targets: Sequence[_Target], listed: int
) -> list[tuple[int, _Target, PostSeed]]:
    """The posts a first refresh would list for the targets (each account's ``listed`` newest),
    as post rows: the missing ones are added the way a listing adds them (untracked, of the
    account), with only their publication time, which a listing overwrites along with the rest.
    Answers those without a snapshot yet, with their target and world post."""
    seeds: dict[tuple[str, str], tuple[_Target, PostSeed]] = {}
    for t in targets:
        if t.post is not None:
            for p in world.posts(t.creator, limit=listed):
                seeds[(p.creator.platform, p.social_id)] = (t, p)
    if not seeds:
        return []
    new_rows = [
        {
            "user_id": user_id,
            "platform": platform,
            "social_id": social_id,
            "account_id": t.id,
            "posted_at": p.published_at,
            "tracked": False,
            "status": PostStatus.active.value,
            "hashtags": [],
            "mentions": [],
            "links": [],
            "details": {},
        }
        for (platform, social_id), (t, p) in seeds.items()
    ]
    for chunk in chunks(new_rows, CHUNK):
        await session.execute(
            dialect_insert(session, Post.__table__).on_conflict_do_nothing(
                index_elements=["user_id", "platform", "social_id"]
            ),
            chunk,
        )
    has_snapshot = select(PostSnapshot.id).where(PostSnapshot.post_id == Post.id).exists()
    out: list[tuple[int, _Target, PostSeed]] = []
    for platform in sorted({platform for platform, _ in seeds}):
        wanted = [sid for p, sid in seeds if p == platform]
        for chunk_ids in chunks(wanted, CHUNK):
            found = await session.execute(
                select(Post.id, Post.social_id).where(
                    Post.user_id == user_id,
                    Post.platform == platform,
                    Post.social_id.in_(chunk_ids),
                    ~has_snapshot,
                )
            )
            out.extend((post_id, *seeds[(platform, social_id)]) for post_id, social_id in found)
    return out


def _post_rows(
    world: World, posts: Sequence[tuple[int, _Target, PostSeed]], moments: Sequence[tuple[datetime, int]]
) -> list[dict[str, Any]]:
    """Daily snapshots of ``posts``, from the day after each was published."""
    rows: list[dict[str, Any]] = []
    for post_id, target, seed in posts:
        if target.post is None:
            continue
        connector = target.connector + HISTORY_SUFFIX
        for fetched_at, at_ms in moments:
            if at_ms <= seed.published_ms:
                continue
            data = target.post(world, seed, at_ms)
            rows.append(
                {
                    "post_id": post_id,
                    "fetched_at": fetched_at,
                    "connector": connector,
                    "api_version": target.api_version,
                    **{m: getattr(data, m) for m in POST_METRICS},
                    "extras": data.extras or None,
                }
            )
    return rows
