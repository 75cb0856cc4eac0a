"""Bearer-token and scope checks for Calendar calls."""

from fastapi import Request

from google_emulator.calls import get_state
from google_emulator.errors import insufficient_scopes, unauthenticated
from google_emulator.oauth.scopes import CALENDAR, CALENDAR_READONLY, EVENTS, EVENTS_READONLY
from google_emulator.oauth.service import access_token_info

READ_EVENTS = {CALENDAR, CALENDAR_READONLY, EVENTS, EVENTS_READONLY}
WRITE_EVENTS = {CALENDAR, EVENTS}
READ_CALENDARS = {CALENDAR, CALENDAR_READONLY}
FREEBUSY = {CALENDAR, CALENDAR_READONLY}
ANY_CALENDAR = {CALENDAR, CALENDAR_READONLY, EVENTS, EVENTS_READONLY}


def api_method(call: str) -> str:
    """Google's method name of a call: calendar.events.insert → calendar.v3.Events.Insert."""
    api, resource, verb = call.split(".")
    return f"{api}.v3.{resource[0].upper()}{resource[1:]}.{verb.capitalize()}"


def authorize(request: Request, allowed: set[str], call: str) -> str:
    """The account e-mail behind a valid bearer token whose scopes cover the call."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    if not token:
        raise unauthenticated(missing=True)
    info = access_token_info(state=get_state(request), token=token)
    if info is None:
        raise unauthenticated()
    if not set(info["scopes"]) & allowed:
        raise insufficient_scopes(method=api_method(call), scope=" ".join(sorted(allowed)))
    return info["email"]
