"""What a pending action asks for and what it will do, as models; and the calendar logic
that turns one into the other: matching a target, duplicates and overlaps, patches.

A request is what the person said (kept to prepare the action again after consent); a
plan is the prepared operation that approval runs. Both are stored as JSON in
``pending_actions`` and read back only through :func:`request_of` and :func:`plan_of`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from router_service.clients.calendar import CalendarEvent
from router_service.dialogue import formatting as fmt
from router_service.dialogue.series import SeriesInfo, nearest_half_day, said_bare_hour
from router_service.nlu.schemas import ChangeSlots, EventSlots, RangeSlots, Scope, TargetSlots
from router_service.pending.models import ActionKind, PendingAction
from router_service.reminders.messages import DAY, days_before
from shared.time import AwareDatetime, start_of_day

DEFAULT_LENGTH = timedelta(hours=1)
TARGET_SEARCH_DAYS = 30
MAX_CANDIDATES = 9
NO_TITLE = "새 일정"
# A proposal never carries a longer title (a long message's chatter must not become one).
MAX_TITLE_CHARS = 100
# An all-day event's reminder is said at 09:00 (minutes after 00:00) of the day it names.
ALL_DAY_REMINDER_MINUTE = 9 * 60


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class NewEvent(_Model):
    """An event to create: timed (``start``/``end``) or all-day (dates, end exclusive)."""

    title: str
    all_day: bool = False
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    location: str | None = None
    allow_duplicate: bool = False
    # Asked in the message ("30분 전에 알려줘"), as said: minutes before the start. Kept so
    # even when a correction makes the event timed or all-day; the calendar gets
    # :attr:`calendar_reminders`.
    reminder_minutes: tuple[int, ...] | None = None
    recurrence: list[str] | None = None  # RRULE lines: a series whose first is start

    @property
    def calendar_reminders(self) -> tuple[int, ...] | None:
        """The reminders as the calendar counts them (an all-day event's: a morning)."""
        if self.all_day and self.reminder_minutes:
            return all_day_reminders(self.reminder_minutes)
        return self.reminder_minutes

    @property
    def lead_moved(self) -> bool:
        """Whether an all-day event's lead was not whole days ("2시간 전"): said why."""
        return self.all_day and any(m % DAY or not m for m in self.reminder_minutes or ())

    @field_validator("title")
    @classmethod
    def _short_title(cls, title: str) -> str:
        return short_title(title)


def all_day_reminders(minutes: Sequence[int]) -> tuple[int, ...]:
    """Leads said for an all-day event as Google counts them, back from 00:00 of its first
    day: N days before is 09:00 that day (N×1440 − 540); less than a day (or "시작할 때")
    is 09:00 the day before; nobody wants a reminder at midnight."""
    days = {days_before(lead) for lead in minutes}  # whole days, rounded up
    return tuple(sorted(n * DAY - ALL_DAY_REMINDER_MINUTE for n in days))


def short_title(title: str, limit: int = MAX_TITLE_CHARS) -> str:
    """``title`` when it fits in ``limit`` characters, else cut at a word with "…"."""
    if len(title) <= limit:
        return title
    cut = " ".join(title.split())[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.") + "…"


class Span(_Model):
    """A half-open interval ``[start, end)``; with ``limit``, only its first events count."""

    start: AwareDatetime
    end: AwareDatetime
    limit: int | None = None


class Target(_Model):
    """Which existing event an update or a delete means (``event_id``: the one this
    conversation last made, for a correction that names none)."""

    title: str | None = None
    date: dt.date | None = None
    start: AwareDatetime | None = None
    scope: Scope | None = None  # an occurrence of a series: one, following or all
    period_start: dt.date | None = None  # a week or month named instead of a day
    period_end: dt.date | None = None
    event_id: str | None = None

    @property
    def named(self) -> bool:
        return bool(self.title or self.date or self.start or self.event_id)


class Changes(_Model):
    """How an update or a correction changes its event: a new start, a new day, a relative
    shift, a new length, title or place (each optional)."""

    start: AwareDatetime | None = None
    date: dt.date | None = None
    time_only: bool = False  # "4시로": the event keeps its day
    shift_minutes: int | None = None
    bare_hour: bool = False  # "8시로" with no 오전/오후: the event's half of the day decides
    duration_minutes: int | None = None
    title: str | None = None
    location: str | None = None

    @property
    def moves(self) -> bool:
        """Whether it changes when the event is (not only its length, title or place)."""
        return bool(self.start or self.date or self.shift_minutes)


class EventPatch(_Model):
    """The PATCH body of skill-calendar's contract: one pair of times or of dates, and a new
    title or place."""

    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    title: str | None = None
    location: str | None = None

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class CreateRequest(_Model):
    event: NewEvent


class ChangeRequest(_Model):
    target: Target
    changes: Changes = Changes()


class QueryRequest(_Model):
    """A question: the events of ``range``; its free time (``free``); or, with ``title``,
    when that named thing is (dialogue.questions answers the last two)."""

    range: Span
    free: bool = False
    title: str | None = None


class CreatePlan(_Model):
    body: NewEvent


class CreateManyRequest(_Model):
    """Several events asked in one message ("내일 9시 스탠드업⏎모레 3시 치과"), in order."""

    events: list[NewEvent]


class CreateManyPlan(_Model):
    """One approval creates every body; item n is written with key ``<action key>-n``."""

    bodies: list[NewEvent]


class ChangePlan(_Model):
    event_id: str
    before: CalendarEvent
    patch: EventPatch
    after: CalendarEvent
    scope: Scope | None = None  # an occurrence of a series: which ones change
    series: SeriesInfo | None = None


class DeletePlan(_Model):
    event_id: str
    before: CalendarEvent
    scope: Scope | None = None
    series: SeriesInfo | None = None


class QueryPlan(_Model):
    range: Span
    free: bool = False
    title: str | None = None


Request = CreateRequest | ChangeRequest | QueryRequest | CreateManyRequest
Plan = CreatePlan | ChangePlan | DeletePlan | QueryPlan | CreateManyPlan
_REQUESTS: dict[ActionKind, type[_Model]] = {
    ActionKind.create: CreateRequest,
    ActionKind.update: ChangeRequest,
    ActionKind.delete: ChangeRequest,
    ActionKind.query: QueryRequest,
    ActionKind.create_many: CreateManyRequest,
}
_PLANS: dict[ActionKind, type[_Model]] = {
    ActionKind.create: CreatePlan,
    ActionKind.update: ChangePlan,
    ActionKind.delete: DeletePlan,
    ActionKind.query: QueryPlan,
    ActionKind.create_many: CreateManyPlan,
}


class PlanMissing(LookupError):
    """The action has no plan yet (it waits for consent or for a choice)."""


def request_of(action: PendingAction) -> Any:
    """The action's request as its model."""
    return _REQUESTS[action.kind].model_validate(action.request)


def plan_of(action: PendingAction) -> Any:
    """The action's plan as its model (PlanMissing when it has none)."""
    if action.plan is None:
        raise PlanMissing(action.id)
    return _PLANS[action.kind].model_validate(action.plan)


def candidates_of(action: PendingAction) -> list[CalendarEvent]:
    """The events the person chooses among."""
    return [CalendarEvent.model_validate(c) for c in action.candidates or []]


def title_of(action: PendingAction) -> str | None:
    """The title the person would recognise the action by."""
    if action.plan is not None:
        plan = plan_of(action)
        if isinstance(plan, CreatePlan):
            return plan.body.title
        if isinstance(plan, ChangePlan | DeletePlan):
            return plan.before.title
        if isinstance(plan, CreateManyPlan):
            return ", ".join(body.title for body in plan.bodies)
    request = request_of(action)
    if isinstance(request, CreateRequest):
        return request.event.title
    if isinstance(request, CreateManyRequest):
        return ", ".join(event.title for event in request.events)
    if isinstance(request, ChangeRequest):
        return request.target.title
    return None


# --- from the NLU's result ----------------------------------------------------------------


def new_event(slots: EventSlots | None) -> NewEvent | None:
    """The event to create from the parser's slots (None when no time was understood)."""
    if slots is None:
        return None
    title = (slots.title or "").strip() or NO_TITLE
    location = (slots.location or "").strip() or None
    if slots.recurrence:
        series = new_event(slots.model_copy(update={"recurrence": None}))
        return series.model_copy(update={"recurrence": list(slots.recurrence)}) if series else None
    reminders = tuple(slots.reminder_minutes) if slots.reminder_minutes else None
    if slots.all_day:
        start_date = slots.start_date or (slots.start.date() if slots.start else None)
        if start_date is None:
            return None
        end_date = slots.end_date or (slots.end.date() if slots.end else None)
        if end_date is None or end_date <= start_date:
            end_date = start_date + timedelta(days=1)
        return NewEvent(
            title=title,
            all_day=True,
            start_date=start_date,
            end_date=end_date,
            location=location,
            reminder_minutes=reminders,
        )
    if slots.start is None:
        return None
    end = slots.end or slots.start + DEFAULT_LENGTH
    return NewEvent(
        title=title, start=slots.start, end=end, location=location, reminder_minutes=reminders
    )


NEXT_EVENTS_HORIZON = timedelta(days=366)


def query_span(slots: RangeSlots | None, *, now: datetime, zone: tzinfo) -> Span:
    """The range a question asks about (today when none was understood)."""
    if slots is not None and slots.end is None:  # 다음 일정: the next events, a year ahead at most
        return Span(start=slots.start, end=slots.start + NEXT_EVENTS_HORIZON, limit=slots.limit)
    if slots is not None:
        return Span(start=slots.start, end=slots.end)
    today = start_of_day(now.date(), zone)
    return Span(start=today, end=today + timedelta(days=1))


def target_of(slots: TargetSlots | None) -> Target:
    if slots is None:
        return Target()
    return Target(
        title=slots.title,
        date=slots.date,
        start=slots.start,
        scope=slots.scope,
        period_start=slots.period_start,
        period_end=slots.period_end,
    )


def changes_of(slots: ChangeSlots | None, *, text: str, now: datetime, zone: tzinfo) -> Changes:
    """The change the NLU read: "4시로" (``time``) keeps the event's day (a bare hour takes
    the event's half of the day), "30분 늦춰줘" shifts it, "모레로" keeps its time; a
    length, a title and a place as said."""
    if slots is None:
        return Changes()
    extra = {
        "duration_minutes": slots.duration_minutes,
        "title": (slots.title or "").strip() or None,
        "location": (slots.location or "").strip() or None,
    }
    if slots.shift_minutes:
        return Changes(shift_minutes=slots.shift_minutes, **extra)
    if slots.time is not None:
        hour, minute = (int(part) for part in slots.time.split(":"))
        start = datetime.combine(now.astimezone(zone).date(), dt.time(hour, minute), zone)
        bare = said_bare_hour(text)
        return Changes(start=start, time_only=True, bare_hour=bare, **extra)
    return Changes(start=slots.start, date=slots.date, **extra)


# --- calendar logic -----------------------------------------------------------------------


def span_of(body: NewEvent, zone: tzinfo) -> tuple[datetime, datetime]:
    if body.all_day:
        assert body.start_date is not None and body.end_date is not None
        return start_of_day(body.start_date, zone), start_of_day(body.end_date, zone)
    assert body.start is not None and body.end is not None
    return body.start, body.end


def same_event(event: CalendarEvent, body: NewEvent) -> bool:
    if fmt.normalise_title(event.title) != fmt.normalise_title(body.title):
        return False
    if body.all_day:
        return event.all_day and event.start_date == body.start_date
    return event.start == body.start and event.end == body.end


def overlaps(event: CalendarEvent, body: NewEvent) -> bool:
    if event.start is None or event.end is None or body.start is None or body.end is None:
        return False
    return event.start < body.end and event.end > body.start


def duplicates_and_conflicts(
    listed: list[CalendarEvent], body: NewEvent
) -> tuple[list[CalendarEvent], list[CalendarEvent]]:
    """Events equal to ``body`` (title and time), and other timed events overlapping it."""
    duplicates = [e for e in listed if same_event(e, body)]
    conflicts = [
        e
        for e in listed
        if e not in duplicates and not e.all_day and not body.all_day and overlaps(e, body)
    ]
    return duplicates, conflicts


def target_window(
    target: Target, *, now: datetime, zone: tzinfo
) -> tuple[datetime, datetime, dt.date | None]:
    """Where to look for the target: its day, else the next TARGET_SEARCH_DAYS days."""
    day = target.date or (target.start.astimezone(zone).date() if target.start else None)
    if day is not None:
        start = start_of_day(day, zone)
        return start, start_of_day(day + timedelta(days=1), zone), day
    if target.period_start is not None and target.period_end is not None:
        start = max(start_of_day(target.period_start, zone), start_of_day(now.date(), zone))
        end = start_of_day(target.period_end, zone)
        if target.scope == "following":  # 다음 주부터: from that week's occurrence or the next
            end = max(end, start + timedelta(days=TARGET_SEARCH_DAYS))
        if end > start:
            return start, end, None
    today = start_of_day(now.date(), zone)
    return today, today + timedelta(days=TARGET_SEARCH_DAYS), None


def match_targets(events: list[CalendarEvent], target: Target) -> list[CalendarEvent]:
    """Events matching the target's title loosely (white space, trailing 일정) and its time."""
    wanted = fmt.normalise_title(target.title)
    found = list(events)
    if wanted:
        exact = [e for e in found if fmt.normalise_title(e.title) == wanted]
        loose = [
            e
            for e in found
            if wanted in fmt.normalise_title(e.title) or fmt.normalise_title(e.title) in wanted
        ]
        found = exact or [e for e in loose if fmt.normalise_title(e.title)]
    if target.start is not None:
        timed = [e for e in found if e.start is not None and e.start == target.start]
        if timed or not wanted:
            found = timed
    return found[:MAX_CANDIDATES] if len(found) > 1 else found


def patch_for(event: CalendarEvent | NewEvent, changes: Changes, zone: tzinfo) -> EventPatch | None:
    """The patch that changes ``event`` as ``changes`` say (a move keeps its length), or None
    when nothing would change."""
    when = _moved(event, changes, zone)
    title = changes.title if changes.title and changes.title != event.title else None
    location = changes.location if changes.location and changes.location != event.location else None
    if when is None and title is None and location is None:
        return None
    return EventPatch(**(when or {}), title=title, location=location)


def _moved(event: CalendarEvent | NewEvent, changes: Changes, zone: tzinfo) -> dict | None:
    """The new times (or dates) of ``event``, or None when they stay."""
    if event.all_day:
        assert event.start_date is not None and event.end_date is not None
        if changes.start is not None and not changes.time_only:
            length = timedelta(minutes=changes.duration_minutes or 60)
            return {"start": changes.start, "end": changes.start + length}
        if changes.start is not None:  # "4시로" of an all-day event: that time, on its day
            moved = changes.start.astimezone(zone)
            start = datetime.combine(event.start_date, moved.timetz()).replace(tzinfo=zone)
            length = timedelta(minutes=changes.duration_minutes or 60)
            return {"start": start, "end": start + length}
        if changes.date is not None or changes.shift_minutes:
            days = (changes.shift_minutes or 0) // 1440
            first = changes.date or event.start_date + timedelta(days=days)
            if first == event.start_date:
                return None
            return {"start_date": first, "end_date": first + (event.end_date - event.start_date)}
        return None
    assert event.start is not None and event.end is not None
    start = event.start.astimezone(zone)
    length = event.end - start
    if changes.duration_minutes:
        length = timedelta(minutes=changes.duration_minutes)
    if changes.shift_minutes:
        new_start = start + timedelta(minutes=changes.shift_minutes)
    elif changes.start is not None and changes.time_only:
        moved = changes.start.astimezone(zone)
        hour = nearest_half_day(moved.hour, start.hour) if changes.bare_hour else moved.hour
        new_start = start.replace(hour=hour, minute=moved.minute)
    elif changes.start is not None:
        new_start = changes.start
    elif changes.date is not None:
        new_start = datetime.combine(changes.date, start.timetz()).replace(tzinfo=zone)
    else:
        new_start = start
    if new_start == start and new_start + length == event.end:
        return None
    return {"start": new_start, "end": new_start + length}


def change_plan(event: CalendarEvent, changes: Changes, zone: tzinfo) -> ChangePlan | None:
    """The plan that moves ``event`` (None when the change changes nothing)."""
    patch = patch_for(event, changes, zone)
    if patch is None:
        return None
    return ChangePlan(event_id=event.id, before=event, patch=patch, after=_patched(event, patch))


def _patched(event: CalendarEvent, patch: EventPatch) -> CalendarEvent:
    update: dict[str, Any] = {}
    if patch.start is not None:
        update = {"start": patch.start, "end": patch.end, "all_day": False}
        update |= {"start_date": None, "end_date": None}
    elif patch.start_date is not None:
        update = {"start_date": patch.start_date, "end_date": patch.end_date}
    if patch.title is not None:
        update["title"] = patch.title
    if patch.location is not None:
        update["location"] = patch.location
    return event.model_copy(update=update)


def calendar_body(body: NewEvent) -> dict[str, Any]:
    """The create body of skill-calendar's contract: one pair of times or dates, no extras."""
    keys = ("start_date", "end_date") if body.all_day else ("start", "end")
    data = body.model_dump(mode="json")
    out: dict[str, Any] = {"title": body.title, **{key: data[key] for key in keys}}
    if body.location:
        out["location"] = body.location
    if body.calendar_reminders:
        out["reminder_minutes"] = list(body.calendar_reminders)
    if body.recurrence:
        out["recurrence"] = list(body.recurrence)
    out["allow_duplicate"] = body.allow_duplicate
    return out
