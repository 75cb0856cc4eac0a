"""The app factory."""

from fastapi import FastAPI

from slack_emulator.control.router import router as control_router
from slack_emulator.driver.router import router as driver_router
from slack_emulator.errors import (
    DriverError,
    SlackApiError,
    driver_error_handler,
    slack_api_error_handler,
)
from slack_emulator.settings import Settings
from slack_emulator.state import Identity, State
from slack_emulator.web.router import router as web_router


def create_app(settings: Settings | None = None, state: State | None = None) -> FastAPI:
    """Build the emulator app (fresh in-memory state unless one is given)."""
    settings = settings or Settings()
    if state is None:
        state = State(
            identity=Identity(
                team_id=settings.team_id,
                team_name=settings.team_name,
                team_domain=settings.team_domain,
                bot_user_id=settings.bot_user_id,
                bot_id=settings.bot_id,
                bot_name=settings.bot_name,
                app_id=settings.app_id,
            )
        )
        state.reset()
    app = FastAPI(title="Slack emulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.emulator = state
    app.add_exception_handler(SlackApiError, slack_api_error_handler)
    app.add_exception_handler(DriverError, driver_error_handler)
    app.include_router(web_router)
    app.include_router(control_router)
    app.include_router(driver_router)

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    return app
