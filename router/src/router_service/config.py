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
    llm_enabled: bool = Field(
        False, description="Ask an OpenAI-compatible model when the NLU rules are unsure"
    )
    llm_model: str = Field("gpt-4o-mini", description="Chat model for the NLU fallback")
    llm_timeout_seconds: float = Field(
        3.0, gt=0, le=30, description="Timeout of one NLU fallback call, in seconds"
    )
