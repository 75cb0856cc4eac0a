"""Calendar v3 logic over the in-memory store."""

import base64
import copy
import re
import uuid
from datetime import UTC, datetime

from google_emulator.calendar import recurrence
from google_emulator.calendar.reminders import check_reminders
from google_emulator.calendar.times import format_utc, normalise_time
from google_emulator.errors import GoogleApiError
from google_emulator.state import State

EVENT_ID_RE = re.compile(r"^[a-v0-9]{5,1024}$")
WRITABLE = (
    "summary",
    "description",
    "location",
    "status",
    "extendedProperties",
    "reminders",
    "colorId",
    "transparency",
    "visibility",
    "attendees",
    "recurrence",
    "source",
)
STATUSES = {"confirmed", "tentative", "cancelled"}
MAX_RESULTS = 2500


def now() -> datetime:
    """The current instant, aware."""
    return datetime.now(UTC)


def calendar_account(*, state: State, email: str, calendar_id: str) -> dict:
    """The account owning a calendar id ("primary" or the e-mail), else 404."""
    if calendar_id not in {"primary", email}:
        raise GoogleApiError(404, "notFound", "Not Found")
    return state.accounts[email]


def calendar_resource(account: dict) -> dict:
    """The calendars#calendar resource of an account's primary calendar."""
    return {
        "kind": "calendar#calendar",
        "etag": f'"{abs(hash(account["time_zone"])) % 10**15}"',
        "id": account["email"],
        "summary": account["email"],
        "timeZone": account["time_zone"],
        "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
    }


def calendar_list_entry(account: dict) -> dict:
    """The calendarList entry of an account's primary calendar."""
    return {
        **calendar_resource(account),
        "kind": "calendar#calendarListEntry",
        "accessRole": "owner",
        "primary": True,
        "selected": True,
        "defaultReminders": [{"method": "popup", "minutes": 10}],
        "backgroundColor": "#9fe1e7",
        "foregroundColor": "#000000",
    }


def _apply_fields(event: dict, body: dict, *, tz: str) -> None:
    for name in WRITABLE:
        if name in body:
            if body[name] is None:
                event.pop(name, None)
            else:
                event[name] = body[name]
    if "reminders" in event:
        check_reminders(event["reminders"])
    if event.get("status", "confirmed") not in STATUSES:
        raise GoogleApiError(400, "invalid", "Invalid value for status.")
    start, start_at = normalise_time(body.get("start"), what="start", calendar_zone=tz)
    end, end_at = normalise_time(body.get("end"), what="end", calendar_zone=tz)
    if ("date" in start) != ("date" in end):
        raise GoogleApiError(
            400, "invalid", "Start and end times must either both be date or both be dateTime."
        )
    if end_at < start_at:
        raise GoogleApiError(400, "timeRangeEmpty", "The specified time range is empty.")
    event["start"], event["end"] = start, end
    if event.get("recurrence") is not None:
        _check_series(event, tz)


def _check_series(event: dict, tz: str) -> None:
    """A recurring timed event needs its zone on both ends; its rule must parse."""
    if "recurringEventId" in event:
        raise GoogleApiError(400, "invalid", "Invalid value for recurrence.")
    for what in ("start", "end"):
        if "dateTime" in event[what] and not event[what].get("timeZone"):
            raise GoogleApiError(400, "required", f"Missing time zone definition for {what} time.")
    recurrence.parse_series(event, tz)


def _bump(event: dict) -> None:
    moment = now()
    event["updated"] = format_utc(moment)
    event["etag"] = f'"{int(moment.timestamp() * 1_000_000)}"'


def insert_event(*, state: State, account: dict, body: dict, base_url: str) -> dict:
    """Create an event; a client-supplied id must be well-formed and unused."""
    with state.lock:
        store = state.events.setdefault(account["email"], {})
        event_id = body.get("id")
        if event_id is not None:
            if not isinstance(event_id, str) or not EVENT_ID_RE.match(event_id):
                raise GoogleApiError(400, "invalid", "Invalid resource id value.")
            if event_id in store:
                raise GoogleApiError(409, "duplicate", "The requested identifier already exists.")
        else:
            event_id = base64.b32hexencode(uuid.uuid4().bytes).decode().rstrip("=").lower()
        created = now()
        event = {
            "kind": "calendar#event",
            "id": event_id,
            "status": "confirmed",
            "htmlLink": f"{base_url}/calendar/event?eid={event_id}",
            "created": format_utc(created),
            "creator": {"email": account["email"], "self": True},
            "organizer": {"email": account["email"], "self": True},
            "iCalUID": body.get("iCalUID") or f"{event_id}@google.com",
            "sequence": 0,
            "reminders": {"useDefault": True},
            "eventType": "default",
        }
        _apply_fields(event, body, tz=account["time_zone"])
        _bump(event)
        store[event_id] = event
        state.record_change(account["email"], [event_id])
        state.save()
        return copy.deepcopy(event)


def virtual_instance(store: dict, event_id: str, tz: str) -> dict | None:
    """The unchanged instance an instance id names (not stored until it changes), else None."""
    parts = recurrence.split_instance_id(event_id)
    master = store.get(parts[0]) if parts else None
    if parts is None or master is None or not master.get("recurrence"):
        return None
    series = recurrence.parse_series(master, tz)
    start = recurrence.original_start(series, parts[1])
    if start is None:
        return None
    return recurrence.make_instance(master, series, start)


def _find(store: dict, event_id: str, tz: str) -> dict | None:
    return store.get(event_id) or virtual_instance(store, event_id, tz)


def get_event(*, state: State, account: dict, event_id: str) -> dict:
    """An event or instance by id, cancelled ones included; else 404."""
    with state.lock:
        event = _find(state.events.get(account["email"], {}), event_id, account["time_zone"])
        if event is None:
            raise GoogleApiError(404, "notFound", "Not Found")
        return copy.deepcopy(event)


def _check_etag(event: dict, if_match: str | None) -> None:
    if if_match and if_match.strip() not in {"*", event["etag"]}:
        raise GoogleApiError(
            412,
            "conditionNotMet",
            "Precondition Failed",
            extra={"locationType": "header", "location": "If-Match"},
        )


def _merge(target: dict, patch: dict) -> dict:
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif (
            isinstance(value, dict)
            and isinstance(target.get(key), dict)
            and key not in {"start", "end"}
        ):
            target[key] = _merge(dict(target[key]), value)
        else:
            target[key] = value
    return target


def change_event(
    *, state: State, account: dict, event_id: str, body: dict, replace: bool, if_match: str | None
) -> dict:
    """Patch (merge) or update (replace) an event; changing an instance makes an exception."""
    with state.lock:
        store = state.events.get(account["email"], {})
        event = _find(store, event_id, account["time_zone"])
        if event is None:
            raise GoogleApiError(404, "notFound", "Not Found")
        _check_etag(event, if_match)
        current = {k: copy.deepcopy(event[k]) for k in (*WRITABLE, "start", "end") if k in event}
        merged = dict(body) if replace else _merge(current, body)
        updated = {k: v for k, v in event.items() if k not in (*WRITABLE, "start", "end")}
        _apply_fields(updated, merged, tz=account["time_zone"])
        if replace and "status" not in merged:
            updated["status"] = "confirmed"
        updated["sequence"] = event.get("sequence", 0) + 1
        _bump(updated)
        store[event_id] = updated
        state.record_change(account["email"], [event_id])
        state.save()
        return copy.deepcopy(updated)


def delete_event(*, state: State, account: dict, event_id: str, if_match: str | None) -> None:
    """Mark an event cancelled (an instance: a cancelled exception; a master: the series)."""
    with state.lock:
        store = state.events.get(account["email"], {})
        event = _find(store, event_id, account["time_zone"])
        if event is None:
            raise GoogleApiError(404, "notFound", "Not Found")
        if event.get("status") == "cancelled":
            raise GoogleApiError(410, "deleted", "Resource has been deleted")
        _check_etag(event, if_match)
        store[event_id] = event
        cancelled = []
        for other in store.values():
            if other is event or other.get("recurringEventId") == event_id:
                other["status"] = "cancelled"
                _bump(other)
                cancelled.append(other["id"])
        state.record_change(account["email"], cancelled)
        state.save()
