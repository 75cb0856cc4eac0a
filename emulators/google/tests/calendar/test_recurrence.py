"""Recurring events through the real google-api-python-client, as Google's guide describes them."""

import httpx
import pytest
from googleapiclient.errors import HttpError

from google_emulator.testing import error_of

SEOUL = "Asia/Seoul"
# Tuesdays 19:00–20:00 in Seoul from 2026-04-21.
STUDY = {
    "summary": "영어 스터디",
    "start": {"dateTime": "2026-04-21T19:00:00+09:00", "timeZone": SEOUL},
    "end": {"dateTime": "2026-04-21T20:00:00+09:00", "timeZone": SEOUL},
    "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=TU"],
}
APRIL = {"timeMin": "2026-04-20T00:00:00+09:00", "timeMax": "2026-05-11T00:00:00+09:00"}


def expanded(calendar, **params) -> list[dict]:
    return (
        calendar.events()
        .list(calendarId="primary", singleEvents=True, orderBy="startTime", **params)
        .execute()["items"]
    )


def test_insert_a_series_and_list_its_instances(calendar):
    master = calendar.events().insert(calendarId="primary", body=STUDY).execute()
    assert master["recurrence"] == ["RRULE:FREQ=WEEKLY;BYDAY=TU"]
    items = expanded(calendar, **APRIL)
    assert [i["id"] for i in items] == [
        f"{master['id']}_20260421T100000Z",
        f"{master['id']}_20260428T100000Z",
        f"{master['id']}_20260505T100000Z",
    ]
    first = items[0]
    assert first["recurringEventId"] == master["id"]
    assert first["originalStartTime"] == {
        "dateTime": "2026-04-21T19:00:00+09:00",
        "timeZone": SEOUL,
    }
    assert first["start"] == first["originalStartTime"]
    assert first["end"] == {"dateTime": "2026-04-21T20:00:00+09:00", "timeZone": SEOUL}
    assert first["iCalUID"] == master["iCalUID"] and first["summary"] == "영어 스터디"
    assert "recurrence" not in first
    # An instance is an event in its own right.
    got = calendar.events().get(calendarId="primary", eventId=first["id"]).execute()
    assert got["start"] == first["start"]


def test_without_single_events_the_master_is_listed_once(calendar):
    master = calendar.events().insert(calendarId="primary", body=STUDY).execute()
    items = calendar.events().list(calendarId="primary", **APRIL).execute()["items"]
    assert [i["id"] for i in items] == [master["id"]]
    with pytest.raises(HttpError) as err:
        calendar.events().list(calendarId="primary", orderBy="startTime").execute()
    assert err.value.status_code == 400
    assert error_of(err)["message"] == (
        "The requested ordering is not available for the particular query."
    )


def test_the_window_is_half_open(calendar):
    calendar.events().insert(calendarId="primary", body=STUDY).execute()
    items = expanded(
        calendar, timeMin="2026-04-28T20:00:00+09:00", timeMax="2026-05-05T19:00:00+09:00"
    )
    assert items == []


def test_expansion_keeps_the_wall_clock_across_dst(calendar):
    body = {
        "summary": "standup",
        "start": {"dateTime": "2026-03-03T09:00:00", "timeZone": "America/New_York"},
        "end": {"dateTime": "2026-03-03T09:15:00", "timeZone": "America/New_York"},
        "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"],
    }
    master = calendar.events().insert(calendarId="primary", body=body).execute()
    items = expanded(calendar, timeMin="2026-03-01T00:00:00Z", timeMax="2026-04-01T00:00:00Z")
    assert [i["start"]["dateTime"] for i in items] == [
        "2026-03-03T09:00:00-05:00",
        "2026-03-10T09:00:00-04:00",  # DST began on March 8
        "2026-03-17T09:00:00-04:00",
    ]
    assert items[1]["id"] == f"{master['id']}_20260310T130000Z"


def test_all_day_series_ids_exdate_and_rdate(calendar):
    body = {
        "summary": "당직",
        "start": {"date": "2026-04-01"},
        "end": {"date": "2026-04-02"},
        "recurrence": [
            "RRULE:FREQ=DAILY;UNTIL=20260404",
            "EXDATE;VALUE=DATE:20260402",
            "RDATE;VALUE=DATE:20260410",
        ],
    }
    master = calendar.events().insert(calendarId="primary", body=body).execute()
    items = expanded(
        calendar, timeMin="2026-03-30T00:00:00+09:00", timeMax="2026-05-01T00:00:00+09:00"
    )
    assert [i["id"] for i in items] == [
        f"{master['id']}_20260401",
        f"{master['id']}_20260403",
        f"{master['id']}_20260404",
        f"{master['id']}_20260410",
    ]
    assert items[0]["originalStartTime"] == {"date": "2026-04-01"}


def test_a_recurring_timed_event_needs_its_time_zone(calendar):
    body = {
        **STUDY,
        "start": {"dateTime": "2026-04-21T19:00:00+09:00"},
        "end": {"dateTime": "2026-04-21T20:00:00+09:00"},
    }
    with pytest.raises(HttpError) as err:
        calendar.events().insert(calendarId="primary", body=body).execute()
    assert err.value.status_code == 400
    assert error_of(err) == {
        "code": 400,
        "message": "Missing time zone definition for start time.",
        "errors": [
            {
                "message": "Missing time zone definition for start time.",
                "domain": "global",
                "reason": "required",
            }
        ],
        "status": "INVALID_ARGUMENT",
    }


@pytest.mark.parametrize(
    "lines",
    [
        ["RRULE:FREQ=SOMETIMES"],
        ["RRULE:FREQ=WEEKLY;BYDAY=XX"],
        ["RRULE:FREQ=WEEKLY;COUNT=2;UNTIL=20260601T000000Z"],
        ["DTSTART:20260421T190000"],
        ["EXDATE:20260428T190000"],  # nothing to repeat
        "RRULE:FREQ=WEEKLY",
    ],
)
def test_an_invalid_rule_is_googles_400(calendar, lines):
    with pytest.raises(HttpError) as err:
        calendar.events().insert(
            calendarId="primary", body={**STUDY, "recurrence": lines}
        ).execute()
    assert err.value.status_code == 400
    assert error_of(err)["errors"] == [
        {"message": "Invalid recurrence rule.", "domain": "global", "reason": "invalid"}
    ]


def test_instances_and_a_changed_instance_is_an_exception(calendar):
    master = calendar.events().insert(calendarId="primary", body=STUDY).execute()
    instances = (
        calendar.events().instances(calendarId="primary", eventId=master["id"], **APRIL).execute()
    )
    second = instances["items"][1]
    moved = (
        calendar.events()
        .patch(
            calendarId="primary",
            eventId=second["id"],
            body={
                "start": {"dateTime": "2026-04-28T20:00:00+09:00", "timeZone": SEOUL},
                "end": {"dateTime": "2026-04-28T21:00:00+09:00", "timeZone": SEOUL},
            },
        )
        .execute()
    )
    assert moved["id"] == second["id"]
    assert moved["recurringEventId"] == master["id"]
    assert moved["originalStartTime"] == second["originalStartTime"]
    items = expanded(calendar, **APRIL)
    assert [i["start"]["dateTime"][11:16] for i in items] == ["19:00", "20:00", "19:00"]
    # The master is untouched.
    again = calendar.events().get(calendarId="primary", eventId=master["id"]).execute()
    assert again["start"] == master["start"] and again["sequence"] == master["sequence"]


def test_a_cancelled_instance_leaves_the_expansion(calendar):
    master = calendar.events().insert(calendarId="primary", body=STUDY).execute()
    target = f"{master['id']}_20260428T100000Z"
    calendar.events().delete(calendarId="primary", eventId=target).execute()
    assert [i["id"] for i in expanded(calendar, **APRIL)] == [
        f"{master['id']}_20260421T100000Z",
        f"{master['id']}_20260505T100000Z",
    ]
    # Unexpanded, the cancelled instance is listed next to its master (Google's showDeleted note).
    plain = calendar.events().list(calendarId="primary", **APRIL).execute()["items"]
    assert {(i["id"], i["status"]) for i in plain} == {
        (master["id"], "confirmed"),
        (target, "cancelled"),
    }
    with pytest.raises(HttpError) as err:
        calendar.events().delete(calendarId="primary", eventId=target).execute()
    assert err.value.status_code == 410
    with pytest.raises(HttpError) as err:
        calendar.events().get(
            calendarId="primary", eventId=f"{master['id']}_20260429T100000Z"
        ).execute()
    assert err.value.status_code == 404


def test_this_and_following_is_the_clients_split(calendar):
    master = calendar.events().insert(calendarId="primary", body=STUDY).execute()
    # 1. Trim the original before the target instance (UNTIL), 2. a new series from it.
    calendar.events().patch(
        calendarId="primary",
        eventId=master["id"],
        body={"recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20260427T145959Z"]},
    ).execute()
    following = {
        **STUDY,
        "start": {"dateTime": "2026-04-28T20:00:00+09:00", "timeZone": SEOUL},
        "end": {"dateTime": "2026-04-28T21:00:00+09:00", "timeZone": SEOUL},
    }
    split = calendar.events().insert(calendarId="primary", body=following).execute()
    items = expanded(calendar, **APRIL)
    assert [(i["recurringEventId"], i["start"]["dateTime"][5:16]) for i in items] == [
        (master["id"], "04-21T19:00"),
        (split["id"], "04-28T20:00"),
        (split["id"], "05-05T20:00"),
    ]


def test_deleting_the_master_deletes_the_series(calendar):
    master = calendar.events().insert(calendarId="primary", body=STUDY).execute()
    calendar.events().patch(
        calendarId="primary", eventId=f"{master['id']}_20260428T100000Z", body={"summary": "특강"}
    ).execute()
    calendar.events().delete(calendarId="primary", eventId=master["id"]).execute()
    assert expanded(calendar, **APRIL) == []
    with pytest.raises(HttpError) as err:
        calendar.events().instances(calendarId="primary", eventId=master["id"]).execute()
    assert err.value.status_code == 410


def test_freebusy_sees_instances(calendar):
    calendar.events().insert(calendarId="primary", body=STUDY).execute()
    answer = (
        calendar.freebusy()
        .query(
            body={
                "timeMin": "2026-04-28T00:00:00+09:00",
                "timeMax": "2026-04-29T00:00:00+09:00",
                "items": [{"id": "primary"}],
            }
        )
        .execute()
    )
    assert answer["calendars"]["primary"]["busy"] == [
        {"start": "2026-04-28T10:00:00Z", "end": "2026-04-28T11:00:00Z"}
    ]


def test_instances_by_original_start_and_of_a_one_off(calendar):
    master = calendar.events().insert(calendarId="primary", body=STUDY).execute()
    [one] = (
        calendar.events()
        .instances(calendarId="primary", eventId=master["id"], originalStart="2026-04-28T10:00:00Z")
        .execute()["items"]
    )
    assert one["id"] == f"{master['id']}_20260428T100000Z"
    single = {k: v for k, v in STUDY.items() if k != "recurrence"}
    lone = calendar.events().insert(calendarId="primary", body=single).execute()
    items = (
        calendar.events()
        .instances(calendarId="primary", eventId=lone["id"], originalStart="2026-04-28T10:00:00Z")
        .execute()["items"]
    )
    assert items == []


def test_an_instance_html_link_opens_its_page(calendar):
    calendar.events().insert(calendarId="primary", body=STUDY).execute()
    second = expanded(calendar, **APRIL)[1]
    page = httpx.get(second["htmlLink"])
    assert page.status_code == 200, page.text
    assert "2026-04-28T19:00:00+09:00" in page.text
