"""The auth-server's declarative base; every model of this service hangs off it."""

from sqlalchemy.orm import DeclarativeBase

from shared.db import make_metadata


class Base(DeclarativeBase):
    metadata = make_metadata()


def load_models() -> None:
    """Imports every models module so that ``Base.metadata`` is complete."""
    from auth_server.events import models as _events  # noqa: F401
    from auth_server.grants import models as _grants  # noqa: F401
    from auth_server.identities import models as _identities  # noqa: F401
    from auth_server.oauth import models as _oauth  # noqa: F401
    from auth_server.users import models as _users  # noqa: F401
