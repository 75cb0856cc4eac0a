"""What the person running `make run` set, and what follows from it: ports, and which emulators
their own Google or Slack account replaces. `tools/haru_stack.py` reads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

DEFAULT_PORTS = {
    "google-emulator": 8090,
    "slack-emulator": 8091,
    "openai-emulator": 8092,
    "auth-server": 8001,
    "skill-calendar": 8002,
    "router": 8000,
}
DATABASE_ENV = {
    "auth-server": "AUTH_DATABASE_URL",
    "skill-calendar": "CALENDAR_DATABASE_URL",
    "router": "ROUTER_DATABASE_URL",
}
PORT_OFFSET = "HARU_PORT_OFFSET"
# The prefixes of the settings a person may set for `make run` (env or .env), per process.
SETTING_PREFIXES = {
    "google-emulator": ("GOOGLE_EMULATOR_",),
    "slack-emulator": ("SLACK_EMULATOR_",),
    "openai-emulator": ("OPENAI_EMULATOR_",),
    "auth-server": ("AUTH_",),
    "skill-calendar": ("CALENDAR_",),
    "router": ("ROUTER_", "OPENAI_"),
}
DEV_GOOGLE_CLIENT_ID = "haru-dev-client.apps.googleusercontent.com"
# An emulator the person's own account replaces, and the settings that point at it.
EMULATOR_WIRING = {
    "google-emulator": ("AUTH_GOOGLE_", "CALENDAR_GOOGLE_API_BASE_URL"),
    "slack-emulator": ("ROUTER_SLACK_",),
}


@dataclass(frozen=True)
class PersonSettings:
    """What the person running `make run` set: the repo's .env, then the environment."""

    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, environ: dict[str, str], env_file: Path) -> PersonSettings:
        prefixes = (PORT_OFFSET, *(p for ps in SETTING_PREFIXES.values() for p in ps))
        found = {}
        if env_file.is_file():
            found = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
        found |= {k: v for k, v in environ.items() if k.startswith(prefixes)}
        return cls({k: v for k, v in found.items() if v})  # an empty line sets nothing

    @property
    def real_google(self) -> bool:
        """A Google OAuth client of the person's own: talk to Google, not the emulator."""
        client_id = self.values.get("AUTH_GOOGLE_CLIENT_ID") or DEV_GOOGLE_CLIENT_ID
        return client_id != DEV_GOOGLE_CLIENT_ID

    @property
    def real_slack(self) -> bool:
        """A Slack app's bot token: talk to Slack, not the emulator."""
        return bool(self.values.get("ROUTER_SLACK_BOT_TOKEN"))

    @property
    def replaced_emulators(self) -> set[str]:
        """The emulators not to start, because the person's real account takes their place."""
        real = {"google-emulator": self.real_google, "slack-emulator": self.real_slack}
        return {name for name, is_real in real.items() if is_real}

    @property
    def port_offset(self) -> int:
        value = self.values.get(PORT_OFFSET, "0") or "0"
        if not value.isdigit() or int(value) + max(DEFAULT_PORTS.values()) > 65535:
            raise ValueError(f"{PORT_OFFSET} must be a number that keeps ports below 65536")
        return int(value)

    def for_process(self, name: str) -> dict[str, str]:
        """The settings of process ``name`` the person set (they win over the defaults)."""
        prefixes = SETTING_PREFIXES[name]
        return {k: v for k, v in self.values.items() if k.startswith(prefixes)}
