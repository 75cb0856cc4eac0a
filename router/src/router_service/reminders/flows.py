"""Firing a due reminder, and the hourly read of a person's coming events.

A reminder is checked against the calendar when it fires: a deleted event drops it, a
moved one (or one whose reminders changed) plans its new reminders instead, a renamed one
is said with its new title. One missed during downtime by more than its lead is dropped
with a log line, never sent late. The message is stored (and handed to its channel's
delivery) in the very transaction that finishes the job, guarded by the job's lease: a
reminder is said once, whatever restarts, replicas or retries happen around it.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from router_service.clients.calendar import CalendarEvent
from router_service.clients.exceptions import (
    CalendarEventNotFound,
    CalendarReauthRequired,
    CalendarRequestFailed,
    CalendarUnavailable,
)
from router_service.context import RouterContext
from router_service.conversations.service import record_reply
from router_service.preferences.models import Preference
from router_service.reminders import messages, service
from router_service.reminders.models import JobKind, JobResult, ProactiveJob
from router_service.reminders.service import Where
from shared.work.queue import Claim, Outcome, Queue

logger = logging.getLogger(__name__)

# While the calendar cannot be read, a reminder waits this long past due at most, then it
# is sent as planned (a reminder on time beats a checked one too late).
UNCHECKED_AFTER = timedelta(seconds=20)
RETRY_SECONDS = 5.0
MIN_GRACE = timedelta(minutes=1)  # a reminder "at the start" may still be a minute late
OPEN_IN_CALENDAR = "캘린더에서 보기"


def where_of(job: ProactiveJob) -> Where:
    return Where(job.channel, job.conversation_key, job.time_zone)


def missed(job: ProactiveJob, now: datetime) -> bool:
    """Whether a job was missed by more than its lead (downtime): dropped, never sent late."""
    grace = max(timedelta(minutes=job.minutes or 0), MIN_GRACE)
    return now - job.due_at > grace


def _snapshot(job: ProactiveJob) -> CalendarEvent:
    """The event as it was when the reminder was planned (the calendar is unreachable)."""
    return CalendarEvent(id=job.event_id or "", title=job.title or "", start=job.event_start)


async def fire_reminder(
    app: RouterContext,
    *,
    queue: Queue,
    claim: Claim,
    job: ProactiveJob,
    now: datetime,
    preference: Preference | None,
) -> Outcome:
    """Checks a due reminder against the calendar, then says it, moves it or drops it
    (``preference``: the person's, read once for the round)."""
    metrics = app.reminder_metrics
    if missed(job, now):
        logger.warning(
            "reminder dropped: missed by more than its lead",
            extra={"job_id": job.id, "late_seconds": int((now - job.due_at).total_seconds())},
        )
        metrics.count("dropped")
        return Outcome.done(result=JobResult.late, finished_at=now)
    assert job.event_id is not None and job.minutes is not None
    result = JobResult.sent
    try:
        event = await app.calendar.get_event(user_id=job.user_id, event_id=job.event_id)
    except CalendarEventNotFound:
        event = CalendarEvent(id=job.event_id, status="cancelled")
    except (CalendarReauthRequired, CalendarUnavailable, CalendarRequestFailed) as err:
        if now - job.due_at < UNCHECKED_AFTER and not queue.is_last_attempt(claim):
            return Outcome.retry(err.code, retry_after=RETRY_SECONDS)
        logger.warning("reminder sent unchecked: calendar unreadable", extra={"job_id": job.id})
        event, result = _snapshot(job), JobResult.unchecked
    if event.status == "cancelled":
        metrics.count("dropped")
        return Outcome.done(result=JobResult.deleted, finished_at=now)
    if result == JobResult.sent:
        default = preference.reminder_minutes if preference is not None else None
        wanted = service.minutes_for(event, default)
        moved = service.counted_from(event, job.time_zone) != job.event_start
        if moved or job.minutes not in wanted:

            async def replan(session: AsyncSession) -> None:
                await service.reschedule_for_events(
                    session=session,
                    user_id=job.user_id,
                    events=[event],
                    now=now,
                    where=where_of(job),
                    metrics=metrics,
                )

            metrics.count("moved")
            return Outcome.done(also=replan, result=JobResult.moved, finished_at=now)
    text = messages.reminder(event, job.minutes, ZoneInfo(job.time_zone))
    payload: dict[str, object] = {"kind": "reminder", "event_id": event.id}
    if event.html_link:
        payload["link"] = {"url": event.html_link, "label": OPEN_IN_CALENDAR}
    delay = (now - job.due_at).total_seconds()

    async def say(session: AsyncSession) -> None:
        await record_reply(
            session=session,
            channels=app.channels,
            channel=job.channel,
            conversation_key=job.conversation_key,
            text=text,
            user_id=job.user_id,
            payload=payload,
        )
        metrics.sent(delay)

    return Outcome.done(also=say, result=result, finished_at=now)


async def schedule_refresh(
    *, session: AsyncSession, app: RouterContext, user_id: str, where: Where, now: datetime
) -> bool:
    """Plans the next read of the person's coming events (one per period, replicas agree)."""
    period = timedelta(minutes=app.settings.reminder_refresh_minutes)
    slot = int(now.timestamp() // period.total_seconds()) + 1
    due = datetime.fromtimestamp(slot * period.total_seconds(), tz=now.tzinfo)
    return await service.add_job(
        session=session,
        dedupe_key=f"f:{user_id}:{slot}",
        kind=JobKind.refresh,
        user_id=user_id,
        where=where,
        due_at=due,
    )


async def schedule_refresh_now(
    *, session: AsyncSession, app: RouterContext, user_id: str, where: Where, now: datetime
) -> bool:
    """Plans a read of the person's coming events right away (a new default reminder)."""
    return await service.add_job(
        session=session,
        dedupe_key=f"f:{user_id}:now:{secrets.token_hex(8)}",  # each change its own read
        kind=JobKind.refresh,
        user_id=user_id,
        where=where,
        due_at=now,
    )


async def refresh(app: RouterContext, *, job: ProactiveJob, now: datetime) -> Outcome:
    """Reads the person's coming events and plans their reminders; plans the next read
    while the person has a default reminder or events with reminders of their own."""
    horizon = timedelta(hours=app.settings.reminder_horizon_hours)
    events = await app.calendar.list_events(user_id=job.user_id, start=now, end=now + horizon)

    async def plan(session: AsyncSession) -> None:
        await service.reschedule_for_events(
            session=session,
            user_id=job.user_id,
            events=events,
            now=now,
            where=where_of(job),
            metrics=app.reminder_metrics,
        )
        preference = await service.preference_of(session=session, user_id=job.user_id)
        wanted = preference is not None and preference.reminder_minutes is not None
        if wanted or any(e.reminder_minutes for e in events):
            await schedule_refresh(
                session=session, app=app, user_id=job.user_id, where=where_of(job), now=now
            )

    return Outcome.done(also=plan, result=JobResult.planned, finished_at=now)
