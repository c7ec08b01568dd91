"""Settings, read from ``SOCIALPULSE_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_URL = "sqlite+aiosqlite:///./socialpulse.db"
INSECURE_SECRET = "change-me"
# what the emulator accepts: any act./clt. token and any client key and secret
EMULATOR_TIKTOK_CREDENTIALS = {
    "tiktok_access_token": "act.emulator",
    "tiktok_client_key": "emulator-client-key",
    "tiktok_client_secret": "emulator-client-secret",
}
# unless SOCIALPULSE_TIKTOK_SOURCE says otherwise: every emulated account is public, and a Display
# token reads only its own account
EMULATOR_TIKTOK_SOURCE = "research"
# what the emulator accepts for Instagram's Graph API: any token; our own account's ig-user-id
EMULATOR_INSTAGRAM_CREDENTIALS = {
    "instagram_access_token": "emulator-token",
    "instagram_user_id": "17841400000000001",
}


class Settings(BaseSettings):
    """Every knob of the service. Environment variables are ``SOCIALPULSE_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="SOCIALPULSE_", env_file=".env", extra="ignore")

    # storage and coordination
    database_url: str = DEFAULT_SQLITE_URL
    redis_url: str | None = None
    db_pool_size: int = 10

    # auth
    secret_key: str = INSECURE_SECRET
    jwt_ttl_s: int = 3600
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"

    # worker and scheduler
    worker_concurrency: int = Field(default=4, ge=1, le=256)
    worker_poll_s: float = Field(default=0.5, gt=0)
    lease_s: int = Field(default=120, ge=5)
    heartbeat_s: int = Field(default=10, ge=1)
    max_attempts: int = Field(default=5, ge=1)
    retry_base_s: float = Field(default=2.0, ge=0)
    retry_cap_s: float = Field(default=3600.0, ge=0)
    scheduler_tick_s: int = Field(default=60, ge=1)
    embedded_worker: bool = True
    scheduler_enabled: bool = True
    # compatibility APIs whose refresh answers the new stats: how long one request waits for
    # the workers before answering what it has (the rest is still fetched)
    compat_refresh_timeout_s: float = Field(default=60.0, ge=0, le=3600)
    # codvid tracking tasks: how often the Instagram account of a new task is scraped (hours)
    codvid_scrape_interval_h: int = Field(default=48, ge=1, le=366 * 24)

    # refresh cadence (seconds)
    account_refresh_s: int = 24 * 3600
    post_refresh_under_1d_s: int = 3600
    post_refresh_under_7d_s: int = 6 * 3600
    post_refresh_under_30d_s: int = 24 * 3600
    post_refresh_under_90d_s: int = 7 * 24 * 3600
    post_refresh_older_s: int = 30 * 24 * 3600
    recent_posts_limit: int = Field(default=25, ge=1, le=500)
    # finished refresh requests (and queue items a newer one replaced) are forgotten after this
    # many days; 0 keeps them forever. Statistics are history and are never pruned.
    refresh_history_days: int = Field(default=30, ge=0)

    # analytics answers are kept until a write changes what they read, and at most this many
    # seconds (and never past the end of the UTC day); 0 computes every answer afresh
    analytics_cache_ttl_s: int = Field(default=300, ge=0, le=86_400)
    # how often each API process looks for kept answers that writes made stale, to compute
    # them again before their next reader asks; 0 leaves that to the next reader
    analytics_renew_s: float = Field(default=2.0, ge=0, le=3600)

    # comments
    comments_per_post: int = Field(default=20, ge=0, le=500)
    comments_max_post_age_days: int = Field(default=30, ge=0)
    # a post whose comment count has not changed is fetched again after this long
    comments_refetch_s: int = Field(default=24 * 3600, ge=0)
    # the share of a daily quota comment fetching leaves for statistics
    comments_quota_reserve: float = Field(default=0.1, ge=0, le=1)
    # how many posts' comments one account refresh fetches at most (newest first)
    comments_max_posts: int = Field(default=30, ge=0)

    # platforms: base URLs (the emulator serves every one of them under one host)
    youtube_base_url: str = "https://www.googleapis.com/youtube/v3"
    youtube_api_key: str | None = None
    youtube_daily_quota: int = Field(default=10_000, ge=1)
    youtube_rate_per_s: float = Field(default=20.0, gt=0)
    bluesky_base_url: str = "https://public.api.bsky.app/xrpc"
    bluesky_rate_per_s: float = Field(default=10.0, gt=0)
    # TikTok: "display" (Display API v2, a user token per authorised account) or "research"
    # (Research API, a client token for any public account); Account.source overrides it
    tiktok_source: Literal["display", "research"] = "display"
    tiktok_base_url: str = "https://open.tiktokapis.com"
    tiktok_access_token: str | None = None  # Display: the user token (act.…) of a single account
    tiktok_client_key: str | None = None  # Research client token, and Display token renewal
    tiktok_client_secret: str | None = None
    tiktok_rate_per_s: float = Field(default=10.0, gt=0)  # per endpoint: TikTok allows 600 per minute
    tiktok_research_daily_quota: int = Field(default=1_000, ge=1)  # Research requests per UTC day
    # Instagram: "graph" (Graph API through our own Business/Creator account) or "web" (the public
    # web profile); unset: graph when the token and user id are set, else web. Account.source overrides it
    instagram_source: Literal["graph", "web"] | None = None
    # comments of other accounts' media, which the Graph API cannot read, through the web endpoint
    instagram_web_comments: bool = True
    instagram_access_token: str | None = None  # Graph: with instagram_basic, instagram_manage_insights
    instagram_user_id: str | None = None  # Graph: our own account's ig-user-id
    instagram_graph_base_url: str = "https://graph.facebook.com/v22.0"
    instagram_graph_rate_per_s: float = Field(default=2.0, gt=0)  # insights, media, comments (BUC)
    instagram_discovery_rate_per_s: float = Field(default=200 / 3600, gt=0)  # Business Discovery: 200/h
    instagram_web_base_url: str = "https://i.instagram.com"
    instagram_web_rate_per_s: float = Field(default=200 / 660, gt=0)  # 200 per 11 min, as instaloader
    http_timeout_s: float = Field(default=20.0, gt=0)
    http_retries: int = Field(default=2, ge=0, le=5)

    # emulator (used by --demo, tests and benchmarks)
    emulator_url: str | None = None

    # sentiment
    sentiment_model: Path | None = None

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, v: str) -> str:
        if v.startswith("postgresql://") or v.startswith("postgres://"):
            v = "postgresql+asyncpg://" + v.split("://", 1)[1]
        if v.startswith("sqlite://") and not v.startswith("sqlite+aiosqlite://"):
            v = "sqlite+aiosqlite://" + v.split("://", 1)[1]
        if not (v.startswith("sqlite+aiosqlite://") or v.startswith("postgresql+asyncpg://")):
            raise ValueError(
                "SOCIALPULSE_DATABASE_URL must be sqlite:///path.db or postgresql://user@host/db"
            )
        return v

    @model_validator(mode="after")
    def _refuse_unsafe_secret(self) -> Settings:
        if self.secret_key == INSECURE_SECRET and self.is_postgres:
            raise ValueError(
                "SOCIALPULSE_SECRET_KEY must be set to a long random string when running on PostgreSQL "
                "(a shared deployment); generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        return self

    @model_validator(mode="after")
    def _point_at_emulator(self) -> Settings:
        """``SOCIALPULSE_EMULATOR_URL`` points every platform still at its default base URL there."""
        if self.emulator_url:
            url = self.emulator_url.rstrip("/")
            defaults = type(self).model_fields
            for name, path in (
                ("youtube_base_url", "/youtube/v3"),
                ("bluesky_base_url", "/xrpc"),
                ("tiktok_base_url", "/tiktok"),
                ("instagram_graph_base_url", "/graph/v22.0"),
                ("instagram_web_base_url", "/instagram-web"),
            ):
                if getattr(self, name) == defaults[name].default:
                    object.__setattr__(self, name, url + path)
            if self.youtube_api_key is None:
                object.__setattr__(self, "youtube_api_key", "emulator-key")
            for name, value in EMULATOR_TIKTOK_CREDENTIALS.items():
                if getattr(self, name) is None:
                    object.__setattr__(self, name, value)
            if "tiktok_source" not in self.model_fields_set:
                object.__setattr__(self, "tiktok_source", EMULATOR_TIKTOK_SOURCE)
            for name, value in EMULATOR_INSTAGRAM_CREDENTIALS.items():
                if getattr(self, name) is None:
                    object.__setattr__(self, name, value)
        return self

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def with_emulator(self, url: str) -> Settings:
        """A copy whose every platform base URL points at the emulator at ``url``."""
        url = url.rstrip("/")
        return self.model_copy(
            update={
                "emulator_url": url,
                "youtube_base_url": f"{url}/youtube/v3",
                "youtube_api_key": self.youtube_api_key or "emulator-key",
                "bluesky_base_url": f"{url}/xrpc",
                "tiktok_base_url": f"{url}/tiktok",
                **{k: getattr(self, k) or v for k, v in EMULATOR_TIKTOK_CREDENTIALS.items()},
                "tiktok_source": self.tiktok_source
                if "tiktok_source" in self.model_fields_set
                else EMULATOR_TIKTOK_SOURCE,
                "instagram_graph_base_url": f"{url}/graph/v22.0",
                "instagram_web_base_url": f"{url}/instagram-web",
                "instagram_access_token": self.instagram_access_token or "emulator-token",
                # the emulator's own account, whatever ours is: Business Discovery goes through it
                "instagram_user_id": EMULATOR_INSTAGRAM_CREDENTIALS["instagram_user_id"],
            }
        )
        # keep with_emulator and _point_at_emulator in step when a platform joins


def random_secret() -> str:
    return secrets.token_urlsafe(48)


@lru_cache
def get_settings() -> Settings:
    return Settings()
