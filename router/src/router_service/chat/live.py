"""The chat stream's events: messages as they are stored, by whichever replica stored them.

On PostgreSQL an insert into ``messages`` notifies ``MESSAGES_CHANNEL`` with its
conversation key (a trigger), and the stream queries only when its conversation changed
(or the listener reconnected): an idle tab costs nothing. Without a listener (SQLite, or
while it reconnects) the stream polls every ``poll`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

from fastapi import Request

from router_service.chat import service
from router_service.conversations.models import Message
from router_service.conversations.service import messages_after
from shared.db import Database
from shared.work.notify import Listener, notify_on_insert

MESSAGES_CHANNEL = "haru_messages"
HEARTBEAT_SECONDS = 15.0

notify_on_insert(Message.__table__, channel=MESSAGES_CHANNEL, key_column="conversation_key")


async def events(
    request: Request,
    *,
    database: Database,
    listener: Listener | None,
    conversation_key: str,
    after_id: int,
    poll: float,
) -> AsyncIterator[str]:
    """Server-sent events of the conversation's messages newer than ``after_id``."""
    yield "retry: 2000\n\n"
    watch = (
        listener.watching(MESSAGES_CHANNEL, conversation_key)
        if listener is not None
        else contextlib.nullcontext(None)
    )
    with watch as changed:
        idle = 0.0
        while not await request.is_disconnected():
            if changed is not None:
                changed.clear()  # a message stored from now on wakes the next wait
            async with database.sessionmaker() as session:
                rows = await messages_after(
                    session=session, conversation_key=conversation_key, after_id=after_id
                )
                messages = await service.to_chat_messages(session=session, messages=rows)
            for message in messages:
                after_id = message.id
                data = json.dumps(message.model_dump(mode="json"), ensure_ascii=False)
                yield f"id: {message.id}\nevent: message\ndata: {data}\n\n"
            if messages:
                idle = 0.0
            if idle >= HEARTBEAT_SECONDS:
                idle = 0.0
                yield ": ping\n\n"
            idle += await _wait(changed, listener, poll=poll, limit=HEARTBEAT_SECONDS - idle)


async def _wait(
    changed: asyncio.Event | None, listener: Listener | None, *, poll: float, limit: float
) -> float:
    """Waits for a change (listening) or ``poll`` seconds; returns how long it waited."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    if changed is not None and listener is not None and listener.connected.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), timeout=max(limit, 0.0))
    else:
        await asyncio.sleep(poll)
    return loop.time() - started
