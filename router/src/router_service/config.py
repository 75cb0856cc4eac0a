"""router settings (env prefix ROUTER_)."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.fields import HttpUrl, TimeZoneName
from shared.settings import ServiceSettings


class RouterSettings(ServiceSettings):
    """Everything the router reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="ROUTER_", extra="ignore")

    port: int = Field(8000, description="Port to listen on (the web chat lives here)")
    database_url: str = Field(
        "sqlite+aiosqlite:///./var/router.db",
        description="Database of conversations, pending actions and deliveries",
    )
    default_time_zone: TimeZoneName = Field("Asia/Seoul", description="Zone assumed for a new user")
    auth_server_url: HttpUrl = Field("http://127.0.0.1:8001", description="Base URL of auth-server")
    auth_server_token: SecretStr = Field(
        SecretStr(""), description="The router's bearer token at auth-server"
    )
    calendar_url: HttpUrl = Field("http://127.0.0.1:8002", description="Base URL of skill-calendar")
    calendar_token: SecretStr = Field(
        SecretStr(""), description="The router's bearer token at skill-calendar"
    )
    public_base_url: HttpUrl = Field(
        "http://127.0.0.1:8000", description="Where people's browsers reach the router"
    )
    proposal_ttl_minutes: int = Field(
        30, ge=1, description="Minutes a proposal waits for an answer before it expires"
    )
    cookie_secure: bool | None = Field(
        None,
        description="Mark the web session cookie Secure (HTTPS); default: on in production",
    )
    chat_requests_per_ip_per_minute: float = Field(
        300, gt=0, description="Chat API requests one client address may make a minute"
    )
    chat_new_sessions_per_ip_per_minute: float = Field(
        10, gt=0, description="Chat sessions (cookie-less visits) one address may start a minute"
    )
    chat_messages_per_session_per_minute: float = Field(
        30, gt=0, description="Messages and button presses one chat session may send a minute"
    )
    llm_calls_per_minute: float = Field(
        60, gt=0, description="NLU fallback calls this process may make a minute (then: rules)"
    )
    web_session_unused_hours: float = Field(
        24, gt=0, description="A chat session that never sent a message is deleted after this"
    )
    housekeeping_interval_seconds: float = Field(
        600.0,
        ge=0,
        description="How often old web sessions and expired connect links are removed (0: never)",
    )
    connect_link_retention_minutes: float = Field(
        60,
        gt=0,
        description="After this, a one-time connect link (expired by then) is removed from history",
    )
    web_session_idle_days: float = Field(
        365, gt=0, description="A chat session unseen this long is deleted (its cookie expired)"
    )
    recovery_interval_seconds: float = Field(
        60.0, ge=0, description="How often stalled approved actions are resumed (0: never)"
    )
    recovery_max_attempts: int = Field(
        3,
        ge=1,
        description="Times a stalled approved action is run again before it fails "
        "(the person is told)",
    )
    stream_poll_seconds: float = Field(
        1.0,
        gt=0,
        description="How often the chat stream polls for new messages (SQLite; PostgreSQL: NOTIFY)",
    )
    llm_enabled: bool = Field(
        False, description="Ask an OpenAI-compatible model when the NLU rules are unsure"
    )
    llm_model: str = Field("gpt-4o-mini", description="Chat model for the NLU fallback")
    llm_timeout_seconds: float = Field(
        3.0, gt=0, le=30, description="Timeout of one NLU fallback call, in seconds"
    )
    slack_api_url: HttpUrl = Field(
        "https://slack.com/api/", description="Base URL of Slack's Web API (an emulator in tests)"
    )
    slack_bot_token: SecretStr = Field(
        SecretStr(""), description="The Slack app's bot token (xoxb-…); empty: Slack is off"
    )
    slack_signing_secret: SecretStr = Field(
        SecretStr(""), description="The Slack app's signing secret; empty: Slack is off"
    )
    slack_timeout_seconds: float = Field(
        10.0, gt=0, le=60, description="Timeout of one Slack Web API call, in seconds"
    )
    slack_delivery_poll_seconds: float = Field(
        1.0, gt=0, description="How often the Slack delivery worker looks for due messages"
    )
    slack_delivery_max_attempts: int = Field(
        8, ge=1, description="Attempts at one Slack message before it is dead-lettered"
    )
    slack_delivery_backoff_base_seconds: float = Field(
        2.0, gt=0, description="Backoff base of a failed Slack delivery (full jitter, doubling)"
    )
    slack_delivery_backoff_cap_seconds: float = Field(
        300.0, gt=0, description="Longest retry delay of a failed Slack delivery"
    )
    slack_delivery_lease_seconds: float = Field(
        120.0, gt=0, description="How long a claimed Slack delivery is reserved for its worker"
    )
    slack_delivery_concurrency: int = Field(
        8,
        ge=1,
        le=50,
        description="Slack messages of different conversations sent at once (a 429 pauses all)",
    )
    slack_inbox_recovery_seconds: float = Field(
        30.0,
        gt=0,
        description="Slack events not worked after this long (a stopped process) are taken up",
    )

    proactive_poll_seconds: float = Field(
        5.0,
        ge=0,
        description="How often due reminders and morning agendas are looked for (0: never)",
    )
    proactive_lease_seconds: float = Field(
        120.0, gt=0, description="How long a claimed reminder or agenda is reserved for its worker"
    )
    proactive_max_attempts: int = Field(
        5, ge=1, description="Attempts at one reminder or agenda before it is dead-lettered"
    )
    reminder_horizon_hours: float = Field(
        26.0,
        gt=0,
        description="How far ahead the calendar is read to plan reminders (every "
        "reminder_refresh_minutes, per person with reminders)",
    )
    reminder_refresh_minutes: float = Field(
        60.0, gt=0, description="How often a person's upcoming events are read for reminders"
    )
    clock_offset_seconds: float = Field(
        0.0,
        description="Development and tests only: the router's clock runs this many seconds "
        "ahead of (or behind) the real one, the same across restarts (a moved clock for "
        "end-to-end tests); refused in production",
    )

    @model_validator(mode="after")
    def _no_moved_clock_in_production(self) -> RouterSettings:
        if self.clock_offset_seconds and self.environment == "production":
            raise ValueError(
                "ROUTER_CLOCK_OFFSET_SECONDS is for development and tests, not production"
            )
        return self

    @property
    def secure_cookies(self) -> bool:
        """Whether the session cookie is Secure: as set, else on in production."""
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.environment == "production"

    @property
    def slack_enabled(self) -> bool:
        """Both the bot token and the signing secret are set."""
        return bool(
            self.slack_bot_token.get_secret_value() and self.slack_signing_secret.get_secret_value()
        )
