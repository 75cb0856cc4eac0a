"""events.list, events.instances and freebusy.query: filters, recurring expansion and paging."""

import base64
import copy
import json
from datetime import datetime

from google_emulator.calendar import recurrence
from google_emulator.calendar.service import MAX_RESULTS, now
from google_emulator.calendar.times import format_utc, instant_of, parse_rfc3339
from google_emulator.errors import GoogleApiError
from google_emulator.state import State

DEFAULT_MAX_RESULTS = 250
# The events.list parameters Google refuses next to syncToken (the syncToken reference);
# a full list with any of them gets no nextSyncToken (timeMin is allowed: the sync guide's
# own full sync sets it).
NOT_WITH_SYNC_TOKEN = (
    "iCalUID",
    "orderBy",
    "privateExtendedProperty",
    "q",
    "sharedExtendedProperty",
    "timeMin",
    "timeMax",
    "updatedMin",
)
FULL_SYNC_REQUIRED = "Sync token is no longer valid, a full sync is required."


def _encode(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _decode(token: str) -> dict:
    data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    if not isinstance(data, dict):
        raise ValueError("not an object")
    return data


def _page_token(offset: int, fingerprint: str, snapshot: int) -> str:
    return _encode({"o": offset, "f": fingerprint, "s": snapshot})


def _read_page_token(token: str, fingerprint: str) -> tuple[int, int]:
    """The offset and the change number the first page was answered at."""
    try:
        data = _decode(token)
        offset, snapshot = int(data["o"]), int(data["s"])
    except (ValueError, KeyError, TypeError) as err:
        raise GoogleApiError(400, "invalid", "Invalid page token value.") from err
    if data.get("f") != fingerprint or offset < 0:
        raise GoogleApiError(400, "invalid", "Invalid page token value.")
    return offset, snapshot


def sync_token(*, email: str, seq: int, generation: int) -> str:
    """An opaque sync token: every change of the account after change number ``seq``."""
    return _encode({"a": email, "s": seq, "g": generation})


def _full_sync_required() -> GoogleApiError:
    return GoogleApiError(
        410,
        "fullSyncRequired",
        FULL_SYNC_REQUIRED,
        domain="calendar",
        extra={"locationType": "parameter", "location": "syncToken"},
    )


def _read_sync_token(state: State, account: dict, token: str) -> int:
    """The change number a sync token starts after; 410 when it no longer holds."""
    try:
        data = _decode(token)
        email, seq, generation = str(data["a"]), int(data["s"]), int(data["g"])
    except (ValueError, KeyError, TypeError) as err:
        raise GoogleApiError(400, "invalid", "Invalid sync token value.") from err
    with state.lock:
        current = int(state.sync_generations.get(account["email"], 0))
    if email != account["email"] or generation != current or seq > state.current_seq():
        raise _full_sync_required()
    return seq


def _flag(params: dict, name: str) -> bool:
    return str(params.get(name, "false")).lower() == "true"


def _time_param(params: dict, name: str) -> datetime | None:
    return parse_rfc3339(params[name], param=name) if params.get(name) else None


def _max_results(params: dict) -> int:
    try:
        max_results = int(params.get("maxResults", DEFAULT_MAX_RESULTS))
    except ValueError as err:
        raise GoogleApiError(400, "invalid", "Invalid value for maxResults.") from err
    if max_results < 1:
        raise GoogleApiError(400, "invalid", "Invalid max results value.")
    return min(max_results, MAX_RESULTS)


def _overlaps(event: dict, tz: str, time_min: datetime | None, time_max: datetime | None) -> bool:
    if time_min and instant_of(event["end"], tz) <= time_min:
        return False
    return not (time_max and instant_of(event["start"], tz) >= time_max)


def series_instances(
    *,
    master: dict,
    exceptions: list[dict],
    tz: str,
    time_min: datetime | None,
    time_max: datetime | None,
) -> list[dict]:
    """A series' instances overlapping [time_min, time_max): exceptions replace their originals.

    Cancelled exceptions are returned too (callers drop them unless deleted ones are asked for).
    """
    series = recurrence.parse_series(master, tz)
    changed = {}
    for exception in exceptions:
        start = recurrence.original_start(
            series, exception["id"].rsplit("_", 1)[1] if "_" in exception["id"] else ""
        )
        if start is not None:  # an exception whose original is no longer in the rule is gone
            changed[exception["id"]] = exception
    after = time_min - series.duration if time_min else None
    out = [e for e in changed.values() if _overlaps(e, tz, time_min, time_max)]
    for start in series.starts_between(after, time_max):
        instance = recurrence.make_instance(master, series, start)
        if instance["id"] not in changed and _overlaps(instance, tz, time_min, time_max):
            out.append(instance)
    return out


def _selected(
    state: State, account: dict, params: dict, *, single: bool, changed_after: int | None = None
) -> list[dict]:
    tz = account["time_zone"]
    time_min, time_max = _time_param(params, "timeMin"), _time_param(params, "timeMax")
    if time_min and time_max and time_max <= time_min:
        raise GoogleApiError(
            400, "timeRangeEmpty", extra={"locationType": "parameter", "location": "timeMax"}
        )
    query = (params.get("q") or "").lower()
    ical = params.get("iCalUID")
    show_deleted = _flag(params, "showDeleted")
    updated_min = _time_param(params, "updatedMin")
    with state.lock:
        stored = [copy.deepcopy(e) for e in state.events.get(account["email"], {}).values()]
        numbers = dict(state.changes.get(account["email"], {}))
    if changed_after is not None:
        # Incremental sync: what changed since the token, deletions always included.
        show_deleted = True
        changed_series = {
            e["id"]
            for e in stored
            if e.get("recurrence") and numbers.get(e["id"], 0) > changed_after
        }
        stored = [
            e
            for e in stored
            if numbers.get(e["id"], 0) > changed_after
            or (single and e.get("recurringEventId") in changed_series)
            or (single and e["id"] in changed_series)
        ]
    by_series: dict[str, list[dict]] = {}
    for event in stored:
        if event.get("recurringEventId"):
            by_series.setdefault(event["recurringEventId"], []).append(event)
    candidates = []
    for event in stored:
        if event.get("recurrence") and single:
            if event.get("status") == "cancelled":
                if changed_after is not None:
                    candidates.append(event)  # a deleted series: its master says so
                continue
            candidates.extend(
                series_instances(
                    master=event,
                    exceptions=by_series.get(event["id"], []),
                    tz=tz,
                    time_min=time_min,
                    time_max=time_max,
                )
            )
        elif event.get("recurrence"):
            first = recurrence.parse_series(event, tz)
            starts = first.starts_between(time_min - first.duration if time_min else None, time_max)
            if next(iter(starts), None) is not None or event.get("status") == "cancelled":
                candidates.append(event)
        elif not (single and event.get("recurringEventId")) and _overlaps(
            event, tz, time_min, time_max
        ):
            candidates.append(event)
    selected = []
    for event in candidates:
        cancelled = event.get("status") == "cancelled"
        # With updatedMin, deletions since then are always included (the sync contract);
        # cancelled instances are listed with the unexpanded series, as Google documents.
        keep_cancelled = (
            show_deleted or updated_min or (not single and event.get("recurringEventId"))
        )
        if cancelled and not keep_cancelled:
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
    return selected


def _fingerprint(params: dict) -> str:
    query = {k: v for k, v in sorted(params.items()) if k != "pageToken"}
    return str(abs(hash(json.dumps(query, sort_keys=True))))


def _page(
    selected: list[dict],
    params: dict,
    *,
    account: dict,
    order_by: str | None,
    snapshot: int = 0,
    sync_generation: int | None = None,
) -> dict:
    """One page; the last page of a syncable list carries ``nextSyncToken``.

    ``snapshot`` is the change number the list was answered at (later pages keep the first
    page's, carried in the page token), so a change made while paging shows in the next sync.
    """
    tz = account["time_zone"]
    if order_by == "updated":
        selected.sort(key=lambda e: (e["updated"], e["id"]))
    else:
        selected.sort(key=lambda e: (instant_of(e["start"], tz), e["id"]))
    max_results = _max_results(params)
    fingerprint = _fingerprint(params)
    offset = 0
    if params.get("pageToken"):
        offset, snapshot = _read_page_token(params["pageToken"], fingerprint)
    page = selected[offset : offset + max_results]
    latest = max((e["updated"] for e in selected), default=format_utc(now()))
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
        body["nextPageToken"] = _page_token(offset + max_results, fingerprint, snapshot)
    elif sync_generation is not None:
        body["nextSyncToken"] = sync_token(
            email=account["email"], seq=snapshot, generation=sync_generation
        )
    return body


def list_events(*, state: State, account: dict, params: dict) -> dict:
    """events.list: timeMin/timeMax, q, iCalUID, singleEvents, orderBy, showDeleted, paging,
    and incremental sync (``syncToken`` in, ``nextSyncToken`` on the last page)."""
    order_by = params.get("orderBy")
    single = _flag(params, "singleEvents")
    if order_by not in {None, "startTime", "updated"} or (order_by == "startTime" and not single):
        raise GoogleApiError(
            400, "badRequest", "The requested ordering is not available for the particular query."
        )
    _max_results(params)
    # Taken before selecting: a change racing this list is in the next sync, never lost.
    snapshot = state.current_seq()
    with state.lock:
        generation = int(state.sync_generations.get(account["email"], 0))
    changed_after = None
    if params.get("syncToken"):
        refused = [name for name in NOT_WITH_SYNC_TOKEN if params.get(name)]
        if refused:
            raise GoogleApiError(
                400,
                "invalid",
                f"{refused[0]} cannot be used together with syncToken.",
                extra={"locationType": "parameter", "location": refused[0]},
            )
        changed_after = _read_sync_token(state, account, params["syncToken"])
    syncable = not any(params.get(n) for n in NOT_WITH_SYNC_TOKEN if n != "timeMin")
    selected = _selected(state, account, params, single=single, changed_after=changed_after)
    return _page(
        selected,
        params,
        account=account,
        order_by=order_by,
        snapshot=snapshot,
        sync_generation=generation if syncable else None,
    )


def list_instances(*, state: State, account: dict, event_id: str, params: dict) -> dict:
    """events.instances: the instances of a recurring event in [timeMin, timeMax)."""
    tz = account["time_zone"]
    with state.lock:
        store = state.events.get(account["email"], {})
        master = copy.deepcopy(store.get(event_id))
        exceptions = [
            copy.deepcopy(e) for e in store.values() if e.get("recurringEventId") == event_id
        ]
    if master is None:
        raise GoogleApiError(404, "notFound", "Not Found")
    if master.get("status") == "cancelled":
        raise GoogleApiError(410, "deleted", "Resource has been deleted")
    if not master.get("recurrence"):
        items = [master]
    else:
        items = series_instances(
            master=master,
            exceptions=exceptions,
            tz=tz,
            time_min=_time_param(params, "timeMin"),
            time_max=_time_param(params, "timeMax"),
        )
    if params.get("originalStart"):
        wanted = parse_rfc3339(params["originalStart"], param="originalStart")
        items = [
            e
            for e in items
            if e.get("originalStartTime") and instant_of(e["originalStartTime"], tz) == wanted
        ]
    if not _flag(params, "showDeleted"):
        items = [e for e in items if e.get("status") != "cancelled"]
    return _page(items, params, account=account, order_by=None)


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
