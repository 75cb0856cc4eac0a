"""Settings base: every service validates its environment at start with a clear message."""

from __future__ import annotations

import sys
from typing import Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

S = TypeVar("S", bound=BaseSettings)


class ServiceSettings(BaseSettings):
    """Fields every service has. Subclasses set ``env_prefix`` (AUTH_, CALENDAR_, ROUTER_)."""

    model_config = SettingsConfigDict(extra="ignore", env_nested_delimiter="__")

    environment: Literal["development", "test", "production"] = Field(
        "development", description="development, test or production"
    )
    log_level: str = Field("INFO", description="Python log level")
    log_format: Literal["json", "text"] | None = Field(
        None, description="json or text; default json in production, text otherwise"
    )
    host: str = Field("127.0.0.1", description="Address to listen on")
    database_url: str = Field(
        description="SQLAlchemy URL (postgresql+asyncpg:// or sqlite+aiosqlite://)"
    )
    service_tokens: dict[str, SecretStr] = Field(
        default_factory=dict,
        description='Callers allowed on internal routes: JSON {"caller-name": "token"}',
    )

    @property
    def effective_log_format(self) -> str:
        if self.log_format:
            return self.log_format
        return "json" if self.environment == "production" else "text"


def load_settings(cls: type[S]) -> S:
    """Loads ``cls`` from the environment or exits with a readable list of what is wrong."""
    try:
        return cls()
    except ValidationError as err:
        prefix = cls.model_config.get("env_prefix", "")
        lines = [f"설정 오류 / invalid configuration ({cls.__name__}):"]
        for problem in err.errors():
            field = "__".join(str(part) for part in problem["loc"]).upper()
            lines.append(f"  {prefix}{field}: {problem['msg']}")
        print("\n".join(lines), file=sys.stderr)
        raise SystemExit(2) from None
