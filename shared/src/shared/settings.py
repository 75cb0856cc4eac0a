"""Settings base: every service validates its environment at start with a clear message."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

S = TypeVar("S", bound=BaseSettings)

# A folder of files named like the variables they replace (AUTH_DATABASE_URL, ...), as
# container secrets are mounted (/run/secrets); a variable set in the environment wins.
SECRETS_DIR_ENV = "HARU_SECRETS_DIR"


def secrets_dir() -> str | None:
    """The folder of secret files, when ``HARU_SECRETS_DIR`` names one."""
    return os.environ.get(SECRETS_DIR_ENV) or None


def env_or_secret(name: str) -> str | None:
    """``name`` from the environment, else from its file in the secrets folder, else None."""
    if value := os.environ.get(name):
        return value
    folder = secrets_dir()
    path = Path(folder, name) if folder else None
    return path.read_text().strip() if path and path.is_file() else None


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
    forwarded_allow_ips: str = Field(
        "",
        description=(
            "Proxies whose X-Forwarded-For/-Proto are believed: comma-separated addresses or "
            "networks (10.0.0.0/8), * for any; empty: the headers are ignored and the "
            "connection's own address is the client's"
        ),
    )
    database_url: str = Field(
        description="SQLAlchemy URL (postgresql+asyncpg:// or sqlite+aiosqlite://)"
    )
    service_tokens: dict[str, SecretStr] = Field(
        default_factory=dict,
        description='Callers allowed on internal routes: JSON {"caller-name": "token"}',
    )
    max_body_bytes: int = Field(
        1_048_576, ge=1024, description="Largest request body accepted (bigger: 413)"
    )
    database_pool_size: int = Field(10, ge=1, description="Connections kept per process")
    database_pool_timeout_seconds: float = Field(
        3.0,
        gt=0,
        le=60,
        description="Wait for a free connection before answering 503 with Retry-After",
    )
    workers: int = Field(
        1,
        ge=1,
        le=64,
        description="Uvicorn worker processes serving this service (each with its own pool)",
    )
    max_concurrent_requests: int | None = Field(
        None,
        ge=0,
        description=(
            "Requests one process works on at once; more wait up to the admission wait, then "
            "get 503 server.busy with Retry-After (empty: what the database pool holds, pool "
            "+ overflow; 0: no limit)"
        ),
    )
    admission_wait_seconds: float = Field(
        0.5,
        ge=0,
        le=30,
        description="How long a request over the concurrency limit may wait for a free slot",
    )
    api_docs: bool | None = Field(
        None, description="Serve /docs and /openapi.json (default: on except in production)"
    )
    metrics_token: SecretStr = Field(
        SecretStr(""),
        description=(
            "Bearer token /metrics requires; empty: /metrics is open, except in production "
            "where it is then not served"
        ),
    )

    @property
    def serves_api_docs(self) -> bool:
        """Whether /docs and /openapi.json are served (not on a production public port)."""
        return self.api_docs if self.api_docs is not None else self.environment != "production"

    @property
    def concurrency_limit(self) -> int:
        """Requests one process works on at once (0: no limit): by default as many as its
        pool can hold (pool + overflow), so an admitted request never waits long for a
        connection."""
        if self.max_concurrent_requests is None:
            return 2 * self.database_pool_size
        return self.max_concurrent_requests

    @property
    def effective_log_format(self) -> str:
        if self.log_format:
            return self.log_format
        return "json" if self.environment == "production" else "text"


def load_settings(cls: type[S]) -> S:
    """Loads ``cls`` from the environment or exits with a readable list of what is wrong."""
    try:
        folder = secrets_dir()
        return cls(_secrets_dir=folder) if folder else cls()
    except ValidationError as err:
        prefix = cls.model_config.get("env_prefix", "")
        lines = [f"설정 오류 / invalid configuration ({cls.__name__}):"]
        for problem in err.errors():
            field = "__".join(str(part) for part in problem["loc"]).upper()
            lines.append(f"  {prefix}{field}: {problem['msg']}")
        print("\n".join(lines), file=sys.stderr)
        raise SystemExit(2) from None
