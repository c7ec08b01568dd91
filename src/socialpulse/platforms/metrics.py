"""Which metrics each platform reports, and which one counts as its impressions.

Metric keys are the ones of upload-post's analytics API (``followers``, ``reach``,
``impressions``, ``likes``, ``comments``, ``shares``, ``saves``, ``profileViews``,
``video_count``, ``following``). ``primary_impressions_field`` names the key a
platform contributes to a cross-platform "total impressions"; ``metric_type`` says
what that number really is (``reach``, ``views``, ``impressions``, ``score``, or
``none`` for Bluesky, which reports nothing of the kind). Labels and metric types
follow upload-post's platform-metrics document where it gives them.

:func:`snapshot_column` maps a key to the :class:`~socialpulse.models.AccountSnapshot`
column that holds it on a platform: most keys map to the column of the same meaning;
``impressions`` maps to ``views`` where the platform's impressions are views (YouTube,
TikTok, Threads, and Instagram and Facebook since they replaced impressions with
views), and to ``likes`` on Reddit, whose score (karma for an account) is stored there.
See ``docs/metrics.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, TypedDict

from socialpulse.models.enums import Platform
from socialpulse.platforms.base import MetricConfig

API_METRICS: tuple[str, ...] = (
    "followers",
    "reach",
    "impressions",
    "likes",
    "comments",
    "shares",
    "saves",
    "profileViews",
    "video_count",
    "following",
)
"""Every metric key a cross-platform aggregation accepts."""

STOCK_METRICS: frozenset[str] = frozenset({"followers", "following", "video_count"})
"""Levels: a range is summarised by the value at its end."""

FLOW_METRICS: frozenset[str] = frozenset(API_METRICS) - STOCK_METRICS
"""Cumulative counters: a range is summarised by the sum of its daily increases."""

MetricKind = Literal["stock", "flow"]

_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "followers": "followers",
        "following": "following",
        "video_count": "posts",
        "reach": "reach",
        "impressions": "impressions",
        "likes": "likes",
        "comments": "comments",
        "shares": "shares",
        "saves": "saves",
        "profileViews": "profile_views",
    }
)

_IMPRESSIONS_COLUMN: Mapping[Platform, str | None] = MappingProxyType(
    {
        Platform.instagram: "views",
        Platform.facebook: "views",
        Platform.youtube: "views",
        Platform.tiktok: "views",
        Platform.threads: "views",
        Platform.x: "impressions",
        Platform.pinterest: "impressions",
        Platform.linkedin: "impressions",
        Platform.reddit: "likes",
        Platform.bluesky: None,
    }
)


def _config(
    primary: str, metric_type: str, available: tuple[str, ...], labels: dict[str, str]
) -> MetricConfig:
    return MetricConfig(
        primary_impressions_field=primary,
        metric_type=metric_type,
        available_metrics=available,
        labels=MappingProxyType(labels),
    )


METRIC_CONFIGS: Mapping[Platform, MetricConfig] = MappingProxyType(
    {
        Platform.instagram: _config(
            "reach",
            "reach",
            # upload-post's list, then what Instagram also reports
            (
                *(
                    "followers",
                    "reach",
                    "impressions",
                    "profileViews",
                    "likes",
                    "comments",
                    "shares",
                    "saves",
                ),
                *("following", "video_count"),
            ),
            {
                "reach": "Unique Reach",
                "impressions": "Content Views",
                "profileViews": "Accounts Engaged",
                "video_count": "Posts",
            },
        ),
        Platform.facebook: _config(
            "reach",
            "reach",
            ("followers", "reach", "impressions", "profileViews", "likes", "comments", "shares"),
            {
                "reach": "Unique Viewers",
                "impressions": "Media Views",
                "profileViews": "Page Views",
                "likes": "Reactions",
            },
        ),
        Platform.linkedin: _config(
            "reach",
            "reach",
            ("followers", "reach", "impressions", "likes", "comments", "shares"),
            {"reach": "Unique Impressions", "impressions": "Impressions", "likes": "Reactions"},
        ),
        Platform.youtube: _config(
            "impressions",
            "views",
            (*("followers", "impressions", "likes", "comments", "shares"), "video_count"),
            {"impressions": "Video Views", "followers": "Subscribers", "video_count": "Videos"},
        ),
        Platform.tiktok: _config(
            "impressions",
            "views",
            ("followers", "following", "impressions", "likes", "comments", "shares", "video_count"),
            {"impressions": "Video Views", "video_count": "Videos"},
        ),
        Platform.threads: _config(
            "impressions",
            "views",
            ("followers", "impressions", "likes", "comments", "shares"),
            {"impressions": "Views", "comments": "Replies", "shares": "Reposts"},
        ),
        Platform.x: _config(
            "impressions",
            "impressions",
            ("followers", "following", "impressions", "likes", "comments", "shares", "video_count"),
            {
                "impressions": "Impressions",
                "comments": "Replies",
                "shares": "Reposts",
                "video_count": "Posts",
            },
        ),
        Platform.pinterest: _config(
            "impressions",
            "impressions",
            ("followers", "following", "impressions", "likes", "comments", "saves", "video_count"),
            {"impressions": "Pin Impressions", "likes": "Reactions", "video_count": "Pins"},
        ),
        Platform.reddit: _config(
            "impressions",
            "score",
            ("followers", "impressions", "comments"),
            {"impressions": "Score", "followers": "Followers"},
        ),
        Platform.bluesky: _config(
            "impressions",
            "none",
            ("followers", "following", "video_count"),
            {"video_count": "Posts", "following": "Follows"},
        ),
    }
)
"""One :class:`MetricConfig` per platform."""


def metric_config(platform: str) -> MetricConfig:
    """The metric configuration of a platform (``ValueError`` for an unknown platform)."""
    return METRIC_CONFIGS[Platform(platform)]


def metric_kind(metric: str) -> MetricKind:
    """``"stock"`` for levels (followers, following, video_count), ``"flow"`` otherwise."""
    if metric not in _COLUMNS:
        raise KeyError(metric)
    return "stock" if metric in STOCK_METRICS else "flow"


def snapshot_column(platform: str, metric: str) -> str | None:
    """The account snapshot column holding ``metric`` on ``platform``; ``None`` when the
    platform reports nothing for it (Bluesky's impressions)."""
    if metric not in _COLUMNS:
        raise KeyError(metric)
    if metric == "impressions":
        return _IMPRESSIONS_COLUMN[Platform(platform)]
    return _COLUMNS[metric]


# Account metrics a platform reports per day window rather than as lifetime counters: the
# snapshot column they stand for -> their key in the snapshot's ``extras["insights"]``.
# Instagram gives our own account's reach, views and accounts engaged for the last day only.
WINDOW_INSIGHTS: Mapping[Platform, Mapping[str, str]] = MappingProxyType(
    {
        Platform.instagram: MappingProxyType(
            {"reach": "reach", "views": "views", "profile_views": "accounts_engaged"}
        ),
    }
)


def window_insight(platform: str, column: str) -> str | None:
    """The ``extras["insights"]`` key holding ``column`` per day window on ``platform``."""
    try:
        return WINDOW_INSIGHTS.get(Platform(platform), {}).get(column)
    except ValueError:
        return None


def primary_impressions_column(platform: str) -> str | None:
    """The account snapshot column a platform contributes to total impressions."""
    return snapshot_column(platform, metric_config(platform).primary_impressions_field)


class PlatformMetricsEntry(TypedDict):
    primary_impressions_field: str
    metric_type: str
    available_metrics: list[str]
    metric_labels: dict[str, str]


def platform_metrics_document() -> dict[str, PlatformMetricsEntry]:
    """The configuration as upload-post's ``GET /api/uploadposts/platform-metrics`` shows it."""
    return {
        str(platform): PlatformMetricsEntry(
            primary_impressions_field=cfg.primary_impressions_field,
            metric_type=cfg.metric_type,
            available_metrics=list(cfg.available_metrics),
            metric_labels=dict(cfg.labels),
        )
        for platform, cfg in METRIC_CONFIGS.items()
    }
