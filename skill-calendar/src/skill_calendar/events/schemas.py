"""Request and response models of the events API (see docs/contracts.md)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from shared.text import StorableText
from shared.time import RANGE_INVALID_CODE
from skill_calendar.events.bounds import CalendarDate, CalendarDatetime
from skill_calendar.events.recurrence import RecurrenceInvalid, rule_set

RECURRENCE_INVALID_CODE = "event.recurrence_invalid"
Scope = Literal["one", "following", "all"]
# Google's limits on an event's own reminders (Events resource, reminders.overrides).
MAX_REMINDERS = 5
MAX_REMINDER_MINUTES = 40320  # four weeks
ReminderMinutes = Annotated[int, Field(ge=0, le=MAX_REMINDER_MINUTES)]
REMINDERS_DESCRIPTION = (
    "Minutes before the start at which Google shows a reminder (popup), at most 5, each "
    "0..40320; [] for none. Absent: the calendar's default reminders apply"
)


def _check_pairs(model: BaseModel, *, require_one: bool) -> None:
    timed = (model.start, model.end)
    dated = (model.start_date, model.end_date)
    has_timed = any(v is not None for v in timed)
    has_dated = any(v is not None for v in dated)
    if has_timed and has_dated:
        raise PydanticCustomError(
            "event.time_kind_mixed",
            "시각(start/end)과 날짜(start_date/end_date)를 함께 줄 수 없습니다.",
        )
    if require_one:
        if not has_timed and not has_dated:
            raise PydanticCustomError("event.time_missing", "일정의 시작과 끝을 주세요.")
        pair = timed if has_timed else dated
        if any(v is None for v in pair):
            raise PydanticCustomError("event.time_missing", "시작과 끝을 함께 주세요.")
    for start, end in (timed, dated):
        if start is not None and end is not None and end <= start:
            raise PydanticCustomError(RANGE_INVALID_CODE, "끝이 시작보다 뒤여야 합니다.")


def _check_recurrence(model: EventCreate) -> None:
    if model.start is not None:
        first, zone = model.start, model.start.tzinfo
    else:
        first, zone = datetime.combine(model.start_date, time()), None  # type: ignore[arg-type]
    try:
        rule_set(model.recurrence or [], first, zone)  # type: ignore[arg-type]
    except RecurrenceInvalid as err:
        raise PydanticCustomError(
            RECURRENCE_INVALID_CODE,
            "반복 규칙을 읽을 수 없습니다(RRULE/RDATE/EXDATE, 매일 이상 간격).",
        ) from err


class EventCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: StorableText = Field(min_length=1, max_length=1024)
    start: CalendarDatetime | None = None
    end: CalendarDatetime | None = None
    start_date: CalendarDate | None = None
    end_date: CalendarDate | None = None
    location: StorableText | None = None
    description: StorableText | None = None
    recurrence: list[StorableText] | None = Field(
        None,
        max_length=20,
        description="RFC 5545 RRULE/RDATE/EXDATE lines (Google's set); repeats in the "
        "person's zone",
    )
    reminder_minutes: list[ReminderMinutes] | None = Field(
        None, max_length=MAX_REMINDERS, description=REMINDERS_DESCRIPTION
    )
    allow_duplicate: bool = False

    @model_validator(mode="after")
    def _one_pair(self) -> EventCreate:
        _check_pairs(self, require_one=True)
        if self.recurrence is not None:
            _check_recurrence(self)
        return self


class EventPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: StorableText | None = Field(None, min_length=1, max_length=1024)
    start: CalendarDatetime | None = None
    end: CalendarDatetime | None = None
    start_date: CalendarDate | None = None
    end_date: CalendarDate | None = None
    location: StorableText | None = None
    description: StorableText | None = None
    reminder_minutes: list[ReminderMinutes] | None = Field(
        None,
        max_length=MAX_REMINDERS,
        description=REMINDERS_DESCRIPTION + " again (null)",
    )

    @model_validator(mode="after")
    def _pairs(self) -> EventPatch:
        _check_pairs(self, require_one=False)
        return self


class FreeBusyQuery(BaseModel):
    start: CalendarDatetime
    end: CalendarDatetime

    @model_validator(mode="after")
    def _range(self) -> FreeBusyQuery:
        if self.end <= self.start:
            raise PydanticCustomError(RANGE_INVALID_CODE, "끝 시각이 시작 시각보다 뒤여야 합니다.")
        return self


class Event(BaseModel):
    id: str
    title: str
    start: str | None
    end: str | None
    start_date: date | None
    end_date: date | None
    all_day: bool
    location: str | None
    description: str | None
    html_link: str | None
    status: str
    created: str | None
    updated: str | None
    time_zone: str
    recurrence: list[str] | None = Field(None, description="A series' lines (its master only)")
    recurring_event_id: str | None = Field(None, description="An instance's series")
    original_start: str | None = Field(
        None, description="An instance's start in its series' rule (date for all-day)"
    )
    reminder_minutes: list[int] | None = Field(
        None,
        description="The event's own popup reminders (minutes before the start; [] for none); "
        "null when the calendar's default reminders apply",
    )


class EventWrite(BaseModel):
    status: Literal["created", "duplicate", "replayed"]
    event: Event
    conflicts: list[Event]


class EventUpdated(BaseModel):
    event: Event
    conflicts: list[Event]


class EventList(BaseModel):
    events: list[Event]
    time_zone: str


class Deleted(BaseModel):
    deleted: bool
    already_deleted: bool


class BusySlot(BaseModel):
    start: str
    end: str


class FreeBusy(BaseModel):
    busy: list[BusySlot]
    time_zone: str


class CalendarOut(BaseModel):
    time_zone: str
    google_email: str | None
