"""Pydantic models of the NLU result (the SPEC's JSON plus ``assumptions``) and the request."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from router_service.nlu.result import Event, Parse, iso, iso_date
from shared.time import AwareDatetime, TimeZoneName

Intent = Literal[
    "create_event",
    "query_events",
    "update_event",
    "delete_event",
    "approve",
    "reject",
    "other",
]


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
        return self

    def to_spec_json(self) -> dict[str, Any]:
        """``start``/``end`` are ISO instants when timed, ``YYYY-MM-DD`` dates when all-day."""
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


class RangeSlots(BaseModel):
    """A query's half-open interval ``[start, end)``."""

    model_config = ConfigDict(frozen=True)

    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _ordered(self) -> RangeSlots:
        if self.end <= self.start:
            raise ValueError("range end must be after its start")
        return self

    def to_spec_json(self) -> dict[str, Any]:
        return {"start": iso(self.start), "end": iso(self.end)}


class TargetSlots(BaseModel):
    """Which existing event an update or delete means."""

    model_config = ConfigDict(frozen=True)

    title: str | None = None
    date: dt.date | None = None
    start: AwareDatetime | None = None

    def to_spec_json(self) -> dict[str, Any]:
        return {"title": self.title, "date": iso_date(self.date), "start": iso(self.start)}


class ChangeSlots(BaseModel):
    """An update's new value: a new start, or only a new day (the old time is kept)."""

    model_config = ConfigDict(frozen=True)

    start: AwareDatetime | None = None
    date: dt.date | None = None

    def to_spec_json(self) -> dict[str, Any]:
        return {"start": iso(self.start), "date": iso_date(self.date)}


class NluResult(BaseModel):
    """One message's meaning: intent, its slots, confidence, and what was assumed."""

    model_config = ConfigDict(frozen=True)

    intent: Intent
    event: EventSlots | None = None
    range: RangeSlots | None = None
    target: TargetSlots | None = None
    changes: ChangeSlots | None = None
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
            "confidence": round(self.confidence, 2),
            "assumptions": list(self.assumptions),
        }

    @classmethod
    def from_parse(cls, parsed: Parse) -> NluResult:
        """Converts the parser's plain result."""
        return cls(
            intent=parsed.intent,
            event=_event(parsed.event),
            range=RangeSlots(start=parsed.range.start, end=parsed.range.end)
            if parsed.range
            else None,
            target=TargetSlots(
                title=parsed.target.title, date=parsed.target.date, start=parsed.target.start
            )
            if parsed.target
            else None,
            changes=ChangeSlots(start=parsed.changes.start, date=parsed.changes.date)
            if parsed.changes
            else None,
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
        event = payload.get("event")
        if isinstance(event, dict) and event.get("all_day"):
            event = dict(event)
            event["start_date"] = event.pop("start", None)
            event["end_date"] = event.pop("end", None)
            payload["event"] = event
        return cls.model_validate(payload)


def _event(event: Event | None) -> EventSlots | None:
    if event is None:
        return None
    return EventSlots(
        title=event.title,
        start=event.start,
        end=event.end,
        all_day=event.all_day,
        start_date=event.start_date,
        end_date=event.end_date,
        location=event.location,
    )


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
    "RangeSlots",
    "TargetSlots",
]
