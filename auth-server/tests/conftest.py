"""Fixtures for the auth-server's tests: an app on its own database, and a client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from auth_server.config import AuthSettings
from auth_server.db import Base, load_models
from auth_server.main import create_app
from shared.testing import serve_app

ROUTER_TOKEN = "test-router-token"
CALENDAR_TOKEN = "test-calendar-token"
SERVICE_HEADERS = {"Authorization": f"Bearer {ROUTER_TOKEN}"}


@pytest.fixture
def settings(database_url: str) -> AuthSettings:
    return AuthSettings(
        database_url=database_url,
        environment="test",
        service_tokens={"router": ROUTER_TOKEN, "skill-calendar": CALENDAR_TOKEN},
    )


@pytest.fixture
async def client(settings: AuthSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    load_models()
    await app.state.database.create_all(Base.metadata)
    async with serve_app(app) as client:
        yield client


@pytest.fixture
def service_headers() -> dict[str, str]:
    return dict(SERVICE_HEADERS)
