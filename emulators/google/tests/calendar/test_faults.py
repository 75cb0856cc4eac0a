"""Injected faults as google-api-python-client and google-auth see them."""

import http.client

import googleapiclient.http
import httplib2
import pytest
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from google_emulator.testing import error_of

EVENT = {
    "summary": "점심",
    "start": {"dateTime": "2025-11-24T12:00:00+09:00"},
    "end": {"dateTime": "2025-11-24T13:00:00+09:00"},
}


@pytest.fixture
def backoffs(monkeypatch) -> list[float]:
    """googleapiclient's retry sleeps, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(googleapiclient.http.time, "sleep", slept.append)
    return slept


def live_events(google_emulator, email: str = "minji@example.com") -> list[dict]:
    """Stored events that are not cancelled."""
    return [e for e in google_emulator.control.events(email) if e["status"] != "cancelled"]


def test_500_backend_error(google_emulator, calendar):
    google_emulator.control.fault("calendar.events.list", status=500)
    with pytest.raises(HttpError) as err:
        calendar.events().list(calendarId="primary").execute()
    assert err.value.status_code == 500
    assert error_of(err) == {
        "code": 500,
        "message": "Backend Error",
        "errors": [{"message": "Backend Error", "domain": "global", "reason": "backendError"}],
        "status": "INTERNAL",
    }
    assert calendar.events().list(calendarId="primary").execute()["items"] == []


def test_503_is_retried_by_the_client_until_the_faults_are_used_up(
    google_emulator, calendar, backoffs
):
    google_emulator.control.fault("calendar.events.insert", status=503, count=2)
    created = calendar.events().insert(calendarId="primary", body=EVENT).execute(num_retries=3)
    assert created["status"] == "confirmed"
    assert len(backoffs) == 2
    assert google_emulator.control.calls()["calendar.events.insert"] == 3
    assert len(live_events(google_emulator)) == 1


def test_503_body_and_no_retry_by_default(google_emulator, calendar):
    google_emulator.control.fault("calendar.events.get", status=503)
    with pytest.raises(HttpError) as err:
        calendar.events().get(calendarId="primary", eventId="abcde").execute()
    assert err.value.status_code == 503
    assert error_of(err)["status"] == "UNAVAILABLE"
    assert error_of(err)["errors"][0]["reason"] == "backendError"


def test_429_carries_retry_after(google_emulator, calendar, backoffs):
    google_emulator.control.fault("calendar.events.list", status=429, retry_after=7)
    with pytest.raises(HttpError) as err:
        calendar.events().list(calendarId="primary").execute()
    assert err.value.status_code == 429
    assert err.value.resp["retry-after"] == "7"
    assert error_of(err) == {
        "code": 429,
        "message": "Rate Limit Exceeded",
        "errors": [
            {
                "message": "Rate Limit Exceeded",
                "domain": "usageLimits",
                "reason": "rateLimitExceeded",
            }
        ],
        "status": "RESOURCE_EXHAUSTED",
    }
    # googleapiclient retries a 429 (it does not read Retry-After; callers must).
    google_emulator.control.fault("calendar.events.list", status=429, retry_after=1)
    assert calendar.events().list(calendarId="primary").execute(num_retries=1)["items"] == []
    assert len(backoffs) == 1


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("rateLimitExceeded", "Rate Limit Exceeded"),
        ("userRateLimitExceeded", "User Rate Limit Exceeded"),
    ],
)
def test_403_rate_limits_are_recognised_and_retried(
    google_emulator, calendar, backoffs, reason, message
):
    google_emulator.control.fault("calendar.events.list", status=403, reason=reason)
    with pytest.raises(HttpError) as err:
        calendar.events().list(calendarId="primary").execute()
    assert err.value.status_code == 403
    assert err.value.reason == message
    assert error_of(err)["errors"] == [
        {"message": message, "domain": "usageLimits", "reason": reason}
    ]
    google_emulator.control.fault("calendar.events.list", status=403, reason=reason)
    assert calendar.events().list(calendarId="primary").execute(num_retries=2)["items"] == []
    assert len(backoffs) == 1


def test_other_403s_are_not_retried(google_emulator, calendar, backoffs):
    google_emulator.control.fault("calendar.events.list", status=403, reason="quotaExceeded")
    with pytest.raises(HttpError) as err:
        calendar.events().list(calendarId="primary").execute(num_retries=3)
    assert error_of(err)["errors"][0] == {
        "message": "Calendar usage limits exceeded.",
        "domain": "usageLimits",
        "reason": "quotaExceeded",
    }
    assert backoffs == []


def test_injected_401_makes_google_auth_refresh_and_retry(google_emulator, calendar):
    google_emulator.control.reset_calls()
    google_emulator.control.fault("calendar.events.list", status=401)
    assert calendar.events().list(calendarId="primary").execute()["items"] == []
    calls = google_emulator.control.calls()
    assert calls["token.refresh_token"] == 1 and calls["calendar.events.list"] == 2


def impatient_calendar(google_emulator, credentials):
    """A Calendar service whose HTTP client gives up after half a second."""
    http = AuthorizedHttp(credentials, http=httplib2.Http(timeout=0.5))
    return build(
        "calendar",
        "v3",
        http=http,
        static_discovery=True,
        client_options={"api_endpoint": google_emulator.base_url},
    )


def test_delay_past_the_client_timeout_then_the_fault_is_spent(google_emulator, credentials):
    service = impatient_calendar(google_emulator, credentials)
    google_emulator.control.fault("calendar.events.list", delay=3)
    with pytest.raises(TimeoutError):
        service.events().list(calendarId="primary").execute()
    assert service.events().list(calendarId="primary").execute()["items"] == []


def test_delayed_insert_lands_although_the_client_gave_up(google_emulator, credentials):
    # Like Google: the write is applied at once, only the answer is late; a client that
    # timed out does not undo it.
    service = impatient_calendar(google_emulator, credentials)
    google_emulator.control.fault("calendar.events.insert", delay=3)
    body = {**EVENT, "id": "harulateinsert01"}
    with pytest.raises(TimeoutError):
        service.events().insert(calendarId="primary", body=body).execute()
    assert [e["id"] for e in live_events(google_emulator)] == ["harulateinsert01"]


def test_delay_with_a_status_answers_late_with_the_error(google_emulator, calendar):
    google_emulator.control.fault("calendar.events.list", delay=0.2, status=503)
    with pytest.raises(HttpError) as err:
        calendar.events().list(calendarId="primary").execute()
    assert err.value.status_code == 503


def test_lost_insert_answer_then_retry_with_the_same_id_is_409(google_emulator, calendar):
    body = {**EVENT, "id": "haruidempotent01"}
    # Both the insert's answer and the answer to httplib2's own silent re-send are lost.
    google_emulator.control.fault("calendar.events.insert", drop_response=True, count=2)
    with pytest.raises(ConnectionError) as err:
        calendar.events().insert(calendarId="primary", body=body).execute()
    assert isinstance(err.value, http.client.RemoteDisconnected)
    assert [e["id"] for e in live_events(google_emulator)] == ["haruidempotent01"]
    with pytest.raises(HttpError) as dup:
        calendar.events().insert(calendarId="primary", body=body).execute()
    assert dup.value.status_code == 409
    assert error_of(dup)["errors"][0]["reason"] == "duplicate"
    got = calendar.events().get(calendarId="primary", eventId="haruidempotent01").execute()
    assert got["summary"] == EVENT["summary"]
    assert google_emulator.control.calls()["calendar.events.insert"] == 3


def test_httplib2_silently_resends_a_post_whose_answer_was_lost(google_emulator, calendar):
    # One lost answer: httplib2 re-sends the POST on its own. With a client id the
    # re-send meets 409; without one it creates a second event.
    google_emulator.control.fault("calendar.events.insert", drop_response=True)
    with pytest.raises(HttpError) as err:
        calendar.events().insert(calendarId="primary", body={**EVENT, "id": "haruid01"}).execute()
    assert err.value.status_code == 409
    google_emulator.control.fault("calendar.events.insert", drop_response=True)
    answered = calendar.events().insert(calendarId="primary", body=EVENT).execute()
    ids = {e["id"] for e in live_events(google_emulator)}
    assert len(ids) == 3 and answered["id"] in ids
    assert google_emulator.control.calls()["calendar.events.insert"] == 4


def test_lost_delete_answer_then_retry_is_410(google_emulator, calendar):
    event = calendar.events().insert(calendarId="primary", body=EVENT).execute()
    google_emulator.control.fault("calendar.events.delete", drop_response=True, count=2)
    with pytest.raises(ConnectionError):
        calendar.events().delete(calendarId="primary", eventId=event["id"]).execute()
    with pytest.raises(HttpError) as err:
        calendar.events().delete(calendarId="primary", eventId=event["id"]).execute()
    assert err.value.status_code == 410


def test_fault_count_is_consumed_per_matching_call(google_emulator, calendar):
    control = google_emulator.control
    control.fault("calendar.events.list", status=500, count=3)
    for _ in range(3):
        # Calls of other methods neither fail nor use the fault up.
        calendar.calendars().get(calendarId="primary").execute()
        with pytest.raises(HttpError):
            calendar.events().list(calendarId="primary").execute()
    assert calendar.events().list(calendarId="primary").execute()["items"] == []
    calls = control.calls()
    assert calls["calendar.events.list"] == 4 and calls["calendar.calendars.get"] == 3


def test_faults_match_by_path_prefix_and_can_be_cleared(google_emulator, calendar):
    control = google_emulator.control
    # api_endpoint callers reach the emulator at the root, so their paths have no /calendar/v3.
    control.fault("/calendars/primary/events", status=503, count=100)
    with pytest.raises(HttpError):
        calendar.events().insert(calendarId="primary", body=EVENT).execute()
    with pytest.raises(HttpError):
        calendar.events().list(calendarId="primary").execute()
    assert calendar.calendars().get(calendarId="primary").execute()["id"]
    control.clear_faults()
    assert calendar.events().list(calendarId="primary").execute()["items"] == []


def test_faults_apply_in_the_order_they_were_added(google_emulator, calendar):
    control = google_emulator.control
    control.fault("calendar.events.list", status=500)
    control.fault("calendar.events.list", status=429, retry_after=3)
    statuses = []
    for _ in range(2):
        with pytest.raises(HttpError) as err:
            calendar.events().list(calendarId="primary").execute()
        statuses.append(err.value.status_code)
    assert statuses == [500, 429]


def test_batch_requests_ignore_api_endpoint(calendar):
    # The trap: a batch goes to Google's batch path on www.googleapis.com, not the emulator.
    batch = calendar.new_batch_http_request()
    assert batch._batch_uri == "https://www.googleapis.com/batch/calendar/v3"
