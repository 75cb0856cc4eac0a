"""The Slack channel's runtime: its client, the delivery worker and the inbox recovery loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from router_service.context import RouterContext
from router_service.conversations.models import Channel, Message
from router_service.slack import delivery, service
from router_service.slack.client import SlackClient
from router_service.slack.models import DeliveryState
from shared.db import utcnow

logger = logging.getLogger(__name__)

INBOX_LEASE_SECONDS = 120.0


class SlackRuntime:
    """Everything the Slack routes and background tasks of one app share."""

    def __init__(
        self,
        *,
        context: RouterContext,
        registry: CollectorRegistry,
        client: SlackClient | None = None,
    ) -> None:
        settings = context.settings
        self.context = context
        self.settings = settings
        self.sessionmaker: async_sessionmaker[AsyncSession] = context.sessionmaker
        # Every reply stored for a Slack conversation is owed a delivery (same transaction).
        context.channels.register(Channel.slack, on_reply=self.reply_stored, wake=self.wake)
        self.client = client or SlackClient(
            base_url=settings.slack_api_url,
            token=settings.slack_bot_token.get_secret_value,
            timeout_seconds=settings.slack_timeout_seconds,
        )
        self.deliveries = Counter(
            "slack_deliveries_total",
            "Slack deliveries by outcome (sent, failed, retry, dead)",
            ["outcome"],
            registry=registry,
        )
        self.inbox = Counter(
            "slack_inbox_total",
            "Slack events and button presses by kind and outcome (accepted, duplicate)",
            ["kind", "outcome"],
            registry=registry,
        )
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def signing_secret(self) -> str:
        return self.settings.slack_signing_secret.get_secret_value()

    async def reply_stored(self, session: AsyncSession, message: Message) -> None:
        """The channel hook: queues the delivery of a stored reply."""
        delivery.enqueue_post(session=session, message=message)

    def wake(self) -> None:
        """Asks the delivery worker to look now instead of at its next poll."""
        self._wake.set()

    async def process(self, item_id: str) -> None:
        """Claims and works one inbox row (a background task after the acknowledgement)."""
        try:
            async with self.sessionmaker() as session:
                claimed = await service.claim(
                    session=session,
                    item_id=item_id,
                    now=utcnow(),
                    lease_seconds=INBOX_LEASE_SECONDS,
                )
                if claimed:
                    await service.work(
                        session=session, app=self.context, client=self.client, item_id=item_id
                    )
        except Exception:  # the row stays; the recovery loop takes it up again
            logger.exception("slack inbox processing failed", extra={"item_id": item_id})
        self.wake()

    async def deliver_round(self, *, now: datetime | None = None) -> dict[int, DeliveryState]:
        """One round of the delivery worker (as if at ``now``); counts the outcomes."""
        outcomes = await delivery.deliver_due(
            sessionmaker=self.sessionmaker, client=self.client, settings=self.settings, now=now
        )
        for state in outcomes.values():
            if state == DeliveryState.sending:
                continue  # another worker took it over
            outcome = "retry" if state == DeliveryState.pending else str(state)
            self.deliveries.labels(outcome).inc()
        return outcomes

    async def recover_inbox(self) -> int:
        """Works the inbox rows a stopped process left; returns how many were taken up."""
        async with self.sessionmaker() as session:
            stale = await service.stale_items(
                session=session,
                now=utcnow(),
                grace_seconds=self.settings.slack_inbox_recovery_seconds,
            )
        for item_id in stale:
            logger.info("recovering a slack inbox item", extra={"item_id": item_id})
            await self.process(item_id)
        return len(stale)

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._delivery_loop()),
            asyncio.create_task(self._recovery_loop()),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _delivery_loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                worked = await self.deliver_round()
            except Exception:  # keep the loop alive; the next round tries again
                logger.exception("slack delivery round failed")
                worked = {}
            if worked:
                continue  # a conversation's next message may be due now
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._wake.wait(), timeout=self.settings.slack_delivery_poll_seconds
                )

    async def _recovery_loop(self) -> None:
        interval = self.settings.slack_inbox_recovery_seconds
        while True:
            await asyncio.sleep(interval)
            try:
                await self.recover_inbox()
            except Exception:
                logger.exception("slack inbox recovery failed")
