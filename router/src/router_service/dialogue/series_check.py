"""A proposed series against the calendar: what its occurrences clash with, by date.

A weekly meeting proposed today conflicts with next Tuesday's dentist, not only with what
is at its first occurrence. The check reads the calendar once, from the first occurrence
to the last one within ``HORIZON`` (or the series' end, whichever is first), and tells
the clashes by the day of the occurrence ("12월 9일(화) 「치과」와 겹쳐요").
skill-calendar checks again when it creates the series (its first 12 instances).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from router_service.clients.calendar import CalendarEvent
from router_service.dialogue import plans, series_rules
from router_service.dialogue.series import Clash
from router_service.dialogue.turn import Conversation
from shared.time import start_of_day

HORIZON = timedelta(weeks=8)
MAX_OCCURRENCES = 100  # a daily series within the horizon has 56


async def already_there(
    conv: Conversation, body: plans.NewEvent
) -> tuple[list[CalendarEvent], list[Clash]]:
    """Events equal to the series' first occurrence, and clashes with its occurrences."""
    spans = occurrence_spans(body, conv.zone)
    listed = await conv.app.calendar.list_events(
        user_id=conv.user_id, start=spans[0][0], end=max(end for _, end in spans)
    )
    first = body.model_copy(update={"recurrence": None})
    duplicates = [e for e in listed if plans.same_event(e, first)]
    # The series already there (a duplicate) is not also a clash on each of its days.
    same = {e.recurring_event_id or e.id for e in duplicates}
    others = [e for e in listed if e not in duplicates and e.recurring_event_id not in same]
    return duplicates, clashes(others, spans, body, conv.zone)


def occurrence_spans(body: plans.NewEvent, zone: tzinfo) -> list[tuple[datetime, datetime]]:
    """``[start, end)`` of each occurrence within the horizon (the first at least)."""
    first_start, first_end = plans.span_of(body, zone)
    length = first_end - first_start
    first: datetime | date = first_start
    if body.all_day and body.start_date is not None:
        first = body.start_date
    found = series_rules.starts_until(
        body.recurrence or [], first, zone, stop=first_start + HORIZON, limit=MAX_OCCURRENCES
    )
    if body.all_day:
        found = [start_of_day(moment.date(), zone) for moment in found]
    spans = [(start, start + length) for start in found]
    return spans or [(first_start, first_end)]


def clashes(
    listed: list[CalendarEvent],
    spans: list[tuple[datetime, datetime]],
    body: plans.NewEvent,
    zone: tzinfo,
) -> list[Clash]:
    """Timed events overlapping a timed series' occurrences, by occurrence, in time order."""
    if body.all_day:
        return []
    found = []
    for start, end in spans:
        for event in listed:
            if event.all_day or event.start is None or event.end is None:
                continue
            if event.start < end and event.end > start:
                found.append(Clash(start.astimezone(zone).date(), event))
    return found
