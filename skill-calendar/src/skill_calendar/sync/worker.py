"""The background side of sync, started in the app lifespan: the job loop, the notice
delivery loop and the periodic safety net, each a ``Periodic`` over ``shared.work``."""

from __future__ import annotations

from datetime import timedelta

import httpx
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import utcnow
from shared.work.periodic import Periodic
from shared.work.queue import Queue
from shared.work.runner import work_due
from skill_calendar.config import CalendarSettings
from skill_calendar.sync.engine import SyncEngine
from skill_calendar.sync.models import SyncJob
from skill_calendar.sync.notices import deliver_due, notice_queue
from skill_calendar.sync.service import plan_safety_net

SAFETY_NET_CHECK_S = 60.0  # how often the safety net looks for stale calendars


def job_queue(settings: CalendarSettings, registry: CollectorRegistry | None = None) -> Queue:
    """The sync jobs as a durable queue: one person's jobs one at a time, in order."""
    return Queue(
        name="sync_jobs",
        model=SyncJob,
        key="user_id",
        max_attempts=settings.sync_max_attempts,
        lease_seconds=settings.sync_lease_s,
        backoff_base=settings.sync_backoff_base_s,
        backoff_cap=settings.sync_backoff_cap_s,
        registry=registry,
    )


class SyncRuntime:
    """The sync engine and its three loops."""

    def __init__(
        self,
        *,
        settings: CalendarSettings,
        engine: SyncEngine,
        sessionmaker: async_sessionmaker[AsyncSession],
        router_client: httpx.AsyncClient,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.sessionmaker = sessionmaker
        self.router_client = router_client
        self.jobs = job_queue(settings, registry)
        self.notices = notice_queue(
            max_attempts=settings.sync_max_attempts,
            backoff_base=settings.sync_backoff_base_s,
            backoff_cap=settings.sync_backoff_cap_s,
            lease_seconds=settings.sync_lease_s,
            registry=registry,
        )
        self.job_loop = Periodic(
            "calendar-sync-jobs",
            self.work_jobs,
            every=settings.sync_poll_s,
            again_while_busy=True,
            registry=registry,
        )
        self.notice_loop = Periodic(
            "calendar-change-notices",
            self.deliver_notices,
            every=settings.sync_poll_s,
            again_while_busy=True,
            registry=registry,
        )
        self.safety_net = Periodic(
            "calendar-sync-safety-net",
            self.plan,
            every=min(SAFETY_NET_CHECK_S, settings.sync_interval_s or SAFETY_NET_CHECK_S),
            registry=registry,
        )

    async def work_jobs(self) -> int:
        """One round of due sync jobs; wakes the notice loop when any ran."""
        states = await work_due(
            self.jobs, sessionmaker=self.sessionmaker, handle=self.engine.handle
        )
        if states:
            self.notice_loop.wake()
        return len(states)

    async def deliver_notices(self) -> int:
        """One round of notice delivery to the router."""
        return await deliver_due(
            queue=self.notices, sessionmaker=self.sessionmaker, client=self.router_client
        )

    async def plan(self) -> int:
        """The safety net: queue what is stale; wake the job loop when it queued any."""
        async with self.sessionmaker() as session:
            queued = await plan_safety_net(
                session=session,
                now=utcnow(),
                sync_every=timedelta(seconds=self.settings.sync_interval_s),
                renew_before=timedelta(seconds=self.settings.channel_renew_margin_s),
                push=self.settings.public_url is not None,
            )
        if queued:
            self.job_loop.wake()
        return queued

    def wake(self) -> None:
        """A job was queued in this process: work it now."""
        self.job_loop.wake()

    def start(self) -> None:
        self.job_loop.start()
        self.notice_loop.start()
        if self.settings.sync_interval_s > 0:
            self.safety_net.start()

    async def stop(self) -> None:
        await self.safety_net.stop()
        await self.notice_loop.stop()
        await self.job_loop.stop()
        await self.router_client.aclose()
