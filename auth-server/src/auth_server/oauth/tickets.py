"""One-time links: random tickets handed out once, stored only as digests."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth_server.oauth.models import LinkTicket, OAuthState
from shared.auth import token_sha256
from shared.db import rows_affected, utcnow

CONNECT = "connect"
ACCOUNT = "account"


def digest(secret: str) -> str:
    """The stored form of a ticket or state."""
    return token_sha256(secret)


def new_secret() -> str:
    """A fresh unguessable ticket or state (256 bits)."""
    return secrets.token_urlsafe(32)


async def create_ticket(
    *,
    session: AsyncSession,
    kind: str,
    user_id: str,
    ttl_seconds: int,
    capability: str | None = None,
    pending_action_ref: str | None = None,
    channel: str | None = None,
    identity_id: int | None = None,
    browser_binding: str | None = None,
    confirmed: bool = False,
) -> tuple[str, datetime]:
    """Adds a ticket (no commit) and returns (the secret for the URL, its expiry)."""
    secret = new_secret()
    expires_at = utcnow() + timedelta(seconds=ttl_seconds)
    session.add(
        LinkTicket(
            id=digest(secret),
            kind=kind,
            user_id=user_id,
            capability=capability,
            pending_action_ref=pending_action_ref,
            channel=channel,
            identity_id=identity_id,
            browser_binding=browser_binding,
            confirmed_at=utcnow() if confirmed else None,
            form_token=secrets.token_urlsafe(24) if kind == ACCOUNT else None,
            expires_at=expires_at,
        )
    )
    return secret, expires_at


async def find_ticket(*, session: AsyncSession, secret: str, kind: str) -> LinkTicket | None:
    """The ticket of ``kind`` behind ``secret``, used or not, or None."""
    ticket = await session.get(LinkTicket, digest(secret))
    if ticket is None or ticket.kind != kind:
        return None
    return ticket


async def consume_ticket(*, session: AsyncSession, ticket: LinkTicket) -> bool:
    """Marks the ticket used; False when another request used it first (no commit)."""
    result = await session.execute(
        update(LinkTicket)
        .where(LinkTicket.id == ticket.id, LinkTicket.used_at.is_(None))
        .values(used_at=utcnow())
    )
    return rows_affected(result) == 1


async def bind_to_browser(*, session: AsyncSession, ticket: LinkTicket, binding: str) -> None:
    """Binds an unbound ticket to a browser; the first browser wins a race (commits)."""
    if ticket.browser_binding is not None:
        return
    await session.execute(
        update(LinkTicket)
        .where(LinkTicket.id == ticket.id, LinkTicket.browser_binding.is_(None))
        .values(browser_binding=binding)
    )
    await session.commit()
    await session.refresh(ticket)


async def purge_expired(*, session: AsyncSession, older_than: timedelta) -> int:
    """Deletes links and OAuth states that expired more than ``older_than`` ago (no commit)."""
    cutoff = utcnow() - older_than
    removed = 0
    for model in (LinkTicket, OAuthState):
        result = await session.execute(delete(model).where(model.expires_at < cutoff))
        removed += rows_affected(result)
    return removed
