"""Pytest plugin: an isolated database for every test.

PostgreSQL when reachable (``HARU_TEST_DATABASE_URL``, default
``postgresql+asyncpg://postgres@127.0.0.1:5432/test``): each test gets a fresh
database, dropped afterwards. Without PostgreSQL the tests run on SQLite and
the report header says so; with ``CI=true`` a missing PostgreSQL fails them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import os
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Coroutine, Iterator
from pathlib import Path
from typing import Any, Literal

import asyncpg
import httpx
import pytest
import uvicorn
from asgi_lifespan import LifespanManager
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from shared.db import normalize_url
from shared.migrations import upgrade

DEFAULT_TEST_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
TEST_DATABASE_PREFIX = "haru_t_"
_counter = itertools.count()
Lifespan = Literal["auto", "on", "off"]


def admin_url() -> str:
    """The PostgreSQL URL the tests create their databases from."""
    return os.environ.get("HARU_TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def run_blocking(coro: Coroutine[Any, Any, Any]) -> Any:
    """Runs ``coro`` on a private loop in a worker thread (safe inside pytest-asyncio)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def _postgres_reachable(url: str) -> str | None:
    try:
        conn = await asyncpg.connect(_asyncpg_dsn(url), timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError) as err:
        return f"{type(err).__name__}: {err}"
    await conn.close()
    return None


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(url), timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _drop_stale(url: str) -> None:
    """Drops databases left by test processes that no longer exist."""
    conn = await asyncpg.connect(_asyncpg_dsn(url), timeout=5)
    try:
        rows = await conn.fetch(
            "SELECT datname FROM pg_database WHERE datname LIKE $1", TEST_DATABASE_PREFIX + "%"
        )
        for row in rows:
            pid = row["datname"].removeprefix(TEST_DATABASE_PREFIX).split("_")[0]
            if pid.isdigit() and not _alive(int(pid)):
                await conn.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
    finally:
        await conn.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_backend_state: dict[str, str | None] = {}


def database_backend() -> tuple[str, str | None]:
    """('postgresql', None) or ('sqlite', why PostgreSQL was not used); checked once."""
    if "backend" not in _backend_state:
        problem = run_blocking(_postgres_reachable(admin_url()))
        _backend_state["backend"] = "sqlite" if problem else "postgresql"
        _backend_state["problem"] = problem
        if not problem:
            run_blocking(_drop_stale(admin_url()))
    return _backend_state["backend"] or "sqlite", _backend_state["problem"]


def create_test_database() -> tuple[str, str]:
    """Creates a fresh PostgreSQL database; returns (async URL, name)."""
    name = f"{TEST_DATABASE_PREFIX}{os.getpid()}_{next(_counter)}_{secrets.token_hex(3)}"
    run_blocking(_admin(admin_url(), f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url()).set(drivername="postgresql+asyncpg", database=name)
    return url.render_as_string(hide_password=False), name


def drop_test_database(name: str) -> None:
    """Drops a database made by ``create_test_database``."""
    run_blocking(_admin(admin_url(), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def pytest_report_header(config: pytest.Config) -> str:
    backend, problem = database_backend()
    if backend == "postgresql":
        return f"database tests: PostgreSQL at {make_url(admin_url()).render_as_string()}"
    where = "FAIL (CI=true requires PostgreSQL)" if in_ci() else "SQLite instead"
    return f"database tests: PostgreSQL unreachable ({problem}) -> {where}"


@pytest.fixture
def database_url(tmp_path: Any) -> Iterator[str]:
    """An empty database of its own for one test."""
    backend, problem = database_backend()
    if backend == "sqlite":
        if in_ci():
            pytest.fail(f"CI=true but PostgreSQL is unreachable at {admin_url()}: {problem}")
        yield f"sqlite+aiosqlite:///{tmp_path}/test.db"
        return
    url, name = create_test_database()
    try:
        yield url
    finally:
        drop_test_database(name)


@pytest.fixture
def sqlite_url(tmp_path: Any) -> str:
    """A SQLite database of its own, for tests that must also run on the zero-setup backend."""
    return f"sqlite+aiosqlite:///{tmp_path}/test.db"


@contextlib.asynccontextmanager
async def serve_app(app: Any, base_url: str = "http://test") -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client over ASGITransport with the app's lifespan running."""
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client


def reserve_port() -> socket.socket:
    """A bound, not yet listening loopback socket: connections are refused until it listens."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.asynccontextmanager
async def live_server(
    app: Any, sock: socket.socket | None = None, *, port: int = 0, lifespan: Lifespan = "on"
) -> AsyncIterator[str]:
    """Serves ``app`` with uvicorn in this event loop on a real loopback port; yields its URL.

    On ``sock`` (see ``reserve_port``) when given, else on ``port`` (0: a free one).
    """
    if sock is None:
        sock = reserve_port() if port == 0 else socket.create_server(("127.0.0.1", port))
    sock.listen(128)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            lifespan=lifespan,
            ws="none",
            timeout_graceful_shutdown=1,
        )
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(1000):  # ten seconds at most
            if server.started or task.done():
                break
            await asyncio.sleep(0.01)
        if task.done():
            task.result()
        host, bound = sock.getsockname()[:2]
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        await task
        sock.close()


class ThreadServer:
    """Serves an ASGI app with uvicorn on loopback in a daemon thread (for synchronous tests
    and test doubles called from other processes): ``with ThreadServer(app) as server``."""

    def __init__(self, app: Any, *, port: int = 0, lifespan: Lifespan = "off") -> None:
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan=lifespan,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        return self

    @property
    def base_url(self) -> str:
        host, port = self.server.servers[0].sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


def migration_drift(service_dir: Path, database_url: str, metadata: MetaData) -> list[Any]:
    """Upgrades to head, then returns the differences between the models and the schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    upgrade(service_dir, database_url)

    def compare(connection: Any) -> list[Any]:
        def ours(name: str | None, type_: str, _parent: Any) -> bool:
            return not (type_ == "table" and (name or "").startswith("alembic_version"))

        opts = {"compare_type": True, "include_name": ours}
        context = MigrationContext.configure(connection, opts=opts)
        return list(compare_metadata(context, metadata))

    async def run() -> list[Any]:
        engine = create_async_engine(normalize_url(database_url))
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(compare)
        finally:
            await engine.dispose()

    drift: list[Any] = run_blocking(run())
    return drift


async def table_names(database_url: str) -> set[str]:
    """The tables present in a database."""
    engine = create_async_engine(normalize_url(database_url))
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def execute_sql(database_url: str, *statements: str) -> list[Any]:
    """Runs plain SQL statements in one transaction; the rows of the last one (if any)."""
    engine = create_async_engine(normalize_url(database_url))
    try:
        async with engine.begin() as conn:
            rows: list[Any] = []
            for statement in statements:
                result = await conn.execute(text(statement))
                rows = list(result.all()) if result.returns_rows else []
            return rows
    finally:
        await engine.dispose()


def assert_migrations_roundtrip(
    service_dir: Path, database_url: str, metadata: MetaData, version_table: str
) -> None:
    """Head matches the models exactly, holds every table, and downgrades cleanly to base."""
    from shared.migrations import downgrade

    assert migration_drift(service_dir, database_url, metadata) == []
    assert set(metadata.tables) <= run_blocking(table_names(database_url))
    downgrade(service_dir, database_url)
    assert run_blocking(table_names(database_url)) <= {version_table}


CHROMIUM_PATH = os.environ.get("HARU_CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium keeps dialling Google's hosts, which this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
async def chromium() -> AsyncIterator[Any]:
    """Debian's Chromium under Playwright's async API (never a downloaded browser), per test.

    Missing Chromium skips the browser tests with the reason, except under CI=true where it fails.
    """
    if not os.path.exists(CHROMIUM_PATH):  # noqa: ASYNC240 (a stat, once, before any I/O)
        message = f"Debian's chromium is missing at {CHROMIUM_PATH} (apt-get install chromium)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            await browser.close()
