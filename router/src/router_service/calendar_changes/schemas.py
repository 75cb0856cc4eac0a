"""What skill-calendar tells the router when events changed in Google (its change notice)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from shared.time import AwareDatetime


class ChangedEvent(BaseModel):
    """One event as Google has it now; a cancelled one may carry only its id and status."""

    event_id: str = Field(min_length=1, max_length=1024)
    status: Literal["confirmed", "tentative", "cancelled"]
    title: str | None = None
    start: AwareDatetime | None = Field(None, description="Timed events: the start")
    end: AwareDatetime | None = None
    start_date: date | None = Field(None, description="All-day events: the first day")
    end_date: date | None = Field(None, description="All-day events: the day after the last")
    time_zone: str | None = Field(None, description="The event's zone, else the calendar's")
    recurring_event_id: str | None = Field(
        None, description="A changed instance of a series: the series' id"
    )
    recurrence: list[str] | None = Field(
        None, description="A series (its RRULE lines): any of its instances may have moved"
    )
    updated: AwareDatetime | None = None

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


class CalendarChanges(BaseModel):
    """Events of one person that changed in Google since skill-calendar's last sync.

    Delivered at least once (a listener may see a notice twice, never out of order for one
    person); ``full_resync``: Google invalidated the sync token, ``events`` is every event
    listed anew and anything a listener knows that is not in it may be gone.
    """

    notice_id: str = Field(min_length=1, max_length=64)
    user_id: str = Field(min_length=1, max_length=64)
    full_resync: bool = False
    events: list[ChangedEvent] = Field(max_length=1000)
    synced_at: AwareDatetime


class CalendarChangesAck(BaseModel):
    status: Literal["delivered"] = "delivered"
    listeners: int
