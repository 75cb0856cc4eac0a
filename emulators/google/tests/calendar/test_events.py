"""events.insert/get/patch/update/delete through the real google-api-python-client."""

import pytest
from googleapiclient.errors import HttpError

from google_emulator.testing import error_of

LUNCH = {
    "summary": "점심 약속",
    "location": "을지로 3가",
    "description": "팀 점심",
    "start": {"dateTime": "2025-11-24T12:00:00+09:00"},
    "end": {"dateTime": "2025-11-24T13:00:00+09:00"},
    "extendedProperties": {"private": {"haruKey": "k1"}},
}


def test_insert_returns_every_field_callers_read(calendar):
    event = calendar.events().insert(calendarId="primary", body=LUNCH).execute()
    assert event["kind"] == "calendar#event"
    assert event["status"] == "confirmed"
    assert event["iCalUID"] == f"{event['id']}@google.com"
    assert event["etag"].startswith('"') and event["etag"].endswith('"')
    assert "eid=" in event["htmlLink"]
    assert event["created"].endswith("Z") and event["updated"].endswith("Z")
    assert event["summary"] == "점심 약속"
    assert event["location"] == "을지로 3가"
    assert event["description"] == "팀 점심"
    assert event["extendedProperties"] == {"private": {"haruKey": "k1"}}
    assert event["start"] == {"dateTime": "2025-11-24T12:00:00+09:00"}
    fetched = calendar.events().get(calendarId="primary", eventId=event["id"]).execute()
    assert fetched == event


def test_calendar_id_may_be_the_account_email(calendar, oauth):
    event = calendar.events().insert(calendarId=oauth.EMAIL, body=LUNCH).execute()
    got = calendar.events().get(calendarId="primary", eventId=event["id"]).execute()
    assert got["id"] == event["id"]
    with pytest.raises(HttpError) as err:
        calendar.events().list(calendarId="someone-else@example.com").execute()
    assert err.value.status_code == 404
    assert error_of(err)["errors"][0]["reason"] == "notFound"


def test_timed_event_in_its_own_zone_and_in_the_calendar_zone(calendar):
    in_new_york = (
        calendar.events()
        .insert(
            calendarId="primary",
            body={
                "summary": "NY call",
                "start": {"dateTime": "2025-11-24T09:00:00", "timeZone": "America/New_York"},
                "end": {"dateTime": "2025-11-24T10:00:00", "timeZone": "America/New_York"},
            },
        )
        .execute()
    )
    assert in_new_york["start"] == {
        "dateTime": "2025-11-24T09:00:00-05:00",
        "timeZone": "America/New_York",
    }
    in_utc = (
        calendar.events()
        .insert(
            calendarId="primary",
            body={
                "summary": "UTC given",
                "start": {"dateTime": "2025-11-24T03:00:00Z"},
                "end": {"dateTime": "2025-11-24T04:00:00Z"},
            },
        )
        .execute()
    )
    # Without a timeZone the instant is shown in the calendar's zone (Asia/Seoul).
    assert in_utc["start"] == {"dateTime": "2025-11-24T12:00:00+09:00"}
    assert in_utc["end"] == {"dateTime": "2025-11-24T13:00:00+09:00"}


def test_naive_date_time_needs_a_time_zone(calendar):
    body = {
        "summary": "naive",
        "start": {"dateTime": "2025-11-24T12:00:00"},
        "end": {"dateTime": "2025-11-24T13:00:00"},
    }
    with pytest.raises(HttpError) as err:
        calendar.events().insert(calendarId="primary", body=body).execute()
    assert err.value.status_code == 400
    assert error_of(err)["message"] == "Missing time zone definition for start time."


def test_all_day_event_keeps_dates_and_exclusive_end(calendar):
    event = (
        calendar.events()
        .insert(
            calendarId="primary",
            body={
                "summary": "연차",
                "start": {"date": "2025-11-24"},
                "end": {"date": "2025-11-26"},
            },
        )
        .execute()
    )
    assert event["start"] == {"date": "2025-11-24"}
    assert event["end"] == {"date": "2025-11-26"}
    mixed = {"start": {"date": "2025-11-24"}, "end": {"dateTime": "2025-11-24T10:00:00+09:00"}}
    with pytest.raises(HttpError) as err:
        calendar.events().insert(calendarId="primary", body=mixed).execute()
    assert err.value.status_code == 400


def test_end_before_start_is_time_range_empty(calendar):
    body = {
        **LUNCH,
        "start": {"dateTime": "2025-11-24T13:00:00+09:00"},
        "end": {"dateTime": "2025-11-24T12:00:00+09:00"},
    }
    with pytest.raises(HttpError) as err:
        calendar.events().insert(calendarId="primary", body=body).execute()
    error = error_of(err)
    assert error["code"] == 400
    assert error["errors"][0]["reason"] == "timeRangeEmpty"
    assert error["errors"][0]["domain"] == "calendar"
    assert error["message"] == "The specified time range is empty."


def test_client_supplied_id_then_duplicate_is_409(calendar):
    event_id = "haru0123456789abcdefuv"
    first = calendar.events().insert(calendarId="primary", body={**LUNCH, "id": event_id})
    assert first.execute()["id"] == event_id
    with pytest.raises(HttpError) as err:
        calendar.events().insert(calendarId="primary", body={**LUNCH, "id": event_id}).execute()
    assert err.value.status_code == 409
    assert error_of(err) == {
        "code": 409,
        "message": "The requested identifier already exists.",
        "errors": [
            {
                "message": "The requested identifier already exists.",
                "domain": "global",
                "reason": "duplicate",
            }
        ],
        "status": "ALREADY_EXISTS",
    }


@pytest.mark.parametrize("bad_id", ["abcd", "UPPERCASE1", "has-dash-123", "wxyz12345", "a" * 1025])
def test_malformed_client_id_is_400(calendar, bad_id):
    with pytest.raises(HttpError) as err:
        calendar.events().insert(calendarId="primary", body={**LUNCH, "id": bad_id}).execute()
    assert err.value.status_code == 400
    assert error_of(err)["errors"][0]["reason"] == "invalid"


@pytest.mark.parametrize("good_id", ["abcde", "0123456789abcdefghijklmnopqrstuv", "v" * 1024])
def test_base32hex_ids_of_5_to_1024_chars_are_accepted(calendar, good_id):
    event = calendar.events().insert(calendarId="primary", body={**LUNCH, "id": good_id}).execute()
    assert event["id"] == good_id
    assert calendar.events().get(calendarId="primary", eventId=good_id).execute()["id"] == good_id


def test_deleted_id_cannot_be_reused(calendar):
    event_id = "reused0id"
    calendar.events().insert(calendarId="primary", body={**LUNCH, "id": event_id}).execute()
    calendar.events().delete(calendarId="primary", eventId=event_id).execute()
    with pytest.raises(HttpError) as err:
        calendar.events().insert(calendarId="primary", body={**LUNCH, "id": event_id}).execute()
    assert err.value.status_code == 409


def test_patch_merges(calendar):
    event = calendar.events().insert(calendarId="primary", body=LUNCH).execute()
    patched = (
        calendar.events()
        .patch(
            calendarId="primary",
            eventId=event["id"],
            body={"location": "종로", "extendedProperties": {"private": {"other": "v"}}},
        )
        .execute()
    )
    assert patched["location"] == "종로"
    assert patched["summary"] == LUNCH["summary"]
    assert patched["description"] == LUNCH["description"]
    assert patched["start"] == event["start"]
    assert patched["extendedProperties"]["private"] == {"haruKey": "k1", "other": "v"}
    assert patched["etag"] != event["etag"]
    assert patched["sequence"] == event["sequence"] + 1
    assert patched["created"] == event["created"]


def test_patch_can_move_a_timed_event_to_all_day(calendar):
    event = calendar.events().insert(calendarId="primary", body=LUNCH).execute()
    patched = (
        calendar.events()
        .patch(
            calendarId="primary",
            eventId=event["id"],
            body={"start": {"date": "2025-11-24"}, "end": {"date": "2025-11-25"}},
        )
        .execute()
    )
    assert patched["start"] == {"date": "2025-11-24"}
    assert patched["end"] == {"date": "2025-11-25"}


def test_update_replaces(calendar):
    event = calendar.events().insert(calendarId="primary", body=LUNCH).execute()
    updated = (
        calendar.events()
        .update(
            calendarId="primary",
            eventId=event["id"],
            body={
                "summary": "저녁 약속",
                "start": {"dateTime": "2025-11-24T18:00:00+09:00"},
                "end": {"dateTime": "2025-11-24T19:00:00+09:00"},
            },
        )
        .execute()
    )
    assert updated["summary"] == "저녁 약속"
    assert "location" not in updated and "description" not in updated
    assert "extendedProperties" not in updated
    assert updated["id"] == event["id"] and updated["iCalUID"] == event["iCalUID"]
    assert updated["start"] == {"dateTime": "2025-11-24T18:00:00+09:00"}


def test_update_without_times_is_400(calendar):
    event = calendar.events().insert(calendarId="primary", body=LUNCH).execute()
    with pytest.raises(HttpError) as err:
        calendar.events().update(
            calendarId="primary", eventId=event["id"], body={"summary": "x"}
        ).execute()
    assert err.value.status_code == 400


def test_if_match_with_a_stale_etag_is_412(calendar):
    event = calendar.events().insert(calendarId="primary", body=LUNCH).execute()
    calendar.events().patch(
        calendarId="primary", eventId=event["id"], body={"summary": "first"}
    ).execute()
    stale = calendar.events().patch(
        calendarId="primary", eventId=event["id"], body={"summary": "second"}
    )
    stale.headers["If-Match"] = event["etag"]
    with pytest.raises(HttpError) as err:
        stale.execute()
    assert err.value.status_code == 412
    assert error_of(err)["errors"][0] == {
        "message": "Precondition Failed",
        "domain": "global",
        "reason": "conditionNotMet",
        "locationType": "header",
        "location": "If-Match",
    }
    fresh = calendar.events().get(calendarId="primary", eventId=event["id"]).execute()
    assert fresh["summary"] == "first"
    ok = calendar.events().patch(
        calendarId="primary", eventId=event["id"], body={"summary": "second"}
    )
    ok.headers["If-Match"] = fresh["etag"]
    assert ok.execute()["summary"] == "second"


def test_delete_then_again_is_410_and_get_still_answers(calendar):
    event = calendar.events().insert(calendarId="primary", body=LUNCH).execute()
    assert calendar.events().delete(calendarId="primary", eventId=event["id"]).execute() == ""
    gone = calendar.events().get(calendarId="primary", eventId=event["id"]).execute()
    assert gone["status"] == "cancelled"
    with pytest.raises(HttpError) as err:
        calendar.events().delete(calendarId="primary", eventId=event["id"]).execute()
    assert err.value.status_code == 410
    assert error_of(err)["errors"] == [
        {"message": "Resource has been deleted", "domain": "global", "reason": "deleted"}
    ]


def test_never_existing_event_is_404(calendar):
    for call in (
        calendar.events().get(calendarId="primary", eventId="nosuchevent1"),
        calendar.events().delete(calendarId="primary", eventId="nosuchevent1"),
        calendar.events().patch(calendarId="primary", eventId="nosuchevent1", body={}),
    ):
        with pytest.raises(HttpError) as err:
            call.execute()
        assert err.value.status_code == 404
        assert error_of(err) == {
            "code": 404,
            "message": "Not Found",
            "errors": [{"message": "Not Found", "domain": "global", "reason": "notFound"}],
            "status": "NOT_FOUND",
        }


def test_the_delete_answer_is_204_without_a_body(google_emulator, credentials):
    import httpx

    base = google_emulator.base_url
    headers = {"Authorization": f"Bearer {credentials.token}"}
    created = httpx.post(
        f"{base}/calendar/v3/calendars/primary/events", json=LUNCH, headers=headers
    ).json()
    deleted = httpx.delete(
        f"{base}/calendar/v3/calendars/primary/events/{created['id']}", headers=headers
    )
    assert deleted.status_code == 204 and deleted.content == b""
