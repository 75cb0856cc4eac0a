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
from shared.db import SessionDep, is_sqlite
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
