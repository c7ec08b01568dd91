"""Every ORM table. Import models from here."""

from socialpulse.models.analytics import (
    AnalyticsCacheEntry,
    AnalyticsCacheRead,
    AnalyticsChange,
    AnalyticsRenewal,
)
from socialpulse.models.comments import Comment
from socialpulse.models.compat import TrackingTask
from socialpulse.models.credentials import PlatformCredential
from socialpulse.models.refresh import (
    QuotaUsage,
    RefreshItem,
    RefreshRequest,
    RefreshRequestItem,
    WorkerHeartbeat,
)
from socialpulse.models.stats import AccountSnapshot, PostSnapshot
from socialpulse.models.tracking import Account, AccountTag, Post, PostGroup, PostGroupMember, Profile
from socialpulse.models.users import ApiKey, User

__all__ = [
    "Account",
    "AccountSnapshot",
    "AccountTag",
    "AnalyticsCacheEntry",
    "AnalyticsCacheRead",
    "AnalyticsChange",
    "AnalyticsRenewal",
    "ApiKey",
    "Comment",
    "PlatformCredential",
    "Post",
    "PostGroup",
    "PostGroupMember",
    "PostSnapshot",
    "Profile",
    "QuotaUsage",
    "RefreshItem",
    "RefreshRequest",
    "RefreshRequestItem",
    "TrackingTask",
    "User",
    "WorkerHeartbeat",
]
