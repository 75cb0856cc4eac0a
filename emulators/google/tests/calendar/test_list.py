"""events.list: time bounds, ordering, search, paging and deleted events."""

import pytest
from googleapiclient.errors import HttpError

from google_emulator.testing import error_of


def timed(summary: str, start: str, end: str, **extra) -> dict:
    """An event body with offset datetimes."""
    return {"summary": summary, "start": {"dateTime": start}, "end": {"dateTime": end}, **extra}


def insert(calendar, body: dict) -> dict:
    """Insert into the primary calendar."""
    return calendar.events().insert(calendarId="primary", body=body).execute()


def summaries(calendar, **params) -> list[str]:
    """Summaries of one list page."""
    items = calendar.events().list(calendarId="primary", **params).execute()["items"]
    return [e["summary"] for e in items]


def test_time_min_bounds_the_end_and_time_max_the_start_both_exclusive(calendar):
    insert(calendar, timed("noon", "2025-11-24T12:00:00+09:00", "2025-11-24T13:00:00+09:00"))
    # timeMin equal to the end excludes it; one second earlier includes it.
    assert summaries(calendar, timeMin="2025-11-24T13:00:00+09:00") == []
    assert summaries(calendar, timeMin="2025-11-24T12:59:59+09:00") == ["noon"]
    # timeMax equal to the start excludes it; one second later includes it.
    assert summaries(calendar, timeMax="2025-11-24T12:00:00+09:00") == []
    assert summaries(calendar, timeMax="2025-11-24T12:00:01+09:00") == ["noon"]
    # The same instants written with other offsets mean the same thing.
    assert summaries(calendar, timeMin="2025-11-24T04:00:00Z") == []
    assert summaries(calendar, timeMin="2025-11-23T22:59:59-05:00") == ["noon"]
    assert summaries(calendar, timeMax="2025-11-24T03:00:01+00:00") == ["noon"]


def test_all_day_event_spans_midnight_to_midnight_in_the_calendar_zone(calendar):
    insert(
        calendar,
        {"summary": "연차", "start": {"date": "2025-11-24"}, "end": {"date": "2025-11-25"}},
    )
    # Asia/Seoul: the day is 2025-11-23T15:00Z .. 2025-11-24T15:00Z, the end exclusive.
    assert summaries(calendar, timeMin="2025-11-25T00:00:00+09:00") == []
    assert summaries(calendar, timeMin="2025-11-24T23:59:59+09:00") == ["연차"]
    assert summaries(calendar, timeMax="2025-11-23T15:00:00Z") == []
    assert summaries(calendar, timeMax="2025-11-23T15:00:01Z") == ["연차"]


@pytest.mark.parametrize("param", ["timeMin", "timeMax"])
@pytest.mark.parametrize("value", ["2025-11-24T12:00:00", "2025-11-24", "tomorrow"])
def test_time_bound_without_offset_is_400_bad_request(calendar, param, value):
    with pytest.raises(HttpError) as err:
        calendar.events().list(calendarId="primary", **{param: value}).execute()
    assert err.value.status_code == 400
    assert error_of(err) == {
        "code": 400,
        "message": "Bad Request",
        "errors": [{"message": "Bad Request", "domain": "global", "reason": "badRequest"}],
        "status": "INVALID_ARGUMENT",
    }


def test_time_max_not_after_time_min_is_time_range_empty(calendar):
    with pytest.raises(HttpError) as err:
        calendar.events().list(
            calendarId="primary",
            timeMin="2025-11-24T12:00:00+09:00",
            timeMax="2025-11-24T12:00:00+09:00",
        ).execute()
    assert err.value.status_code == 400
    assert error_of(err)["errors"] == [
        {
            "message": "The specified time range is empty.",
            "domain": "calendar",
            "reason": "timeRangeEmpty",
            "locationType": "parameter",
            "location": "timeMax",
        }
    ]


def test_order_by_start_time_needs_single_events(calendar):
    insert(calendar, timed("late", "2025-11-24T15:00:00+09:00", "2025-11-24T16:00:00+09:00"))
    insert(calendar, timed("early", "2025-11-24T09:00:00+09:00", "2025-11-24T10:00:00+09:00"))
    insert(
        calendar, {"summary": "day", "start": {"date": "2025-11-24"}, "end": {"date": "2025-11-25"}}
    )
    ordered = summaries(calendar, singleEvents=True, orderBy="startTime")
    assert ordered == ["day", "early", "late"]
    with pytest.raises(HttpError) as err:
        calendar.events().list(calendarId="primary", orderBy="startTime").execute()
    assert err.value.status_code == 400
    assert "ordering is not available" in error_of(err)["message"]


def test_order_by_updated(calendar):
    first = insert(calendar, timed("a", "2025-11-25T09:00:00+09:00", "2025-11-25T10:00:00+09:00"))
    insert(calendar, timed("b", "2025-11-24T09:00:00+09:00", "2025-11-24T10:00:00+09:00"))
    calendar.events().patch(
        calendarId="primary", eventId=first["id"], body={"summary": "a2"}
    ).execute()
    assert summaries(calendar, orderBy="updated") == ["b", "a2"]


def test_q_searches_summary_description_and_location(calendar):
    insert(calendar, timed("건강 검진", "2025-11-24T07:40:00+09:00", "2025-11-24T12:00:00+09:00"))
    insert(
        calendar,
        timed(
            "점심",
            "2025-11-25T12:00:00+09:00",
            "2025-11-25T13:00:00+09:00",
            location="인천 연수구 갯벌로156",
        ),
    )
    insert(
        calendar,
        timed(
            "Standup",
            "2025-11-26T09:00:00+09:00",
            "2025-11-26T09:15:00+09:00",
            description="Daily SYNC with the team",
        ),
    )
    assert summaries(calendar, q="검진") == ["건강 검진"]
    assert summaries(calendar, q="연수구") == ["점심"]
    assert summaries(calendar, q="sync") == ["Standup"]
    assert summaries(calendar, q="없는말") == []


def test_ical_uid_filter(calendar):
    wanted = insert(calendar, timed("x", "2025-11-24T09:00:00+09:00", "2025-11-24T10:00:00+09:00"))
    insert(calendar, timed("y", "2025-11-24T11:00:00+09:00", "2025-11-24T12:00:00+09:00"))
    assert summaries(calendar, iCalUID=wanted["iCalUID"]) == ["x"]


def test_pages_with_max_results_and_page_token(calendar):
    ids = [
        insert(
            calendar,
            timed(f"e{day}", f"2025-12-0{day}T09:00:00+09:00", f"2025-12-0{day}T10:00:00+09:00"),
        )["id"]
        for day in range(1, 6)
    ]
    request = calendar.events().list(
        calendarId="primary", maxResults=2, singleEvents=True, orderBy="startTime"
    )
    pages = []
    while request is not None:
        page = request.execute()
        pages.append([e["id"] for e in page["items"]])
        request = calendar.events().list_next(request, page)
    assert pages == [ids[0:2], ids[2:4], ids[4:5]]
    last = (
        calendar.events()
        .list(calendarId="primary", maxResults=5, singleEvents=True, orderBy="startTime")
        .execute()
    )
    assert "nextPageToken" not in last and len(last["items"]) == 5


def test_a_page_token_from_another_query_is_refused(calendar):
    for day in range(1, 4):
        insert(
            calendar, timed("e", f"2025-12-0{day}T09:00:00+09:00", f"2025-12-0{day}T10:00:00+09:00")
        )
    token = calendar.events().list(calendarId="primary", maxResults=1).execute()["nextPageToken"]
    with pytest.raises(HttpError) as err:
        calendar.events().list(calendarId="primary", maxResults=1, q="e", pageToken=token).execute()
    assert err.value.status_code == 400
    with pytest.raises(HttpError):
        calendar.events().list(calendarId="primary", pageToken="garbage!").execute()


def test_default_page_is_250_and_max_is_2500(google_emulator, credentials):
    import httpx

    headers = {"Authorization": f"Bearer {credentials.token}"}
    path = "/calendar/v3/calendars/primary/events"
    with httpx.Client(base_url=google_emulator.base_url, headers=headers) as http:
        for i in range(251):
            at = f"2025-12-01T{i // 60:02d}:{i % 60:02d}"
            body = timed("e", f"{at}:00Z", f"{at}:30Z")
            assert http.post(path, json=body).status_code == 200
        default = http.get(path).json()
        capped = http.get(path, params={"maxResults": 5000}).json()
    assert len(default["items"]) == 250 and default["nextPageToken"]
    assert len(capped["items"]) == 251 and "nextPageToken" not in capped


def test_deleted_events_are_hidden_unless_show_deleted(calendar):
    kept = insert(calendar, timed("kept", "2025-11-24T09:00:00+09:00", "2025-11-24T10:00:00+09:00"))
    gone = insert(calendar, timed("gone", "2025-11-24T11:00:00+09:00", "2025-11-24T12:00:00+09:00"))
    calendar.events().delete(calendarId="primary", eventId=gone["id"]).execute()
    assert summaries(calendar) == ["kept"]
    items = calendar.events().list(calendarId="primary", showDeleted=True).execute()["items"]
    assert {(e["id"], e["status"]) for e in items} == {
        (kept["id"], "confirmed"),
        (gone["id"], "cancelled"),
    }


def test_updated_min_includes_deleted_events(calendar):
    gone = insert(calendar, timed("gone", "2025-11-24T11:00:00+09:00", "2025-11-24T12:00:00+09:00"))
    calendar.events().delete(calendarId="primary", eventId=gone["id"]).execute()
    items = (
        calendar.events()
        .list(calendarId="primary", updatedMin="2000-01-01T00:00:00Z")
        .execute()["items"]
    )
    assert [(e["id"], e["status"]) for e in items] == [(gone["id"], "cancelled")]


def test_list_envelope(calendar, oauth):
    page = calendar.events().list(calendarId="primary").execute()
    assert page["kind"] == "calendar#events"
    assert page["summary"] == oauth.EMAIL
    assert page["timeZone"] == "Asia/Seoul"
    assert page["accessRole"] == "owner"
    assert page["items"] == []
