"""Calendar events: the Event shape, list, get, update, delete, free/busy (create: creation.py)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.time import parse_aware, start_of_day
from shared.titles import title_key
from skill_calendar.events import recurrence
from skill_calendar.events.bounds import shifted
from skill_calendar.events.exceptions import RangeInvalid
from skill_calendar.events.schemas import EventPatch
from skill_calendar.google.client import GoogleCalendarClient
from skill_calendar.google.exceptions import (
    CalendarUpstreamError,
    EventNotFound,
)
from skill_calendar.google.zones import CalendarZones

# Google answers 410 for an event that was deleted (and 404 for one that never was).
GONE = 410


@dataclass(frozen=True)
class Span:
    """An event's instants in the calendar zone (all-day days start at local midnight)."""

    start: datetime
    end: datetime


def derive_event_id(*, user_id: str, key: str) -> str:
    """A Google event id (base32hex, lower case) derived from the user and Idempotency-Key."""
    digest = hashlib.sha256(f"{user_id}\x00{key}".encode()).digest()
    return base64.b32hexencode(digest).decode().rstrip("=").lower()


def normalise_title(title: str) -> str:
    """The title as compared for duplicate detection (``shared.titles.title_key``)."""
    return title_key(title)


def span_of(raw: dict[str, Any], zone: ZoneInfo) -> Span:
    """The instants a Google event covers, all-day events read in ``zone``."""
    start, end = raw.get("start") or {}, raw.get("end") or {}
    if "date" in start and start.get("date"):
        return Span(
            start_of_day(date.fromisoformat(start["date"]), zone),
            start_of_day(date.fromisoformat(end["date"]), zone),
        )
    return Span(
        parse_aware(start["dateTime"]).astimezone(zone),
        parse_aware(end["dateTime"]).astimezone(zone),
    )


def series_spans(raw: dict[str, Any], zone: ZoneInfo, since: datetime | None = None) -> list[Span]:
    """The spans of a series' first instances (from ``since`` on), in the calendar zone."""
    first_span = span_of(raw, zone)
    length = first_span.end - first_span.start
    lines = raw["recurrence"]
    start = raw["start"]
    if start.get("date"):
        first = datetime.combine(date.fromisoformat(start["date"]), time())
        after = since.astimezone(zone).replace(tzinfo=None) if since else None
        days = recurrence.first_instances(lines, first, None, since=after)
        return [
            Span(start_of_day(day.date(), zone), start_of_day(day.date(), zone) + length)
            for day in days
        ]
    series_zone = ZoneInfo(start.get("timeZone") or zone.key)
    starts = recurrence.first_instances(
        lines, first_span.start.astimezone(series_zone), series_zone, since=since
    )
    return [Span(moment.astimezone(zone), moment.astimezone(zone) + length) for moment in starts]


def _instant(text: str | None, zone: ZoneInfo) -> str | None:
    return parse_aware(text).astimezone(zone).isoformat() if text else None


def to_event(raw: dict[str, Any], zone_name: str) -> dict[str, Any]:
    """The contract's Event from a Google event resource."""
    zone = ZoneInfo(zone_name)
    start, end = raw.get("start") or {}, raw.get("end") or {}
    all_day = bool(start.get("date"))
    event: dict[str, Any] = {
        "id": raw["id"],
        "title": raw.get("summary") or "",
        "start": None,
        "end": None,
        "start_date": None,
        "end_date": None,
        "all_day": all_day,
        "location": raw.get("location"),
        "description": raw.get("description"),
        "html_link": raw.get("htmlLink"),
        "status": raw.get("status") or "confirmed",
        "created": _instant(raw.get("created"), zone),
        "updated": _instant(raw.get("updated"), zone),
        "time_zone": zone_name,
    }
    if all_day:
        event["start_date"], event["end_date"] = start["date"], end["date"]
    else:
        span = span_of(raw, zone)
        event["start"], event["end"] = span.start.isoformat(), span.end.isoformat()
    event["recurrence"] = raw.get("recurrence")
    event["reminder_minutes"] = reminder_minutes_of(raw.get("reminders"))
    event["recurring_event_id"] = raw.get("recurringEventId")
    original = raw.get("originalStartTime") or {}
    event["original_start"] = original.get("date") or _instant(original.get("dateTime"), zone)
    return event


def reminder_minutes_of(reminders: dict[str, Any] | None) -> list[int] | None:
    """The event's own popup reminders in minutes, or None when the calendar's default apply."""
    if not reminders or reminders.get("useDefault", True):
        return None
    overrides = reminders.get("overrides") or []
    return sorted(o["minutes"] for o in overrides if o.get("method") == "popup")


def google_reminders(minutes: list[int] | None) -> dict[str, Any]:
    """Google's ``reminders`` for popup reminders at ``minutes`` (None: the calendar's default)."""
    if minutes is None:
        return {"useDefault": True, "overrides": None}
    overrides = [{"method": "popup", "minutes": m} for m in sorted(set(minutes))]
    return {"useDefault": False, "overrides": overrides}


def google_time(
    *, at: datetime | None = None, day: date | None = None, zone_name: str
) -> dict[str, Any]:
    if day is not None:
        return {"date": day.isoformat()}
    assert at is not None
    return {"dateTime": at.astimezone(ZoneInfo(zone_name)).isoformat(), "timeZone": zone_name}


def window_of(
    *,
    start: datetime | None,
    end: datetime | None,
    start_date: date | None,
    end_date: date | None,
    zone: ZoneInfo,
) -> Span:
    if start_date is not None and end_date is not None:
        return Span(start_of_day(start_date, zone), start_of_day(end_date, zone))
    assert start is not None and end is not None
    return Span(start.astimezone(zone), end.astimezone(zone))


def live(raw: dict[str, Any]) -> bool:
    return raw.get("status") != "cancelled"


def overlapping(
    raws: list[dict[str, Any]], window: Span, zone: ZoneInfo, *, exclude: str | None
) -> list[dict[str, Any]]:
    found = []
    for raw in raws:
        if not live(raw) or raw.get("id") == exclude or raw.get("transparency") == "transparent":
            continue
        span = span_of(raw, zone)
        if span.start < window.end and span.end > window.start:
            found.append(raw)
    return found


async def events_in(
    *,
    google: GoogleCalendarClient,
    user_id: str,
    window: Span,
    zone_name: str,
    q: str | None = None,
) -> list[dict[str, Any]]:
    return await google.list_events(
        user_id=user_id,
        time_min=window.start.isoformat(),
        time_max=window.end.isoformat(),
        time_zone=zone_name,
        q=q,
    )


async def list_events(
    *,
    google: GoogleCalendarClient,
    zones: CalendarZones,
    user_id: str,
    start: datetime,
    end: datetime,
    q: str | None = None,
) -> dict[str, Any]:
    """Events overlapping [start, end), every page gathered, sorted by start."""
    zone_name = await zones.zone_name(user_id=user_id)
    zone = ZoneInfo(zone_name)
    window = Span(start.astimezone(zone), end.astimezone(zone))
    raws = await events_in(google=google, user_id=user_id, window=window, zone_name=zone_name, q=q)
    inside = []
    for raw in raws:
        if not live(raw):
            continue
        span = span_of(raw, zone)
        if span.start < window.end and span.end > window.start:
            inside.append((span.start, 0 if (raw.get("start") or {}).get("date") else 1, raw))
    inside.sort(key=lambda item: (item[0], item[1], item[2].get("summary") or ""))
    return {"events": [to_event(raw, zone_name) for *_, raw in inside], "time_zone": zone_name}


async def get_event(
    *, google: GoogleCalendarClient, zones: CalendarZones, user_id: str, event_id: str
) -> dict[str, Any]:
    """One event; a cancelled one counts as not found."""
    zone_name = await zones.zone_name(user_id=user_id)
    raw = await google.get_event(user_id=user_id, event_id=event_id)
    if not live(raw):
        raise EventNotFound()
    return to_event(raw, zone_name)


def changes_for(
    *, current: dict[str, Any], payload: EventPatch, zone_name: str
) -> tuple[dict[str, Any], Span]:
    """The Google patch body for ``payload`` over ``current``, and the event's new span."""
    zone = ZoneInfo(zone_name)
    was_all_day = bool((current.get("start") or {}).get("date"))
    old = span_of(current, zone)
    given = payload.model_fields_set
    body: dict[str, Any] = {}
    if "title" in given and payload.title is not None:
        body["summary"] = payload.title
    for field in ("location", "description"):
        if field in given:
            body[field] = getattr(payload, field) or ""
    if "reminder_minutes" in given:
        body["reminders"] = google_reminders(payload.reminder_minutes)

    if payload.start is not None or payload.end is not None:
        if was_all_day and (payload.start is None or payload.end is None):
            raise RangeInvalid("종일 일정을 시각 일정으로 바꾸려면 시작과 끝을 함께 주세요.")
        start = payload.start or old.start
        end = payload.end or (
            shifted(start, old.end - old.start) if payload.start is not None else old.end
        )
        if end <= start:
            raise RangeInvalid()
        body["start"] = google_time(at=start, zone_name=zone_name)
        body["end"] = google_time(at=end, zone_name=zone_name)
        if was_all_day:
            body["start"]["date"] = body["end"]["date"] = None
        window = Span(start.astimezone(zone), end.astimezone(zone))
    elif payload.start_date is not None or payload.end_date is not None:
        old_start_day = (
            date.fromisoformat(current["start"]["date"]) if was_all_day else old.start.date()
        )
        old_days = (
            (date.fromisoformat(current["end"]["date"]) - old_start_day).days if was_all_day else 1
        )
        start_day = payload.start_date or old_start_day
        end_day = payload.end_date or shifted(
            start_day if payload.start_date is not None else old_start_day,
            timedelta(days=max(old_days, 1)),
        )
        if end_day <= start_day:
            raise RangeInvalid("종일 일정의 끝 날짜는 시작 다음 날 이후여야 합니다(배타적 끝).")
        body["start"] = {"date": start_day.isoformat()}
        body["end"] = {"date": end_day.isoformat()}
        if not was_all_day:
            body["start"].update(dateTime=None, timeZone=None)
            body["end"].update(dateTime=None, timeZone=None)
        window = Span(start_of_day(start_day, zone), start_of_day(end_day, zone))
    else:
        window = old

    return body, window


async def update_event(
    *,
    google: GoogleCalendarClient,
    zones: CalendarZones,
    user_id: str,
    event_id: str,
    payload: EventPatch,
) -> dict[str, Any]:
    """Changes the given fields; moving only the start keeps the duration."""
    zone_name = await zones.zone_name(user_id=user_id)
    zone = ZoneInfo(zone_name)
    current = await google.get_event(user_id=user_id, event_id=event_id)
    if not live(current):
        raise EventNotFound()
    body, window = changes_for(current=current, payload=payload, zone_name=zone_name)
    updated = (
        await google.patch_event(user_id=user_id, event_id=event_id, body=body) if body else current
    )
    nearby = await events_in(google=google, user_id=user_id, window=window, zone_name=zone_name)
    conflicts = overlapping(nearby, window, zone, exclude=event_id)
    return {
        "event": to_event(updated, zone_name),
        "conflicts": [to_event(raw, zone_name) for raw in conflicts],
    }


async def delete_event(
    *, google: GoogleCalendarClient, user_id: str, event_id: str
) -> dict[str, bool]:
    """Deletes an event; one already deleted is a success that says so, an unknown one is 404."""
    try:
        await google.delete_event(user_id=user_id, event_id=event_id)
    except EventNotFound as err:
        # Google answers 410 for an event that was deleted and 404 for one that never was.
        if err.details.get("google_status") == GONE:
            return {"deleted": True, "already_deleted": True}
        raise
    return {"deleted": True, "already_deleted": False}


async def free_busy(
    *,
    google: GoogleCalendarClient,
    zones: CalendarZones,
    user_id: str,
    start: datetime,
    end: datetime,
) -> dict[str, Any]:
    """Busy intervals of the primary calendar in [start, end), in the calendar's zone."""
    zone_name = await zones.zone_name(user_id=user_id)
    zone = ZoneInfo(zone_name)
    answer = await google.query_freebusy(
        user_id=user_id,
        time_min=start.isoformat(),
        time_max=end.isoformat(),
        time_zone=zone_name,
    )
    calendars = answer.get("calendars") or {}
    primary = calendars.get("primary") or next(iter(calendars.values()), {})
    if primary.get("errors"):
        raise CalendarUpstreamError(details={"reason": primary["errors"][0].get("reason")})
    busy = [
        {
            "start": parse_aware(slot["start"]).astimezone(zone).isoformat(),
            "end": parse_aware(slot["end"]).astimezone(zone).isoformat(),
        }
        for slot in primary.get("busy") or []
    ]
    return {"busy": busy, "time_zone": zone_name}
