"""The router beside the real skill-calendar app (uvicorn, own database) and the Google emulator.

skill-calendar gets its tokens from its auth-server token double (tests only); the router's
auth-server is the contract fake of router/tests/conftest.py. The clock is Friday 2025-11-14
10:00 in Seoul.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from pydantic import SecretStr

from router_service.db import Base, load_models
from router_service.main import create_app
from shared.testing import serve_app
from skill_calendar.config import CalendarSettings
from skill_calendar.db import Base as CalendarBase
from skill_calendar.db import load_models as load_calendar_models
from skill_calendar.main import create_app as create_calendar_app
from skill_calendar.testing import CALLER_TOKEN

EMAIL = "minji@example.com"
NOW = datetime.fromisoformat("2025-11-14T10:00:00+09:00")


async def calendar_app(settings, other_database_url, token_double, google, **overrides):
    """The real skill-calendar app on its own database, its Google the emulator."""
    calendar_settings = CalendarSettings(
        database_url=other_database_url("calendar"),
        environment="test",
        service_tokens={"router": settings.calendar_token.get_secret_value()},
        auth_server_url=token_double.base_url,
        auth_server_token=SecretStr(CALLER_TOKEN),
        google_api_base_url=google.base_url,
        **overrides,
    )
    app = create_calendar_app(calendar_settings)
    load_calendar_models()
    await app.state.database.create_all(CalendarBase.metadata)
    return app


async def router_on_calendar(settings, fake_auth, calendar_url: str, **update: Any):
    """The router app on a served skill-calendar, its clock at NOW and its tables made; its
    auth-server the contract fake."""
    app = create_app(
        settings.model_copy(update={"calendar_url": calendar_url, **update}),
        transports={"auth-server": httpx.ASGITransport(app=fake_auth.app)},
    )
    app.state.context.clock = lambda: NOW
    load_models()
    await app.state.database.create_all(Base.metadata)
    return app


@dataclass
class ConnectedChat:
    """A chat session whose person has Google connected, and where to look at the outcome."""

    client: httpx.AsyncClient
    user_id: str
    calendar_url: str
    router_app: Any
    google: Any

    async def week_of(self, day: str) -> list[tuple[str, str]]:
        """(start, title) of the events skill-calendar lists in the 7 days from ``day``."""
        start = datetime.fromisoformat(f"{day}T00:00:00+09:00")
        listed = await self.router_app.state.context.calendar.list_events(
            user_id=self.user_id, start=start, end=start + timedelta(days=7)
        )
        return [(e.start.isoformat(), e.title) for e in listed]

    async def live_events(self) -> list[dict[str, Any]]:
        """The person's events in the Google emulator, not cancelled."""
        events = await asyncio.to_thread(self.google.control.events, EMAIL)
        return [e for e in events if e.get("status") != "cancelled"]


@asynccontextmanager
async def connected_chat(
    *, settings, fake_auth, other_database_url, google, token_double, serve_http
) -> AsyncIterator[ConnectedChat]:
    """The router (ASGI, clock at NOW) → skill-calendar (uvicorn) → the Google emulator, and
    one chat session whose person has connected Google."""
    served_calendar = await calendar_app(
        settings, other_database_url, token_double, google, google_timeout_s=2.0
    )
    async with serve_http(served_calendar) as calendar_url:
        router = await router_on_calendar(
            settings, fake_auth, calendar_url, chat_messages_per_session_per_minute=600
        )
        async with serve_app(router) as client:
            user_id = (await client.get("/api/chat/session")).json()["user_id"]
            token_double.add_user(user_id)
            await asyncio.to_thread(token_double.connect, user_id=user_id, email=EMAIL)
            yield ConnectedChat(client, user_id, calendar_url, router, google)
    await router.state.database.dispose()
