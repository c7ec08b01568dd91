from __future__ import annotations

import pytest

from socialpulse.analytics.snapshots import ACCOUNT_COUNTERS
from socialpulse.models.enums import Platform
from socialpulse.platforms.base import MetricConfig
from socialpulse.platforms.metrics import (
    API_METRICS,
    FLOW_METRICS,
    METRIC_CONFIGS,
    STOCK_METRICS,
    metric_config,
    metric_kind,
    platform_metrics_document,
    primary_impressions_column,
    snapshot_column,
)


class TestMetricConfigs:
    def test_one_per_platform(self) -> None:
        assert set(METRIC_CONFIGS) == set(Platform)
        assert all(isinstance(cfg, MetricConfig) for cfg in METRIC_CONFIGS.values())

    @pytest.mark.parametrize(
        ("platform", "metric_type", "column"),
        [
            ("facebook", "reach", "reach"),
            ("instagram", "reach", "reach"),
            ("linkedin", "reach", "reach"),
            ("youtube", "views", "views"),
            ("tiktok", "views", "views"),
            ("threads", "views", "views"),
            ("x", "impressions", "impressions"),
            ("pinterest", "impressions", "impressions"),
            ("reddit", "score", "likes"),
            ("bluesky", "none", None),
        ],
    )
    def test_primary_impressions(self, platform: str, metric_type: str, column: str | None) -> None:
        assert metric_config(platform).metric_type == metric_type
        assert primary_impressions_column(platform) == column

    def test_mirrors_upload_posts_document(self) -> None:
        doc = platform_metrics_document()
        ig, yt = doc["instagram"], doc["youtube"]
        assert ig["primary_impressions_field"] == "reach"
        assert ig["metric_labels"] == {
            "reach": "Unique Reach",
            "impressions": "Content Views",
            "profileViews": "Accounts Engaged",
            "video_count": "Posts",
        }
        assert ig["available_metrics"][:8] == [
            *("followers", "reach", "impressions", "profileViews", "likes", "comments", "shares", "saves")
        ]
        assert yt["primary_impressions_field"] == "impressions"
        assert yt["metric_labels"]["impressions"] == "Video Views"
        assert yt["metric_labels"]["followers"] == "Subscribers"

    @pytest.mark.parametrize("platform", list(Platform))
    def test_consistent(self, platform: Platform) -> None:
        cfg = METRIC_CONFIGS[platform]
        assert set(cfg.available_metrics) <= set(API_METRICS)
        assert set(cfg.labels) <= set(API_METRICS)
        if cfg.metric_type != "none":
            assert cfg.primary_impressions_field in cfg.available_metrics
        for metric in API_METRICS:
            column = snapshot_column(platform, metric)
            assert column is None or column in ACCOUNT_COUNTERS

    def test_kinds(self) -> None:
        assert STOCK_METRICS == {"followers", "following", "video_count"}
        assert FLOW_METRICS | STOCK_METRICS == set(API_METRICS)
        assert metric_kind("followers") == "stock"
        assert metric_kind("reach") == "flow"
        with pytest.raises(KeyError):
            metric_kind("views")
        with pytest.raises(ValueError, match="myspace"):
            metric_config("myspace")
