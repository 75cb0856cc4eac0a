"""Conversations: record messages and read a conversation back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from router_service.conversations.channels import ChannelHooks
from router_service.conversations.models import Channel, Direction, Message


async def record_message(
    *,
    session: AsyncSession,
    channel: Channel,
    conversation_key: str,
    direction: Direction,
    text: str,
    user_id: str | None = None,
    intent: str | None = None,
    slots: dict[str, Any] | None = None,
    payload: dict[str, Any] | None = None,
) -> Message:
    """Stores one message; the database assigns its id."""
    message = Message(
        channel=channel,
        conversation_key=conversation_key,
        direction=direction,
        text=text,
        user_id=user_id,
        intent=intent,
        slots=slots,
        payload=payload,
    )
    session.add(message)
    await session.flush()
    return message


async def record_reply(
    *,
    session: AsyncSession,
    channels: ChannelHooks,
    channel: Channel,
    conversation_key: str,
    text: str,
    user_id: str | None = None,
    payload: dict[str, Any] | None = None,
) -> Message:
    """Stores one outbound message and hands it to its channel's hook (same transaction)."""
    message = await record_message(
        session=session,
        channel=channel,
        conversation_key=conversation_key,
        direction=Direction.outbound,
        text=text,
        user_id=user_id,
        payload=payload,
    )
    await channels.reply_stored(session=session, message=message)
    return message


async def recent_messages(
    *, session: AsyncSession, conversation_key: str, limit: int = 50
) -> list[Message]:
    """The last ``limit`` messages of a conversation, oldest first."""
    rows = await session.scalars(
        select(Message)
        .where(Message.conversation_key == conversation_key)
        .order_by(Message.id.desc())
        .limit(limit)
    )
    return list(reversed(rows.all()))


async def messages_after(
    *, session: AsyncSession, conversation_key: str, after_id: int, limit: int = 100
) -> list[Message]:
    """Messages of a conversation with an id above ``after_id``, oldest first."""
    rows = await session.scalars(
        select(Message)
        .where(Message.conversation_key == conversation_key, Message.id > after_id)
        .order_by(Message.id)
        .limit(limit)
    )
    return list(rows.all())
