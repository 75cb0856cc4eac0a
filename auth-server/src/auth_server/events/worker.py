"""The background task that empties the grant event outbox (started in the app lifespan)."""

from __future__ import annotations

import httpx
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth_server.config import AuthSettings
from auth_server.events.models import CHANNEL
from auth_server.events.service import deliver_due, outbox_queue
from shared.work.notify import Listener
from shared.work.periodic import Periodic


class OutboxWorker:
    """Polls the outbox; wakes at once on a local commit or another replica's NOTIFY."""

    def __init__(
        self,
        *,
        settings: AuthSettings,
        sessionmaker: async_sessionmaker[AsyncSession],
        client: httpx.AsyncClient,
        registry: CollectorRegistry | None = None,
        listener: Listener | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.client = client
        self.queue = outbox_queue(
            max_attempts=settings.outbox_max_attempts,
            backoff_base=settings.outbox_backoff_base_seconds,
            backoff_cap=settings.outbox_backoff_cap_seconds,
            lease_seconds=settings.outbox_lease_seconds,
            registry=registry,
        )
        self.loop = Periodic(
            "grant-event-outbox",
            self.deliver_round,
            every=settings.outbox_poll_seconds,
            again_while_busy=True,
            registry=registry,
        )
        self._unlisten = listener.on(CHANNEL, lambda _key: self.wake()) if listener else None

    async def deliver_round(self) -> int:
        """One delivery round; how many events the router acknowledged."""
        return await deliver_due(
            queue=self.queue, sessionmaker=self.sessionmaker, client=self.client
        )

    def wake(self) -> None:
        """Asks for a delivery round now (after a commit that recorded events)."""
        self.loop.wake()

    def start(self) -> None:
        self.loop.start()

    async def stop(self) -> None:
        await self.loop.stop()
        if self._unlisten is not None:
            self._unlisten()
        await self.client.aclose()
