"""Hardening every service gets from build_app (issue 22 item 5): body size limit, security
headers, docs and metrics off the public port in production, a prompt 503 when the pool is
exhausted, SQLite files owner-only."""

import asyncio
import stat
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from shared.app import build_app
from shared.db import Database, SessionDep, is_sqlite
from shared.settings import ServiceSettings
from shared.testing import serve_app

LIMIT = 64 * 1024


class Note(BaseModel):
    text: str


def _router() -> APIRouter:
    router = APIRouter()

    @router.post("/notes")
    async def add(note: Note) -> dict[str, int]:
        return {"chars": len(note.text)}

    @router.get("/count")
    async def count(session: SessionDep) -> dict[str, int]:
        return {"one": int(await session.scalar(text("SELECT 1")))}

    return router


def _app(database_url: str, **settings):
    config = ServiceSettings(database_url=database_url, max_body_bytes=LIMIT, **settings)
    return build_app(
        service="demo", title="demo", summary="demo", settings=config, routers=[_router()]
    )


def _korean_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert any("\uac00" <= ch <= "\ud7a3" for ch in error["message"])


async def test_a_body_over_the_limit_is_a_413_in_the_one_shape(sqlite_url):
    async with serve_app(_app(sqlite_url)) as client:
        fits = await client.post("/notes", json={"text": "가" * 1000})
        assert fits.status_code == 200
        response = await client.post("/notes", json={"text": "x" * (LIMIT + 1)})
        _korean_error(response, 413, "request.too_large")
        assert response.json()["error"]["details"] == {"max_bytes": LIMIT}


async def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(sqlite_url):
    sent = 0

    async def chunks():
        nonlocal sent
        for _ in range(1000):  # 64 MB if it were read in full
            sent += 1
            yield b"x" * 65536

    async with serve_app(_app(sqlite_url)) as client:
        response = await client.post(
            "/notes", content=chunks(), headers={"Content-Type": "application/json"}
        )
    _korean_error(response, 413, "request.too_large")
    assert sent < 10


async def test_every_answer_carries_the_security_headers(sqlite_url):
    async with serve_app(_app(sqlite_url)) as client:
        for response in (
            await client.get("/healthz"),
            await client.get("/nowhere"),
            await client.post("/notes", json={}),
        ):
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["referrer-policy"] == "no-referrer"
            policy = response.headers["content-security-policy"]
            assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy


async def test_docs_and_openapi_are_served_outside_production(sqlite_url):
    async with serve_app(_app(sqlite_url, environment="development")) as client:
        assert (await client.get("/openapi.json")).status_code == 200
        assert (await client.get("/docs")).status_code == 200
        assert (await client.get("/metrics")).status_code == 200


async def test_production_serves_no_docs_openapi_or_open_metrics(sqlite_url):
    async with serve_app(_app(sqlite_url, environment="production")) as client:
        for path in ("/openapi.json", "/docs", "/redoc", "/metrics"):
            assert (await client.get(path)).status_code == 404, path
        assert (await client.get("/healthz")).status_code == 200


async def test_metrics_behind_a_token_when_one_is_set(sqlite_url):
    app = _app(sqlite_url, environment="production", metrics_token="scrape-me")
    async with serve_app(app) as client:
        assert (await client.get("/metrics")).status_code == 401
        wrong = await client.get(
            "/metrics", headers={"Authorization": "Bearer \u00e9".encode("latin-1")}
        )
        assert wrong.status_code == 401
        ok = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert ok.status_code == 200 and "http_requests_total" in ok.text


@pytest.mark.db
async def test_an_exhausted_pool_is_a_prompt_503_with_retry_after(database_url):
    if is_sqlite(database_url):
        pytest.skip("the pool sizes below are PostgreSQL's (SQLite keeps its own pool)")
    app = _app(database_url, database_pool_size=1, database_pool_timeout_seconds=0.3)
    engine = app.state.database.engine
    async with serve_app(app) as client:
        held = [await engine.connect(), await engine.connect()]  # pool 1 + overflow 1
        try:
            response = await asyncio.wait_for(client.get("/count"), timeout=10)
        finally:
            for connection in held:
                await connection.close()
        _korean_error(response, 503, "database.busy")
        assert response.headers["retry-after"] == "1"
        assert (await client.get("/count")).status_code == 200


def test_sqlite_files_are_created_owner_only(tmp_path: Path):
    path = tmp_path / "var" / "demo.db"
    app = _app(f"sqlite+aiosqlite:///{path}")
    assert app is not None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)  # an older file is tightened too
    _app(f"sqlite+aiosqlite:///{path}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def _blocking_app(database_url: str, **settings):
    """An app whose ``/slow`` waits until the test lets it go (no clocks involved)."""
    config = ServiceSettings(database_url=database_url, **settings)
    router = APIRouter()
    release = asyncio.Event()
    entered = asyncio.Event()

    @router.get("/slow")
    async def slow() -> dict[str, bool]:
        entered.set()
        await release.wait()
        return {"done": True}

    @router.get("/quick")
    async def quick() -> dict[str, bool]:
        return {"done": True}

    app = build_app(service="demo", title="demo", summary="demo", settings=config, routers=[router])
    return app, entered, release


async def test_a_process_at_its_concurrency_limit_refuses_with_a_prompt_503(sqlite_url):
    app, entered, release = _blocking_app(
        sqlite_url, max_concurrent_requests=1, admission_wait_seconds=0
    )
    async with serve_app(app) as client:
        first = asyncio.create_task(client.get("/slow"))
        await entered.wait()
        refused = await client.get("/quick")
        _korean_error(refused, 503, "server.busy")
        assert refused.headers["retry-after"] == "1"
        assert refused.json()["error"]["details"] == {"retry_after": 1}
        assert refused.headers["x-request-id"]  # answered inside the request context
        # Health is never refused: an orchestrator must not restart a busy process.
        assert (await client.get("/healthz")).status_code == 200
        release.set()
        assert (await first).status_code == 200
        assert (await client.get("/quick")).status_code == 200


async def test_a_request_over_the_limit_waits_for_a_slot_within_the_admission_wait(sqlite_url):
    app, entered, release = _blocking_app(
        sqlite_url, max_concurrent_requests=1, admission_wait_seconds=30
    )
    async with serve_app(app) as client:
        first = asyncio.create_task(client.get("/slow"))
        await entered.wait()
        second = asyncio.create_task(client.get("/quick"))
        await asyncio.sleep(0)  # the second is queued, not refused
        assert not second.done()
        release.set()
        assert (await first).status_code == 200
        assert (await second).status_code == 200


def test_the_default_concurrency_limit_is_what_the_pool_can_hold(sqlite_url):
    settings = ServiceSettings(database_url=sqlite_url, database_pool_size=7)
    assert settings.concurrency_limit == 14  # pool + overflow
    assert (
        ServiceSettings(database_url=sqlite_url, max_concurrent_requests=0).concurrency_limit == 0
    )
    assert (
        ServiceSettings(database_url=sqlite_url, max_concurrent_requests=3).concurrency_limit == 3
    )


@pytest.mark.db
async def test_a_cut_pooled_connection_is_replaced_before_use(database_url):
    if is_sqlite(database_url):
        pytest.skip("PostgreSQL's backends are cut here")
    app = _app(database_url, database_pool_size=1)
    engine = app.state.database.engine
    async with serve_app(app) as client:
        assert (await client.get("/count")).status_code == 200  # the pool holds one now
        async with engine.connect() as conn:
            pid = await conn.scalar(text("SELECT pg_backend_pid()"))
        other = Database(database_url)  # cuts it from outside the app's pool
        try:
            async with other.engine.connect() as conn:
                await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        finally:
            await other.dispose()
        # The request finds its pooled connection dead at checkout and gets a fresh one.
        response = await client.get("/count")
        assert response.status_code == 200, response.text
