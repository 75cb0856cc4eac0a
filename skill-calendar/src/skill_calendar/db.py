"""skill-calendar's declarative base; every model of this service hangs off it."""

from sqlalchemy.orm import DeclarativeBase

from shared.db import make_metadata


class Base(DeclarativeBase):
    metadata = make_metadata()


def load_models() -> None:
    """Imports every models module so that ``Base.metadata`` is complete."""
    from skill_calendar.idempotency import models  # noqa: F401
    from skill_calendar.sync import models as sync_models  # noqa: F401
