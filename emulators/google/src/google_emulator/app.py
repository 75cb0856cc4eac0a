"""The app factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from google_emulator.calendar.channels import PushNotifier
from google_emulator.calendar.page import router as event_page_router
from google_emulator.calendar.router import router as calendar_router
from google_emulator.calls import EmulatorApp
from google_emulator.control.router import router as control_router
from google_emulator.errors import (
    GoogleApiError,
    OAuthError,
    google_api_error_handler,
    oauth_error_handler,
)
from google_emulator.oauth.router import router as oauth_router
from google_emulator.settings import Settings
from google_emulator.state import State


def create_app(settings: Settings | None = None, state: State | None = None) -> FastAPI:
    """Build the emulator app; state is loaded from the state file when one is set."""
    settings = settings or Settings.from_env()
    if state is None:
        state = State(state_file=settings.state_file)
        state.load()
    push = PushNotifier(state)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        push.start()
        try:
            yield
        finally:
            await push.stop()

    app = EmulatorApp(
        title="Google emulator", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.settings = settings
    app.state.emulator = state
    app.state.push = push
    app.add_exception_handler(GoogleApiError, google_api_error_handler)
    app.add_exception_handler(OAuthError, oauth_error_handler)
    app.include_router(control_router)
    app.include_router(oauth_router)
    app.include_router(calendar_router, prefix="/calendar/v3")
    app.include_router(calendar_router)
    app.include_router(event_page_router)

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"ok": True}

    @app.get("/")
    async def root() -> RedirectResponse:
        return RedirectResponse("/emulator/")

    return app
