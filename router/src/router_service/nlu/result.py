"""The parser's plain result: stdlib dataclasses, so the command starts without pydantic.

``schemas.NluResult`` is the pydantic twin used by the service and the HTTP API;
both serialise to the same SPEC JSON (a test keeps them equal).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

SCOPES = ("one", "following", "all")


def iso(value: datetime | None) -> str | None:
    """ISO-8601 with offset, to the second."""
    return None if value is None else value.isoformat(timespec="seconds")


def iso_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True, slots=True)
class Event:
    title: str | None
    start: datetime | None = None
    end: datetime | None = None
    all_day: bool = False
    start_date: date | None = None
    end_date: date | None = None
    location: str | None = None
    recurrence: tuple[str, ...] | None = None  # RFC 5545 lines, as Google takes them
    reminder_minutes: tuple[int, ...] | None = None

    def to_spec_json(self) -> dict[str, Any]:
        if self.all_day:
            start, end = iso_date(self.start_date), iso_date(self.end_date)
        else:
            start, end = iso(self.start), iso(self.end)
        return {
            "title": self.title,
            "start": start,
            "end": end,
            "all_day": self.all_day,
            "location": self.location,
            "recurrence": list(self.recurrence) if self.recurrence else None,
            "reminder_minutes": list(self.reminder_minutes) if self.reminder_minutes else None,
        }


@dataclass(frozen=True, slots=True)
class Range:
    start: datetime
    end: datetime | None  # None only with ``limit``: the next N events from ``start``
    limit: int | None = None

    def to_spec_json(self) -> dict[str, Any]:
        return {"start": iso(self.start), "end": iso(self.end), "limit": self.limit}


Day = date  # the field ``date`` below hides the type's own name


@dataclass(frozen=True, slots=True)
class Target:
    title: str | None
    date: date | None = None
    start: datetime | None = None
    scope: str | None = None  # recurring events: one, following, all
    # A week or month named instead of a day (다음 주 영어 스터디만): [start, end) dates.
    period_start: Day | None = None
    period_end: Day | None = None

    def to_spec_json(self) -> dict[str, Any]:
        out = {
            "title": self.title,
            "date": iso_date(self.date),
            "start": iso(self.start),
            "scope": self.scope,
        }
        if self.period_start is not None:
            out["period_start"] = iso_date(self.period_start)
            out["period_end"] = iso_date(self.period_end)
        return out


@dataclass(frozen=True, slots=True)
class Changes:
    start: datetime | None = None
    date: date | None = None
    time: str | None = None  # amend: HH:MM on the proposal's day
    shift_minutes: int | None = None
    duration_minutes: int | None = None
    title: str | None = None
    location: str | None = None

    def to_spec_json(self) -> dict[str, Any]:
        return {
            "start": iso(self.start),
            "date": iso_date(self.date),
            "time": self.time,
            "shift_minutes": self.shift_minutes,
            "duration_minutes": self.duration_minutes,
            "title": self.title,
            "location": self.location,
        }


@dataclass(frozen=True, slots=True)
class Parse:
    intent: str
    event: Event | None = None
    range: Range | None = None
    target: Target | None = None
    changes: Changes | None = None
    confidence: float = 0.5
    assumptions: tuple[str, ...] = field(default_factory=tuple)
    events: tuple[Event, ...] | None = None  # two or more events asked at once; event = first
    needs: tuple[str, ...] | None = None  # ("date",): a create the router must ask a day for
    preference: tuple[tuple[str, Any], ...] | None = None  # set_preference: (name, value) pairs
    approve: bool = False  # amend: the message also agrees to the proposal
    refused: bool = False  # the rules decided against it (an impossible date, not a request)
    # needs date: the time of day the message did give ("15:00", minutes long); not SPEC JSON
    time_of_day: tuple[str, int] | None = None

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
            "preference": dict(self.preference) if self.preference is not None else None,
            "approve": self.approve,
            "confidence": round(self.confidence, 2),
            "assumptions": list(self.assumptions),
        }
