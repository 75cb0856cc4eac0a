"""The auth-server app factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from auth_server.api import api_router
from auth_server.config import AuthSettings
from auth_server.crypto import cipher_from_settings
from auth_server.events.models import CHANNEL as GRANT_EVENTS_CHANNEL
from auth_server.events.worker import OutboxWorker
from auth_server.grants.google import GoogleOAuthClient
from auth_server.housekeeping import housekeeper
from auth_server.runtime import AuthRuntime
from shared.app import build_app
from shared.http import create_client
from shared.settings import load_settings
from shared.work.notify import listener_for


def build_runtime(settings: AuthSettings, app: FastAPI) -> AuthRuntime:
    """The cipher, the Google client and the outbox worker of one app."""
    cipher = cipher_from_settings(
        encryption_keys=settings.encryption_keys.get_secret_value(),
        environment=settings.environment,
        dev_key_file=settings.dev_key_file,
    )
    google = GoogleOAuthClient(
        client_id=settings.google_client_id,
        client_secret=settings.google_client_secret.get_secret_value(),
        auth_uri=settings.google_auth_uri,
        token_uri=settings.google_token_uri,
        revoke_uri=settings.google_revoke_uri,
        userinfo_uri=settings.google_userinfo_uri,
        timeout=settings.google_timeout_seconds,
        retries=settings.google_retries,
        retry_after_cap=settings.google_retry_after_cap_seconds,
        allow_http_hosts=frozenset(settings.google_allow_http_hosts),
    )
    return AuthRuntime(
        settings=settings,
        cipher=cipher,
        google=google,
        sessionmaker=app.state.database.sessionmaker,
    )


# The account page waits this long for the router's answer, then shows the page without it.
ACCOUNT_PAGE_ROUTER_TIMEOUT = 2.0


def create_app(settings: AuthSettings | None = None) -> FastAPI:
    """Builds the auth-server app from ``settings`` (or the environment)."""
    settings = settings or load_settings(AuthSettings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime: AuthRuntime = app.state.auth
        registry = app.state.metrics.registry
        listener = listener_for(app.state.database.url, channels=[GRANT_EVENTS_CHANNEL])
        app.state.listener = listener
        if settings.outbox_enabled and settings.router_url:
            runtime.outbox = OutboxWorker(
                settings=settings,
                sessionmaker=runtime.sessionmaker,
                client=create_client(
                    base_url=settings.router_url,
                    token=settings.router_token.get_secret_value() or None,
                    timeout=settings.outbox_timeout_seconds,
                    retries=0,
                ),
                registry=registry,
                listener=listener,
            )
            runtime.outbox.start()
        if settings.router_url and runtime.router_http is None:
            runtime.router_http = create_client(
                base_url=settings.router_url,
                token=settings.router_token.get_secret_value() or None,
                timeout=ACCOUNT_PAGE_ROUTER_TIMEOUT,
                retries=0,
            )
        purge = housekeeper(
            sessionmaker=runtime.sessionmaker,
            every_seconds=settings.housekeeping_seconds,
            registry=registry,
        )
        purge.start()
        if listener is not None:
            await listener.start()
        try:
            yield
        finally:
            if listener is not None:
                await listener.stop()
            await purge.stop()
            if runtime.outbox is not None:
                await runtime.outbox.stop()
                runtime.outbox = None
            await runtime.google.aclose()
            if runtime.router_http is not None:
                await runtime.router_http.aclose()
                runtime.router_http = None

    app = build_app(
        service="auth-server",
        title="Haru auth-server",
        summary="Users, channel identities and Google grants",
        settings=settings,
        routers=[api_router],
        lifespan=lifespan,
    )
    app.state.auth = build_runtime(settings, app)
    return app
