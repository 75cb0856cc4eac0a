"""Fixtures for skill-calendar's tests: an app on its own database, the Google emulator,
a test double of the auth-server token API, and a client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from google_emulator.testing import EmulatorProcess
from shared.testing import serve_app
from skill_calendar.config import CalendarSettings
from skill_calendar.db import Base, load_models
from skill_calendar.main import create_app
from skill_calendar.testing import CALLER_TOKEN, served_auth_double

ROUTER_TOKEN = "test-router-token"
SERVICE_HEADERS = {"Authorization": f"Bearer {ROUTER_TOKEN}"}


class FakeClock:
    """A monotonic clock and a sleep that only moves it (retries wait no real time)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture(scope="session")
def _google_process(request: pytest.FixtureRequest) -> Iterator[Any]:
    try:  # the shared session-wide process of the google_emulator pytest plugin
        yield request.getfixturevalue("google_emulator_process")
        return
    except pytest.FixtureLookupError:
        pass
    with EmulatorProcess() as process:
        yield process


@pytest.fixture
def google(_google_process: Any) -> Any:
    """The Google emulator (a real process), reset; ``.base_url`` and ``.control``."""
    _google_process.control.reset()
    return _google_process


@pytest.fixture
def auth_double(google: Any) -> Iterator[Any]:
    """The auth-server token API double, served on a free port; ``.connect(user_id, email)``."""
    with served_auth_double(google_base_url=google.base_url, control=google.control) as double:
        yield double


@pytest.fixture
def settings(database_url: str, request: pytest.FixtureRequest) -> CalendarSettings:
    extra: dict[str, Any] = {}
    if "auth_double" in request.fixturenames:
        double = request.getfixturevalue("auth_double")
        extra = {
            "auth_server_url": double.base_url,
            "auth_server_token": CALLER_TOKEN,
            "google_api_base_url": double.google_base_url,
            "google_timeout_s": 1.0,
            "google_retry_budget_s": 20.0,
        }
    return CalendarSettings(
        database_url=database_url,
        environment="test",
        service_tokens={"router": ROUTER_TOKEN},
        **extra,
    )


@pytest.fixture
async def app(settings: CalendarSettings):
    app = create_app(settings)
    load_models()
    await app.state.database.create_all(Base.metadata)
    return app


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def client(app, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(app) as client:
        runtime = getattr(app.state, "calendar", None)
        if runtime is not None:
            runtime.google.sleep = clock.sleep
            runtime.google.clock = clock
        yield client


@pytest.fixture
def service_headers() -> dict[str, str]:
    return dict(SERVICE_HEADERS)
