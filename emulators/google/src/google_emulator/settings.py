"""Emulator settings, read from GOOGLE_EMULATOR_* environment variables."""

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """Where the emulator listens and how it behaves."""

    host: str = "127.0.0.1"
    port: int = 8090
    access_token_ttl: int = 3600
    code_ttl: int = 600
    state_file: str | None = None
    public_url: str | None = None

    @property
    def base_url(self) -> str:
        """The URL callers use to reach this emulator."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @classmethod
    def from_env(cls) -> "Settings":
        """Build settings from the environment."""
        env = os.environ
        return cls(
            host=env.get("GOOGLE_EMULATOR_HOST", "127.0.0.1"),
            port=int(env.get("GOOGLE_EMULATOR_PORT", "8090")),
            access_token_ttl=int(env.get("GOOGLE_EMULATOR_ACCESS_TOKEN_TTL", "3600")),
            state_file=env.get("GOOGLE_EMULATOR_STATE_FILE") or None,
            public_url=env.get("GOOGLE_EMULATOR_PUBLIC_URL") or None,
        )
