"""Calendar v3 routes (mounted under /calendar/v3 and, for api_endpoint callers, at the root)."""

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from google_emulator.calendar import channels, listing, service
from google_emulator.calendar.dependencies import (
    ANY_CALENDAR,
    FREEBUSY,
    READ_CALENDARS,
    READ_EVENTS,
    WRITE_EVENTS,
    authorize,
)
from google_emulator.calls import begin_call, get_state
from google_emulator.errors import GoogleApiError
from google_emulator.state import State

router = APIRouter()


async def _json_body(request: Request) -> dict:
    try:
        body = await request.json()
    except ValueError as err:
        raise GoogleApiError(400, "parseError", "Parse Error") from err
    if not isinstance(body, dict):
        raise GoogleApiError(400, "parseError", "Parse Error")
    return body


async def _open_call(request: Request, call: str, allowed: set[str]) -> str:
    """Count the call (and apply an injected fault), then authorize it: the account e-mail."""
    await begin_call(request, call)
    return authorize(request, allowed, call)


async def _open_calendar(
    request: Request, call: str, allowed: set[str], calendar_id: str
) -> tuple[State, dict]:
    """``_open_call``, then the account owning ``calendar_id``: the state and the account."""
    email = await _open_call(request, call, allowed)
    state = get_state(request)
    return state, service.calendar_account(state=state, email=email, calendar_id=calendar_id)


@router.get("/users/me/calendarList")
async def calendar_list(request: Request) -> JSONResponse:
    """calendarList.list: the account's primary calendar."""
    email = await _open_call(request, "calendar.calendarList.list", READ_CALENDARS)
    account = get_state(request).accounts[email]
    body = {
        "kind": "calendar#calendarList",
        "etag": '"p33k9lxk1ih8ou0g"',
        "items": [service.calendar_list_entry(account)],
    }
    return JSONResponse(body)


@router.get("/calendars/{calendar_id}")
async def calendars_get(request: Request, calendar_id: str) -> JSONResponse:
    """calendars.get: id and time zone of the primary calendar."""
    _, account = await _open_calendar(
        request, "calendar.calendars.get", READ_CALENDARS, calendar_id
    )
    return JSONResponse(service.calendar_resource(account))


@router.post("/calendars/{calendar_id}/events")
async def events_insert(request: Request, calendar_id: str) -> JSONResponse:
    """events.insert."""
    state, account = await _open_calendar(
        request, "calendar.events.insert", WRITE_EVENTS, calendar_id
    )
    event = service.insert_event(
        state=state,
        account=account,
        body=await _json_body(request),
        base_url=request.app.state.settings.base_url,
    )
    return JSONResponse(event)


@router.get("/calendars/{calendar_id}/events")
async def events_list(request: Request, calendar_id: str) -> JSONResponse:
    """events.list."""
    state, account = await _open_calendar(request, "calendar.events.list", READ_EVENTS, calendar_id)
    body = listing.list_events(state=state, account=account, params=dict(request.query_params))
    return JSONResponse(body)


@router.post("/calendars/{calendar_id}/events/watch")
async def events_watch(request: Request, calendar_id: str) -> JSONResponse:
    """events.watch: a push channel on the calendar's events (then its ``sync`` message)."""
    state, account = await _open_calendar(
        request, "calendar.events.watch", READ_EVENTS, calendar_id
    )
    resource = channels.watch(
        state=state,
        account=account,
        calendar_id=calendar_id,
        body=await _json_body(request),
        base_url=request.app.state.settings.base_url,
    )
    request.app.state.push.channel_made(resource["id"])
    return JSONResponse(resource)


@router.post("/channels/stop")
async def channels_stop(request: Request) -> Response:
    """channels.stop: 204, and the channel sends nothing more."""
    await _open_call(request, "calendar.channels.stop", ANY_CALENDAR)
    channels.stop(state=get_state(request), body=await _json_body(request))
    return Response(status_code=204)


@router.get("/calendars/{calendar_id}/events/{event_id}")
async def events_get(request: Request, calendar_id: str, event_id: str) -> JSONResponse:
    """events.get (cancelled events too)."""
    state, account = await _open_calendar(request, "calendar.events.get", READ_EVENTS, calendar_id)
    event = service.get_event(state=state, account=account, event_id=event_id)
    return JSONResponse(event)


@router.get("/calendars/{calendar_id}/events/{event_id}/instances")
async def events_instances(request: Request, calendar_id: str, event_id: str) -> JSONResponse:
    """events.instances: the instances of a recurring event."""
    state, account = await _open_calendar(
        request, "calendar.events.instances", READ_EVENTS, calendar_id
    )
    body = listing.list_instances(
        state=state, account=account, event_id=event_id, params=dict(request.query_params)
    )
    return JSONResponse(body)


async def _change(request: Request, calendar_id: str, event_id: str, *, replace: bool):
    name = "calendar.events.update" if replace else "calendar.events.patch"
    state, account = await _open_calendar(request, name, WRITE_EVENTS, calendar_id)
    event = service.change_event(
        state=state,
        account=account,
        event_id=event_id,
        body=await _json_body(request),
        replace=replace,
        if_match=request.headers.get("if-match"),
    )
    return JSONResponse(event)


@router.patch("/calendars/{calendar_id}/events/{event_id}")
async def events_patch(request: Request, calendar_id: str, event_id: str) -> JSONResponse:
    """events.patch: merge the given fields."""
    return await _change(request, calendar_id, event_id, replace=False)


@router.put("/calendars/{calendar_id}/events/{event_id}")
async def events_update(request: Request, calendar_id: str, event_id: str) -> JSONResponse:
    """events.update: replace the event."""
    return await _change(request, calendar_id, event_id, replace=True)


@router.delete("/calendars/{calendar_id}/events/{event_id}")
async def events_delete(request: Request, calendar_id: str, event_id: str) -> Response:
    """events.delete: mark cancelled."""
    state, account = await _open_calendar(
        request, "calendar.events.delete", WRITE_EVENTS, calendar_id
    )
    service.delete_event(
        state=state, account=account, event_id=event_id, if_match=request.headers.get("if-match")
    )
    return Response(status_code=204)


@router.post("/freeBusy")
async def freebusy_query(request: Request) -> JSONResponse:
    """freebusy.query."""
    email = await _open_call(request, "calendar.freebusy.query", FREEBUSY)
    body = listing.freebusy(state=get_state(request), email=email, body=await _json_body(request))
    return JSONResponse(body)
