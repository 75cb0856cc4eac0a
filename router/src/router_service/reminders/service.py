"""Planning reminders: which events get one, when, and the rows that say so.

An event's reminders are its own (the person asked in the message, stored on the Google
event as popup overrides; ``CalendarEvent.reminder_minutes``), else the person's default
(``Preference.reminder_minutes``), else none. :func:`reschedule_for_events` is the one
entry point for whoever learns that events changed: the dialogue after a create, move or
delete, the hourly read of a person's coming events, and the Google sync.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from router_service.clients.calendar import CalendarEvent
from router_service.conversations.models import Channel, Direction, Message
from router_service.preferences.models import Preference
from router_service.reminders.metrics import ReminderMetrics
from router_service.reminders.models import JobKind, JobResult, ProactiveJob
from shared.db import rows_affected
from shared.work.jobs import JobState

logger = logging.getLogger(__name__)

# A finished job of these results may come back (an event moved back to where it was).
REVIVABLE = (JobResult.cancelled, JobResult.moved)


@dataclass(frozen=True)
class Where:
    """Where and in which zone Haru speaks to a person first."""

    channel: Channel
    conversation_key: str
    time_zone: str


@dataclass(frozen=True)
class Planned:
    """What :func:`reschedule_for_events` did."""

    scheduled: int = 0
    cancelled: int = 0


def _dialect_insert(session: AsyncSession) -> Any:
    name = session.get_bind().dialect.name
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(ProactiveJob)


async def add_job(
    *,
    session: AsyncSession,
    dedupe_key: str,
    kind: JobKind,
    user_id: str,
    where: Where,
    due_at: datetime,
    **fields: Any,
) -> bool:
    """Adds a job unless one with ``dedupe_key`` is open or done (a cancelled or moved one
    comes back); whether a job is pending now because of this call. No commit."""
    values = {
        "dedupe_key": dedupe_key,
        "kind": kind,
        "user_id": user_id,
        "state": JobState.pending,
        "channel": where.channel,
        "conversation_key": where.conversation_key,
        "time_zone": where.time_zone,
        "attempts": 0,
        "due_at": due_at,
        **fields,
    }
    insert = _dialect_insert(session).values(**values)
    revive = {k: v for k, v in values.items() if k != "dedupe_key"}
    revive.update(result=None, last_error=None, finished_at=None, lease_until=None)
    statement = insert.on_conflict_do_update(
        index_elements=["dedupe_key"],
        set_=revive,
        where=(ProactiveJob.state == JobState.done) & ProactiveJob.result.in_(list(REVIVABLE)),
    )
    return rows_affected(await session.execute(statement)) == 1


def reminder_key(*, user_id: str, event_id: str, start: datetime, minutes: int) -> str:
    """One reminder: the person, the event (hashed: Google ids may be long), start, lead."""
    event = hashlib.sha256(event_id.encode()).hexdigest()[:32]
    return f"r:{user_id}:{event}:{int(start.timestamp())}:{minutes}"


def minutes_for(event: CalendarEvent, default: int | None) -> list[int]:
    """The leads of ``event``'s reminders: its own, else (timed events only) the person's
    default, else none."""
    if event.reminder_minutes is not None:
        return sorted(set(event.reminder_minutes))
    return [default] if default is not None and not is_all_day(event) else []


def is_all_day(event: CalendarEvent) -> bool:
    return event.all_day or (event.start is None and event.start_date is not None)


def counted_from(event: CalendarEvent, zone_name: str) -> datetime | None:
    """The moment ``event``'s reminders count back from: its start; for an all-day event,
    as Google counts them, 00:00 of its first day in the calendar's zone (900 minutes:
    09:00 the day before). ``zone_name``: the zone when the event names none."""
    if not is_all_day(event):
        return event.start
    if event.start_date is None:
        return None
    return datetime.combine(event.start_date, time(0), tzinfo=zone_of(event.time_zone, zone_name))


def zone_of(name: str | None, fallback: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or fallback)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)


def remindable(event: CalendarEvent) -> bool:
    """A live event with a start or a first day (a series' master is not: its instances are)."""
    return (
        (event.start is not None or event.start_date is not None)
        and event.status != "cancelled"
        and not event.recurrence
    )


async def preference_of(*, session: AsyncSession, user_id: str) -> Preference | None:
    """The person's choices, or None (everything off)."""
    return await session.get(Preference, user_id)


async def preferences_of(
    *, session: AsyncSession, user_ids: Collection[str]
) -> dict[str, Preference]:
    """The choices of several people at once (a round of jobs), by user id."""
    if not user_ids:
        return {}
    rows = await session.scalars(select(Preference).where(Preference.user_id.in_(list(user_ids))))
    return {preference.user_id: preference for preference in rows.all()}


async def where_for(*, session: AsyncSession, user_id: str, default_zone: str) -> Where | None:
    """Where Haru speaks to ``user_id`` first: where they set a preference, else the
    conversation of their latest message; None when they never wrote."""
    preference = await preference_of(session=session, user_id=user_id)
    if preference is not None:
        return Where(preference.channel, preference.conversation_key, preference.time_zone)
    latest = await session.execute(
        select(Message.channel, Message.conversation_key)
        .where(Message.user_id == user_id, Message.direction == Direction.inbound)
        .order_by(Message.id.desc())
        .limit(1)
    )
    row = latest.first()
    return None if row is None else Where(row[0], row[1], default_zone)


async def cancel_open(
    *,
    session: AsyncSession,
    user_id: str,
    kind: JobKind,
    event_ids: Sequence[str] | None = None,
    keep: Sequence[str] = (),
    now: datetime,
) -> int:
    """Cancels pending jobs of ``kind`` (of ``event_ids`` when given) except ``keep``."""
    conditions = [
        ProactiveJob.user_id == user_id,
        ProactiveJob.kind == kind,
        ProactiveJob.state == JobState.pending,
    ]
    if event_ids is not None:
        conditions.append(ProactiveJob.event_id.in_(list(event_ids)))
    if keep:
        conditions.append(ProactiveJob.dedupe_key.not_in(list(keep)))
    result = await session.execute(
        update(ProactiveJob)
        .where(*conditions)
        .values(state=JobState.done, result=JobResult.cancelled, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return rows_affected(result)


async def reschedule_for_events(
    *,
    session: AsyncSession,
    user_id: str,
    events: Sequence[CalendarEvent],
    now: datetime,
    deleted_ids: Sequence[str] = (),
    where: Where | None = None,
    default_zone: str = "Asia/Seoul",
    metrics: ReminderMetrics | None = None,
) -> Planned:
    """Makes the reminder jobs of ``user_id`` follow ``events`` as they are now.

    The one function to call when events of a person were created, changed or deleted
    (the dialogue, the hourly read, the Google sync): each timed event gets a job per
    lead (its own reminders, else the person's default) due before its start, jobs of
    an earlier start or lead are cancelled, and ``deleted_ids`` lose theirs. Reminders
    already due are not planned (the person is looking at the event). Idempotent; no
    commit (the caller's transaction). ``metrics`` (``RouterContext.reminder_metrics``)
    counts what was scheduled and cancelled.
    """
    where = where or await where_for(session=session, user_id=user_id, default_zone=default_zone)
    if where is None:
        return Planned()  # never wrote to Haru: nowhere to say anything
    preference = await preference_of(session=session, user_id=user_id)
    default = preference.reminder_minutes if preference is not None else None
    scheduled = cancelled = 0
    for event in events:
        keys: list[str] = []
        start = counted_from(event, where.time_zone) if remindable(event) else None
        if start is not None:
            for minutes in minutes_for(event, default):
                due = start - timedelta(minutes=minutes)
                if due <= now:
                    continue
                key = reminder_key(user_id=user_id, event_id=event.id, start=start, minutes=minutes)
                keys.append(key)
                scheduled += await add_job(
                    session=session,
                    dedupe_key=key,
                    kind=JobKind.reminder,
                    user_id=user_id,
                    where=where,
                    due_at=due,
                    event_id=event.id,
                    event_start=start,
                    minutes=minutes,
                    title=event.title[:1024] if event.title else None,
                )
        cancelled += await cancel_open(
            session=session,
            user_id=user_id,
            kind=JobKind.reminder,
            event_ids=[event.id],
            keep=keys,
            now=now,
        )
    if deleted_ids:
        cancelled += await cancel_open(
            session=session,
            user_id=user_id,
            kind=JobKind.reminder,
            event_ids=list(deleted_ids),
            now=now,
        )
    if metrics is not None:
        metrics.count("scheduled", scheduled)
        metrics.count("cancelled", cancelled)
    if scheduled or cancelled:
        logger.info(
            "reminders planned",
            extra={"reminders_scheduled": scheduled, "reminders_cancelled": cancelled},
        )
    return Planned(scheduled=scheduled, cancelled=cancelled)
