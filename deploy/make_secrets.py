"""Writes every secret docker-compose.yml mounts, one file each, named like its setting.

    python deploy/make_secrets.py             # real Google/Slack: fill in the two Google/Slack
                                              # files it leaves empty (docs/deploy.md)
    python deploy/make_secrets.py --sandbox   # the emulators' client secret and Slack tokens

Tokens and passwords are fresh random values, consistent with each other (the token a caller
sends is the one the callee accepts; each database role's password is in its service's URL,
where deploy/postgres-init.sh reads it). An existing folder is never overwritten unless
--force: the database volume keeps the passwords it was created with.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "secrets"
SANDBOX_GOOGLE_CLIENT_SECRET = "haru-dev-secret"  # noqa: S105 (the emulator's dev client)
DATABASES = {"AUTH": "haru_auth", "CALENDAR": "haru_calendar", "ROUTER": "haru_router"}


def token() -> str:
    return secrets.token_urlsafe(32)


def secret_files(*, sandbox: bool) -> dict[str, str]:
    """File name → content, every one docker-compose.yml names."""
    router_to_auth, calendar_to_auth = token(), token()
    router_to_calendar, auth_to_router = token(), token()
    calendar_to_router = token()
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    files = {"POSTGRES_PASSWORD": token()}
    for prefix, database in DATABASES.items():
        password = secrets.token_hex(24)  # hex: nothing to escape in a URL
        files[f"{prefix}_DATABASE_URL"] = (
            f"postgresql+asyncpg://{database}:{password}@postgres:5432/{database}"
        )
        # Production serves /metrics only to this bearer token (give it to Prometheus).
        files[f"{prefix}_METRICS_TOKEN"] = token()
    files |= {
        "AUTH_SERVICE_TOKENS": json.dumps(
            {"router": router_to_auth, "skill-calendar": calendar_to_auth}
        ),
        "AUTH_ENCRYPTION_KEYS": f"k1:{key}",
        "AUTH_GOOGLE_CLIENT_SECRET": SANDBOX_GOOGLE_CLIENT_SECRET if sandbox else "",
        "AUTH_ROUTER_TOKEN": auth_to_router,
        "CALENDAR_SERVICE_TOKENS": json.dumps({"router": router_to_calendar}),
        "CALENDAR_AUTH_SERVER_TOKEN": calendar_to_auth,
        "CALENDAR_ROUTER_TOKEN": calendar_to_router,
        "ROUTER_SERVICE_TOKENS": json.dumps(
            {"auth-server": auth_to_router, "skill-calendar": calendar_to_router}
        ),
        "ROUTER_AUTH_SERVER_TOKEN": router_to_auth,
        "ROUTER_CALENDAR_TOKEN": router_to_calendar,
        # Empty leaves the Slack channel off; the sandbox's Slack emulator uses these too.
        "ROUTER_SLACK_BOT_TOKEN": "xoxb-sandbox-" + secrets.token_hex(12) if sandbox else "",
        "ROUTER_SLACK_SIGNING_SECRET": secrets.token_hex(16) if sandbox else "",
    }
    return files


def write(folder: Path, files: dict[str, str]) -> None:
    """The folder is the owner's only; the files are readable by the containers' users
    (bind-mounted secrets keep the host's modes, and the services do not run as root)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    for name, content in files.items():
        path = folder / name
        path.write_text(content + "\n")
        path.chmod(0o644)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sandbox", action="store_true", help="values for the emulators")
    parser.add_argument("--dir", type=Path, default=FOLDER, help=f"default {FOLDER}")
    parser.add_argument("--force", action="store_true", help="replace existing secrets")
    args = parser.parse_args(argv)
    if args.dir.exists() and any(args.dir.iterdir()) and not args.force:
        print(f"{args.dir} already holds secrets; kept (--force replaces them)")
        return 0
    files = secret_files(sandbox=args.sandbox)
    write(args.dir, files)
    empty = sorted(name for name, content in files.items() if not content)
    print(f"wrote {len(files)} secrets to {args.dir}")
    if empty:
        print("fill in for real Google/Slack (docs/deploy.md): " + ", ".join(empty))
    return 0


if __name__ == "__main__":
    sys.exit(main())
