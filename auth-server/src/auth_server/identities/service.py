"""Channel identities: resolve (creating on first sight), link, and how pages name them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from auth_server.grants.models import GoogleAccount
from auth_server.identities.exceptions import IdentityNotFound
from auth_server.identities.models import Identity
from auth_server.users.exceptions import UserNotFound
from auth_server.users.models import User


@dataclass(frozen=True)
class Resolved:
    user_id: str
    created: bool
    google_email: str | None


async def _known(
    session: AsyncSession, channel: str, external_id: str
) -> tuple[Identity, str | None] | None:
    """The identity and its user's Google email (if connected), in one read."""
    row = (
        await session.execute(
            select(Identity, GoogleAccount.email)
            .outerjoin(GoogleAccount, GoogleAccount.user_id == Identity.user_id)
            .where(Identity.channel == channel, Identity.external_id == external_id)
        )
    ).first()
    return None if row is None else (row[0], row[1])


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
    # Every message after a person's first: one read, outside a transaction (no BEGIN, no
    # ROLLBACK); a new display name is one UPDATE, which commits on its own.
    await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    known = await _known(session, channel, external_id)
    if known is not None:
        identity, email = known
        if display_name and identity.display_name != display_name:
            identity.display_name = display_name  # what the connect pages call the person
            await session.commit()
        return Resolved(identity.user_id, False, email)
    await session.rollback()  # the user and the identity are created in one transaction
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
        known = await _known(session, channel, external_id)
        if known is None:
            raise
        return Resolved(known[0].user_id, False, known[1])
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


async def identity_of_user(
    *, session: AsyncSession, user_id: str, channel: str | None, external_id: str | None
) -> Identity | None:
    """The user's identity a link is for: ``(channel, external_id)``, or the user's first on
    ``channel``; ``IdentityNotFound`` when ``external_id`` names no identity of this user."""
    if channel is None:
        return None
    if external_id is not None:
        identity = await find_identity(session=session, channel=channel, external_id=external_id)
        if identity is None or identity.user_id != user_id:
            raise IdentityNotFound(details={"channel": channel})
        return identity
    return await session.scalar(
        select(Identity)
        .where(Identity.user_id == user_id, Identity.channel == channel)
        .order_by(Identity.id)
        .limit(1)
    )


@dataclass(frozen=True)
class IdentityLabel:
    """How pages name the Haru identity a link connects, and where to send the person back."""

    channel: str | None
    label: str
    slack_team: str | None = None


WEB_CHAT_LABEL = "하루 웹 채팅"
ANY_LABEL = "하루"


def label_of(*, channel: str | None, identity: Identity | None) -> IdentityLabel:
    """``하루 웹 채팅`` or ``Slack @name``: the identity a person is about to connect."""
    if channel == "web":
        return IdentityLabel("web", WEB_CHAT_LABEL)
    if channel == "slack":
        team, _, user = (identity.external_id if identity else "").partition(":")
        name = (identity.display_name if identity else None) or user or "사용자"
        return IdentityLabel("slack", f"Slack @{name}", slack_team=team or None)
    return IdentityLabel(channel, ANY_LABEL)


async def label_for(
    *, session: AsyncSession, channel: str | None, identity_id: int | None
) -> IdentityLabel:
    """The label of a link's or state's identity (looked up by id)."""
    identity = await session.get(Identity, identity_id) if identity_id is not None else None
    return label_of(channel=channel, identity=identity)
