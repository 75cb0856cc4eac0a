"""The skill-calendar app factory."""

from __future__ import annotations

from fastapi import FastAPI

from shared.app import build_app
from shared.settings import load_settings
from skill_calendar.api import api_router
from skill_calendar.config import CalendarSettings


def create_app(settings: CalendarSettings | None = None) -> FastAPI:
    """Builds the skill-calendar app from ``settings`` (or the environment)."""
    return build_app(
        service="skill-calendar",
        title="Haru skill-calendar",
        summary="Timezone-aware Google Calendar CRUD, idempotent and duplicate-aware",
        settings=settings or load_settings(CalendarSettings),
        routers=[api_router],
    )
