"""Fixtures for tests that run the router beside the real neighbouring services."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from google_emulator.testing import EmulatorProcess
from shared.testing import create_test_database, database_backend, drop_test_database
from skill_calendar.testing import served_auth_double

from .calendar_stack import ConnectedChat, connected_chat


@pytest.fixture
def other_database_url(tmp_path: Any) -> Iterator[Any]:
    """``other_database_url(name)``: one more empty database (each service owns its own)."""
    made: list[str] = []

    def make(name: str) -> str:
        backend, _problem = database_backend()
        if backend == "sqlite":
            return f"sqlite+aiosqlite:///{tmp_path}/{name}.db"
        url, database = create_test_database()
        made.append(database)
        return url

    yield make
    for database in made:
        drop_test_database(database)


@pytest.fixture
def google():
    """The Google emulator, a process, reset."""
    with EmulatorProcess() as process:
        process.control.reset()
        yield process


@pytest.fixture
def token_double(google):
    """skill-calendar's auth-server token double, its Google the emulator."""
    with served_auth_double(google_base_url=google.base_url, control=google.control) as double:
        yield double


@pytest.fixture
async def chat(
    settings, fake_auth, other_database_url, google, token_double, serve_http
) -> AsyncIterator[ConnectedChat]:
    """A connected person's chat through the router, the real skill-calendar and Google."""
    async with connected_chat(
        settings=settings,
        fake_auth=fake_auth,
        other_database_url=other_database_url,
        google=google,
        token_double=token_double,
        serve_http=serve_http,
    ) as connected:
        yield connected
