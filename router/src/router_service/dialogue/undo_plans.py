"""What takes a done create, update or delete back: the inverse write as a typed plan.

Each plan is built from the calendar's own answers when the action ran: the event the
create made, the event as it was just before an update or a delete (read at execution
time, stored with ``start_execution`` before the write) and the event the update left.
Stored as JSON in ``pending_actions.undo_plan`` and read back only through
:func:`undo_plan_of`.

- create → :class:`DeleteCreated` (a series' master: the whole series goes)
- update → :class:`PatchBack` (the fields the update changed, back to what they were; a
  change to a whole series is patched back on its master)
- delete → :class:`Recreate` (the same details, a series with its recurrence)
- several events created by one yes → :class:`DeleteCreatedMany` (each event it made)

Not undoable (no plan): a create that found the event already there, a "this and
following" split of a series, and the delete of one instance of a series.
"""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from router_service.clients.calendar import CalendarEvent
from router_service.pending.models import ActionKind, PendingAction
from shared.time import AwareDatetime

UNDO_WINDOW = timedelta(minutes=10)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class EventDetails(_Model):
    """The details of an event that undo restores, and compares to see if it changed since."""

    title: str
    all_day: bool = False
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    location: str | None = None
    description: str | None = None
    recurrence: list[str] | None = None
    # Its own popup reminders (minutes before; [] none); None: the calendar's default.
    reminder_minutes: list[int] | None = None

    @classmethod
    def of(cls, event: CalendarEvent) -> EventDetails:
        return cls(
            title=event.title,
            all_day=event.all_day,
            start=event.start,
            end=event.end,
            start_date=event.start_date,
            end_date=event.end_date,
            location=event.location or None,
            description=event.description or None,
            recurrence=event.recurrence or None,
            reminder_minutes=event.reminder_minutes,
        )

    def create_body(self) -> dict[str, Any]:
        """skill-calendar's create body for an event with these details."""
        body: dict[str, Any] = {"title": self.title}
        if self.all_day:
            assert self.start_date is not None and self.end_date is not None
            body.update(start_date=self.start_date.isoformat(), end_date=self.end_date.isoformat())
        else:
            assert self.start is not None and self.end is not None
            body.update(start=self.start.isoformat(), end=self.end.isoformat())
        for field in ("location", "description", "recurrence"):
            if getattr(self, field):
                body[field] = getattr(self, field)
        if self.reminder_minutes is not None:
            body["reminder_minutes"] = self.reminder_minutes
        body["allow_duplicate"] = False  # restored by hand meanwhile: the calendar says so
        return body


class DeleteCreated(_Model):
    """Undo of a create: delete the event it made (a series' master: the series)."""

    kind: Literal["delete_created"] = "delete_created"
    event_id: str
    left: EventDetails  # as the create left it


class DeleteCreatedMany(_Model):
    """Undo of several events created by one yes: delete each one it made (item n with
    its own key); one already gone is fine."""

    kind: Literal["delete_created_many"] = "delete_created_many"
    items: tuple[DeleteCreated, ...]

    @property
    def titles(self) -> list[str]:
        return [item.left.title for item in self.items]


class PatchBack(_Model):
    """Undo of an update: the changed fields back to their values before it."""

    kind: Literal["patch_back"] = "patch_back"
    event_id: str
    scope: str | None = None
    before: EventDetails
    left: EventDetails | None = None  # as the update left it (filled in from its answer)

    def patch(self) -> dict[str, Any]:
        """skill-calendar's PATCH body: every field that differs, with its earlier value."""
        assert self.left is not None
        before, left = self.before, self.left
        body: dict[str, Any] = {}
        if before.title != left.title:
            body["title"] = before.title
        for field in ("location", "description"):
            if getattr(before, field) != getattr(left, field):
                body[field] = getattr(before, field) or ""
        if before.reminder_minutes != left.reminder_minutes:
            body["reminder_minutes"] = before.reminder_minutes  # null: the default again
        times = ("all_day", "start", "end", "start_date", "end_date")
        if any(getattr(before, f) != getattr(left, f) for f in times):
            if before.all_day:
                assert before.start_date is not None and before.end_date is not None
                body["start_date"] = before.start_date.isoformat()
                body["end_date"] = before.end_date.isoformat()
            else:
                assert before.start is not None and before.end is not None
                body["start"] = before.start.isoformat()
                body["end"] = before.end.isoformat()
        return body


class Recreate(_Model):
    """Undo of a delete: the same event made again (a series with its recurrence)."""

    kind: Literal["recreate"] = "recreate"
    before: EventDetails


# What a write's calendar answer gave undo: the event, or the events several creates made.
Written = CalendarEvent | tuple[CalendarEvent, ...] | None
AnyUndoPlan = DeleteCreated | DeleteCreatedMany | PatchBack | Recreate
UndoPlan = Annotated[AnyUndoPlan, Field(discriminator="kind")]
_UNDO_PLAN: TypeAdapter[AnyUndoPlan] = TypeAdapter(UndoPlan)


def undo_plan_of(action: PendingAction) -> AnyUndoPlan | None:
    """The action's undo plan as its model (None: it cannot be undone)."""
    if action.undo_plan is None:
        return None
    return _UNDO_PLAN.validate_python(action.undo_plan)


def before_write(
    kind: ActionKind, event: CalendarEvent, *, event_id: str, scope: str | None
) -> PatchBack | Recreate | None:
    """The undo plan as far as the event before an update or a delete tells it."""
    details = EventDetails.of(event)
    if kind == ActionKind.delete:
        if event.recurring_event_id is not None and scope in (None, "one"):
            return None  # one cancelled instance of a series: not re-made as a lone event
        return Recreate(before=details)
    if scope == "all":
        event_id = event.id  # the series' master: its times move every instance back
    return PatchBack(event_id=event_id, scope=None if scope == "all" else scope, before=details)


def after_write(
    kind: ActionKind,
    *,
    stored: AnyUndoPlan | None,
    answer: Written,
    created_status: str | None = None,
) -> AnyUndoPlan | None:
    """The complete undo plan once the calendar answered the write (several events: the
    ones it made, in order)."""
    if kind == ActionKind.create_many:
        if not isinstance(answer, tuple) or not answer:
            return None  # nothing was made: every item was already there
        items = tuple(DeleteCreated(event_id=e.id, left=EventDetails.of(e)) for e in answer)
        return DeleteCreatedMany(items=items)
    assert not isinstance(answer, tuple)
    if kind == ActionKind.create:
        if answer is None or created_status == "duplicate":
            return None  # nothing was made
        return DeleteCreated(event_id=answer.id, left=EventDetails.of(answer))
    if kind == ActionKind.update:
        if not isinstance(stored, PatchBack) or answer is None:
            return None
        return stored.model_copy(update={"left": EventDetails.of(answer)})
    if kind == ActionKind.delete and isinstance(stored, Recreate):
        return stored
    return None
