"""The parser's plain result: stdlib dataclasses, so the command starts without pydantic.

``schemas.NluResult`` is the pydantic twin used by the service and the HTTP API;
both serialise to the same SPEC JSON (a test keeps them equal).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


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
        }


@dataclass(frozen=True, slots=True)
class Range:
    start: datetime
    end: datetime

    def to_spec_json(self) -> dict[str, Any]:
        return {"start": iso(self.start), "end": iso(self.end)}


@dataclass(frozen=True, slots=True)
class Target:
    title: str | None
    date: date | None = None
    start: datetime | None = None

    def to_spec_json(self) -> dict[str, Any]:
        return {"title": self.title, "date": iso_date(self.date), "start": iso(self.start)}


@dataclass(frozen=True, slots=True)
class Changes:
    start: datetime | None = None
    date: date | None = None

    def to_spec_json(self) -> dict[str, Any]:
        return {"start": iso(self.start), "date": iso_date(self.date)}


@dataclass(frozen=True, slots=True)
class Parse:
    intent: str
    event: Event | None = None
    range: Range | None = None
    target: Target | None = None
    changes: Changes | None = None
    confidence: float = 0.5
    assumptions: tuple[str, ...] = field(default_factory=tuple)

    def to_spec_json(self) -> dict[str, Any]:
        """The SPEC's JSON object (plus ``assumptions``)."""
        return {
            "intent": self.intent,
            "event": self.event.to_spec_json() if self.event else None,
            "range": self.range.to_spec_json() if self.range else None,
            "target": self.target.to_spec_json() if self.target else None,
            "changes": self.changes.to_spec_json() if self.changes else None,
            "confidence": round(self.confidence, 2),
            "assumptions": list(self.assumptions),
        }
