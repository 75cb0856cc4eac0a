"""Writes the README's table of settings from the services' settings classes.

python tools/settings_table.py          # rewrite the table in README.md
python tools/settings_table.py --check  # exit 1 if README.md is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic_settings import BaseSettings

from auth_server.config import AuthSettings
from router_service.config import RouterSettings
from skill_calendar.config import CalendarSettings

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN, END = "<!-- settings:begin -->", "<!-- settings:end -->"
SECRET_WORDS = ("token", "secret", "key")


def _default(name: str, info) -> str:
    if info.is_required():
        return "**required**"
    if any(word in name for word in SECRET_WORDS):
        return "(empty)" if not info.get_default(call_default_factory=True) else "(set)"
    value = info.get_default(call_default_factory=True)
    return f"`{value}`" if value not in (None, "", {}) else "(empty)"


def rows(cls: type[BaseSettings]) -> list[str]:
    prefix = cls.model_config.get("env_prefix", "")
    return [
        f"| `{prefix}{name.upper()}` | {_default(name, info)} | {info.description or ''} |"
        for name, info in cls.model_fields.items()
    ]


def table() -> str:
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for cls in (RouterSettings, AuthSettings, CalendarSettings):
        lines += rows(cls)
    return "\n".join(lines)


def render(readme: str) -> str:
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{table()}\n{END}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    current = README.read_text(encoding="utf-8")
    wanted = render(current)
    if args.check:
        if current != wanted:
            print("README.md's settings table is stale: run python tools/settings_table.py")
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
