"""Alembic environment of skill-calendar (its own version table)."""

from shared.migrations import run_env
from skill_calendar.config import CalendarSettings
from skill_calendar.db import Base, load_models

load_models()
run_env(
    metadata=Base.metadata,
    version_table="alembic_version_calendar",
    url_env="CALENDAR_DATABASE_URL",
    default_url=CalendarSettings.model_fields["database_url"].default,
)
