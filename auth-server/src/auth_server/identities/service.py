"""Channel identities: resolve (creating on first sight), link, and re-point on account merge."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from auth_server.grants.models import GoogleAccount
from auth_server.identities.models import Identity
from auth_server.users.exceptions import UserNotFound
from auth_server.users.models import User
from shared.db import utcnow


@dataclass(frozen=True)
class Resolved:
    user_id: str
    created: bool
    google_email: str | None


async def _google_email(session: AsyncSession, user_id: str) -> str | None:
    return await session.scalar(select(GoogleAccount.email).where(GoogleAccount.user_id == user_id))


async def find_identity(
    *, session: AsyncSession, channel: str, external_id: str
) -> Identity | None:
    """The identity ``(channel, external_id)``, or None."""
    return await session.scalar(
        select(Identity).where(Identity.channel == channel, Identity.external_id == external_id)
    )


async def resolve_identity(
    *, session: AsyncSession, channel: str, external_id: str, display_name: str | None = None
) -> Resolved:
    """The identity's user, creating the user and the identity on first sight."""
    identity = await find_identity(session=session, channel=channel, external_id=external_id)
    if identity is not None:
        return Resolved(identity.user_id, False, await _google_email(session, identity.user_id))
    user = User(display_name=display_name)
    session.add(user)
    await session.flush()
    session.add(
        Identity(
            channel=channel, external_id=external_id, user_id=user.id, display_name=display_name
        )
    )
    try:
        await session.commit()
    except IntegrityError:
        # Another request created the same identity first: use theirs.
        await session.rollback()
        identity = await find_identity(session=session, channel=channel, external_id=external_id)
        if identity is None:
            raise
        return Resolved(identity.user_id, False, await _google_email(session, identity.user_id))
    return Resolved(user.id, True, None)


async def link_identity(
    *, session: AsyncSession, channel: str, external_id: str, user_id: str
) -> str:
    """Points ``(channel, external_id)`` at the existing user ``user_id``."""
    if await session.get(User, user_id) is None:
        raise UserNotFound(details={"user_id": user_id})
    identity = await find_identity(session=session, channel=channel, external_id=external_id)
    if identity is None:
        session.add(Identity(channel=channel, external_id=external_id, user_id=user_id))
    else:
        identity.user_id = user_id
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return await link_identity(
            session=session, channel=channel, external_id=external_id, user_id=user_id
        )
    return user_id


async def repoint_identities(*, session: AsyncSession, from_user_id: str, to_user_id: str) -> None:
    """Moves every identity of one user to another (no commit; part of the caller's transaction)."""
    await session.execute(
        update(Identity)
        .where(Identity.user_id == from_user_id)
        .values(user_id=to_user_id, updated_at=utcnow())
    )
