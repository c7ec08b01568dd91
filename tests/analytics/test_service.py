"""The analytics service called directly, as the compatibility APIs call it: explicit ``today``
and ``at``, raw upload-post parameters, and the same numbers as the native endpoints."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from socialpulse.analytics.errors import InvalidDate, UnknownMetric
from socialpulse.analytics.service import analytics_service
from socialpulse.errors import NotFound
from tests.analytics.test_endpoints import R1, R2, brand, creator
from tests.conftest import Tenant

__all__ = ["brand", "creator"]  # fixtures shared with the endpoint tests


class TestImpressions:
    async def test_raw_parameters(self, app: Any, alice: Tenant, brand: dict[str, int]) -> None:
        async with app.state.sessions() as s:
            result = await analytics_service.impressions(
                s,
                alice.user_id,
                profile_id=brand["profile"],
                start_date="2024-01-02",
                end_date="2024-01-05",
                platform="instagram,youtube",
                breakdown=True,
            )
        assert result.total_impressions is not None
        assert result.total_impressions.total == 510
        assert result.total_impressions.per_day == {
            date(2024, 1, 2): 350,
            date(2024, 1, 3): 0,
            date(2024, 1, 4): 0,
            date(2024, 1, 5): 160,
        }

    async def test_period_is_relative_to_today(self, app: Any, alice: Tenant, brand: dict[str, int]) -> None:
        async with app.state.sessions() as s:
            result = await analytics_service.impressions(
                s, alice.user_id, profile_id=brand["profile"], period="last_week", today=date(2024, 1, 5)
            )
        assert (result.start_date, result.end_date) == (date(2023, 12, 29), date(2024, 1, 5))
        assert result.total_impressions is not None
        assert result.total_impressions.total == 510 + 0  # 01-02 … 01-05 are inside the week

    async def test_bad_input_raises_typed_errors(
        self, app: Any, alice: Tenant, brand: dict[str, int]
    ) -> None:
        async with app.state.sessions() as s:
            with pytest.raises(UnknownMetric) as metric:
                await analytics_service.impressions(
                    s, alice.user_id, profile_id=brand["profile"], metrics="views"
                )
            assert metric.value.metric == "views"
            with pytest.raises(InvalidDate) as bad:
                await analytics_service.impressions(
                    s, alice.user_id, profile_id=brand["profile"], date="2024-1-5"
                )
            assert bad.value.parameter == "date"

    async def test_scope_of_other_users_accounts(
        self, app: Any, alice: Tenant, bob: Tenant, brand: dict[str, int]
    ) -> None:
        async with app.state.sessions() as s:
            with pytest.raises(NotFound):
                await analytics_service.scope(s, bob.user_id, account_ids=[brand["ig"]])
            scope = await analytics_service.scope(s, alice.user_id, account_ids=[brand["yt"], brand["ig"]])
        assert [a.id for a in scope.accounts] == sorted([brand["ig"], brand["yt"]])


class TestProfileAnalytics:
    async def test_series_ends_today(self, app: Any, alice: Tenant, brand: dict[str, int]) -> None:
        async with app.state.sessions() as s:
            result = await analytics_service.profile_analytics(
                s, alice.user_id, brand["profile"], ["instagram"], today=date(2024, 1, 5)
            )
        assert (result.start_date, result.end_date) == (date(2023, 12, 7), date(2024, 1, 5))
        ig = result.platforms["instagram"]
        series = {p.date: p.value for p in ig.timeseries}
        assert [series[date(2024, 1, d)] for d in range(1, 6)] == [None, 50, 0, 0, 60]
        assert ig.period_totals["reach"] == 110
        assert (ig.followers, ig.reach) == (11, 200)


class TestReport:
    async def test_at(self, app: Any, alice: Tenant, creator: dict[str, int]) -> None:
        async with app.state.sessions() as s:
            report = await analytics_service.report(
                s, alice.user_id, creator["account"], at=datetime(2024, 6, 30, 12, tzinfo=UTC), posts=2
            )
        assert report.profile_overview.engagement_rate.value == pytest.approx((R1 + R2) / 2)
        assert report.posts.listed == 2
        assert report.reach_and_engagement.all_posts.posts == 2

    async def test_other_users_account(self, app: Any, bob: Tenant, creator: dict[str, int]) -> None:
        async with app.state.sessions() as s:
            with pytest.raises(NotFound):
                await analytics_service.report(s, bob.user_id, creator["account"])


class TestPlatforms:
    async def test_connectors_are_asked_once_per_settings(self, app: Any) -> None:
        settings = app.state.settings
        first = await analytics_service.connector_platforms(settings)
        assert "youtube" in first
        assert await analytics_service.connector_platforms(settings) is first
