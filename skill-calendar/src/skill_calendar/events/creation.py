"""Creating an event or a series: once per Idempotency-Key, duplicate- and conflict-aware."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from skill_calendar.events.schemas import EventCreate
from skill_calendar.events.service import (
    Span,
    derive_event_id,
    events_in,
    google_reminders,
    google_time,
    live,
    normalise_title,
    overlapping,
    series_spans,
    span_of,
    to_event,
    window_of,
)
from skill_calendar.google.client import GoogleCalendarClient
from skill_calendar.google.exceptions import CalendarUnavailable, EventNotFound, GoogleIdTaken
from skill_calendar.google.zones import CalendarZones
from skill_calendar.idempotency.service import run_once

# The one look-up after an insert's retry budget is spent (a single attempt, roughly).
LOOKUP_BUDGET_S = 2.0


async def insert_once(
    *, google: GoogleCalendarClient, user_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    """events.insert of a body with our own id; an insert that landed unseen counts as done."""
    try:
        return await google.insert_event(user_id=user_id, body=body)
    except GoogleIdTaken:
        # An earlier attempt under this key reached Google (its answer was lost).
        return await google.get_event(user_id=user_id, event_id=body["id"])
    except CalendarUnavailable:
        # Every answer was lost, yet a write may have landed: the id is ours, so one
        # events.get tells the truth before the person is told it failed.
        try:
            return await google.get_event(
                user_id=user_id, event_id=body["id"], budget_s=LOOKUP_BUDGET_S
            )
        except (EventNotFound, CalendarUnavailable):
            pass
        raise


def _same_slot(raw: dict[str, Any], payload: EventCreate, window: Span, zone: ZoneInfo) -> bool:
    start = raw.get("start") or {}
    if payload.start_date is not None and payload.end_date is not None:
        return (
            start.get("date") == payload.start_date.isoformat()
            and (raw.get("end") or {}).get("date") == payload.end_date.isoformat()
        )
    if start.get("date"):
        return False
    span = span_of(raw, zone)
    return span.start == window.start and span.end == window.end


async def live_around(
    *, google: GoogleCalendarClient, user_id: str, spans: list[Span], zone_name: str
) -> list[dict[str, Any]]:
    """The live events from the first span's start to the last span's end."""
    reach = Span(spans[0].start, max(span.end for span in spans))
    listed = await events_in(google=google, user_id=user_id, window=reach, zone_name=zone_name)
    return [raw for raw in listed if live(raw)]


def conflicts_of(
    nearby: list[dict[str, Any]], spans: list[Span], zone: ZoneInfo, *, own: set[str]
) -> list[dict[str, Any]]:
    """Events overlapping any span, none of them ``own`` or an instance of an ``own`` series."""
    found = {
        raw["id"]: raw
        for span in spans
        for raw in overlapping(nearby, span, zone, exclude=None)
        if raw.get("id") not in own and raw.get("recurringEventId") not in own
    }
    return list(found.values())


async def _duplicate(
    *,
    google: GoogleCalendarClient,
    user_id: str,
    payload: EventCreate,
    nearby: list,
    window: Span,
    zone: ZoneInfo,
) -> dict[str, Any] | None:
    """An existing event (or series) with the same title and slot, else None."""
    title = normalise_title(payload.title)
    for raw in nearby:
        if normalise_title(raw.get("summary") or "") != title:
            continue
        if not _same_slot(raw, payload, window, zone):
            continue
        series_id = raw.get("recurringEventId")
        if not payload.recurrence:
            return raw  # a one-off like an instance already there: that instance
        if series_id:  # a series like one already there (a one-off is not a series)
            return await google.get_event(user_id=user_id, event_id=series_id)
    return None


async def _create_claimed(
    *,
    google: GoogleCalendarClient,
    zones: CalendarZones,
    user_id: str,
    key: str,
    payload: EventCreate,
) -> tuple[int, dict[str, Any]]:
    zone_name = await zones.zone_name(user_id=user_id)
    zone = ZoneInfo(zone_name)
    window = window_of(
        start=payload.start,
        end=payload.end,
        start_date=payload.start_date,
        end_date=payload.end_date,
        zone=zone,
    )
    event_id = derive_event_id(user_id=user_id, key=key)
    body: dict[str, Any] = {
        "id": event_id,
        "summary": payload.title,
        "start": google_time(at=payload.start, day=payload.start_date, zone_name=zone_name),
        "end": google_time(at=payload.end, day=payload.end_date, zone_name=zone_name),
    }
    for name in ("location", "description", "recurrence"):
        if getattr(payload, name) is not None:
            body[name] = getattr(payload, name)
    if payload.reminder_minutes is not None:
        body["reminders"] = google_reminders(payload.reminder_minutes)
    spans = series_spans(body, zone) if payload.recurrence else [window]
    nearby = await live_around(google=google, user_id=user_id, spans=spans, zone_name=zone_name)
    # A retry under this key finds the event (or the series' first instance) it made.
    ours = next(
        (raw for raw in nearby if event_id in (raw.get("id"), raw.get("recurringEventId"))), None
    )
    if ours is not None and ours.get("recurringEventId"):
        ours = await google.get_event(user_id=user_id, event_id=event_id)
    status_code, status = 201, "created"
    if ours is None and not payload.allow_duplicate:
        ours = await _duplicate(
            google=google,
            user_id=user_id,
            payload=payload,
            nearby=nearby,
            window=window,
            zone=zone,
        )
        if ours is not None:
            status_code, status = 200, "duplicate"
    if ours is None:
        ours = await insert_once(google=google, user_id=user_id, body=body)
    conflicts = conflicts_of(nearby, spans, zone, own={ours["id"]})
    response = {
        "status": status,
        "event": to_event(ours, zone_name),
        "conflicts": [to_event(raw, zone_name) for raw in conflicts],
    }
    return status_code, response


async def create_event(
    *,
    google: GoogleCalendarClient,
    zones: CalendarZones,
    session: AsyncSession,
    user_id: str,
    key: str,
    payload: EventCreate,
    ttl: timedelta,
) -> tuple[int, dict[str, Any]]:
    """Creates an event once per Idempotency-Key, or reports a duplicate; returns (status, body)."""
    # Without a recurrence or reminders the fingerprint is what it was before they existed.
    unset = {"recurrence"} if not payload.recurrence else set()
    if payload.reminder_minutes is None:
        unset.add("reminder_minutes")
    request = payload.model_dump(mode="json", exclude=unset or None)

    async def work() -> tuple[int, dict[str, Any]]:
        return await _create_claimed(
            google=google, zones=zones, user_id=user_id, key=key, payload=payload
        )

    status_code, response, replayed = await run_once(
        session=session, user_id=user_id, key=key, request=request, ttl=ttl, work=work
    )
    if replayed:
        return 200, {**response, "status": "replayed"}
    return status_code, response
