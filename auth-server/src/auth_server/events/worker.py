"""The background task that empties the grant event outbox (started in the app lifespan)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth_server.events.service import deliver_due

logger = logging.getLogger(__name__)


class OutboxWorker:
    """Polls the outbox, and wakes at once when this process records an event."""

    def __init__(
        self,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        client: httpx.AsyncClient,
        poll_seconds: float,
        backoff_base: float,
        backoff_cap: float,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.client = client
        self.poll_seconds = poll_seconds
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Asks for a delivery round now (after a commit that recorded events)."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="grant-event-outbox")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.client.aclose()

    async def _run(self) -> None:
        while True:
            try:
                await deliver_due(
                    sessionmaker=self.sessionmaker,
                    client=self.client,
                    backoff_base=self.backoff_base,
                    backoff_cap=self.backoff_cap,
                )
            except asyncio.CancelledError:
                raise
            except Exception as err:  # the database may be down; try again next round
                logger.warning("outbox round failed: %s", type(err).__name__)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
