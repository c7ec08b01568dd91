"""API shapes of the comment sentiment summaries (``GET /v1/{accounts|posts|profiles}/{id}/sentiment``).

Percentages are percent with one decimal (12.5 means 12.5 %); days are UTC calendar days of
the comment's ``posted_at`` (its ``first_seen_at`` when the platform gave no time).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from socialpulse.sentiment.summary import Bucket

ScopeKind = Literal["account", "post", "profile"]


class LabelCounts(BaseModel):
    positive: int
    neutral: int
    negative: int


class LabelPercentages(BaseModel):
    """One decimal each, rounded by the largest-remainder method so they add up to 100.0
    (all 0.0 in an empty trend bucket)."""

    positive: float
    neutral: float
    negative: float


class SentimentTrendPoint(BaseModel):
    start: date = Field(description="the day, or the Monday of the ISO week")
    total: int = Field(description="scored comments in the bucket (and in the range)")
    counts: LabelCounts
    percentages: LabelPercentages


class SentimentComment(BaseModel):
    """A stored comment with its label."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    post_id: int
    platform_comment_id: str
    author: str | None
    text: str
    posted_at: datetime | None
    likes: int | None
    sentiment_label: str | None
    sentiment_score: float | None = Field(description="in [-1, 1]: P(positive) − P(negative)")
    analyser: str | None
    analyser_version: str | None


class AnalyserRead(BaseModel):
    name: str | None
    version: str | None
    comments: int = Field(description="how many of the counted comments this analyser labelled")


class SentimentScope(BaseModel):
    kind: ScopeKind
    id: int
    account_ids: list[int] = Field(
        default_factory=list, description="for a profile: the accounts whose comments are counted"
    )


class SentimentSummaryRead(BaseModel):
    """The sentiment of the scored comments of an account, a post or a profile's accounts."""

    scope: SentimentScope
    start: date = Field(
        description="first day of the range: as asked, else the first day with a scored comment"
    )
    end: date = Field(description="last day of the range: as asked, else the last day with a scored comment")
    bucket: Bucket
    total: int = Field(description="scored comments in scope and range")
    unscored: int = Field(
        description="comments in scope and range without a label, not counted: run "
        "`socialpulse sentiment backfill` to score them"
    )
    counts: LabelCounts
    percentages: LabelPercentages
    verdict: Literal["positive", "neutral", "negative"]
    verdict_rule: str = Field(description="how the verdict was decided")
    trend: list[SentimentTrendPoint] = Field(
        description="per day or ISO week, from the first to the last day with a scored comment in the range"
    )
    most_liked_positive: SentimentComment | None
    most_liked_negative: SentimentComment | None
    analysers: list[AnalyserRead] = Field(
        description="the analysers (and versions) the counted labels come from"
    )
