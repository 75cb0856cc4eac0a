"""Users: create and look up."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from auth_server.users.models import User


async def create_user(*, session: AsyncSession, display_name: str | None = None) -> User:
    """Creates a new user."""
    user = User(display_name=display_name)
    session.add(user)
    await session.commit()
    return user


async def get_user(*, session: AsyncSession, user_id: str) -> User | None:
    """Returns the user with ``user_id``, or None."""
    return await session.get(User, user_id)
