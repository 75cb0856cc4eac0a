"""Pydantic models of the NLU result (the SPEC's JSON plus ``assumptions``) and the request."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from router_service.nlu.result import Changes, Event, Parse, Range, Target, iso
from shared.time import AwareDatetime, TimeZoneName

Intent = Literal[
    "create_event",
    "query_events",
    "update_event",
    "delete_event",
    "approve",
    "reject",
    "other",
    "amend",
    "undo",
    "set_preference",
]
Scope = Literal["one", "following", "all"]
MAX_REMINDER_MINUTES = 4 * 7 * 24 * 60  # Google Calendar's limit: four weeks


def check_rrule(line: str, first: dt.datetime) -> str:
    """Raises ValueError unless ``line`` is one ``RRULE:`` line dateutil can read and
    expand from ``first`` (aware for timed events, so UNTIL must then be UTC)."""
    from dateutil.rrule import rrulestr  # imported on first use only

    if not line.startswith("RRULE:"):
        raise ValueError("a recurrence line starts with RRULE:")
    rule = rrulestr(line, dtstart=first, forceset=False)
    if rule.after(first, inc=True) is None:  # type: ignore[union-attr]
        raise ValueError("the recurrence has no occurrence")
    return line


class EventSlots(BaseModel):
    """A create request's event: timed (start/end) or all-day (start_date/end_date, exclusive)."""

    model_config = ConfigDict(frozen=True)

    title: str | None = None
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    all_day: bool = False
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    location: str | None = None
    recurrence: list[str] | None = None
    reminder_minutes: list[int] | None = None

    @field_validator("reminder_minutes")
    @classmethod
    def _reminders(cls, value: list[int] | None) -> list[int] | None:
        if any(not 0 <= m <= MAX_REMINDER_MINUTES for m in value or ()):
            raise ValueError("a reminder is 0 to 40320 minutes before the start")
        return value or None

    @model_validator(mode="after")
    def _consistent(self) -> EventSlots:
        if self.all_day:
            if self.start_date is None or self.end_date is None:
                raise ValueError("an all-day event needs start_date and end_date")
            if self.end_date <= self.start_date:
                raise ValueError("end_date is exclusive and must be after start_date")
            if self.start is not None or self.end is not None:
                raise ValueError("an all-day event has no start/end instants")
        else:
            if self.start_date is not None or self.end_date is not None:
                raise ValueError("a timed event has no start_date/end_date")
            if (self.start is None) != (self.end is None):
                raise ValueError("a timed event needs both start and end")
            if self.start is not None and self.end is not None and self.end <= self.start:
                raise ValueError("end must be after start")
        if self.recurrence:
            if self.start is not None:
                first = self.start
            elif self.start_date is not None:
                first = dt.datetime.combine(self.start_date, dt.time())
            else:
                raise ValueError("a recurring event needs its first occurrence")
            for line in self.recurrence:
                check_rrule(line, first)
        return self

    def to_spec_json(self) -> dict[str, Any]:
        """``start``/``end`` are ISO instants when timed, ``YYYY-MM-DD`` dates when all-day."""
        return Event(**dict(self)).to_spec_json()  # type: ignore[arg-type]


class RangeSlots(BaseModel):
    """A query's half-open interval ``[start, end)``, or the next ``limit`` events from start."""

    model_config = ConfigDict(frozen=True)

    start: AwareDatetime
    end: AwareDatetime | None = None
    limit: int | None = Field(default=None, ge=1, le=50)

    @model_validator(mode="after")
    def _ordered(self) -> RangeSlots:
        if self.end is None and self.limit is None:
            raise ValueError("a range without an end needs a limit")
        if self.end is not None and self.end <= self.start:
            raise ValueError("range end must be after its start")
        return self

    def to_spec_json(self) -> dict[str, Any]:
        return {"start": iso(self.start), "end": iso(self.end), "limit": self.limit}


class TargetSlots(BaseModel):
    """Which existing event an update or delete means (or a query's named thing)."""

    model_config = ConfigDict(frozen=True)

    title: str | None = None
    date: dt.date | None = None
    start: AwareDatetime | None = None
    scope: Scope | None = None
    period_start: dt.date | None = None  # a week or month named instead of a day
    period_end: dt.date | None = None  # exclusive

    def to_spec_json(self) -> dict[str, Any]:
        return Target(**dict(self)).to_spec_json()


class ChangeSlots(BaseModel):
    """An update's or amendment's new values (each optional)."""

    model_config = ConfigDict(frozen=True)

    start: AwareDatetime | None = None
    date: dt.date | None = None
    time: str | None = Field(default=None, pattern=r"^(?:[01]\d|2[0-3]):[0-5]\d$")
    shift_minutes: int | None = Field(default=None, ge=-525600, le=525600)
    duration_minutes: int | None = Field(default=None, ge=1, le=525600)
    title: str | None = None
    location: str | None = None

    def to_spec_json(self) -> dict[str, Any]:
        return Changes(**dict(self)).to_spec_json()


class PreferenceSlots(BaseModel):
    """What a set_preference message sets; only the fields it names are present."""

    model_config = ConfigDict(frozen=True)

    agenda_time: str | None = Field(default=None, pattern=r"^(?:[01]\d|2[0-3]):[0-5]\d$")
    reminder_minutes: int | None = Field(default=None, ge=0, le=MAX_REMINDER_MINUTES)

    def to_spec_json(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class TimeOfDay(BaseModel):
    """A time a create gave without its day ("다음 주 중에 오후 3시 치과"): the start on the
    day still to be named, and the length."""

    model_config = ConfigDict(frozen=True)

    start: dt.time
    minutes: int = Field(default=60, gt=0)


class NluResult(BaseModel):
    """One message's meaning: intent, its slots, confidence, and what was assumed."""

    model_config = ConfigDict(frozen=True)

    intent: Intent
    event: EventSlots | None = None
    events: list[EventSlots] | None = None
    range: RangeSlots | None = None
    target: TargetSlots | None = None
    changes: ChangeSlots | None = None
    needs: list[Literal["date"]] | None = None
    preference: PreferenceSlots | None = None
    approve: bool = False
    # The rules decided against the message (an impossible date, not a calendar request):
    # the LLM fallback is never asked to widen that. Not part of the SPEC's JSON.
    refused: bool = False
    # A create that needs a day but gave a time ("다음 주 중에 오후 3시"). Not SPEC JSON.
    time_of_day: TimeOfDay | None = None
    confidence: float = Field(ge=0.0, le=1.0)
    assumptions: list[str] = Field(default_factory=list)

    def to_spec_json(self) -> dict[str, Any]:
        """The SPEC's JSON object (plus ``assumptions``)."""
        return {
            "intent": self.intent,
            "event": self.event.to_spec_json() if self.event else None,
            "range": self.range.to_spec_json() if self.range else None,
            "target": self.target.to_spec_json() if self.target else None,
            "changes": self.changes.to_spec_json() if self.changes else None,
            "events": [e.to_spec_json() for e in self.events] if self.events else None,
            "needs": list(self.needs) if self.needs else None,
            "preference": self.preference.to_spec_json() if self.preference else None,
            "approve": self.approve,
            "confidence": round(self.confidence, 2),
            "assumptions": list(self.assumptions),
        }

    @classmethod
    def from_parse(cls, parsed: Parse) -> NluResult:
        """Converts the parser's plain result."""
        return cls(
            intent=parsed.intent,
            event=_event(parsed.event),
            events=[_event(e) for e in parsed.events] if parsed.events else None,  # type: ignore[misc]
            range=_range(parsed.range),
            target=TargetSlots(**_fields(parsed.target)) if parsed.target else None,
            changes=ChangeSlots(**_fields(parsed.changes)) if parsed.changes else None,
            needs=list(parsed.needs) if parsed.needs else None,  # type: ignore[arg-type]
            preference=PreferenceSlots(**dict(parsed.preference))
            if parsed.preference is not None
            else None,
            approve=parsed.approve,
            refused=parsed.refused,
            time_of_day=_time_of_day(parsed.time_of_day),
            confidence=parsed.confidence,
            assumptions=list(parsed.assumptions),
        )

    @classmethod
    def from_spec_json(cls, data: dict[str, Any]) -> NluResult:
        """Validates a SPEC-shaped JSON object (as an LLM returns it) into a result.

        All-day events carry dates in ``start``/``end``; timed ones carry ISO instants,
        which must have an offset. Raises ``pydantic.ValidationError`` or ``ValueError``.
        """
        payload = dict(data)
        payload.pop("refused", None)  # only the rules refuse
        payload.pop("time_of_day", None)
        payload["event"] = _event_payload(payload.get("event"))
        if isinstance(payload.get("events"), list):
            payload["events"] = [_event_payload(e) for e in payload["events"]]
        if isinstance(payload.get("changes"), dict):
            payload["changes"] = {k: v for k, v in payload["changes"].items() if v is not None}
        if isinstance(payload.get("preference"), dict):
            payload["preference"] = dict(payload["preference"])
        return cls.model_validate(payload)


def _time_of_day(value: tuple[str, int] | None) -> TimeOfDay | None:
    if value is None:
        return None
    return TimeOfDay(start=dt.time.fromisoformat(value[0]), minutes=value[1])


def _event_payload(event: Any) -> Any:
    if isinstance(event, dict) and event.get("all_day"):
        event = dict(event)
        event["start_date"] = event.pop("start", None)
        event["end_date"] = event.pop("end", None)
    return event


def _fields(slots: Any) -> dict[str, Any]:
    return {name: getattr(slots, name) for name in slots.__slots__}


def _range(value: Range | None) -> RangeSlots | None:
    if value is None:
        return None
    return RangeSlots(start=value.start, end=value.end, limit=value.limit)


def _event(event: Event | None) -> EventSlots | None:
    if event is None:
        return None
    values = _fields(event)
    for name in ("recurrence", "reminder_minutes"):
        values[name] = list(values[name]) if values[name] else None
    return EventSlots(**values)


class ParseRequest(BaseModel):
    """``POST /internal/nlu/parse``: the message, and optionally the clock and the user's zone."""

    text: str = Field(min_length=1, max_length=2000)
    now: AwareDatetime | None = None
    time_zone: TimeZoneName = "Asia/Seoul"


__all__ = [
    "ChangeSlots",
    "EventSlots",
    "Intent",
    "NluResult",
    "ParseRequest",
    "PreferenceSlots",
    "RangeSlots",
    "TargetSlots",
    "TimeOfDay",
]
