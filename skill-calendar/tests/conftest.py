"""Fixtures for skill-calendar's tests: an app on its own database, and a client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from shared.testing import serve_app
from skill_calendar.config import CalendarSettings
from skill_calendar.db import Base, load_models
from skill_calendar.main import create_app

ROUTER_TOKEN = "test-router-token"
SERVICE_HEADERS = {"Authorization": f"Bearer {ROUTER_TOKEN}"}


@pytest.fixture
def settings(database_url: str) -> CalendarSettings:
    return CalendarSettings(
        database_url=database_url, environment="test", service_tokens={"router": ROUTER_TOKEN}
    )


@pytest.fixture
async def app(settings: CalendarSettings):
    app = create_app(settings)
    load_models()
    await app.state.database.create_all(Base.metadata)
    return app


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(app) as client:
        yield client


@pytest.fixture
def service_headers() -> dict[str, str]:
    return dict(SERVICE_HEADERS)
