"""Channel hooks: what a channel does with a reply the moment it is stored.

The dialogue core stores replies and knows no channel; a channel that must send them
(Slack posts them through its delivery queue) registers a hook, which runs in the same
transaction as the reply, and may register a waker to send what was queued right away.
The web chat needs none: the page reads the ``messages`` table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from router_service.conversations.models import Channel, Message

ReplyHook = Callable[[AsyncSession, Message], Awaitable[None]]
Waker = Callable[[], None]


class ChannelHooks:
    """The hooks of the channels this app serves, by channel."""

    def __init__(self) -> None:
        self._on_reply: dict[Channel, ReplyHook] = {}
        self._wakers: list[Waker] = []

    def register(self, channel: Channel, *, on_reply: ReplyHook, wake: Waker | None = None) -> None:
        """``on_reply(session, message)`` for every stored reply of ``channel``."""
        self._on_reply[channel] = on_reply
        if wake is not None:
            self._wakers.append(wake)

    async def reply_stored(self, *, session: AsyncSession, message: Message) -> None:
        """Hands a stored outbound message to its channel (same transaction)."""
        hook = self._on_reply.get(message.channel)
        if hook is not None:
            await hook(session, message)

    def wake(self) -> None:
        """Asks every channel to send what it has queued now (after a commit)."""
        for waker in self._wakers:
            waker()
