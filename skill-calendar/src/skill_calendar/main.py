"""The skill-calendar app factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import anyio
from fastapi import FastAPI

from shared.app import build_app
from shared.http import create_client
from shared.settings import load_settings
from skill_calendar.api import api_router
from skill_calendar.config import CalendarSettings
from skill_calendar.events.dependencies import CalendarRuntime
from skill_calendar.google.client import GoogleCalendarClient
from skill_calendar.google.zones import CalendarZones
from skill_calendar.idempotency.service import ledger_janitor
from skill_calendar.sync.engine import SyncEngine, SyncPolicy
from skill_calendar.sync.worker import SyncRuntime
from skill_calendar.tokens.service import AuthServerTokens


def create_app(settings: CalendarSettings | None = None) -> FastAPI:
    """Builds the skill-calendar app from ``settings`` (or the environment)."""
    settings = settings or load_settings(CalendarSettings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        auth_http = create_client(
            base_url=settings.auth_server_url,
            token=settings.auth_server_token.get_secret_value() or None,
            timeout=10.0,
            retries=2,
        )
        # Retries against Google are the client's own (budgeted, rate-limit aware).
        google_http = create_client(
            base_url=settings.google_api_base_url,
            timeout=settings.google_timeout_s,
            retries=0,
            max_connections=settings.google_max_concurrency,
        )
        tokens = AuthServerTokens(
            http=auth_http,
            expiry_margin_s=settings.token_expiry_margin_s,
            cache_size=settings.cache_max_users,
        )
        google = GoogleCalendarClient(
            http=google_http,
            tokens=tokens,
            limiter=anyio.CapacityLimiter(settings.google_max_concurrency),
            retry_budget_s=settings.google_retry_budget_s,
            backoff_base_s=settings.google_backoff_base_s,
            backoff_cap_s=settings.google_backoff_cap_s,
        )
        zones = CalendarZones(
            google=google, ttl_s=settings.zone_cache_ttl_s, max_size=settings.cache_max_users
        )
        ttl = timedelta(hours=settings.idempotency_ttl_hours)
        app.state.calendar = CalendarRuntime(
            google=google, zones=zones, tokens=tokens, idempotency_ttl=ttl
        )
        janitor = ledger_janitor(
            sessionmaker=app.state.database.sessionmaker,
            ttl=ttl,
            every_seconds=settings.idempotency_purge_s,
            registry=app.state.metrics.registry,
        )
        janitor.start()
        router_http = create_client(
            base_url=settings.router_url,
            token=settings.router_token.get_secret_value() or None,
            timeout=10.0,
            retries=0,  # the notice outbox retries, durably
        )
        policy = SyncPolicy(
            public_url=settings.public_url,
            channel_ttl_s=settings.channel_ttl_s,
            renew_before=timedelta(seconds=settings.channel_renew_margin_s),
            full_sync_days=settings.full_sync_days,
        )
        app.state.sync = SyncRuntime(
            settings=settings,
            engine=SyncEngine(
                google=google,
                zones=zones,
                sessionmaker=app.state.database.sessionmaker,
                policy=policy,
            ),
            sessionmaker=app.state.database.sessionmaker,
            router_client=router_http,
            registry=app.state.metrics.registry,
        )
        app.state.sync.start()
        try:
            yield
        finally:
            await app.state.sync.stop()
            await janitor.stop()
            await google_http.aclose()
            await auth_http.aclose()

    return build_app(
        service="skill-calendar",
        title="Haru skill-calendar",
        summary="Timezone-aware Google Calendar CRUD, idempotent and duplicate-aware",
        settings=settings,
        routers=[api_router],
        lifespan=lifespan,
    )
