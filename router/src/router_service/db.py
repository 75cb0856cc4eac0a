"""The router's declarative base; every model of this service hangs off it."""

from sqlalchemy.orm import DeclarativeBase

from shared.db import make_metadata


class Base(DeclarativeBase):
    metadata = make_metadata()


def load_models() -> None:
    """Imports every models module so that ``Base.metadata`` is complete."""
    from router_service.chat import models as chat_models  # noqa: F401
    from router_service.conversations import models as conversation_models  # noqa: F401
    from router_service.grants import models as grant_models  # noqa: F401
    from router_service.pending import models as pending_models  # noqa: F401
    from router_service.preferences import models as preference_models  # noqa: F401
    from router_service.reminders import models as reminder_models  # noqa: F401
    from router_service.slack import models as slack_models  # noqa: F401
