"""Alembic glue shared by the three services: one env.py body, one way to upgrade."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from shared.db import is_sqlite, normalize_url
from shared.settings import env_or_secret


def alembic_config(service_dir: Path, database_url: str) -> Config:
    """An Alembic Config for the service rooted at ``service_dir`` and ``database_url``."""
    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("script_location", str(service_dir / "migrations"))
    config.attributes["database_url"] = normalize_url(database_url)
    return config


def upgrade(service_dir: Path, database_url: str, revision: str = "head") -> None:
    """Upgrades the service's database to ``revision`` (blocking; call in a thread from async)."""
    command.upgrade(alembic_config(service_dir, database_url), revision)


def downgrade(service_dir: Path, database_url: str, revision: str = "base") -> None:
    """Downgrades the service's database to ``revision`` (blocking)."""
    command.downgrade(alembic_config(service_dir, database_url), revision)


def _configure(
    url: str, metadata: MetaData, version_table: str, *, connection: Connection | None = None
) -> None:
    """Online with ``connection``; offline (``--sql``) without, rendering SQL for ``url``."""
    context.configure(
        connection=connection,
        url=None if connection is not None else url,
        literal_binds=connection is None,
        target_metadata=metadata,
        version_table=version_table,
        render_as_batch=is_sqlite(url),
        compare_type=True,
    )


def _run_sync(connection: Connection, url: str, metadata: MetaData, version_table: str) -> None:
    _configure(url, metadata, version_table, connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str, metadata: MetaData, version_table: str) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync, url, metadata, version_table)
        await connection.commit()
    await engine.dispose()


def run_env(*, metadata: MetaData, version_table: str, url_env: str, default_url: str) -> None:
    """The body of every service's migrations/env.py."""
    config = context.config
    url = normalize_url(
        config.attributes.get("database_url") or env_or_secret(url_env) or default_url
    )
    if context.is_offline_mode():
        _configure(url, metadata, version_table)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_async(url, metadata, version_table))
