"""The Slack channel's runtime: its client, the delivery worker and the inbox recovery loop."""

from __future__ import annotations

import enum
import logging
from collections import Counter
from datetime import datetime

from prometheus_client import CollectorRegistry
from prometheus_client import Counter as Metric
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from router_service.context import RouterContext
from router_service.conversations.models import Channel, Message
from router_service.slack import delivery, service
from router_service.slack.client import SlackClient
from router_service.slack.models import DELIVERIES_CHANNEL, DeliveryState, SlackInbox
from shared.db import utcnow
from shared.work.notify import Listener
from shared.work.periodic import Periodic
from shared.work.queue import Claim, Outcome
from shared.work.runner import Pause, work_claimed, work_due

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
        listener: Listener | None = None,
    ) -> None:
        settings = context.settings
        self.context = context
        self.settings = settings
        self.sessionmaker: async_sessionmaker[AsyncSession] = context.sessionmaker
        self.client = client or SlackClient(
            base_url=settings.slack_api_url,
            token=settings.slack_bot_token.get_secret_value,
            timeout_seconds=settings.slack_timeout_seconds,
        )
        self.deliveries = Metric(
            "slack_deliveries_total",
            "Slack deliveries by outcome (sent, failed, retry, dead)",
            ["outcome"],
            registry=registry,
        )
        self.inbox = Metric(
            "slack_inbox_total",
            "Slack events and button presses by kind and outcome (accepted, duplicate)",
            ["kind", "outcome"],
            registry=registry,
        )
        self.queue = delivery.delivery_queue(settings, registry)
        self.pause = Pause()  # Slack's 429: no delivery starts before its Retry-After
        self.inbox_queue = service.inbox_queue(lease_seconds=INBOX_LEASE_SECONDS, registry=registry)
        self.delivery_loop = Periodic(
            "slack-deliveries",
            self.deliver_round,
            every=settings.slack_delivery_poll_seconds,
            again_while_busy=True,  # a conversation's next message may be due now
            registry=registry,
        )
        self.recovery_loop = Periodic(
            "slack-inbox-recovery",
            self.recover_inbox,
            every=settings.slack_inbox_recovery_seconds,
            first_delay=settings.slack_inbox_recovery_seconds,
            registry=registry,
        )
        if listener is not None:  # another replica queued a delivery
            listener.on(DELIVERIES_CHANNEL, lambda _key: self.wake())
        # Every reply stored for a Slack conversation is owed a delivery (same transaction).
        context.channels.register(Channel.slack, on_reply=self.reply_stored, wake=self.wake)

    def signing_secret(self) -> str:
        return self.settings.slack_signing_secret.get_secret_value()

    async def reply_stored(self, session: AsyncSession, message: Message) -> None:
        """The channel hook: queues the delivery of a stored reply."""
        delivery.enqueue_post(session=session, message=message)

    def wake(self) -> None:
        """Asks the delivery worker to look now instead of at its next poll."""
        self.delivery_loop.wake()

    async def process(self, item_id: str) -> None:
        """Claims and works one inbox row (a background task after the acknowledgement)."""
        try:
            async with self.sessionmaker() as session:
                claim = await self.inbox_queue.claim_one(
                    session=session, job_id=item_id, now=utcnow()
                )
            if claim is not None:
                await work_claimed(
                    self.inbox_queue,
                    sessionmaker=self.sessionmaker,
                    claim=claim,
                    handle=self._work_item,
                )
        except Exception:  # the row stays; the recovery loop takes it up again
            logger.exception("slack inbox processing failed", extra={"item_id": item_id})
        self.wake()

    async def _work_item(self, claim: Claim, item: SlackInbox) -> Outcome:
        return await service.work(
            sessionmaker=self.sessionmaker,
            app=self.context,
            client=self.client,
            queue=self.inbox_queue,
            claim=claim,
            item=item,
        )

    async def deliver_round(self, *, now: datetime | None = None) -> dict[int, enum.StrEnum]:
        """One round of the delivery worker (as if at ``now``); counts the outcomes."""
        outcomes = await delivery.deliver_due(
            queue=self.queue,
            sessionmaker=self.sessionmaker,
            client=self.client,
            concurrency=self.settings.slack_delivery_concurrency,
            pause=self.pause,
            now=now,
        )
        counts: Counter[str] = Counter()
        for delivery_id, state in outcomes.items():
            if state == DeliveryState.sending:
                counts["lost"] += 1
                continue  # another worker took it over
            if state == DeliveryState.dead:
                logger.error(
                    "slack delivery dead-lettered after max attempts",
                    extra={"delivery_id": delivery_id},
                )
            outcome = "retry" if state == DeliveryState.pending else str(state)
            self.deliveries.labels(outcome).inc()
            counts[outcome] += 1
        if outcomes:  # one line a round, with counts (never a text)
            logger.info("slack deliveries", extra={"deliveries": len(outcomes), **counts})
        return outcomes

    async def recover_inbox(self) -> int:
        """Works the inbox rows a stopped process left (or failed before); how many."""
        states = await work_due(
            self.inbox_queue, sessionmaker=self.sessionmaker, handle=self._work_item, limit=50
        )
        for item_id in states:
            logger.info("recovered a slack inbox item", extra={"item_id": item_id})
        if states:
            self.wake()
        return len(states)

    def start(self) -> None:
        self.delivery_loop.start()
        self.recovery_loop.start()

    async def stop(self) -> None:
        await self.delivery_loop.stop()
        await self.recovery_loop.stop()
