"""calendarList.list, calendars.get (the account's time zone) and freebusy.query."""

import pytest
from googleapiclient.errors import HttpError

from google_emulator.testing import error_of


def test_calendar_list_has_the_primary_calendar(calendar, oauth):
    listed = calendar.calendarList().list().execute()
    assert listed["kind"] == "calendar#calendarList"
    [entry] = listed["items"]
    assert entry["kind"] == "calendar#calendarListEntry"
    assert entry["id"] == oauth.EMAIL and entry["primary"] is True
    assert entry["accessRole"] == "owner"
    assert entry["timeZone"] == "Asia/Seoul"


def test_calendars_get_carries_the_account_time_zone(google_emulator, calendar, oauth):
    primary = calendar.calendars().get(calendarId="primary").execute()
    assert primary["kind"] == "calendar#calendar"
    assert primary["id"] == oauth.EMAIL and primary["timeZone"] == "Asia/Seoul"
    by_email = calendar.calendars().get(calendarId=oauth.EMAIL).execute()
    assert by_email["id"] == primary["id"]
    google_emulator.control.set_time_zone(oauth.EMAIL, "Europe/Berlin")
    assert calendar.calendars().get(calendarId="primary").execute()["timeZone"] == "Europe/Berlin"
    [entry] = calendar.calendarList().list().execute()["items"]
    assert entry["timeZone"] == "Europe/Berlin"


def test_account_created_with_a_time_zone_before_consent(google_emulator, oauth):
    google_emulator.control.add_account("jun@example.com", time_zone="America/Los_Angeles")
    creds = oauth.authorize(google_emulator, [oauth.CALENDAR_SCOPE], email="jun@example.com")
    service = oauth.calendar_service(google_emulator.base_url, creds)
    assert service.calendars().get(calendarId="primary").execute()["timeZone"] == (
        "America/Los_Angeles"
    )
    # Events without their own zone are shown in the calendar's zone.
    event = (
        service.events()
        .insert(
            calendarId="primary",
            body={
                "summary": "x",
                "start": {"dateTime": "2025-11-24T20:00:00Z"},
                "end": {"dateTime": "2025-11-24T21:00:00Z"},
            },
        )
        .execute()
    )
    assert event["start"]["dateTime"] == "2025-11-24T12:00:00-08:00"


def test_all_day_bounds_follow_the_calendar_zone(google_emulator, calendar, oauth):
    google_emulator.control.set_time_zone(oauth.EMAIL, "UTC")
    calendar.events().insert(
        calendarId="primary",
        body={"summary": "day", "start": {"date": "2025-11-24"}, "end": {"date": "2025-11-25"}},
    ).execute()
    items = (
        calendar.events()
        .list(calendarId="primary", timeMin="2025-11-25T08:00:00+09:00")
        .execute()["items"]
    )
    assert [e["summary"] for e in items] == ["day"]  # ends 2025-11-25T00:00Z = 09:00 KST


def test_other_calendars_are_not_found(calendar):
    with pytest.raises(HttpError) as err:
        calendar.calendars().get(calendarId="team@group.calendar.google.com").execute()
    assert err.value.status_code == 404


def test_freebusy_reports_busy_intervals_of_the_primary_calendar(calendar, oauth):
    for start, end, transparency in (
        ("2025-11-24T09:00:00+09:00", "2025-11-24T10:00:00+09:00", "opaque"),
        ("2025-11-24T11:00:00+09:00", "2025-11-24T12:00:00+09:00", "transparent"),
        ("2025-11-24T23:00:00+09:00", "2025-11-25T01:00:00+09:00", "opaque"),
    ):
        calendar.events().insert(
            calendarId="primary",
            body={
                "summary": "b",
                "start": {"dateTime": start},
                "end": {"dateTime": end},
                "transparency": transparency,
            },
        ).execute()
    answer = (
        calendar.freebusy()
        .query(
            body={
                "timeMin": "2025-11-24T00:00:00+09:00",
                "timeMax": "2025-11-25T00:00:00+09:00",
                "items": [{"id": "primary"}, {"id": "other@example.com"}],
            }
        )
        .execute()
    )
    assert answer["kind"] == "calendar#freeBusy"
    assert answer["calendars"]["primary"]["busy"] == [
        {"start": "2025-11-24T00:00:00Z", "end": "2025-11-24T01:00:00Z"},
        {"start": "2025-11-24T14:00:00Z", "end": "2025-11-24T15:00:00Z"},
    ]
    assert answer["calendars"]["other@example.com"]["errors"][0]["reason"] == "notFound"
    with pytest.raises(HttpError) as err:
        calendar.freebusy().query(body={"timeMin": "2025-11-24T00:00:00"}).execute()
    assert err.value.status_code == 400
    assert error_of(err)["code"] == 400
