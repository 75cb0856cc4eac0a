"""Calendar v3 logic over the in-memory store."""

import base64
import copy
import json
import re
import uuid
from datetime import UTC, datetime

from google_emulator.calendar.times import format_utc, instant_of, normalise_time, parse_rfc3339
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
DEFAULT_MAX_RESULTS = 250
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
        state.save()
        return copy.deepcopy(event)


def get_event(*, state: State, account: dict, event_id: str) -> dict:
    """An event by id, cancelled ones included; else 404."""
    with state.lock:
        event = state.events.get(account["email"], {}).get(event_id)
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
    """Patch (merge) or update (replace) an event."""
    with state.lock:
        store = state.events.get(account["email"], {})
        event = store.get(event_id)
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
        state.save()
        return copy.deepcopy(updated)


def delete_event(*, state: State, account: dict, event_id: str, if_match: str | None) -> None:
    """Mark an event cancelled; deleting it again is 410."""
    with state.lock:
        event = state.events.get(account["email"], {}).get(event_id)
        if event is None:
            raise GoogleApiError(404, "notFound", "Not Found")
        if event.get("status") == "cancelled":
            raise GoogleApiError(410, "deleted", "Resource has been deleted")
        _check_etag(event, if_match)
        event["status"] = "cancelled"
        _bump(event)
        state.save()


def _page_token(offset: int, fingerprint: str) -> str:
    raw = json.dumps({"o": offset, "f": fingerprint}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_page_token(token: str, fingerprint: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset = int(data["o"])
    except (ValueError, KeyError, TypeError) as err:
        raise GoogleApiError(400, "invalid", "Invalid page token value.") from err
    if data.get("f") != fingerprint or offset < 0:
        raise GoogleApiError(400, "invalid", "Invalid page token value.")
    return offset


def _flag(params: dict, name: str) -> bool:
    return str(params.get(name, "false")).lower() == "true"


def list_events(*, state: State, account: dict, params: dict) -> dict:
    """events.list with timeMin/timeMax, q, iCalUID, orderBy, showDeleted and paging."""
    tz = account["time_zone"]
    time_min = parse_rfc3339(params["timeMin"], param="timeMin") if params.get("timeMin") else None
    time_max = parse_rfc3339(params["timeMax"], param="timeMax") if params.get("timeMax") else None
    if time_min and time_max and time_max <= time_min:
        raise GoogleApiError(
            400, "timeRangeEmpty", extra={"locationType": "parameter", "location": "timeMax"}
        )
    order_by = params.get("orderBy")
    single = _flag(params, "singleEvents")
    if order_by not in {None, "startTime", "updated"} or (order_by == "startTime" and not single):
        raise GoogleApiError(
            400, "badRequest", "The requested ordering is not available for the particular query."
        )
    try:
        max_results = int(params.get("maxResults", DEFAULT_MAX_RESULTS))
    except ValueError as err:
        raise GoogleApiError(400, "invalid", "Invalid value for maxResults.") from err
    if max_results < 1:
        raise GoogleApiError(400, "invalid", "Invalid max results value.")
    max_results = min(max_results, MAX_RESULTS)
    query = (params.get("q") or "").lower()
    ical = params.get("iCalUID")
    show_deleted = _flag(params, "showDeleted")
    updated_min = (
        parse_rfc3339(params["updatedMin"], param="updatedMin")
        if params.get("updatedMin")
        else None
    )
    with state.lock:
        events = [copy.deepcopy(e) for e in state.events.get(account["email"], {}).values()]
    selected = []
    for event in events:
        # With updatedMin, deletions since then are always included (the sync contract).
        if event.get("status") == "cancelled" and not (show_deleted or updated_min):
            continue
        if time_min and instant_of(event["end"], tz) <= time_min:
            continue
        if time_max and instant_of(event["start"], tz) >= time_max:
            continue
        if ical and event.get("iCalUID") != ical:
            continue
        if updated_min and datetime.fromisoformat(event["updated"]) < updated_min:
            continue
        if query and not any(
            query in str(event.get(f, "")).lower() for f in ("summary", "description", "location")
        ):
            continue
        selected.append(event)
    if order_by == "updated":
        selected.sort(key=lambda e: (e["updated"], e["id"]))
    else:
        selected.sort(key=lambda e: (instant_of(e["start"], tz), e["id"]))
    fingerprint = str(
        abs(
            hash(
                json.dumps(
                    {k: v for k, v in sorted(params.items()) if k != "pageToken"}, sort_keys=True
                )
            )
        )
    )
    offset = _read_page_token(params["pageToken"], fingerprint) if params.get("pageToken") else 0
    page = selected[offset : offset + max_results]
    latest = max((e["updated"] for e in events), default=format_utc(now()))
    body = {
        "kind": "calendar#events",
        "etag": f'"{abs(hash(latest)) % 10**15}"',
        "summary": account["email"],
        "updated": latest,
        "timeZone": params.get("timeZone") or tz,
        "accessRole": "owner",
        "defaultReminders": [{"method": "popup", "minutes": 10}],
        "items": page,
    }
    if offset + max_results < len(selected):
        body["nextPageToken"] = _page_token(offset + max_results, fingerprint)
    return body


def freebusy(*, state: State, email: str, body: dict) -> dict:
    """freebusy.query over the caller's own calendar (others: notFound)."""
    if not body.get("timeMin") or not body.get("timeMax"):
        raise GoogleApiError(400, "required", "Missing timeMin or timeMax.")
    time_min = parse_rfc3339(str(body["timeMin"]), param="timeMin")
    time_max = parse_rfc3339(str(body["timeMax"]), param="timeMax")
    if time_max <= time_min:
        raise GoogleApiError(400, "timeRangeEmpty", "The specified time range is empty.")
    account = state.accounts[email]
    calendars: dict = {}
    for item in body.get("items") or []:
        cal_id = item.get("id", "")
        if cal_id not in {"primary", email}:
            calendars[cal_id] = {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}
            continue
        listed = list_events(
            state=state,
            account=account,
            params={
                "timeMin": time_min.isoformat(),
                "timeMax": time_max.isoformat(),
                "singleEvents": "true",
                "orderBy": "startTime",
                "maxResults": str(MAX_RESULTS),
            },
        )["items"]
        busy = []
        for event in listed:
            if event.get("transparency") == "transparent":
                continue
            start = max(instant_of(event["start"], account["time_zone"]), time_min)
            end = min(instant_of(event["end"], account["time_zone"]), time_max)
            busy.append(
                {
                    "start": format_utc(start).replace(".000", ""),
                    "end": format_utc(end).replace(".000", ""),
                }
            )
        calendars[cal_id] = {"busy": busy}
    return {
        "kind": "calendar#freeBusy",
        "timeMin": format_utc(time_min),
        "timeMax": format_utc(time_max),
        "calendars": calendars,
    }
