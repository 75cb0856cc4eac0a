"""Emulator settings, read from SLACK_EMULATOR_* environment variables."""

from typing import Annotated

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Slack's schedule: a retry right away, then after one minute, then after five.
SLACK_RETRY_DELAYS = (0.0, 60.0, 300.0)


class Settings(BaseSettings):
    """Where the emulator listens, who the bot is, and where Slack would deliver events."""

    model_config = SettingsConfigDict(env_prefix="SLACK_EMULATOR_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8091
    public_url: str | None = None
    bot_token: str = "xoxb-haru-emulator-token"  # noqa: S105 - the emulator's development token
    signing_secret: str = "haru-emulator-signing-secret"  # noqa: S105 - development secret
    events_url: str | None = None
    interactivity_url: str | None = None
    team_id: str = "T0HARU0001"
    team_name: str = "Haru"
    team_domain: str = "haru"
    bot_user_id: str = "U0HARUBOT1"
    bot_id: str = "B0HARUBOT1"
    bot_name: str = "haru"
    app_id: str = "A0HARUAPP1"
    ack_timeout_seconds: float = 3.0
    retry_delays_seconds: Annotated[tuple[float, ...], NoDecode] = SLACK_RETRY_DELAYS
    echo_bot_messages: bool = True

    @field_validator("retry_delays_seconds", mode="before")
    @classmethod
    def _split_delays(cls, value: object) -> object:
        """Accept "0,60,300" from the environment."""
        if isinstance(value, str):
            return tuple(float(part) for part in value.split(",") if part.strip())
        return value

    @property
    def base_url(self) -> str:
        """The URL callers use to reach this emulator."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")
