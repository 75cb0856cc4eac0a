"""Async SQLAlchemy helpers that work with PostgreSQL (asyncpg) and SQLite (aiosqlite)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, cast

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, event, text
from sqlalchemy.engine import CursorResult, Dialect, Result, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util import await_only

# Stable constraint names so that Alembic migrations and models agree on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The largest value of a BIGINT id column (PostgreSQL and SQLite both store signed 64 bits):
# ids from requests are validated against it, so a larger one is a 422, not a driver error.
MAX_ROW_ID = 2**63 - 1


def make_metadata() -> MetaData:
    """A MetaData with the project's naming convention."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current instant in UTC (aware)."""
    return datetime.now(UTC)


def rows_affected(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE run through ``session.execute`` matched.

    ``AsyncSession.execute`` is typed as returning ``Result``; for a DML statement it returns
    a ``CursorResult``, the only kind with ``rowcount`` (hence the one cast, here).
    """
    return cast(CursorResult[Any], result).rowcount


class UTCDateTime(TypeDecorator[datetime]):
    """An instant stored in UTC and always read back aware; naive values are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime refused by UTCDateTime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite keeps no offset; we only ever wrote UTC.
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def normalize_url(url: str) -> str:
    """Maps plain URLs to their async drivers (postgresql → asyncpg, sqlite → aiosqlite)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    """Whether ``url`` points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def _prepare_sqlite_file(url: str) -> None:
    """Creates the database file owner-only (0600): it holds people's messages and tokens.

    SQLite gives its -wal and -shm files the database file's mode.
    """
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_engine(
    url: str, *, echo: bool = False, pool_size: int = 10, pool_timeout: float = 30.0
) -> AsyncEngine:
    """Creates an async engine suited to the backend.

    ``pool_timeout``: how long a request waits for a free connection before SQLAlchemy's
    TimeoutError, which the one error handler answers as a 503 with Retry-After.
    """
    url = normalize_url(url)
    if is_sqlite(url):
        _prepare_sqlite_file(url)
        engine = create_async_engine(
            url,
            echo=echo,
            hide_parameters=True,
            pool_timeout=pool_timeout,
            connect_args={"timeout": 30},
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # hide_parameters: a failed statement's error (and so a logged traceback) must not carry
    # the values, which may be a person's message text.
    engine = create_async_engine(
        url,
        echo=echo,
        hide_parameters=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=pool_timeout,
    )
    event.listen(engine.sync_engine, "checkout", _ping_on_checkout)
    return engine


def _ping_on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Checks a pooled PostgreSQL connection before use; a dead one is replaced.

    What ``pool_pre_ping`` does, in one round trip (a simple-protocol ``SELECT 1``) instead
    of its three (asyncpg's ping opens a transaction, sends ``;`` and rolls back, for
    pgbouncer's transaction mode, which Haru does not use). Raising DisconnectionError
    makes the pool retry with a fresh connection, so a database restart or a cut
    connection costs no request.
    """
    try:
        await_only(dbapi_connection.driver_connection.execute("SELECT 1"))
    except Exception as err:
        raise DisconnectionError("pooled connection is dead") from err


class Database:
    """An engine and its session factory, owned by one app."""

    def __init__(
        self, url: str, *, echo: bool = False, pool_size: int = 10, pool_timeout: float = 30.0
    ) -> None:
        self.url = normalize_url(url)
        self.engine = create_engine(
            self.url, echo=echo, pool_size=pool_size, pool_timeout=pool_timeout
        )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    async def ping(self) -> None:
        """Raises when the database cannot answer ``SELECT 1``."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def create_all(self, metadata: MetaData) -> None:
        """Creates every table of ``metadata`` (tests; production uses Alembic)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)

    async def dispose(self) -> None:
        await self.engine.dispose()


# The request's session, for ``release_idle_connection`` (set by ``get_session``).
current_session: ContextVar[AsyncSession | None] = ContextVar("current_session", default=None)
# session.info key: the open transaction wrote, or locked rows, so it must keep its connection.
_HOLDS = "haru.transaction_holds"


def _note_statement(state: ORMExecuteState) -> None:
    """Marks the transaction as holding once it runs anything but a plain SELECT."""
    statement = state.statement
    if state.is_select and getattr(statement, "_for_update_arg", None) is None:
        return
    state.session.info[_HOLDS] = True


def _note_flush(session: Session, _flush_context: Any) -> None:
    session.info[_HOLDS] = True


def _forget_on_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_HOLDS, None)


event.listen(Session, "do_orm_execute", _note_statement)
event.listen(Session, "after_flush", _note_flush)
event.listen(Session, "after_transaction_end", _forget_on_end)


async def release_idle_connection() -> None:
    """Before a request waits on another service: ends its transaction if it only read, so
    the connection serves other requests meanwhile (the next statement takes one again).

    A transaction that wrote or locked rows keeps its connection: its atomicity is the
    flow's to decide. Objects stay usable (sessions do not expire on commit).
    """
    session = current_session.get()
    if session is None or not session.in_transaction() or session.info.get(_HOLDS):
        return
    if session.new or session.dirty or session.deleted:
        return
    await session.commit()


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Dependency: one session per request from the app's database."""
    database: Database = request.app.state.database
    async with database.sessionmaker() as session:
        token = current_session.set(session)
        try:
            yield session
        finally:
            with contextlib.suppress(ValueError):  # reset from another context: nothing to undo
                current_session.reset(token)


SessionDep = Annotated[AsyncSession, Depends(get_session)]
