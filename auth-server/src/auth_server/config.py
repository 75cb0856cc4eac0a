"""auth-server settings (env prefix AUTH_)."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.fields import HttpUrl
from shared.settings import ServiceSettings

GOOGLE_AUTH_URI = "https://accounts.google.com/o/oauth2/v2/auth"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 (a URL)
GOOGLE_REVOKE_URI = "https://oauth2.googleapis.com/revoke"
GOOGLE_USERINFO_URI = "https://openidconnect.googleapis.com/v1/userinfo"
# The development OAuth client (the emulator knows it); refused in production.
DEV_GOOGLE_CLIENT_ID = "haru-dev-client.apps.googleusercontent.com"
DEV_GOOGLE_CLIENT_SECRET = "haru-dev-secret"  # noqa: S105 (the emulator's, public on purpose)


class AuthSettings(ServiceSettings):
    """Everything the auth-server reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

    port: int = Field(8001, description="Port to listen on")
    # An internal service: its callers (the router, skill-calendar) are bounded by the
    # router's own admission limit, and a burst of them (50 token requests waiting on one
    # refresh) is legitimate work, not overload.
    max_concurrent_requests: int | None = Field(
        0, ge=0, description="Requests one process works on at once (0: no limit)"
    )
    database_url: str = Field(
        "sqlite+aiosqlite:///./var/auth.db", description="Database of users, identities and grants"
    )
    public_base_url: HttpUrl = Field(
        "http://127.0.0.1:8001", description="Base URL people's browsers use to reach this service"
    )
    chat_url: HttpUrl = Field(
        "http://127.0.0.1:8000/",
        description=(
            "The web chat (the router's public URL): the pages' 'back to chat' link, and the "
            "origin of the router's /connect/confirm that a web chat's link is checked at"
        ),
    )

    google_client_id: str = Field(
        DEV_GOOGLE_CLIENT_ID,
        description="OAuth client id (the development one is refused in production)",
    )
    google_client_secret: SecretStr = Field(
        SecretStr(DEV_GOOGLE_CLIENT_SECRET),
        description="OAuth client secret (the development one is refused in production)",
    )
    google_auth_uri: HttpUrl = Field(GOOGLE_AUTH_URI, description="Google's consent page")
    google_token_uri: HttpUrl = Field(GOOGLE_TOKEN_URI, description="Google's token endpoint")
    google_revoke_uri: HttpUrl = Field(GOOGLE_REVOKE_URI, description="Google's revoke endpoint")
    google_userinfo_uri: HttpUrl = Field(
        GOOGLE_USERINFO_URI, description="OpenID userinfo endpoint"
    )
    google_allow_http_hosts: list[str] = Field(
        default_factory=list,
        description=(
            "Hosts whose Google endpoints may be plain http besides loopback: JSON, e.g. "
            '["google-emulator"] in the compose sandbox; empty against real Google'
        ),
    )
    google_timeout_seconds: float = Field(10.0, gt=0, description="Timeout of one call to Google")
    google_retries: int = Field(
        2, ge=0, description="Retries of a transiently failing call to Google"
    )
    google_retry_after_cap_seconds: float = Field(
        2.0, ge=0, description="Longest wait honoured from Google's Retry-After before retrying"
    )

    encryption_keys: SecretStr = Field(
        SecretStr(""),
        description=(
            "Comma-separated kid:urlsafe-base64-32-byte-key; the first encrypts, all decrypt. "
            "Empty outside production: a development key kept in dev_key_file"
        ),
    )
    dev_key_file: str = Field(
        "./var/auth-dev.key", description="Development key file used when encryption_keys is empty"
    )

    router_url: str = Field("http://127.0.0.1:8000", description="Router base URL (grant events)")
    router_token: SecretStr = Field(SecretStr(""), description="Our bearer token at the router")

    connect_ticket_ttl_seconds: int = Field(1800, gt=0, description="Lifetime of a connect link")
    web_connect_ticket_ttl_seconds: int = Field(
        120,
        gt=0,
        description=(
            "Lifetime of a web chat's connect ticket: the router makes it when the chat's own "
            "browser opens the link, and sends that browser straight on"
        ),
    )
    account_ticket_ttl_seconds: int = Field(
        1800, gt=0, description="Lifetime of an account page link"
    )
    oauth_state_ttl_seconds: int = Field(600, gt=0, description="Lifetime of an OAuth state")
    refresh_margin_seconds: int = Field(
        300, ge=0, description="Refresh an access token this long before it expires"
    )
    testing_expiry_days: float = Field(
        7.0, gt=0, description="Google's testing-mode refresh token lifetime (days)"
    )
    upstream_retry_after_seconds: int = Field(
        5, ge=1, description="Retry-After when Google is failing"
    )

    outbox_enabled: bool = Field(True, description="Run the grant event delivery worker")
    outbox_poll_seconds: float = Field(2.0, description="How often the outbox is polled")
    outbox_backoff_base_seconds: float = Field(1.0, description="First retry delay of a delivery")
    outbox_backoff_cap_seconds: float = Field(300.0, description="Longest delay between retries")
    outbox_timeout_seconds: float = Field(5.0, description="Timeout of one delivery")
    outbox_max_attempts: int = Field(
        60, ge=1, description="Deliveries of one event before it is dead (about four hours)"
    )
    outbox_lease_seconds: float = Field(
        60.0, gt=0, description="How long a claimed event is reserved for one worker"
    )
    housekeeping_seconds: float = Field(
        3600.0,
        description="How often housekeeping runs (expired links and OAuth states deleted, grant"
        " events a migration owes recorded)",
    )

    @model_validator(mode="after")
    def _no_development_client_in_production(self) -> AuthSettings:
        # The compose sandbox runs the production image against the Google emulator, which
        # only knows the development client: the guard is for a Google that is not named in
        # google_allow_http_hosts.
        emulated = urlsplit(str(self.google_token_uri)).hostname in self.google_allow_http_hosts
        if (
            self.environment == "production"
            and not emulated
            and (
                self.google_client_id == DEV_GOOGLE_CLIENT_ID
                or self.google_client_secret.get_secret_value() == DEV_GOOGLE_CLIENT_SECRET
            )
        ):
            raise ValueError(
                "production needs the Google OAuth client of your own Google Cloud project "
                "(AUTH_GOOGLE_CLIENT_ID, AUTH_GOOGLE_CLIENT_SECRET), not the development one"
            )
        return self
