"""Fixtures for the auth-server's tests: an app on its own database, and a client."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import event

from auth_server.config import AuthSettings
from auth_server.crypto import generate_key
from auth_server.db import Base, load_models
from auth_server.main import create_app
from shared.auth import token_sha256
from shared.testing import live_server, reserve_port, serve_app

ROUTER_TOKEN = "test-router-token"
CALENDAR_TOKEN = "test-calendar-token"
SERVICE_HEADERS = {"Authorization": f"Bearer {ROUTER_TOKEN}"}
CALENDAR_HEADERS = {"Authorization": f"Bearer {CALENDAR_TOKEN}"}
ENCRYPTION_KEY = generate_key()


@pytest.fixture
def settings(database_url: str) -> AuthSettings:
    return AuthSettings(
        database_url=database_url,
        environment="test",
        service_tokens={"router": ROUTER_TOKEN, "skill-calendar": CALENDAR_TOKEN},
        encryption_keys=ENCRYPTION_KEY,
        public_base_url="http://127.0.0.1:8001",
        chat_url="http://127.0.0.1:8000/",
        router_url="",
    )


@pytest.fixture
async def client(settings: AuthSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    load_models()
    await app.state.database.create_all(Base.metadata)
    async with serve_app(app, base_url="http://127.0.0.1:8001") as client:
        client.app = app  # type: ignore[attr-defined]
        yield client


@pytest.fixture
def service_headers() -> dict[str, str]:
    return dict(SERVICE_HEADERS)


@pytest.fixture
def calendar_headers() -> dict[str, str]:
    return dict(CALENDAR_HEADERS)


async def eventually(check, *, timeout: float = 15.0, interval: float = 0.05):
    """Polls ``check`` (async) until it returns a truthy value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(interval)


@pytest.fixture
def live():
    """``live(app)``: an async context manager serving the app on a real port."""
    return live_server


@pytest.fixture
def reserve():
    return reserve_port


@pytest.fixture
def wait_for():
    return eventually


def emulator_settings(settings: AuthSettings, base_url: str, **extra) -> AuthSettings:
    """``settings`` pointed at the Google emulator at ``base_url``."""
    return settings.model_copy(
        update={
            "google_auth_uri": f"{base_url}/o/oauth2/v2/auth",
            "google_token_uri": f"{base_url}/token",
            "google_revoke_uri": f"{base_url}/revoke",
            "google_userinfo_uri": f"{base_url}/v1/userinfo",
            **extra,
        }
    )


try:  # The emulator's pytest plugin (root conftest) provides ``google_emulator``.
    import google_emulator.testing
except ImportError:  # Its branch is not merged here yet: say so instead of erroring.

    @pytest.fixture
    def google_emulator():
        pytest.skip("Google emulator (google_emulator.testing) is not available in this tree")


@pytest.fixture
def google_settings(settings: AuthSettings, google_emulator) -> AuthSettings:
    return emulator_settings(
        settings, google_emulator.base_url, google_retry_after_cap_seconds=0.05
    )


@pytest.fixture
async def gclient(google_settings: AuthSettings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an auth-server that talks to the Google emulator."""
    app = create_app(google_settings)
    load_models()
    await app.state.database.create_all(Base.metadata)
    async with serve_app(app, base_url="http://127.0.0.1:8001") as client:
        client.app = app  # type: ignore[attr-defined]
        yield client


class Flow:
    """Drives the connect flow the way a browser would, with the emulator's consent step."""

    def __init__(self, client: httpx.AsyncClient, emulator) -> None:
        self.client = client
        self.emulator = emulator

    async def user(
        self, external_id: str = "web-1", channel: str = "web", display_name: str | None = None
    ) -> str:
        body = {"channel": channel, "external_id": external_id}
        if display_name is not None:
            body["display_name"] = display_name
        response = await self.client.post(
            "/internal/identities/resolve", json=body, headers=SERVICE_HEADERS
        )
        return response.json()["user_id"]

    async def link(
        self,
        user_id: str,
        capability: str = "calendar",
        ref: str | None = "pa-1",
        *,
        channel: str | None = None,
        external_id: str | None = None,
    ):
        body = {"user_id": user_id, "capability": capability, "pending_action_ref": ref}
        if channel is not None:
            body["channel"] = channel
        if external_id is not None:
            body["external_id"] = external_id
        response = await self.client.post(
            "/internal/connect-links", json=body, headers=SERVICE_HEADERS
        )
        assert response.status_code == 201, response.text
        return response.json()["url"]

    def other_browser(self) -> httpx.AsyncClient:
        """Another browser (its own cookie jar) on the same running app."""
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.client.app), base_url=str(self.client.base_url)
        )

    async def to_google(self, connect_url: str) -> str:
        response = await self.client.post(local_path(connect_url))
        assert response.status_code == 303, response.text
        return response.headers["location"]

    async def consent(self, google_url: str, email: str, *, allow: bool = True, scopes=None):
        return await asyncio.to_thread(
            self.emulator.control.authorize, google_url, email, allow=allow, scopes=scopes
        )

    async def back(self, redirect_url: str) -> httpx.Response:
        return await self.client.get(local_path(redirect_url))

    async def connect(
        self,
        user_id: str,
        email: str = "minji@example.com",
        capability: str = "calendar",
        *,
        allow: bool = True,
        scopes=None,
        ref: str | None = "pa-1",
    ) -> httpx.Response:
        google_url = await self.to_google(await self.link(user_id, capability, ref))
        return await self.back(await self.consent(google_url, email, allow=allow, scopes=scopes))

    async def token(
        self,
        user_id: str,
        capability: str = "calendar",
        force: bool = False,
        refused: str | None = None,
        client: httpx.AsyncClient | None = None,
    ):
        """POST /internal/tokens; ``refused`` is the access token Google refused (sent hashed)."""
        body: dict = {"user_id": user_id, "capability": capability, "force_refresh": force}
        if refused is not None:
            body["refused_token_sha256"] = token_sha256(refused)
        return await (client or self.client).post(
            "/internal/tokens", json=body, headers=CALENDAR_HEADERS
        )

    async def grant(self, user_id: str, capability: str = "calendar") -> dict:
        response = await self.client.get(
            f"/internal/users/{user_id}/grants/{capability}", headers=SERVICE_HEADERS
        )
        return response.json()


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
def flow(gclient, google_emulator) -> Flow:
    return Flow(gclient, google_emulator)


@contextlib.contextmanager
def _statements_sent(app) -> Iterator[list[tuple[str, object]]]:
    """Each statement ``app``'s engine sends meanwhile: (its verb, its isolation level)."""
    engine = app.state.database.engine.sync_engine
    seen: list[tuple[str, object]] = []

    def note(_conn, _cursor, statement, _params, context, _many) -> None:
        seen.append((statement.split()[0], context.execution_options.get("isolation_level")))

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


@pytest.fixture
def statements_sent():
    """``with statements_sent(app) as seen``: each statement the app's engine sends meanwhile,
    as (its verb, its isolation level)."""
    return _statements_sent
