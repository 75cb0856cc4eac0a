"""skill-calendar settings (env prefix CALENDAR_)."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from shared.fields import HttpUrl
from shared.settings import ServiceSettings


class CalendarSettings(ServiceSettings):
    """Everything skill-calendar reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="CALENDAR_", extra="ignore")

    port: int = Field(8002, description="Port to listen on")
    # An internal service: its caller (the router) is bounded by its own admission limit,
    # and a burst from it is legitimate work, not overload.
    max_concurrent_requests: int | None = Field(
        0, ge=0, description="Requests one process works on at once (0: no limit)"
    )
    database_url: str = Field(
        "sqlite+aiosqlite:///./var/calendar.db",
        description=(
            "Database of the idempotency ledger and of calendar sync"
            " (channels, sync tokens, change notices)"
        ),
    )
    auth_server_url: HttpUrl = Field("http://127.0.0.1:8001", description="Base URL of auth-server")
    auth_server_token: SecretStr = Field(
        SecretStr(""), description="This service's bearer token at auth-server"
    )
    google_api_base_url: HttpUrl = Field(
        "https://www.googleapis.com", description="Google API base (the emulator in tests)"
    )
    google_timeout_s: float = Field(
        4.0, gt=0, description="Timeout of one attempt at Google; shorter than the retry budget"
    )
    google_retry_budget_s: float = Field(
        12.0,
        gt=0,
        description="Total time one Google call may take with its retries (the only retry budget)",
    )
    google_backoff_base_s: float = Field(0.25, gt=0, description="First backoff step (seconds)")
    google_backoff_cap_s: float = Field(4.0, gt=0, description="Largest single backoff (seconds)")
    google_max_concurrency: int = Field(
        32, ge=1, description="Upper bound on concurrent Google calls (worker/connection limit)"
    )
    token_expiry_margin_s: float = Field(
        60.0, ge=0, description="A cached access token is renewed this long before it expires"
    )
    zone_cache_ttl_s: float = Field(600.0, gt=0, description="How long a calendar's zone is cached")
    cache_max_users: int = Field(
        10_000, ge=1, description="Most users whose token and zone are cached in memory at once"
    )
    idempotency_ttl_hours: float = Field(
        168.0,
        gt=0,
        description="How long a create's first answer is replayed for its Idempotency-Key",
    )
    idempotency_purge_s: float = Field(
        3600.0, gt=0, description="How often expired idempotency answers are purged"
    )

    router_url: HttpUrl = Field(
        "http://127.0.0.1:8000", description="Base URL of the router (calendar change notices)"
    )
    router_token: SecretStr = Field(
        SecretStr(""), description="This service's bearer token at the router"
    )
    public_url: HttpUrl | None = Field(
        None,
        description="Where Google reaches this service (HTTPS in production): push channels "
        "notify {public_url}/google/notifications; unset or empty: no push, the periodic "
        "sync only",
    )
    sync_interval_s: float = Field(
        900.0,
        ge=0,
        description="Safety net: each watched calendar is synced at least this often (0: never)",
    )
    sync_poll_s: float = Field(
        2.0, gt=0, description="How often the sync jobs and change notices are looked for"
    )
    channel_ttl_s: int = Field(
        604800, ge=60, description="Lifetime asked for a push channel (Google's default: 7 days)"
    )
    channel_renew_margin_s: float = Field(
        86400.0, ge=0, description="A push channel is replaced this long before it expires"
    )
    full_sync_days: int = Field(
        30, ge=0, description="A full sync lists events that end at most this many days ago"
    )
    sync_max_attempts: int = Field(8, ge=1, description="Attempts of a sync job or a notice")
    sync_backoff_base_s: float = Field(2.0, gt=0, description="First retry delay of sync work")
    sync_backoff_cap_s: float = Field(300.0, gt=0, description="Largest retry delay of sync work")
    sync_lease_s: float = Field(
        120.0, gt=0, description="How long a claimed sync job or notice is held by one worker"
    )

    @field_validator("public_url", mode="before")
    @classmethod
    def _empty_public_url_is_none(cls, value: object) -> object:
        # docker-compose.yml can only pass the variable through, empty when it is unset.
        return value or None

    @model_validator(mode="after")
    def _attempt_fits_the_budget(self) -> CalendarSettings:
        # A timed-out write is retried only if a second attempt fits in the budget.
        if self.google_timeout_s >= self.google_retry_budget_s:
            raise ValueError("google_timeout_s must be shorter than google_retry_budget_s")
        return self
