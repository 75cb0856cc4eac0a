"""Sending a due morning agenda, and planning the next one in the same transaction."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from router_service.agenda import messages, service
from router_service.context import RouterContext
from router_service.conversations.service import record_reply
from router_service.preferences.models import Preference
from router_service.reminders.flows import where_of
from router_service.reminders.models import JobResult, ProactiveJob
from shared.time import start_of_day
from shared.work.queue import Outcome

logger = logging.getLogger(__name__)
SATURDAY = 5


async def send_agenda(
    app: RouterContext, *, job: ProactiveJob, now: datetime, preference: Preference | None
) -> Outcome:
    """Today's events (recurring instances included), free time and holidays, at the time
    the person chose (``preference``: read once for the round); weekends only when
    something is on. Plans tomorrow's."""
    metrics = app.reminder_metrics
    agenda_time = preference.agenda_time if preference is not None else None
    if agenda_time is None or service.agenda_minutes(agenda_time) != job.minutes:
        return Outcome.done(result=JobResult.cancelled, finished_at=now)  # changed meanwhile
    zone = ZoneInfo(job.time_zone)
    where = where_of(job)

    async def plan_next(session: AsyncSession) -> None:
        await service.schedule_next(
            session=session,
            user_id=job.user_id,
            where=where,
            agenda_time=agenda_time,
            now=max(now, job.due_at),
            zone=zone,
        )

    if now - job.due_at > service.LATE_AFTER:
        logger.warning("agenda dropped: missed by more than an hour", extra={"job_id": job.id})
        metrics.agendas.labels("dropped").inc()
        return Outcome.done(also=plan_next, result=JobResult.late, finished_at=now)
    day = job.due_at.astimezone(zone).date()
    begin = start_of_day(day, zone)
    events = await app.calendar.list_events(
        user_id=job.user_id, start=begin, end=begin + timedelta(days=1)
    )
    if day.weekday() >= SATURDAY and not events:
        metrics.agendas.labels("skipped").inc()
        return Outcome.done(also=plan_next, result=JobResult.skipped, finished_at=now)
    text = messages.agenda(
        events,
        day,
        zone,
        holiday=service.holiday_of(day),
        free=service.free_slots(events, day, zone),
    )

    async def say(session: AsyncSession) -> None:
        await record_reply(
            session=session,
            channels=app.channels,
            channel=job.channel,
            conversation_key=job.conversation_key,
            text=text,
            user_id=job.user_id,
            payload={"kind": "agenda", "day": day.isoformat()},
        )
        await plan_next(session)
        metrics.agendas.labels("sent").inc()

    return Outcome.done(also=say, result=JobResult.sent, finished_at=now)
