"""API shapes of the analytics answers. The analytics service returns them, so the
compatibility APIs (ylytic's creator report, upload-post's analytics documents) translate
these objects field by field.

Conventions: a value the platform did not report is ``null``, never 0. Every rate carries
its ``formula``; every aggregate says how many posts (or accounts and days) it rests on.
Percentages are percent (1.5 means 1.5 %). Dates are UTC calendar days.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from socialpulse.analytics.engagement import Basis
from socialpulse.platforms.metrics import MetricKind

# ---------------------------------------------------------------------------- shared pieces


class Rate(BaseModel):
    """One post's rate."""

    value: float | None = Field(description="percent; null when an input is missing or the denominator is 0")
    formula: str
    posts_used: int = Field(description="1: this post; 0 when the rate cannot be computed")


class PostRates(BaseModel):
    """The engagement rates of one post: its latest snapshot (at or before the instant asked)
    against the account's followers in the account snapshot nearest at or before it."""

    by_followers: Rate
    by_followers_with_shares_saves: Rate
    by_views: Rate
    by_reach: Rate
    followers: int | None = Field(description="the follower count used as denominator")
    followers_at: datetime | None = Field(description="when that follower count was measured")


class AccountRate(BaseModel):
    """The account engagement rate: mean (and median) of per-post rates."""

    value: float | None = Field(description="mean of the per-post rates, percent")
    median: float | None
    basis: Basis
    formula: str
    posts_used: int = Field(description="posts whose rate entered the mean")


class Counted(BaseModel):
    item: str
    count: int = Field(description="how many of the posts read use it")


class Counters(BaseModel):
    """The counters of one account snapshot and when it was taken."""

    fetched_at: datetime
    followers: int | None
    following: int | None
    posts: int | None
    views: int | None
    impressions: int | None
    reach: int | None
    likes: int | None
    comments: int | None
    shares: int | None
    saves: int | None
    profile_views: int | None


class PostMetrics(BaseModel):
    """The counters of one post snapshot and when it was taken."""

    fetched_at: datetime
    views: int | None
    plays: int | None
    likes: int | None
    comments: int | None
    shares: int | None
    saves: int | None
    reach: int | None
    impressions: int | None


class PeriodGrowth(BaseModel):
    percent: float | None = Field(description="(value now − value then) ÷ value then × 100")
    value_now: float | None
    value_then: float | None
    then: datetime = Field(description="now − the period")
    then_at: datetime | None = Field(description="when the snapshot read for the value then was taken")
    posts_now: int | None = Field(
        default=None, description="engagement rate: the posts the rate now rests on"
    )
    posts_then: int | None = Field(
        default=None, description="engagement rate: the posts the rate then rests on"
    )


class Growth(BaseModel):
    """Growth over 30 (month), 90 (quarter) and 365 days (year)."""

    metric: str
    formula: str
    month: PeriodGrowth
    quarter: PeriodGrowth
    year: PeriodGrowth


# ---------------------------------------------------------------------------- creator report


class ContentPerWeek(BaseModel):
    value: float
    formula: str
    posts_used: int = Field(description="posts published in the 90 days")


class ProfileOverview(BaseModel):
    platform: str
    handle: str
    platform_id: str | None
    url: str | None
    status: str
    followers: int | None
    following: int | None
    post_count: int | None = Field(description="posts the platform says the account has")
    snapshot_at: datetime | None = Field(description="when the counters above were measured")
    content_per_week: ContentPerWeek
    engagement_rate: AccountRate
    influencer_tier: str | None = Field(
        description="nano 1,000+, micro 10,000+, mid 50,000+, macro 500,000+, mega 1,000,000+ followers"
    )


class ProfileDetails(BaseModel):
    full_name: str | None
    biography: str | None
    category: str | None
    location: str | None = Field(description="as the platform gives it (a country, a city, or free text)")
    avatar_url: str | None
    website: str | None
    external_links: list[str] = Field(description="the website and the links in the biography")
    hashtags: list[str] = Field(description="hashtags in the biography")
    mentions: list[str] = Field(description="mentions in the biography")
    emails: list[str] = Field(description="e-mail addresses published in the biography")
    phones: list[str] = Field(description="phone numbers published in the biography")
    top_hashtags: list[Counted] = Field(description="hashtags of the posts read, most used first")
    top_mentions: list[Counted] = Field(description="mentions in the posts read, most used first")
    brand_mentions: list[Counted] = Field(
        description="mentions of other accounts than this one in the posts read, most used first"
    )
    posts_read: int = Field(description="how many posts the top lists rest on (the posts listed)")


class DayValue(BaseModel):
    date: dt.date
    value: int | None


class DayRate(BaseModel):
    date: dt.date
    value: float | None
    median: float | None
    posts_used: int


class ReportGrowth(BaseModel):
    start_date: date
    end_date: date
    followers_by_day: list[DayValue] = Field(description="followers in the last snapshot of each day")
    engagement_by_day: list[DayRate] = Field(
        description="the account engagement rate at the end of each day with an account snapshot"
    )
    engagement_formula: str
    followers: Growth
    engagement_rate: Growth


class ReportPost(BaseModel):
    id: int
    platform: str
    social_id: str
    url: str | None
    type: str | None
    is_video: bool
    title: str | None
    thumbnail_url: str | None
    caption: str | None
    posted_at: datetime | None
    hashtags: list[str]
    mentions: list[str]
    brand_mentions: list[str]
    external_links: list[str]
    sponsored: bool
    sponsored_signals: list[str]
    text_source: Literal["stored", "caption"] = Field(
        description="stored: as recorded at refresh; caption: extracted from the caption now"
    )
    metrics: PostMetrics | None = Field(description="the latest snapshot at or before the report's instant")
    engagement: PostRates


class ReportPosts(BaseModel):
    listed: int = Field(description="the newest posts listed, video and non-video together")
    video_posts: list[ReportPost]
    non_video_posts: list[ReportPost]


class Average(BaseModel):
    mean: float | None
    posts_used: int = Field(description="posts that reported the counter")


class Averages(BaseModel):
    posts: int = Field(description="posts considered")
    likes: Average
    comments: Average
    views: Average
    shares: Average


class ReachAndEngagement(BaseModel):
    formula: str
    all_posts: Averages
    video_posts: Averages
    non_video_posts: Averages


class CreatorReport(BaseModel):
    """ylytic's creator report, natively: overview, details, growth, posts, averages."""

    account_id: int
    at: datetime = Field(description="the instant the report describes (snapshots after it are ignored)")
    profile_overview: ProfileOverview
    profile_details: ProfileDetails
    growth: ReportGrowth
    posts: ReportPosts
    reach_and_engagement: ReachAndEngagement


# ---------------------------------------------------------------------------- impressions


class MetricTotal(BaseModel):
    """A metric summed over the accounts for the range; the breakdowns add up to ``total``."""

    metric: str
    kind: MetricKind = Field(description="flow: sum of daily increases; stock: the level at the end")
    formula: str
    total: int
    accounts: int = Field(description="accounts that gave at least one value")
    missing_days: int = Field(description="(account, day) pairs of the range without a value")
    per_platform: dict[str, int] | None = Field(default=None, description="with breakdown=true")
    per_day: dict[date, int] | None = Field(default=None, description="with breakdown=true")


class PrimaryMetric(BaseModel):
    field: str = Field(description="the metric key counted as impressions")
    metric_type: str = Field(description="what the number is: reach, views, impressions, score, none")
    column: str | None = Field(description="the snapshot column read; null: the platform reports none")


class ImpressionsScope(BaseModel):
    profile_id: int | None
    account_ids: list[int] = Field(description="the accounts counted (after the platform filter)")


class Impressions(BaseModel):
    scope: ImpressionsScope
    start_date: date
    end_date: date
    days: int
    platforms_filter: list[str] | None
    mode: Literal["total_impressions", "metrics"]
    total_impressions: MetricTotal | None = Field(description="default mode: primary metric per platform")
    metrics: dict[str, MetricTotal] | None = Field(description="with metrics=…")
    primary_metrics: dict[str, PrimaryMetric] = Field(description="per platform in scope")


# ---------------------------------------------------------------------------- per-platform analytics


class PlatformAnalytics(BaseModel):
    """One platform of a profile; ``success`` false with a ``message`` when it cannot answer."""

    platform: str
    success: bool
    message: str | None = None
    account_ids: list[int] = []
    snapshot_at: datetime | None = Field(default=None, description="the newest snapshot read")
    followers: int | None = None
    impressions: int | None = None
    profile_views: int | None = None
    reach: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    period_totals: dict[str, int | None] = Field(
        default={}, description="flow metrics summed over the days of the series (null: no value)"
    )
    timeseries_metric: str | None = None
    timeseries: list[DayValue] = Field(
        default=[], description="daily value of the primary metric over the last 30 days (null: no value)"
    )
    metric_type: str | None = None
    primary_impressions_field: str | None = None
    available_metrics: list[str] = []
    metric_labels: dict[str, str] = {}


class ProfileAnalytics(BaseModel):
    profile_id: int
    profile_name: str
    start_date: date
    end_date: date
    values: str = Field(
        description="followers … saves are the latest reported levels (cumulative counters), "
        "summed over the platform's accounts"
    )
    platforms: dict[str, PlatformAnalytics]


# ---------------------------------------------------------------------------- post analytics


class PostCard(BaseModel):
    id: int
    platform: str
    social_id: str
    url: str | None
    type: str | None
    title: str | None
    caption: str | None
    posted_at: datetime | None
    account_id: int | None
    status: str
    last_refreshed_at: datetime | None


class PostAnalytics(BaseModel):
    post: PostCard
    metrics: PostMetrics | None = Field(description="the post's latest snapshot")
    metrics_error: str | None = Field(
        description="why live metrics could not be fetched, when they could not"
    )
    metrics_error_source: Literal["post_status", "refresh"] | None
    engagement: PostRates
    account_snapshot_at_post_date: Counters | None = Field(
        description="the account's latest snapshot taken by the end of the post's publication day (UTC)"
    )
    account_snapshot_latest: Counters | None


# ---------------------------------------------------------------------------- platforms


class PlatformConfig(BaseModel):
    primary_impressions_field: str
    primary_column: str | None = Field(description="the account snapshot column of the primary metric")
    metric_type: str
    available_metrics: list[str]
    metric_labels: dict[str, str]
    connector: bool = Field(description="socialpulse can refresh this platform's accounts")


class Platforms(BaseModel):
    platforms: dict[str, PlatformConfig]
