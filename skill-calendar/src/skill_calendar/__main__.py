"""``python -m skill_calendar``: serve the skill-calendar."""

from shared.server import serve
from shared.settings import load_settings
from skill_calendar.config import CalendarSettings
from skill_calendar.main import create_app

if __name__ == "__main__":
    settings = load_settings(CalendarSettings)
    serve(create_app, settings, port=settings.port)
