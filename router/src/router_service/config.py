"""router settings (env prefix ROUTER_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class RouterSettings(ServiceSettings):
    """Everything the router reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="ROUTER_", extra="ignore")

    port: int = Field(8000, description="Port to listen on (the web chat lives here)")
    database_url: str = Field(
        "sqlite+aiosqlite:///./var/router.db",
        description="Database of conversations, pending actions and deliveries",
    )
    default_time_zone: str = Field("Asia/Seoul", description="Zone assumed for a new user")
