"""The proactive worker: one Periodic loop over the ``proactive_jobs`` durable queue.

It claims due jobs as of the router's clock (a lease token each; SKIP LOCKED on
PostgreSQL), reads the round's people's preferences once, works the jobs a few at a time
with no transaction open, and records the outcomes that are ready together (one
transaction, each guarded by its own lease); replies it stored are then handed to the
channels at once. One log line per round, with counts (never a title or a text).
"""

from __future__ import annotations

import enum
import logging
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry

from router_service.agenda.flows import send_agenda
from router_service.context import RouterContext
from router_service.preferences.models import Preference
from router_service.reminders import flows, service
from router_service.reminders.models import PROACTIVE_STATES, JobKind, ProactiveJob
from shared.work.periodic import Periodic
from shared.work.queue import Claim, Outcome, Queue
from shared.work.runner import work_claims

logger = logging.getLogger(__name__)

BATCH = 200  # jobs claimed per round
CONCURRENCY = 16  # jobs worked at once (each waits on skill-calendar)


def proactive_queue(context: RouterContext, registry: CollectorRegistry | None = None) -> Queue:
    settings = context.settings
    return Queue(
        name="proactive_jobs",
        model=ProactiveJob,
        states=PROACTIVE_STATES,
        order="due_at",
        max_attempts=settings.proactive_max_attempts,
        lease_seconds=settings.proactive_lease_seconds,
        backoff_base=2.0,
        backoff_cap=60.0,
        registry=registry,
    )


class ProactiveRuntime:
    """The queue of reminders and agendas and the loop that works it."""

    def __init__(self, *, context: RouterContext, registry: CollectorRegistry) -> None:
        self.context = context
        self.queue = proactive_queue(context, registry)
        self.loop = Periodic(
            "proactive-jobs",
            self.run_round,
            every=context.settings.proactive_poll_seconds or 5.0,
            jitter=0.2,
            again_while_busy=True,
            registry=registry,
        )

    async def run_round(self, *, now: datetime | None = None) -> dict[Any, enum.StrEnum]:
        """One round as of ``now`` (the router's clock): claim due jobs, work them."""
        now = now or self.context.clock()
        async with self.context.sessionmaker() as session:
            claims = await self.queue.claim_due(session=session, now=now, limit=BATCH)
            if not claims:
                return {}
            preferences = await service.preferences_of(
                session=session, user_ids={claim.row.user_id for claim in claims}
            )

        async def handle(claim: Claim, job: ProactiveJob) -> Outcome:
            return await self.handle(claim, job, now=now, preferences=preferences)

        outcomes = await work_claims(
            self.queue,
            sessionmaker=self.context.sessionmaker,
            claims=claims,
            handle=handle,
            concurrency=CONCURRENCY,
            now=now,
        )
        self.context.channels.wake()  # replies stored: the channels send them now
        self._log_round(outcomes)
        return outcomes

    def _log_round(self, outcomes: Mapping[Any, enum.StrEnum]) -> None:
        """One line per round: how many jobs ended how (the metrics say what they did)."""
        states = Counter(outcomes.values())
        roles = self.queue.states
        logger.info(
            "proactive round",
            extra={
                "jobs": len(outcomes),
                "done": states[roles.done],
                "retried": states[roles.ready],
                "dead": states[roles.dead] + states[roles.failed],
                "lost": states[roles.claimed],
            },
        )

    async def handle(
        self,
        claim: Claim,
        job: ProactiveJob,
        *,
        now: datetime,
        preferences: Mapping[str, Preference],
    ) -> Outcome:
        """Works one claimed job by its kind (``preferences``: the round's people's)."""
        preference = preferences.get(job.user_id)
        if job.kind == JobKind.reminder:
            return await flows.fire_reminder(
                self.context, queue=self.queue, claim=claim, job=job, now=now, preference=preference
            )
        if job.kind == JobKind.agenda:
            return await send_agenda(self.context, job=job, now=now, preference=preference)
        return await flows.refresh(self.context, job=job, now=now)

    def start(self) -> None:
        if self.context.settings.proactive_poll_seconds > 0:
            self.loop.start()

    async def stop(self) -> None:
        await self.loop.stop()
