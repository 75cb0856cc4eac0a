"""Web chat sessions and the chat's view of messages."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from router_service.chat.models import WebSession
from router_service.chat.schemas import ChatMessage
from router_service.clients.auth_server import AuthServerClient
from router_service.conversations.models import Direction, Message
from router_service.pending.service import states_of
from shared.auth import token_sha256
from shared.db import utcnow


def hash_token(token: str) -> str:
    """The stored form of a session cookie."""
    return token_sha256(token)


async def find_session(*, session: AsyncSession, token: str | None) -> WebSession | None:
    """The web session of a cookie value, if it exists."""
    if not token or len(token) > 128:
        return None
    return await session.scalar(
        select(WebSession).where(WebSession.token_hash == hash_token(token))
    )


async def create_session(*, session: AsyncSession) -> tuple[WebSession, str]:
    """A new web session and its cookie value (only the hash is stored)."""
    token = secrets.token_urlsafe(32)
    web = WebSession(token_hash=hash_token(token), external_id=uuid.uuid4().hex)
    session.add(web)
    await session.commit()
    return web, token


async def last_message_id(*, session: AsyncSession, conversation_key: str) -> int:
    """The id of the newest message of a conversation (0 when empty)."""
    value = await session.scalar(
        select(func.max(Message.id)).where(Message.conversation_key == conversation_key)
    )
    return int(value or 0)


async def touch(*, session: AsyncSession, web: WebSession, user_id: str) -> None:
    """Notes that the session was used, and by which user."""
    web.last_seen_at = utcnow()
    web.user_id = user_id
    await session.commit()


async def user_of(*, web: WebSession, auth: AuthServerClient) -> str:
    """The session's user: kept on the session, else asked of auth-server once (and kept,
    with the caller's next commit)."""
    if web.user_id is None:
        identity = await auth.resolve_identity(channel="web", external_id=web.external_id)
        web.user_id = identity.user_id
    return web.user_id


async def to_chat_messages(
    *, session: AsyncSession, messages: Sequence[Message | None]
) -> list[ChatMessage]:
    """Messages as the chat shows them, with the live state of the actions they refer to."""
    present = [m for m in messages if m is not None]
    action_ids = [
        int(m.payload["action_id"])
        for m in present
        if m.payload and m.payload.get("action_id") is not None
    ]
    states = await states_of(session=session, action_ids=action_ids)
    out = []
    for message in present:
        action_id = (message.payload or {}).get("action_id")
        state = states.get(int(action_id)) if action_id is not None else None
        out.append(
            ChatMessage(
                id=message.id,
                role="user" if message.direction == Direction.inbound else "assistant",
                text=message.text,
                payload=message.payload,
                action_state=str(state) if state is not None else None,
                created_at=message.created_at,
            )
        )
    return out
