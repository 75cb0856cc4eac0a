"""auth-server settings (env prefix AUTH_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class AuthSettings(ServiceSettings):
    """Everything the auth-server reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

    port: int = Field(8001, description="Port to listen on")
    database_url: str = Field(
        "sqlite+aiosqlite:///./var/auth.db", description="Database of users, identities and grants"
    )
    public_base_url: str = Field(
        "http://127.0.0.1:8001", description="Base URL people's browsers use to reach this service"
    )
