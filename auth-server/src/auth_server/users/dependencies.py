"""Validating dependencies of the users domain."""

from __future__ import annotations

from auth_server.users import service
from auth_server.users.exceptions import UserNotFound
from auth_server.users.models import User
from shared.db import SessionDep


async def valid_user(user_id: str, session: SessionDep) -> User:
    """The user named in the path, or 404 ``auth.user_not_found``."""
    user = await service.get_user(session=session, user_id=user_id)
    if user is None:
        raise UserNotFound(details={"user_id": user_id})
    return user
