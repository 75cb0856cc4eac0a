"""No secret in plain text: not in any service database, not in any log line of the run.

Runs last (see conftest), so it reads everything the other tests made the system store and
write. The secrets are the run's own (service tokens, the token encryption key, Slack's
signing secret and bot token, the Google client secret), every Google access token the suite
obtained through the token API, and anything shaped like a Google or Slack credential.
"""

from __future__ import annotations

import re

from harness import SERVICES, System

SHAPES = {
    "google access token": re.compile(r"ya29\.[A-Za-z0-9._\-]{8,}"),
    "google refresh token": re.compile(r"1//[A-Za-z0-9._\-]{10,}"),
    "slack token": re.compile(r"xox[abposr]-[A-Za-z0-9\-]{8,}"),
    "bearer header": re.compile(r"(?i)bearer\s+(?!\*\*\*)[A-Za-z0-9._~+/=\-]{8,}"),
}


def _leaks(lines: list[tuple[str, str]], secrets: dict[str, str]) -> list[str]:
    found = []
    for where, line in lines:
        for name, value in secrets.items():
            if value and value in line:
                found.append(f"{where}: {name} in plain text")
        for name, shape in SHAPES.items():
            if shape.search(line):
                found.append(f"{where}: something shaped like a {name}: {line[:160]}")
    return found


def _secrets(system: System) -> dict[str, str]:
    found = system.secrets()
    for i, token in enumerate(sorted(system.issued_tokens)):
        found[f"issued token #{i}"] = token
    return found


def test_no_secret_in_any_service_log_line(system: System) -> None:
    lines = [(f"{name}.log", line) for name, line in system.log_lines() if name in SERVICES]
    assert len(lines) > 10, "the services wrote (almost) nothing; is the scan looking elsewhere?"
    assert _leaks(lines, _secrets(system)) == []


def test_no_message_text_in_any_service_log_line(system: System) -> None:
    """People's messages are stored, never logged (lengths and ids are)."""
    texts = {t for t in system.sent_texts if len(t.strip()) >= 8}
    assert texts, "no chat message was sent in this run"
    lines = [(f"{name}.log", line) for name, line in system.log_lines() if name in SERVICES]
    leaked = [f"{where}: {text[:20]}…" for where, line in lines for text in texts if text in line]
    assert leaked == []


def test_no_secret_in_any_database_row(system: System) -> None:
    rows = [
        (f"{service} db", row)
        for service, table_rows in system.databases.rows_as_text().items()
        for row in table_rows
    ]
    assert rows, "the databases are empty; is the scan looking at the run's databases?"
    assert _leaks(rows, _secrets(system)) == []


def test_the_scan_finds_a_planted_secret(system: System) -> None:
    """The scan itself can fail: a secret placed in a line is reported."""
    secrets = _secrets(system)
    planted = [("planted", f"header was {secrets['router_to_auth']}")]
    assert _leaks(planted, secrets)
    assert _leaks([("planted", "token ya29.a0AfH6SMBxyzxyzxyz")], {})
