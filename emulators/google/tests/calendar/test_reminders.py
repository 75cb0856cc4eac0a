"""An event's reminders through the real google-api-python-client: stored and returned as
given, checked as Google checks them (at most 5 overrides, 0..40320 minutes, no overrides
with useDefault)."""

import pytest
from googleapiclient.errors import HttpError

from google_emulator.testing import error_of

DENTIST = {
    "summary": "치과",
    "start": {"dateTime": "2025-11-24T15:00:00+09:00"},
    "end": {"dateTime": "2025-11-24T16:00:00+09:00"},
}


def _insert(calendar, reminders):
    body = {**DENTIST, "reminders": reminders}
    return calendar.events().insert(calendarId="primary", body=body).execute()


def test_an_event_without_reminders_uses_the_calendars_default(calendar):
    event = calendar.events().insert(calendarId="primary", body=DENTIST).execute()
    assert event["reminders"] == {"useDefault": True}


def test_overrides_are_stored_and_returned_as_given(calendar):
    reminders = {
        "useDefault": False,
        "overrides": [{"method": "popup", "minutes": 30}, {"method": "email", "minutes": 1440}],
    }
    event = _insert(calendar, reminders)
    assert event["reminders"] == reminders
    got = calendar.events().get(calendarId="primary", eventId=event["id"]).execute()
    assert got["reminders"] == reminders
    listed = calendar.events().list(calendarId="primary").execute()["items"]
    assert [e["reminders"] for e in listed if e["id"] == event["id"]] == [reminders]


def test_no_reminders_at_all(calendar):
    event = _insert(calendar, {"useDefault": False})
    assert event["reminders"] == {"useDefault": False}


def test_a_patch_replaces_the_overrides_list(calendar):
    event = _insert(
        calendar, {"useDefault": False, "overrides": [{"method": "popup", "minutes": 30}]}
    )
    patched = (
        calendar.events()
        .patch(
            calendarId="primary",
            eventId=event["id"],
            body={"reminders": {"overrides": [{"method": "popup", "minutes": 10}]}},
        )
        .execute()
    )
    assert patched["reminders"] == {
        "useDefault": False,
        "overrides": [{"method": "popup", "minutes": 10}],
    }
    back = (
        calendar.events()
        .patch(
            calendarId="primary",
            eventId=event["id"],
            body={"reminders": {"useDefault": True, "overrides": None}},
        )
        .execute()
    )
    assert back["reminders"] == {"useDefault": True}


@pytest.mark.parametrize(
    ("reminders", "reason"),
    [
        (
            {"useDefault": True, "overrides": [{"method": "popup", "minutes": 5}]},
            "cannotUseDefaultRemindersAndSpecifyOverride",
        ),
        (
            {
                "useDefault": False,
                "overrides": [{"method": "popup", "minutes": m} for m in range(6)],
            },
            "tooManyReminders",
        ),
        ({"useDefault": False, "overrides": [{"method": "popup", "minutes": 40321}]}, "invalid"),
        ({"useDefault": False, "overrides": [{"method": "popup", "minutes": -1}]}, "invalid"),
        ({"useDefault": False, "overrides": [{"method": "sms", "minutes": 5}]}, "required"),
        ({"useDefault": False, "overrides": [{"method": "popup"}]}, "required"),
    ],
)
def test_reminders_google_refuses(calendar, reminders, reason):
    with pytest.raises(HttpError) as err:
        _insert(calendar, reminders)
    assert err.value.status_code == 400
    error = error_of(err)
    assert error["errors"][0]["reason"] == reason
    assert error["status"] == "INVALID_ARGUMENT"
    assert calendar.events().list(calendarId="primary").execute()["items"] == []


def test_the_limits_themselves_are_accepted(calendar):
    overrides = [{"method": "popup", "minutes": m} for m in (0, 10, 60, 1440, 40320)]
    event = _insert(calendar, {"useDefault": False, "overrides": overrides})
    assert event["reminders"]["overrides"] == overrides
