"""Bearer-token and scope checks for Calendar calls."""

from fastapi import Request

from google_emulator.calls import get_state
from google_emulator.errors import GoogleApiError
from google_emulator.oauth.scopes import CALENDAR, CALENDAR_READONLY, EVENTS, EVENTS_READONLY
from google_emulator.oauth.service import access_token_info

READ_EVENTS = {CALENDAR, CALENDAR_READONLY, EVENTS, EVENTS_READONLY}
WRITE_EVENTS = {CALENDAR, EVENTS}
READ_CALENDARS = {CALENDAR, CALENDAR_READONLY}
FREEBUSY = {CALENDAR, CALENDAR_READONLY}

WWW_AUTH = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}


def authorize(request: Request, allowed: set[str]) -> str:
    """The account e-mail behind a valid bearer token whose scopes cover the call."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    if not token:
        raise GoogleApiError(
            401,
            "required",
            "Request is missing required authentication credential. Expected OAuth 2 access "
            "token, login cookie or other valid authentication credential.",
            headers=WWW_AUTH,
            extra={"locationType": "header", "location": "Authorization"},
        )
    info = access_token_info(state=get_state(request), token=token)
    if info is None:
        raise GoogleApiError(
            401,
            "authError",
            "Invalid Credentials",
            headers=WWW_AUTH,
            extra={"locationType": "header", "location": "Authorization"},
        )
    if not set(info["scopes"]) & allowed:
        raise GoogleApiError(
            403, "insufficientPermissions", "Request had insufficient authentication scopes."
        )
    return info["email"]
