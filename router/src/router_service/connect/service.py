"""Web connect links: the chat's link names the router; a ticket is made only for its session.

A web chat's connect link must complete only in the browser that holds the chat session it
was made for. So the chat shows ``/connect?action_id=N`` on the router; opening it, the router
checks the session cookie and that the action is this session's, and only then asks
auth-server for a one-time, short-lived ticket for the session's web identity. auth-server
binds the ticket to the browser that opens it and sends that browser back here
(``/connect/confirm``) with a one-time proof; the router vouches that this browser holds the
chat session the ticket was made for. A ticket forwarded before anyone opened it thus ends
at the router in the wrong browser, and is refused (see docs/security.md).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from router_service.chat.models import WebSession
from router_service.clients.auth_server import AuthServerClient, OneTimeLink
from router_service.conversations.models import Channel
from router_service.pending.models import PendingAction

CONNECT_PATH = "/connect"
CONFIRM_PATH = "/connect/confirm"
MAX_PROOF_CHARS = 100
# Ids are BIGINT: anything longer cannot name an action (and must not reach the database).
MAX_ACTION_ID_DIGITS = 18


def web_connect_url(*, public_base_url: str, action_id: int | None) -> str:
    """The link the web chat shows: the router's, naming the action it resumes (no secret)."""
    base = public_base_url.rstrip("/") + CONNECT_PATH
    return base if action_id is None else f"{base}?action_id={action_id}"


def parse_action_id(value: str | None) -> int | None:
    """The action id of a link, or None when the value cannot name one."""
    if value is None or not value.isascii() or not value.isdigit():
        return None
    if len(value) > MAX_ACTION_ID_DIGITS:
        return None
    return int(value)


async def action_of_session(
    *, session: AsyncSession, web: WebSession, action_id: int
) -> PendingAction | None:
    """The pending action ``action_id`` if it began in this web session's conversation."""
    action = await session.get(PendingAction, action_id)
    if action is None or action.conversation_key != web.conversation_key:
        return None
    if action.channel != Channel.web:
        return None
    return action


async def ticket_for_session(
    *, auth: AuthServerClient, web: WebSession, action: PendingAction | None
) -> OneTimeLink:
    """A fresh one-time connect ticket for the session's web identity (and its action)."""
    identity = await auth.resolve_identity(channel=Channel.web, external_id=web.external_id)
    return await auth.create_connect_link(
        user_id=identity.user_id,
        pending_action_ref=str(action.id) if action is not None else None,
        channel=Channel.web,
        external_id=web.external_id,
    )


def well_formed_proof(ticket: str | None, proof: str | None) -> bool:
    """Whether a confirmation request carries a ticket and a proof of a plausible size."""
    return all(value and len(value) <= MAX_PROOF_CHARS for value in (ticket, proof))


async def confirm_for_session(
    *, auth: AuthServerClient, web: WebSession, ticket: str, proof: str
) -> OneTimeLink:
    """Tells auth-server that the browser carrying ``proof`` holds this web chat's session."""
    return await auth.confirm_connect_link(ticket=ticket, proof=proof, external_id=web.external_id)
