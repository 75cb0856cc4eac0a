"""skill-calendar settings (env prefix CALENDAR_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class CalendarSettings(ServiceSettings):
    """Everything skill-calendar reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="CALENDAR_", extra="ignore")

    port: int = Field(8002, description="Port to listen on")
    database_url: str = Field(
        "sqlite+aiosqlite:///./var/calendar.db", description="Database of the idempotency ledger"
    )
