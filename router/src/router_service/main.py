"""The router app factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime

import httpx
from fastapi import FastAPI

from router_service.api import api_router
from router_service.chat.live import MESSAGES_CHANNEL
from router_service.clients.auth_server import AuthServerClient
from router_service.clients.calendar import CalendarClient
from router_service.clock import clock_for
from router_service.config import RouterSettings
from router_service.context import RouterContext
from router_service.dialogue.flows import recover_stalled
from router_service.grants.service import PROCESSING_GRACE, recover_grant_events
from router_service.housekeeping import run_housekeeping
from router_service.nlu.llm import LlmParser, OpenAiNluParser
from router_service.ratelimits import ChatLimits, RateLimitedLlm
from router_service.reminders.hooks import follow_calendar_changes
from router_service.reminders.metrics import ReminderMetrics
from router_service.reminders.worker import ProactiveRuntime
from router_service.slack.models import DELIVERIES_CHANNEL
from router_service.slack.worker import SlackRuntime
from router_service.web.router import static_files
from shared.app import build_app
from shared.db import utcnow
from shared.http import create_client
from shared.settings import load_settings
from shared.work.notify import Listener, listener_for
from shared.work.periodic import Periodic

logger = logging.getLogger(__name__)


async def _recover(context: RouterContext, *, started_at: datetime) -> None:
    """One round of taking up what a stopped process left: grant events recorded but not
    processed, then approved actions not finished.

    An unprocessed event younger than PROCESSING_GRACE is probably in another process's
    hands, unless it arrived before this process started (its process may be gone).
    """
    received_before = max(utcnow() - PROCESSING_GRACE, started_at)
    try:
        await recover_grant_events(app=context, received_before=received_before)
    except Exception:  # the stalled actions still get their turn
        logger.exception("grant event recovery failed")
    async with context.sessionmaker() as session:
        await recover_stalled(session=session, app=context)


def _nlu_llm(settings: RouterSettings) -> LlmParser | None:
    """The NLU's LLM fallback when ROUTER_LLM_ENABLED is set and the client can be built."""
    if not settings.llm_enabled:
        return None
    try:
        parser = OpenAiNluParser(
            model=settings.llm_model, timeout_seconds=settings.llm_timeout_seconds
        )
        return RateLimitedLlm(parser, per_minute=settings.llm_calls_per_minute)
    except Exception as err:  # e.g. no OPENAI_API_KEY: the rules still answer
        logger.warning("dialogue llm fallback disabled: %s", type(err).__name__)
        return None


def create_app(
    settings: RouterSettings | None = None,
    *,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
) -> FastAPI:
    """Builds the router app from ``settings`` (or the environment).

    ``transports`` may route the clients of ``auth-server`` and ``skill-calendar`` through
    given transports (in-process apps in tests) instead of the network.
    """
    settings = settings or load_settings(RouterSettings)
    transports = transports or {}
    auth_http = create_client(
        base_url=settings.auth_server_url,
        token=settings.auth_server_token.get_secret_value() or None,
        transport=transports.get("auth-server"),
    )
    calendar_http = create_client(
        base_url=settings.calendar_url,
        token=settings.calendar_token.get_secret_value() or None,
        transport=transports.get("skill-calendar"),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started_at = utcnow()
        recovery = Periodic(
            "dialogue-recovery",  # unprocessed grant events, then stalled actions
            lambda: _recover(app.state.context, started_at=started_at),
            every=settings.recovery_interval_seconds,
            registry=app.state.metrics.registry,
        )
        if settings.recovery_interval_seconds > 0:
            recovery.start()
        housekeeping = Periodic(
            "web-housekeeping",
            lambda: run_housekeeping(app),
            every=settings.housekeeping_interval_seconds,
            registry=app.state.metrics.registry,
        )
        if settings.housekeeping_interval_seconds > 0:
            housekeeping.start()
        listener: Listener | None = app.state.listener
        if listener is not None:
            await listener.start()
        slack: SlackRuntime | None = app.state.slack
        if slack is not None:
            slack.start()
        proactive: ProactiveRuntime = app.state.proactive
        proactive.start()
        try:
            yield
        finally:
            await proactive.stop()
            if slack is not None:
                await slack.stop()
            if listener is not None:
                await listener.stop()
            await recovery.stop()
            await housekeeping.stop()
            await auth_http.aclose()
            await calendar_http.aclose()

    app = build_app(
        service="router",
        title="Haru router",
        summary="Korean NLU, conversations, approvals, the web chat and Slack",
        settings=settings,
        routers=[api_router],
        lifespan=lifespan,
        streaming_paths=["/api/chat/stream"],
    )
    app.state.context = RouterContext(
        settings=settings,
        sessionmaker=app.state.database.sessionmaker,
        auth=AuthServerClient(auth_http),
        calendar=CalendarClient(calendar_http),
        llm=_nlu_llm(settings),
        clock=clock_for(settings.clock_offset_seconds),
        reminder_metrics=ReminderMetrics(app.state.metrics.registry),
    )
    app.state.chat_limits = ChatLimits.from_settings(settings)
    # PostgreSQL: one LISTEN connection wakes the delivery worker and the chat streams.
    app.state.listener = listener_for(
        app.state.database.url, channels=[DELIVERIES_CHANNEL, MESSAGES_CHANNEL]
    )
    app.state.slack = None
    if settings.slack_enabled:
        app.state.slack = SlackRuntime(
            context=app.state.context,
            registry=app.state.metrics.registry,
            listener=app.state.listener,
        )
    else:
        logger.info("slack channel off (no bot token or signing secret)")
    # Reminders follow events changed in Google directly (the sync's calendar_changes hook).
    follow_calendar_changes(app.state.context)
    # Reminders and morning agendas: one durable queue, worked as of the router's clock.
    app.state.proactive = ProactiveRuntime(
        context=app.state.context, registry=app.state.metrics.registry
    )
    app.mount("/static", static_files(), name="static")
    return app
