"""A router app with a clock the test moves, and helpers to read the conversation."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from router_service.clock import ManualClock
from router_service.reminders.models import JobKind, ProactiveJob

from ..conftest import NOW


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def app(make_app, clock):
    app = await make_app()
    app.state.context.clock = clock
    return app


@pytest.fixture
def runtime(app):
    return app.state.proactive


@pytest.fixture
def history():
    async def read(client) -> list[dict[str, Any]]:
        response = await client.get("/api/chat/messages")
        assert response.status_code == 200, response.text
        return response.json()["messages"]

    return read


@pytest.fixture
def jobs(app):
    async def read(kind: JobKind | None = None) -> list[ProactiveJob]:
        async with app.state.database.sessionmaker() as session:
            query = select(ProactiveJob).order_by(ProactiveJob.id)
            if kind is not None:
                query = query.where(ProactiveJob.kind == kind)
            return list((await session.scalars(query)).all())

    return read


@pytest.fixture
def user_of(fake_auth):
    def find() -> str:
        (user_id,) = {v for (channel, _), v in fake_auth.identities.items() if channel == "web"}
        return user_id

    return find
