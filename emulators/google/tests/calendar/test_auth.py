"""Bearer tokens on Calendar calls: 401, refresh and retry, revoked grants, scopes."""

import json

import httpx
import pytest
from google.auth.exceptions import RefreshError
from google.oauth2.credentials import Credentials
from googleapiclient.errors import HttpError

from google_emulator.state import DEV_CLIENT_ID, DEV_CLIENT_SECRET
from google_emulator.testing import error_of

READONLY = "https://www.googleapis.com/auth/calendar.readonly"
EVENTS_SCOPE = "https://www.googleapis.com/auth/calendar.events"
EVENT = {
    "summary": "x",
    "start": {"dateTime": "2025-11-24T12:00:00+09:00"},
    "end": {"dateTime": "2025-11-24T13:00:00+09:00"},
}


def test_missing_and_unknown_tokens_are_401_in_google_shape(google_emulator):
    url = f"{google_emulator.base_url}/calendar/v3/calendars/primary/events"
    missing = httpx.get(url)
    assert missing.status_code == 401
    assert missing.json()["error"]["errors"][0]["reason"] == "required"
    unknown = httpx.get(url, headers={"Authorization": "Bearer ya29.nope"})
    assert unknown.status_code == 401
    assert unknown.headers["WWW-Authenticate"].startswith('Bearer realm="https://accounts')
    error = unknown.json()["error"]
    assert error["status"] == "UNAUTHENTICATED"
    assert error["message"].startswith("Request had invalid authentication credentials.")
    assert error["errors"] == [
        {
            "message": "Invalid Credentials",
            "domain": "global",
            "reason": "authError",
            "location": "Authorization",
            "locationType": "header",
        }
    ]


def test_expired_token_is_refreshed_once_and_the_call_retried(
    google_emulator, calendar, credentials
):
    old = credentials.token
    google_emulator.control.expire_tokens()
    google_emulator.control.reset_calls()
    page = calendar.events().list(calendarId="primary").execute()
    assert page["kind"] == "calendar#events"
    assert credentials.token != old
    calls = google_emulator.control.calls()
    assert calls["token.refresh_token"] == 1
    assert calls["calendar.events.list"] == 2  # the 401, then the retry


def test_credentials_from_a_stored_refresh_token(google_emulator, credentials, oauth):
    stored = Credentials(
        token=None,
        refresh_token=credentials.refresh_token,
        token_uri=f"{google_emulator.base_url}/token",
        client_id=DEV_CLIENT_ID,
        client_secret=DEV_CLIENT_SECRET,
    )
    service = oauth.calendar_service(google_emulator.base_url, stored)
    created = service.events().insert(calendarId="primary", body=EVENT).execute()
    assert created["status"] == "confirmed"
    assert stored.valid and stored.token.startswith("ya29.")


def test_from_authorized_user_info_resets_token_uri_use_with_token_uri(
    google_emulator, credentials, oauth
):
    info = json.loads(credentials.to_json())
    assert info["token_uri"] == f"{google_emulator.base_url}/token"
    restored = Credentials.from_authorized_user_info(info)
    assert restored.token_uri == "https://oauth2.googleapis.com/token"  # the trap
    fixed = restored.with_token_uri(f"{google_emulator.base_url}/token")
    google_emulator.control.expire_tokens()
    service = oauth.calendar_service(google_emulator.base_url, fixed)
    assert service.calendars().get(calendarId="primary").execute()["id"] == oauth.EMAIL
    assert google_emulator.control.calls()["token.refresh_token"] == 1


def test_revoked_grant_is_refresh_error_invalid_grant(google_emulator, calendar, credentials):
    google_emulator.control.revoke("minji@example.com")
    with pytest.raises(RefreshError) as err:
        calendar.events().list(calendarId="primary").execute()
    assert "invalid_grant" in str(err.value)
    assert "Token has been expired or revoked." in str(err.value)
    assert google_emulator.control.calls()["calendar.events.list"] == 1


def test_read_only_scope_can_read_but_not_write(google_emulator, oauth):
    creds = oauth.authorize(google_emulator, [READONLY])
    service = oauth.calendar_service(google_emulator.base_url, creds)
    assert service.events().list(calendarId="primary").execute()["items"] == []
    with pytest.raises(HttpError) as err:
        service.events().insert(calendarId="primary", body=EVENT).execute()
    assert err.value.status_code == 403
    assert "insufficient_scope" in err.value.resp["www-authenticate"]
    error = error_of(err)
    assert error["message"] == "Request had insufficient authentication scopes."
    assert error["status"] == "PERMISSION_DENIED"
    assert error["errors"] == [
        {
            "message": "Insufficient Permission",
            "domain": "global",
            "reason": "insufficientPermissions",
        }
    ]
    assert error["details"][0]["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
    assert error["details"][0]["metadata"]["method"] == "calendar.v3.Events.Insert"


def test_events_scope_cannot_read_calendar_metadata(google_emulator, oauth):
    creds = oauth.authorize(google_emulator, [EVENTS_SCOPE])
    service = oauth.calendar_service(google_emulator.base_url, creds)
    assert service.events().insert(calendarId="primary", body=EVENT).execute()["id"]
    with pytest.raises(HttpError) as err:
        service.calendars().get(calendarId="primary").execute()
    assert err.value.status_code == 403


def test_openid_only_grant_cannot_touch_the_calendar(google_emulator, oauth):
    creds = oauth.authorize(google_emulator, ["openid", "email"])
    service = oauth.calendar_service(google_emulator.base_url, creds)
    with pytest.raises(HttpError) as err:
        service.events().list(calendarId="primary").execute()
    assert err.value.status_code == 403
