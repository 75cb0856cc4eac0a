"""Fixtures for tests that run the router beside the real neighbouring services."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shared.testing import create_test_database, database_backend, drop_test_database


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
