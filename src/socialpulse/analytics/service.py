"""Analytics answers: load the snapshots a question needs (``repository``), compute with the
pure functions of :mod:`socialpulse.analytics`, shape the answer (``schemas``).

Every lookup is scoped to one user: another user's id is "not found", like an id that never
existed. Nothing here writes or commits. The compatibility APIs call these functions and
translate their answers; definitions are in ``docs/metrics.md``.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

import httpx
from sqlalchemy import Executable
from sqlalchemy.ext.asyncio import AsyncSession

from socialpulse.analytics import repository as repo
from socialpulse.analytics import schemas as out
from socialpulse.analytics.engagement import (
    CADENCE_DAYS,
    FORMULAS,
    LAST_POSTS,
    MIN_POST_AGE,
    Basis,
    EngagementRate,
    PostEngagement,
    account_engagement_rate,
    content_per_week,
    post_engagement,
)
from socialpulse.analytics.errors import InvalidDate
from socialpulse.analytics.growth import PERIODS, Growth, engagement_growth, follower_growth
from socialpulse.analytics.impressions import (
    PLATFORM_ALIASES,
    AccountSeries,
    Breakdown,
    DateRange,
    aggregate_metrics,
    parse_metrics,
    parse_platforms,
    resolve_range,
    total_impressions,
)
from socialpulse.analytics.report import (
    PostAverages,
    engagement_by_day,
    is_video,
    last_posts,
    post_averages,
    video_split,
)
from socialpulse.analytics.repository import AnyRow, Query
from socialpulse.analytics.snapshots import (
    AccountSnapshotLike,
    PostHistory,
    PostPoint,
    PostSnapshotLike,
    Timeline,
    last_per_day,
    utc_day,
)
from socialpulse.analytics.text import (
    TextFeatures,
    brand_mentions,
    extract,
    top_brand_mentions,
    top_hashtags,
    top_mentions,
)
from socialpulse.analytics.tiers import influencer_tier
from socialpulse.config import Settings
from socialpulse.errors import NotFound
from socialpulse.kit.chunks import chunks
from socialpulse.kit.time import aware, start_of_day, utcnow
from socialpulse.models.enums import Platform, PostStatus
from socialpulse.models.stats import ACCOUNT_METRICS, POST_METRICS
from socialpulse.platforms.metrics import (
    FLOW_METRICS,
    METRIC_CONFIGS,
    STOCK_METRICS,
    metric_config,
    metric_kind,
    primary_impressions_column,
    snapshot_column,
    window_insight,
)
from socialpulse.platforms.registry import ConnectorRegistry

DEFAULT_REPORT_POSTS = 30
MAX_REPORT_POSTS = 200
DEFAULT_SERIES_DAYS = 90
MAX_SERIES_DAYS = 365
PROFILE_SERIES_DAYS = 30
MAX_RANGE_DAYS = 3 * 366
TOP_ITEMS = 10
IN_CHUNK = 1000

YEAR = timedelta(days=365)
ONE_DAY = timedelta(days=1)

FOLLOWER_GROWTH_FORMULA = (
    "(followers now − followers then) ÷ followers then × 100, then = now − 30, 90 or 365 days; "
    "each from the latest snapshot at or before that instant"
)
AVERAGES_FORMULA = (
    "mean per post of each counter in the post's latest snapshot, over the last {n} posts "
    "(posts that did not report a counter are left out of its mean)"
)
PROFILE_VALUES = (
    "followers … saves are the latest reported levels (cumulative counters as the platform "
    "reports them), summed over the platform's accounts; period_totals are the sums of their "
    "daily increases over the days of the timeseries"
)
PROFILE_METRICS: tuple[tuple[str, str], ...] = (
    ("followers", "followers"),
    ("impressions", "impressions"),
    ("profile_views", "profileViews"),
    ("reach", "reach"),
    ("likes", "likes"),
    ("comments", "comments"),
    ("shares", "shares"),
    ("saves", "saves"),
)
"""(field of :class:`~socialpulse.analytics.schemas.PlatformAnalytics`, metric key)."""


@dataclass(frozen=True)
class AccountRef:
    id: int
    platform: str
    handle: str


@dataclass(frozen=True)
class Scope:
    """The accounts a cross-platform question counts: a profile's or a list of ids."""

    profile_id: int | None
    accounts: tuple[AccountRef, ...]


# ---------------------------------------------------------------------------- helpers


async def _rows(session: AsyncSession, stmt: Executable | Query) -> Sequence[AnyRow]:
    """The rows of a statement, run on the session's connection: plain rows, no ORM loading."""
    conn = await session.connection()
    if isinstance(stmt, Query):
        return (await conn.execute(stmt.statement, stmt.params)).all()
    return (await conn.execute(stmt)).all()


async def _one(session: AsyncSession, stmt: Executable | Query) -> AnyRow | None:
    conn = await session.connection()
    if isinstance(stmt, Query):
        return (await conn.execute(stmt.statement, stmt.params)).one_or_none()
    return (await conn.execute(stmt)).one_or_none()


def _key(post_id: int) -> str:
    """A post's ordering key: its id, zero-padded so that text order is numeric order."""
    return f"{post_id:020d}"


def _end_of_day(day: date) -> datetime:
    return start_of_day(day + ONE_DAY) - timedelta(microseconds=1)


def _series_start(now: datetime, days: int) -> date:
    """The first day of a report's daily series of ``days`` days ending on ``now``'s day."""
    return now.date() - timedelta(days=days - 1)


@functools.lru_cache(maxsize=4096)
def caption_features(
    caption: str | None, platform: str | None, author: str | None, paid_partnership: bool | None
) -> TextFeatures:
    """:func:`~socialpulse.analytics.text.extract`, memoised: a pure function of its
    arguments, so a remembered answer can never be stale."""
    return extract(caption, platform=platform, author=author, paid_partnership=paid_partnership)


def post_text(card: AnyRow, author: str | None) -> tuple[TextFeatures, Literal["stored", "caption"]]:
    """A post's text features and where they come from: the stored columns when the refresh
    filled any of them, else extracted from the caption now."""
    if card.hashtags or card.mentions or card.links:
        mentions = tuple(card.mentions or ())
        return (
            TextFeatures(
                hashtags=tuple(card.hashtags or ()),
                mentions=mentions,
                brand_mentions=brand_mentions(mentions, author),
                links=tuple(card.links or ()),
                sponsored=card.sponsored is True,
            ),
            "stored",
        )
    return caption_features(card.caption, card.platform, author, card.sponsored), "caption"


def post_rates(snapshot: PostSnapshotLike | None, history: Timeline[AccountSnapshotLike]) -> out.PostRates:
    """The rates of a post snapshot with the followers of the account snapshot nearest at or
    before it (:func:`~socialpulse.analytics.engagement.post_engagement_at`'s rule)."""
    account = history.latest(snapshot.fetched_at) if snapshot is not None else None
    rates = post_engagement(snapshot, account.followers if account is not None else None)
    return _rates(rates, account.fetched_at if account is not None else None)


def _rate(e: PostEngagement, basis: Basis) -> out.Rate:
    value = e.rate(basis)
    return out.Rate(value=value, formula=e.formula(basis), posts_used=0 if value is None else 1)


def _rates(e: PostEngagement, followers_at: datetime | None) -> out.PostRates:
    return out.PostRates(
        by_followers=_rate(e, "followers"),
        by_followers_with_shares_saves=_rate(e, "followers_with_shares_saves"),
        by_views=_rate(e, "views"),
        by_reach=_rate(e, "reach"),
        followers=e.followers,
        followers_at=followers_at,
    )


def _account_rate(rate: EngagementRate, basis: Basis) -> out.AccountRate:
    return out.AccountRate(
        value=rate.value, median=rate.median, basis=basis, formula=rate.formula, posts_used=rate.posts_used
    )


def _growth(growth: Growth, formula: str) -> out.Growth:
    def period(name: str) -> out.PeriodGrowth:
        g = getattr(growth, name)
        return out.PeriodGrowth(
            percent=g.percent,
            value_now=g.value_now,
            value_then=g.value_then,
            then=g.then,
            then_at=g.then_at,
            posts_now=g.posts_now,
            posts_then=g.posts_then,
        )

    return out.Growth(
        metric=growth.metric,
        formula=formula,
        month=period("month"),
        quarter=period("quarter"),
        year=period("year"),
    )


def _averages(a: PostAverages) -> out.Averages:
    def one(name: str) -> out.Average:
        avg = getattr(a, name)
        return out.Average(mean=avg.mean, posts_used=avg.count)

    return out.Averages(
        posts=a.posts, likes=one("likes"), comments=one("comments"), views=one("views"), shares=one("shares")
    )


def counters(snapshot: AccountSnapshotLike | None) -> out.Counters | None:
    if snapshot is None:
        return None
    return out.Counters(
        fetched_at=aware(snapshot.fetched_at), **{m: getattr(snapshot, m) for m in ACCOUNT_METRICS}
    )


def post_metrics(snapshot: PostSnapshotLike | None) -> out.PostMetrics | None:
    if snapshot is None:
        return None
    return out.PostMetrics(
        fetched_at=aware(snapshot.fetched_at), **{m: getattr(snapshot, m) for m in POST_METRICS}
    )


def _detail(details: Any, name: str) -> str | None:
    value = details.get(name) if isinstance(details, dict) else None
    return value if isinstance(value, str) else None


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for item in items:
        seen.setdefault(item.lower(), item)
    return list(seen.values())


def metrics_error(
    status: str, status_detail: str | None, refresh_status: str | None, refresh_error: str | None
) -> tuple[str | None, Literal["post_status", "refresh"] | None]:
    """Why a post's live metrics could not be fetched, and where that is recorded: its status
    detail when its status is not ``active``, else the error of its newest refresh item when
    that one failed (or failed and waits for a retry); ``(None, None)`` otherwise."""
    if status != PostStatus.active.value:
        return status_detail or f"the post is {status}", "post_status"
    if not refresh_error or refresh_status == "succeeded":
        return None, None
    if refresh_status == "failed":
        return f"the last refresh failed: {refresh_error}", "refresh"
    return f"the last refresh attempt failed and will be retried: {refresh_error}", "refresh"


def breakdown_formula(metric: str) -> str:
    if metric == "total_impressions":
        return (
            "per account, the daily increases of its platform's primary impressions metric "
            "(reach: Instagram, Facebook, LinkedIn; views: YouTube, TikTok, Threads; impressions: X, "
            "Pinterest; score: Reddit; Bluesky reports none), summed over the days and accounts; a daily "
            "increase is the last snapshot of the day minus the last of the day before, never negative"
        )
    if metric_kind(metric) == "stock":
        return (
            f"sum over the accounts of the {metric} level at the end of the range (the latest reported "
            "at or before end_date); per_day holds the opening level on start_date, then each day's change"
        )
    return (
        f"sum over the days and accounts of the daily increase of {metric} (the last snapshot of a day "
        "minus the last of the day before, never negative; no value the day after a gap)"
    )


def _total(b: Breakdown, breakdown: bool) -> out.MetricTotal:
    return out.MetricTotal(
        metric=b.metric,
        kind=b.kind,
        formula=breakdown_formula(b.metric),
        total=b.total,
        accounts=b.accounts,
        missing_days=b.missing_days,
        per_platform=dict(b.per_platform) if breakdown else None,
        per_day=dict(b.per_day) if breakdown else None,
    )


def _offline(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("the analytics service makes no platform calls", request=request)


def _has_connector(registry: ConnectorRegistry, platform: str) -> bool:
    try:
        return registry.supported(platform)
    except Exception:  # the connector exists; building it needs more configuration
        return True


def _platform_name(raw: str) -> str:
    name = raw.strip().lower()
    return PLATFORM_ALIASES.get(name, name)


# ---------------------------------------------------------------------------- the service


class AnalyticsService:
    # ------------------------------------------------------------------ creator report

    async def report(
        self,
        session: AsyncSession,
        user_id: int,
        account_id: int,
        *,
        at: datetime | None = None,
        posts: int = DEFAULT_REPORT_POSTS,
        days: int = DEFAULT_SERIES_DAYS,
        basis: Basis = "followers",
    ) -> out.CreatorReport:
        """The creator report of one account as of ``at`` (default now): snapshots taken after
        ``at`` and posts published after it are ignored.

        Posts read: every post published in the year before ``at`` and the
        ``max(12, posts)`` before it (what any engagement rate of the report, down to the
        year-old one, chooses from), and the newest undated ones; ``posts`` newest are
        listed. ``days`` is the length of the daily series, ending on ``at``'s day.
        """
        now = aware(at) if at is not None else utcnow()
        card = await _one(session, repo.account_card(user_id, account_id))
        if card is None:
            raise NotFound(f"account {account_id} not found")
        year_ago = now - YEAR
        histories = await self._post_histories(session, user_id, account_id, now, year_ago, posts, days)
        # the account history must answer "followers at or before t" for every post snapshot
        # an engagement rate may read (the latest one at or before a year ago, or later) and
        # every growth instant (a year ago and later)
        since = year_ago
        for post in histories:
            tl = post.snapshots
            if isinstance(tl, Timeline) and len(tl):
                first = tl.time_at(year_ago) or aware(tl[0].fetched_at)
                since = min(since, first)
        rows = await _rows(session, repo.account_history(account_id, since, now))
        history: Timeline[AccountSnapshotLike] = Timeline(
            repo.account_points(rows), times=repo.fetched_times(rows)
        )

        listed = last_posts(histories, posts)
        cards = {}
        if listed:
            ids = [int(p.key) for p in listed]
            cards = {r.id: r for r in await _rows(session, repo.post_cards(user_id, ids))}

        overview = self._overview(card, history, histories, now, basis)
        listed_posts, features = self._listed(listed, cards, history, card.handle, now)
        return out.CreatorReport(
            account_id=account_id,
            at=now,
            profile_overview=overview,
            profile_details=self._details(card, features),
            growth=self._report_growth(history, histories, now, days, basis),
            posts=out.ReportPosts(
                listed=len(listed),
                video_posts=[p for p in listed_posts if p.is_video],
                non_video_posts=[p for p in listed_posts if not p.is_video],
            ),
            reach_and_engagement=self._reach(histories, posts, now),
        )

    async def _post_histories(
        self,
        session: AsyncSession,
        user_id: int,
        account_id: int,
        now: datetime,
        year_ago: datetime,
        listed: int,
        days: int,
    ) -> list[PostHistory]:
        """The posts a report reads, each with the snapshots it evaluates: every figure reads a
        post through its latest snapshot at or before some instant (now, a growth period's
        start, the end of a day of the series), so only those snapshots are loaded."""
        stmt = repo.report_post_points(
            user_id,
            account_id,
            until=now,
            after=year_ago - MIN_POST_AGE,
            older=max(LAST_POSTS, listed),
            undated=listed,
            daily=_end_of_day(_series_start(now, days)),
            spans=[now - timedelta(days=d) for d in sorted(PERIODS.values(), reverse=True)],
        )
        rows = await _rows(session, stmt)
        posts: dict[int, AnyRow] = {}
        snaps: dict[int, list[AnyRow]] = defaultdict(list)
        times: dict[int, list[datetime]] = defaultdict(list)
        if rows:
            # columns by position: a row's attribute lookup costs ten times more
            fields = rows[0]._fields
            post_at, id_at, time_at = (fields.index(name) for name in ("post_id", "id", "fetched_at"))
            for row in rows:
                post_id = row[post_at]
                if post_id not in posts:
                    posts[post_id] = row
                if row[id_at] is not None:
                    snaps[post_id].append(row)
                    times[post_id].append(row[time_at])
        return [
            PostHistory(
                posted_at=r.posted_at,
                snapshots=Timeline(repo.post_points(snaps.get(post_id, [])), times=times.get(post_id, [])),
                type=r.type,
                key=_key(post_id),
            )
            for post_id, r in posts.items()
        ]

    def _overview(
        self,
        card: AnyRow,
        history: Timeline[AccountSnapshotLike],
        posts: Sequence[PostHistory],
        now: datetime,
        basis: Basis,
    ) -> out.ProfileOverview:
        latest = history.latest(now)
        followers = latest.followers if latest is not None else None
        cadence = content_per_week((p.posted_at for p in posts), now)
        rate = account_engagement_rate(posts, history, now, basis=basis)
        return out.ProfileOverview(
            platform=card.platform,
            handle=card.handle,
            platform_id=card.platform_id,
            url=card.url,
            status=card.status,
            followers=followers,
            following=latest.following if latest is not None else None,
            post_count=latest.posts if latest is not None else None,
            snapshot_at=aware(latest.fetched_at) if latest is not None else None,
            content_per_week=out.ContentPerWeek(
                value=cadence,
                formula=f"posts published in the last {CADENCE_DAYS} days ÷ ({CADENCE_DAYS} ÷ 7)",
                posts_used=round(cadence * CADENCE_DAYS / 7),
            ),
            engagement_rate=_account_rate(rate, basis),
            influencer_tier=influencer_tier(followers),
        )

    def _listed(
        self,
        listed: Sequence[PostHistory],
        cards: dict[int, AnyRow],
        history: Timeline[AccountSnapshotLike],
        author: str,
        now: datetime,
    ) -> tuple[list[out.ReportPost], list[TextFeatures]]:
        items: list[out.ReportPost] = []
        features: list[TextFeatures] = []
        for post in listed:
            card = cards.get(int(post.key))
            if card is None:  # deleted between the two reads
                continue
            text, source = post_text(card, author)
            features.append(text)
            snapshots = post.snapshots
            snap = snapshots.latest(now) if isinstance(snapshots, Timeline) else None
            items.append(
                out.ReportPost(
                    id=card.id,
                    platform=card.platform,
                    social_id=card.social_id,
                    url=card.url,
                    type=card.type,
                    is_video=is_video(card.type),
                    title=_detail(card.details, "title"),
                    thumbnail_url=_detail(card.details, "thumbnail_url"),
                    caption=card.caption,
                    posted_at=card.posted_at,
                    hashtags=list(text.hashtags),
                    mentions=list(text.mentions),
                    brand_mentions=list(text.brand_mentions),
                    external_links=list(text.links),
                    sponsored=text.sponsored,
                    sponsored_signals=list(text.sponsored_signals),
                    text_source=source,
                    metrics=post_metrics(snap),
                    engagement=post_rates(snap, history),
                )
            )
        return items, features

    def _details(self, card: AnyRow, features: Sequence[TextFeatures]) -> out.ProfileDetails:
        bio = caption_features(card.biography, card.platform, card.handle, None)
        links = ([card.website] if card.website else []) + list(bio.links)
        return out.ProfileDetails(
            full_name=card.display_name,
            biography=card.biography,
            category=card.category,
            location=card.location,
            avatar_url=card.avatar_url,
            website=card.website,
            external_links=_unique(links),
            hashtags=list(bio.hashtags),
            mentions=list(bio.mentions),
            emails=list(bio.emails),
            phones=list(bio.phones),
            top_hashtags=[out.Counted(item=c.item, count=c.count) for c in top_hashtags(features, TOP_ITEMS)],
            top_mentions=[out.Counted(item=c.item, count=c.count) for c in top_mentions(features, TOP_ITEMS)],
            brand_mentions=[
                out.Counted(item=c.item, count=c.count) for c in top_brand_mentions(features, TOP_ITEMS)
            ],
            posts_read=len(features),
        )

    def _report_growth(
        self,
        history: Timeline[AccountSnapshotLike],
        posts: Sequence[PostHistory],
        now: datetime,
        days: int,
        basis: Basis,
    ) -> out.ReportGrowth:
        end = now.date()
        start = _series_start(now, days)
        followers = [
            out.DayValue(date=day, value=snap.followers)
            for day, snap in last_per_day(history).items()
            if start <= day <= end
        ]
        by_day = engagement_by_day(posts, history, start=start, end=end, basis=basis)
        engagement = engagement_growth(posts, history, now, basis=basis)
        formula = f"mean of {FORMULAS[basis]} over the last {LAST_POSTS} posts at least 24 h old"
        return out.ReportGrowth(
            start_date=start,
            end_date=end,
            followers_by_day=followers,
            engagement_by_day=[
                out.DayRate(date=day, value=r.value, median=r.median, posts_used=r.posts_used)
                for day, r in by_day.items()
            ],
            engagement_formula=formula,
            followers=_growth(follower_growth(history, now), FOLLOWER_GROWTH_FORMULA),
            engagement_rate=_growth(
                engagement,
                "(rate now − rate then) ÷ rate then × 100, then = now − 30, 90 or 365 days; each rate is "
                f"the {formula}, evaluated with the snapshots taken by that instant",
            ),
        )

    def _reach(self, posts: Sequence[PostHistory], n: int, now: datetime) -> out.ReachAndEngagement:
        split = video_split(posts, last=n, now=now)
        return out.ReachAndEngagement(
            formula=AVERAGES_FORMULA.format(n=n),
            all_posts=_averages(post_averages(posts, last=n, now=now)),
            video_posts=_averages(split.video),
            non_video_posts=_averages(split.non_video),
        )

    # ------------------------------------------------------------------ impressions

    async def scope(
        self,
        session: AsyncSession,
        user_id: int,
        *,
        profile_id: int | None = None,
        account_ids: Sequence[int] | None = None,
    ) -> Scope:
        """The user's accounts of a profile, or the given accounts (all must be the user's: 404
        naming the missing ids otherwise)."""
        if profile_id is not None:
            if await _one(session, repo.profile_card(user_id, profile_id)) is None:
                raise NotFound(f"profile {profile_id} not found")
            rows = await _rows(session, repo.accounts_of_profile(user_id, profile_id))
        else:
            wanted = list(dict.fromkeys(account_ids or ()))
            rows = await _rows(session, repo.accounts_by_ids(user_id, wanted))
            found = {r.id for r in rows}
            missing = [i for i in wanted if i not in found]
            if missing:
                noun = "account" if len(missing) == 1 else "accounts"
                raise NotFound(
                    f"{noun} {', '.join(map(str, missing))} not found", extra={"missing_ids": missing}
                )
        return Scope(profile_id, tuple(AccountRef(r.id, r.platform, r.handle) for r in rows))

    async def impressions(
        self,
        session: AsyncSession,
        user_id: int,
        *,
        profile_id: int | None = None,
        account_ids: Sequence[int] | None = None,
        period: str | None = None,
        date: str | None = None,
        start_date: str | None = None,
        end_date: str | None = None,
        platform: str | Sequence[str] | None = None,
        metrics: str | Sequence[str] | None = None,
        breakdown: bool = False,
        today: date | None = None,
    ) -> out.Impressions:
        """Impressions (or ``metrics``) summed over a profile's accounts or given accounts for a
        date range, optionally per platform and per day (the breakdowns add up to the totals).

        Parameters are upload-post's and parsed here, so that every caller reports bad input
        alike (400 naming the parameter): ``period`` overrides ``date``, which overrides
        ``start_date``/``end_date``; ``platform`` filters (names or comma lists); ``metrics``
        switches from the default (each platform's primary impressions metric only) to summing
        each named metric.
        """
        rng = resolve_range(
            today or utcnow().date(), period=period, date=date, start_date=start_date, end_date=end_date
        )
        if len(rng) > MAX_RANGE_DAYS:
            raise InvalidDate(
                "start_date", f"the range has {len(rng)} days; ask for at most {MAX_RANGE_DAYS} at a time"
            )
        wanted = parse_platforms(platform)
        names = parse_metrics(metrics) if metrics else None
        scope = await self.scope(session, user_id, profile_id=profile_id, account_ids=account_ids)
        accounts = [a for a in scope.accounts if wanted is None or a.platform in wanted]
        platforms = sorted({a.platform for a in accounts})
        columns = {
            p: sorted(
                {c for c in [primary_impressions_column(p)] if c}
                if names is None
                else {c for m in names if (c := snapshot_column(p, m))}
            )
            for p in platforms
        }
        stocks = sorted(
            {c for p in platforms for m in names or () if m in STOCK_METRICS if (c := snapshot_column(p, m))}
        )
        series = await self.day_series(session, accounts, columns, rng, carried=stocks)
        total: out.MetricTotal | None = None
        per_metric: dict[str, out.MetricTotal] | None = None
        if names is None:
            total = _total(total_impressions(series, rng, wanted), breakdown)
        else:
            per_metric = {
                m: _total(b, breakdown) for m, b in aggregate_metrics(series, rng, names, wanted).items()
            }
        return out.Impressions(
            scope=out.ImpressionsScope(profile_id=scope.profile_id, account_ids=[a.id for a in accounts]),
            start_date=rng.start,
            end_date=rng.end,
            days=len(rng),
            platforms_filter=sorted(wanted) if wanted is not None else None,
            mode="total_impressions" if names is None else "metrics",
            total_impressions=total,
            metrics=per_metric,
            primary_metrics={
                p: out.PrimaryMetric(
                    field=metric_config(p).primary_impressions_field,
                    metric_type=metric_config(p).metric_type,
                    column=primary_impressions_column(p),
                )
                for p in platforms
            },
        )

    async def day_series(
        self,
        session: AsyncSession,
        accounts: Sequence[AccountRef],
        columns: Mapping[str, Sequence[str]],
        rng: DateRange,
        *,
        carried: Sequence[str] = (),
    ) -> list[AccountSeries]:
        """Each account's day series (the last snapshot of each UTC day) of the columns its
        platform needs (``columns[platform]``), from the day before ``rng`` to its end: what
        flows need. For each ``carried`` column (levels) also the last day before that which
        reported it: what stocks need."""
        days: dict[int, dict[str, dict[date, int | None]]] = {
            a.id: {c: {} for c in columns.get(a.platform, ())} for a in accounts
        }
        every = sorted({c for a in accounts for c in columns.get(a.platform, ())})
        ids = [a.id for a in accounts if days[a.id]]
        if ids and every:
            since = start_of_day(rng.start - ONE_DAY)
            before = start_of_day(rng.end + ONE_DAY)
            position = {c: n for n, c in enumerate(every, start=2)}
            wanted = {i: [(position[c], levels) for c, levels in days[i].items()] for i in ids}
            for chunk in chunks(ids, IN_CHUNK):
                for row in await _rows(session, repo.day_levels(chunk, every, since, before)):
                    day = row[1]
                    for n, levels in wanted[row[0]]:
                        levels[day] = row[n]
                for column in carried:
                    for account_id, day, value in await _rows(
                        session, repo.carried_levels(chunk, column, since)
                    ):
                        if column in days[account_id]:
                            days[account_id][column][day] = value
        windows = await self._windows(session, accounts, columns, rng)
        return [
            AccountSeries(
                platform=a.platform, account=str(a.id), days=days[a.id], windows=windows.get(a.id, {})
            )
            for a in accounts
        ]

    async def _windows(
        self,
        session: AsyncSession,
        accounts: Sequence[AccountRef],
        columns: Mapping[str, Sequence[str]],
        rng: DateRange,
    ) -> dict[int, dict[str, dict[date, int | None]]]:
        """Per-day values of the columns a platform reports per day window (Instagram's
        own-account insights), from the last snapshot of each day's ``extras["insights"]``."""
        keys = {
            a.id: {c: k for c in columns.get(a.platform, ()) if (k := window_insight(a.platform, c))}
            for a in accounts
        }
        ids = [i for i, wanted in keys.items() if wanted]
        out: dict[int, dict[str, dict[date, int | None]]] = {}
        if not ids:
            return out
        since = start_of_day(rng.start)
        before = start_of_day(rng.end + ONE_DAY)
        for chunk in chunks(ids, IN_CHUNK):
            for account_id, day, extras in await _rows(session, repo.day_extras(chunk, since, before)):
                insights = extras.get("insights") if isinstance(extras, dict) else None
                if not isinstance(insights, dict):
                    continue
                series = out.setdefault(account_id, {})
                for column, key in keys[account_id].items():
                    value = insights.get(key)
                    series.setdefault(column, {})[day] = value if isinstance(value, int) else None
        return out

    # ------------------------------------------------------------------ per-platform analytics

    async def profile_analytics(
        self,
        session: AsyncSession,
        user_id: int,
        profile_id: int,
        platforms: Sequence[str] | None = None,
        *,
        today: date | None = None,
    ) -> out.ProfileAnalytics:
        """Per platform of a profile: latest levels, a 30-day daily series of the primary
        metric and the platform's metric configuration. A platform the profile has no account
        on, or that socialpulse does not support, gets ``success: false`` and a message; the
        other platforms still answer. ``platforms`` default: those the profile has accounts on."""
        profile = await _one(session, repo.profile_card(user_id, profile_id))
        if profile is None:
            raise NotFound(f"profile {profile_id} not found")
        rows = await _rows(session, repo.accounts_of_profile(user_id, profile_id))
        accounts = [AccountRef(r.id, r.platform, r.handle) for r in rows]
        end = today or utcnow().date()
        rng = DateRange(end - timedelta(days=PROFILE_SERIES_DAYS - 1), end)
        asked = (
            list(dict.fromkeys(_platform_name(p) for p in platforms if p.strip()))
            if platforms
            else sorted({a.platform for a in accounts})
        )
        supported = {p.value for p in Platform}
        on = {p: [a for a in accounts if a.platform == p] for p in asked if p in supported}
        present = [a for p in on for a in on[p]]
        latest = {
            r.account_id: r
            for r in (
                await _rows(session, repo.latest_account_points([a.id for a in present])) if present else []
            )
        }
        columns = {
            p: sorted(
                {
                    c
                    for m in metric_config(p).available_metrics
                    if m in FLOW_METRICS or m == metric_config(p).primary_impressions_field
                    if (c := snapshot_column(p, m))
                }
            )
            for p, accs in on.items()
            if accs
        }
        series = await self.day_series(session, present, columns, rng)
        by_platform: dict[str, out.PlatformAnalytics] = {}
        for name in asked:
            if name not in supported:
                by_platform[name] = out.PlatformAnalytics(
                    platform=name,
                    success=False,
                    message=f"{name} is not a supported platform; supported: {', '.join(sorted(supported))}",
                )
            elif not on[name]:
                by_platform[name] = out.PlatformAnalytics(
                    platform=name,
                    success=False,
                    message=f"profile '{profile.name}' has no {name} account: attach one to get its analytics",
                )
            else:
                mine = [s for s in series if s.platform == name]
                by_platform[name] = self._platform(name, on[name], latest, mine, rng)
        return out.ProfileAnalytics(
            profile_id=profile.id,
            profile_name=profile.name,
            start_date=rng.start,
            end_date=rng.end,
            values=PROFILE_VALUES,
            platforms=by_platform,
        )

    def _platform(
        self,
        platform: str,
        accounts: Sequence[AccountRef],
        latest: dict[int, AnyRow],
        series: Sequence[AccountSeries],
        rng: DateRange,
    ) -> out.PlatformAnalytics:
        cfg = metric_config(platform)
        snaps = [latest[a.id] for a in accounts if a.id in latest]

        def level(metric: str) -> int | None:
            if metric not in cfg.available_metrics:
                return None
            column = snapshot_column(platform, metric)
            values = [getattr(s, column) for s in snaps] if column else []
            reported = [v for v in values if v is not None]
            return sum(reported) if reported else None

        flows = [m for m in cfg.available_metrics if m in FLOW_METRICS]
        sums = aggregate_metrics(series, rng, flows) if flows else {}
        primary = total_impressions(series, rng)
        return out.PlatformAnalytics(
            platform=platform,
            success=True,
            account_ids=[a.id for a in accounts],
            snapshot_at=max((aware(s.fetched_at) for s in snaps), default=None),
            **{field: level(metric) for field, metric in PROFILE_METRICS},
            period_totals={m: (b.total if b.accounts else None) for m, b in sums.items()},
            timeseries_metric=cfg.primary_impressions_field if primary_impressions_column(platform) else None,
            timeseries=[out.DayValue(date=d, value=primary.per_day.get(d)) for d in rng.days()],
            metric_type=cfg.metric_type,
            primary_impressions_field=cfg.primary_impressions_field,
            available_metrics=list(cfg.available_metrics),
            metric_labels=dict(cfg.labels),
        )

    # ------------------------------------------------------------------ post analytics

    async def post_analytics(self, session: AsyncSession, user_id: int, post_id: int) -> out.PostAnalytics:
        """A post's latest metrics with its engagement rates, the account's snapshot at the
        post's date and its latest one, and why live metrics are missing when they are: the
        post's status detail, else the error of its last refresh when that failed."""
        card = await _one(session, repo.post_overview(user_id, post_id))
        if card is None:
            raise NotFound(f"post {post_id} not found")
        now = utcnow()
        snap: PostSnapshotLike | None = None
        if card.s_id is not None:
            snap = PostPoint(
                fetched_at=card.s_fetched_at,
                id=card.s_id,
                **{m: getattr(card, f"s_{m}") for m in POST_METRICS},
            )
        at_post: AccountSnapshotLike | None = None
        newest: AccountSnapshotLike | None = None
        for_rate: AccountSnapshotLike | None = None
        if card.account_id is not None:
            # probes: 0 the latest, 1 by the end of the publication day, 2 at the post snapshot
            instants = [now, _end_of_day(utc_day(card.posted_at)) if card.posted_at else None]
            instants.append(aware(snap.fetched_at) if snap is not None else None)
            asked = [(n, t) for n, t in enumerate(instants) if t is not None]
            stmt = repo.account_points_at(card.account_id, [t for _, t in asked])
            rows = await _rows(session, stmt)
            found = {
                asked[row.probe][0]: point for row, point in zip(rows, repo.account_points(rows), strict=True)
            }
            newest, at_post, for_rate = found.get(0), found.get(1), found.get(2)
        rates = post_engagement(snap, for_rate.followers if for_rate is not None else None)
        error, source = metrics_error(
            card.status, card.status_detail, card.refresh_status, card.refresh_error
        )
        return out.PostAnalytics(
            post=out.PostCard(
                id=card.id,
                platform=card.platform,
                social_id=card.social_id,
                url=card.url,
                type=card.type,
                title=_detail(card.details, "title"),
                caption=card.caption,
                posted_at=card.posted_at,
                account_id=card.account_id,
                status=card.status,
                last_refreshed_at=card.last_refreshed_at,
            ),
            metrics=post_metrics(snap),
            metrics_error=error,
            metrics_error_source=source,
            engagement=_rates(rates, aware(for_rate.fetched_at) if for_rate is not None else None),
            account_snapshot_at_post_date=counters(at_post),
            account_snapshot_latest=counters(newest),
        )

    # ------------------------------------------------------------------ platforms

    def __init__(self) -> None:
        self._connectors: tuple[Settings, frozenset[str]] | None = None

    async def connector_platforms(self, settings: Settings) -> frozenset[str]:
        """The platforms the connector registry can build a connector for with ``settings``.

        The registry is given an HTTP client whose transport refuses every request, so asking
        opens no connection; its pacers open nothing until used. Remembered per settings
        object: connectors are code and settings do not change while the process runs.
        """
        known = self._connectors
        if known is not None and known[0] is settings:
            return known[1]
        async with httpx.AsyncClient(transport=httpx.MockTransport(_offline), trust_env=False) as client:
            registry = ConnectorRegistry(settings, client=client)
            try:
                found = frozenset(p.value for p in Platform if _has_connector(registry, p.value))
            finally:
                await registry.aclose()
        self._connectors = (settings, found)
        return found

    async def platforms(self, settings: Settings) -> out.Platforms:
        """Each platform's metric configuration and whether socialpulse can refresh it."""
        connectors = await self.connector_platforms(settings)
        return out.Platforms(
            platforms={
                p.value: out.PlatformConfig(
                    primary_impressions_field=cfg.primary_impressions_field,
                    primary_column=primary_impressions_column(p.value),
                    metric_type=cfg.metric_type,
                    available_metrics=list(cfg.available_metrics),
                    metric_labels=dict(cfg.labels),
                    connector=p.value in connectors,
                )
                for p, cfg in METRIC_CONFIGS.items()
            }
        )


analytics_service = AnalyticsService()
