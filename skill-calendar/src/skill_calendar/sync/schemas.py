"""The change notice skill-calendar sends the router (POST /internal/calendar-changes)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

EventStatus = Literal["confirmed", "tentative", "cancelled"]


class ChangedEvent(BaseModel):
    """One event as Google has it now (a cancelled one may carry only its id and status)."""

    event_id: str
    status: EventStatus
    title: str | None = None
    start: AwareDatetime | None = Field(None, description="Timed events: the start")
    end: AwareDatetime | None = None
    start_date: date | None = Field(None, description="All-day events: the first day")
    end_date: date | None = Field(None, description="All-day events: the day after the last")
    time_zone: str | None = Field(None, description="The event's zone, else the calendar's")
    recurring_event_id: str | None = Field(
        None, description="Set on a changed instance of a series: the series' id"
    )
    recurrence: list[str] | None = Field(
        None, description="Set on a series (its RRULE lines): its instances may all have moved"
    )
    updated: AwareDatetime | None = None


class CalendarChanges(BaseModel):
    """Events of one person that changed in Google since the last sync."""

    notice_id: str
    user_id: str
    full_resync: bool = Field(
        description="Google invalidated the sync token: ``events`` is everything listed anew "
        "(from full_sync_days ago), and anything not in it may be gone"
    )
    events: list[ChangedEvent]
    synced_at: AwareDatetime


def _when(part: Any) -> tuple[datetime | None, date | None, str | None]:
    if not isinstance(part, dict):
        return None, None, None
    zone = part.get("timeZone")
    if part.get("dateTime"):
        return datetime.fromisoformat(part["dateTime"].replace("Z", "+00:00")), None, zone
    if part.get("date"):
        return None, date.fromisoformat(part["date"]), zone
    return None, None, zone


def changed_event(item: dict[str, Any], *, calendar_zone: str | None) -> ChangedEvent:
    """A Google event (an events.list item) as the notice's typed event."""
    start, start_date, start_zone = _when(item.get("start"))
    end, end_date, _ = _when(item.get("end"))
    status = item.get("status")
    updated = item.get("updated")
    return ChangedEvent(
        event_id=str(item["id"]),
        status=status if status in ("confirmed", "tentative", "cancelled") else "confirmed",
        title=item.get("summary"),
        start=start,
        end=end,
        start_date=start_date,
        end_date=end_date,
        time_zone=start_zone or calendar_zone,
        recurring_event_id=item.get("recurringEventId"),
        recurrence=item.get("recurrence"),
        updated=datetime.fromisoformat(updated.replace("Z", "+00:00")) if updated else None,
    )


class SyncState(BaseModel):
    """Whether a person's calendar is followed, and how (GET /v1/sync/people/{user_id})."""

    user_id: str
    active: bool
    synced: bool = Field(description="A sync token is held (the baseline sync happened)")
    channel_expires_at: AwareDatetime | None
    last_synced_at: AwareDatetime | None


class Accepted(BaseModel):
    """A start or stop was recorded; the work runs in the background (``accepted``), or a
    stop asked ``now`` was done in the request (``stopped``: the channel stopped at Google,
    channel and sync token forgotten)."""

    status: Literal["accepted", "stopped"] = "accepted"
