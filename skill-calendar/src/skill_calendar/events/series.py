"""Changing a series the way Google intends: one instance, this and following, or all.

- ``one``: the instance itself (Google stores an exception under the instance id).
- ``all``: the series' master; a new time for the instance moves every instance alike.
- ``following``: Google's split. A new series from the instance on (its id derived from the
  series and the instance, so a retried split finds it instead of making a second one),
  then the original ends just before the instance (``UNTIL``). From the series' first
  instance, ``following`` is ``all``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from skill_calendar.events import recurrence, service
from skill_calendar.events.creation import conflicts_of, insert_once, live_around
from skill_calendar.events.exceptions import NotRecurring
from skill_calendar.events.schemas import EventPatch, Scope
from skill_calendar.events.service import (
    changes_for,
    derive_event_id,
    google_time,
    live,
    series_spans,
    span_of,
    to_event,
)
from skill_calendar.google.client import GoogleCalendarClient
from skill_calendar.google.exceptions import EventNotFound
from skill_calendar.google.zones import CalendarZones

INSTANCE_ID_RE = re.compile(r"^(?P<series>[^_]+)_(?P<suffix>\d{8}(T\d{6}Z)?)$")
COPIED = ("summary", "location", "description", "transparency", "colorId", "reminders")


@dataclass(frozen=True)
class Target:
    """An instance named by its id: the series' master and the instance's original times."""

    series_id: str
    suffix: str
    master: dict[str, Any]
    original: datetime | date
    instance: dict[str, Any]  # the unchanged instance, built from the master

    @property
    def all_day(self) -> bool:
        return not isinstance(self.original, datetime)

    @property
    def is_first(self) -> bool:
        start = self.master["start"]
        if self.all_day:
            return start["date"] == self.original.isoformat()
        return datetime.fromisoformat(start["dateTime"]) == self.original


async def _target(
    *, google: GoogleCalendarClient, user_id: str, event_id: str, zone_name: str
) -> Target | None:
    """The series target of an instance id; None for an id that names no instance."""
    match = INSTANCE_ID_RE.match(event_id)
    if match is None:
        return None
    master = await google.get_event(user_id=user_id, event_id=match.group("series"))
    if not live(master) or not master.get("recurrence"):
        raise EventNotFound()
    if ("date" in master["start"]) == ("T" in match.group("suffix")):
        raise EventNotFound()  # a timed suffix on an all-day series, or the other way round
    try:
        return _target_of(master, event_id, match.group("series"), match.group("suffix"), zone_name)
    except (ValueError, OverflowError) as err:  # no such day or time
        raise EventNotFound() from err


def _target_of(
    master: dict[str, Any], event_id: str, series_id: str, suffix: str, zone_name: str
) -> Target:
    start, end = master["start"], master["end"]
    if "date" in start:
        original: datetime | date = recurrence.suffix_start(suffix, ZoneInfo("UTC"))
        days = date.fromisoformat(end["date"]) - date.fromisoformat(start["date"])
        instance_times = (
            {"date": original.isoformat()},
            {"date": (original + days).isoformat()},
        )
    else:
        series_zone = start.get("timeZone") or zone_name
        original = recurrence.suffix_start(suffix, ZoneInfo(series_zone))
        length = datetime.fromisoformat(end["dateTime"]) - datetime.fromisoformat(start["dateTime"])
        assert isinstance(original, datetime)  # a timed series' suffix names a moment
        instance_times = (
            google_time(at=original, zone_name=series_zone),
            google_time(at=original + length, zone_name=series_zone),
        )
    instance = {k: master[k] for k in COPIED if k in master}
    instance.update(id=event_id, start=instance_times[0], end=instance_times[1])
    return Target(series_id, suffix, master, original, instance)


def _moved_master(target: Target, body: dict[str, Any]) -> dict[str, Any]:
    """The master's new start/end when the instance gets ``body``'s; same shift for all."""
    master_start = target.master["start"]
    if "date" in body["start"] and body["start"]["date"]:
        new_day = date.fromisoformat(body["start"]["date"])
        new_end = date.fromisoformat(body["end"]["date"])
        first = date.fromisoformat(master_start["date"]) if "date" in master_start else None
        base = first or datetime.fromisoformat(master_start["dateTime"]).date()
        start_day = base + (new_day - _day(target.original))
        return {
            "start": {**body["start"], "date": start_day.isoformat()},
            "end": {**body["end"], "date": (start_day + (new_end - new_day)).isoformat()},
        }
    zone_name = body["start"]["timeZone"]
    zone = ZoneInfo(zone_name)
    new_start = datetime.fromisoformat(body["start"]["dateTime"]).astimezone(zone)
    new_end = datetime.fromisoformat(body["end"]["dateTime"]).astimezone(zone)
    base = (
        date.fromisoformat(master_start["date"])
        if "date" in master_start
        else datetime.fromisoformat(master_start["dateTime"]).astimezone(zone).date()
    )
    # The same wall-clock time on the master's day, moved by as many days as the instance:
    # a retry computes the same answer.
    day = base + (new_start.date() - _day(target.original))
    start = datetime.combine(day, new_start.time(), zone)
    moved = {
        "start": google_time(at=start, zone_name=zone_name),
        "end": google_time(at=start + (new_end - new_start), zone_name=zone_name),
    }
    for side in ("start", "end"):
        if "date" in body[side]:
            moved[side]["date"] = None
    return moved


def _day(original: datetime | date) -> date:
    return original.date() if isinstance(original, datetime) else original


def _series_start(target: Target) -> tuple[datetime, ZoneInfo | None]:
    start = target.master["start"]
    if "date" in start:
        return datetime.combine(date.fromisoformat(start["date"]), time()), None
    zone = ZoneInfo(start.get("timeZone") or "UTC")
    return datetime.fromisoformat(start["dateTime"]).astimezone(zone), zone


def _original_moment(target: Target) -> datetime:
    if isinstance(target.original, datetime):
        return target.original
    return datetime.combine(target.original, time())


async def _series_conflicts(
    *,
    google: GoogleCalendarClient,
    user_id: str,
    changed: dict,
    since: Any,
    zone_name: str,
    own: set[str],
) -> list[dict[str, Any]]:
    """Events overlapping the changed series' instances from ``since`` on."""
    zone = ZoneInfo(zone_name)
    spans = series_spans(changed, zone, since=since) or [span_of(changed, zone)]
    nearby = await live_around(google=google, user_id=user_id, spans=spans, zone_name=zone_name)
    return [to_event(raw, zone_name) for raw in conflicts_of(nearby, spans, zone, own=own)]


async def update_in_series(
    *,
    google: GoogleCalendarClient,
    zones: CalendarZones,
    user_id: str,
    event_id: str,
    payload: EventPatch,
    scope: Scope,
) -> dict[str, Any]:
    """Changes an instance, the instance and those after it, or the whole series."""
    zone_name = await zones.zone_name(user_id=user_id)
    target = None
    if scope != "one":
        target = await _target(
            google=google, user_id=user_id, event_id=event_id, zone_name=zone_name
        )
    if target is None:
        return await service.update_event(
            google=google, zones=zones, user_id=user_id, event_id=event_id, payload=payload
        )
    body, window = changes_for(current=target.instance, payload=payload, zone_name=zone_name)
    if scope == "all" or target.is_first:
        master_body = dict(body)
        if "start" in body:
            master_body.update(_moved_master(target, body))
        changed = (
            await google.patch_event(user_id=user_id, event_id=target.series_id, body=master_body)
            if master_body
            else target.master
        )
        own = {target.series_id}
    else:
        changed = await _split(google=google, user_id=user_id, target=target, body=body)
        own = {target.series_id, changed["id"]}
    conflicts = await _series_conflicts(
        google=google,
        user_id=user_id,
        changed=changed,
        since=window.start,
        zone_name=zone_name,
        own=own,
    )
    return {"event": to_event(changed, zone_name), "conflicts": conflicts}


async def _split(
    *, google: GoogleCalendarClient, user_id: str, target: Target, body: dict[str, Any]
) -> dict[str, Any]:
    """A new series from the target on (with ``body``), then the original trimmed before it."""
    lines = target.master["recurrence"]
    first, zone = _series_start(target)
    new_id = derive_event_id(
        user_id=user_id, key=f"series-split\x00{target.series_id}\x00{target.suffix}"
    )
    new_series: dict[str, Any] = {k: target.master[k] for k in COPIED if k in target.master}
    new_series.update(
        id=new_id,
        start=target.instance["start"],
        end=target.instance["end"],
        recurrence=recurrence.continued_from(lines, first, _original_moment(target), zone),
    )
    new_series.update({k: v for k, v in body.items() if v is not None})
    for side in ("start", "end"):
        new_series[side] = {k: v for k, v in new_series[side].items() if v is not None}
    created = await insert_once(google=google, user_id=user_id, body=new_series)
    await _trim(google=google, user_id=user_id, target=target)
    return created


async def _trim(*, google: GoogleCalendarClient, user_id: str, target: Target) -> bool:
    """Ends the original series just before the target; False when it already did."""
    trimmed = recurrence.trimmed_before(
        target.master["recurrence"], _original_moment(target), all_day=target.all_day
    )
    if trimmed == target.master["recurrence"]:
        return False
    await google.patch_event(
        user_id=user_id, event_id=target.series_id, body={"recurrence": trimmed}
    )
    return True


async def delete_in_series(
    *,
    google: GoogleCalendarClient,
    zones: CalendarZones,
    user_id: str,
    event_id: str,
    scope: Scope,
) -> dict[str, bool]:
    """Cancels an instance, ends the series before it, or deletes the whole series."""
    target = None
    if scope != "one":
        zone_name = await zones.zone_name(user_id=user_id)
        try:
            target = await _target(
                google=google, user_id=user_id, event_id=event_id, zone_name=zone_name
            )
        except EventNotFound:
            if scope == "all":
                raise
            return {"deleted": True, "already_deleted": True}
    if target is None:
        return await service.delete_event(google=google, user_id=user_id, event_id=event_id)
    if scope == "all" or target.is_first:
        return await service.delete_event(google=google, user_id=user_id, event_id=target.series_id)
    trimmed = await _trim(google=google, user_id=user_id, target=target)
    return {"deleted": True, "already_deleted": not trimmed}


async def series_of(
    *, google: GoogleCalendarClient, zones: CalendarZones, user_id: str, event_id: str
) -> dict[str, Any]:
    """The master of an instance's series (a master is its own series)."""
    zone_name = await zones.zone_name(user_id=user_id)
    raw = await google.get_event(user_id=user_id, event_id=event_id)
    if not live(raw):
        raise EventNotFound()
    series_id = raw.get("recurringEventId")
    if series_id is None and not raw.get("recurrence"):
        raise NotRecurring()
    master = await google.get_event(user_id=user_id, event_id=series_id) if series_id else raw
    if not live(master):
        raise EventNotFound()
    return to_event(master, zone_name)
