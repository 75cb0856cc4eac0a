"""Encryption key commands.

``python -m auth_server.keys generate`` prints a new ``kid:key`` entry: put it first in
AUTH_ENCRYPTION_KEYS (keeping the old ones after it) and restart.
``python -m auth_server.keys rotate`` then re-encrypts every stored token under the
first key; afterwards the old keys can be removed from AUTH_ENCRYPTION_KEYS.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth_server.config import AuthSettings
from auth_server.crypto import (
    ACCESS_TOKEN,
    CODE_VERIFIER,
    REFRESH_TOKEN,
    TokenCipher,
    cipher_from_settings,
    generate_key,
)
from auth_server.db import load_models
from auth_server.grants.models import GoogleAccount
from auth_server.oauth.models import OAuthState
from shared.db import Database
from shared.settings import load_settings


@dataclass
class RotationReport:
    rows: int = 0
    values: int = 0


async def rotate_keys(
    *, sessionmaker: async_sessionmaker[AsyncSession], cipher: TokenCipher
) -> RotationReport:
    """Re-encrypts every stored token under the cipher's primary key (row by row, locked)."""
    report = RotationReport()
    async with sessionmaker() as session, session.begin():
        accounts = (
            await session.scalars(
                select(GoogleAccount).order_by(GoogleAccount.id).with_for_update()
            )
        ).all()
        for account in accounts:
            changed = False
            for attr, column in (("refresh_token", REFRESH_TOKEN), ("access_token", ACCESS_TOKEN)):
                stored = getattr(account, attr)
                if stored is None:
                    continue
                fresh = cipher.reencrypt(stored, column=column, owner=account.user_id)
                if fresh is not None:
                    setattr(account, attr, fresh)
                    report.values += 1
                    changed = True
            report.rows += int(changed)
        states = (
            await session.scalars(
                select(OAuthState).where(OAuthState.used_at.is_(None)).with_for_update()
            )
        ).all()
        for state in states:
            fresh = cipher.reencrypt(state.code_verifier, column=CODE_VERIFIER, owner=state.user_id)
            if fresh is not None:
                state.code_verifier = fresh
                report.values += 1
                report.rows += 1
    return report


async def _rotate(settings: AuthSettings) -> RotationReport:
    load_models()
    cipher = cipher_from_settings(
        encryption_keys=settings.encryption_keys.get_secret_value(),
        environment=settings.environment,
        dev_key_file=settings.dev_key_file,
    )
    database = Database(settings.database_url)
    try:
        return await rotate_keys(sessionmaker=database.sessionmaker, cipher=cipher)
    finally:
        await database.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m auth_server.keys", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("generate", help="print a new kid:key for AUTH_ENCRYPTION_KEYS")
    sub.add_parser("rotate", help="re-encrypt stored tokens under the first configured key")
    args = parser.parse_args(argv)
    if args.command == "generate":
        print(generate_key())
        return 0
    report = asyncio.run(_rotate(load_settings(AuthSettings)))
    print(f"re-encrypted {report.values} values in {report.rows} rows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
