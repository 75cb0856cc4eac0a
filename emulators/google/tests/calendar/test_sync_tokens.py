"""Incremental sync (nextSyncToken / syncToken, 410 fullSyncRequired) through the real client."""

import pytest
from googleapiclient.errors import HttpError

from google_emulator.testing import error_of

LUNCH = {
    "summary": "점심",
    "start": {"dateTime": "2025-11-24T12:00:00+09:00"},
    "end": {"dateTime": "2025-11-24T13:00:00+09:00"},
}
DINNER = {
    "summary": "저녁",
    "start": {"dateTime": "2025-11-24T19:00:00+09:00"},
    "end": {"dateTime": "2025-11-24T20:00:00+09:00"},
}


def full_sync(calendar, **params) -> tuple[list[dict], str]:
    """Every page of a full list; the items and the last page's nextSyncToken."""
    items: list[dict] = []
    page_token = None
    while True:
        page = (
            calendar.events().list(calendarId="primary", pageToken=page_token, **params).execute()
        )
        items.extend(page["items"])
        page_token = page.get("nextPageToken")
        if not page_token:
            return items, page["nextSyncToken"]
        assert "nextSyncToken" not in page  # only the last page carries it


def changes(calendar, token: str, **params) -> tuple[list[dict], str]:
    """Every page of an incremental list; the changed items and the new token."""
    return full_sync(calendar, syncToken=token, **params)


def test_next_sync_token_only_on_the_last_page(calendar):
    for hour in range(5):
        body = dict(LUNCH, summary=f"회의 {hour}")
        body["start"] = {"dateTime": f"2025-11-25T{10 + hour}:00:00+09:00"}
        body["end"] = {"dateTime": f"2025-11-25T{10 + hour}:30:00+09:00"}
        calendar.events().insert(calendarId="primary", body=body).execute()
    items, token = full_sync(calendar, maxResults=2)
    assert len(items) == 5
    assert token


def test_sync_token_returns_only_changes_with_deletions_as_cancelled(calendar):
    lunch = calendar.events().insert(calendarId="primary", body=LUNCH).execute()
    dinner = calendar.events().insert(calendarId="primary", body=DINNER).execute()
    _, token = full_sync(calendar)

    items, token = changes(calendar, token)
    assert items == []

    calendar.events().patch(
        calendarId="primary",
        eventId=lunch["id"],
        body={"start": {"dateTime": "2025-11-24T12:30:00+09:00"}},
    ).execute()
    calendar.events().delete(calendarId="primary", eventId=dinner["id"]).execute()
    items, token = changes(calendar, token)
    by_id = {item["id"]: item for item in items}
    assert set(by_id) == {lunch["id"], dinner["id"]}
    assert by_id[lunch["id"]]["start"] == {"dateTime": "2025-11-24T12:30:00+09:00"}
    assert by_id[dinner["id"]]["status"] == "cancelled"

    items, _ = changes(calendar, token)
    assert items == []


def test_a_full_sync_with_time_min_gives_a_token(calendar):
    calendar.events().insert(calendarId="primary", body=LUNCH).execute()
    items, token = full_sync(calendar, timeMin="2025-11-01T00:00:00+09:00", singleEvents=True)
    assert [item["summary"] for item in items] == ["점심"]
    later = calendar.events().insert(calendarId="primary", body=DINNER).execute()
    items, _ = changes(calendar, token, singleEvents=True)
    assert [item["id"] for item in items] == [later["id"]]


def test_a_list_that_cannot_be_synced_has_no_token(calendar):
    page = (
        calendar.events()
        .list(calendarId="primary", singleEvents=True, orderBy="startTime")
        .execute()
    )
    assert "nextSyncToken" not in page


@pytest.mark.parametrize(
    "param",
    [
        {"timeMin": "2025-11-01T00:00:00+09:00"},
        {"timeMax": "2025-11-01T00:00:00+09:00"},
        {"q": "점심"},
        {"iCalUID": "x@google.com"},
        {"orderBy": "updated"},
        {"updatedMin": "2025-11-01T00:00:00+09:00"},
        {"privateExtendedProperty": "haruKey=k"},
        {"sharedExtendedProperty": "k=v"},
    ],
)
def test_filters_are_refused_next_to_a_sync_token(calendar, param):
    _, token = full_sync(calendar)
    with pytest.raises(HttpError) as err:
        calendar.events().list(calendarId="primary", syncToken=token, **param).execute()
    assert err.value.status_code == 400
    error = error_of(err)
    assert error["errors"][0]["reason"] == "invalid"
    assert error["errors"][0]["location"] == next(iter(param))


def test_an_invalidated_token_is_410_full_sync_required(google_emulator, calendar, oauth):
    calendar.events().insert(calendarId="primary", body=LUNCH).execute()
    _, token = full_sync(calendar)
    google_emulator.control.invalidate_sync_tokens(oauth.EMAIL)
    with pytest.raises(HttpError) as err:
        calendar.events().list(calendarId="primary", syncToken=token).execute()
    assert err.value.status_code == 410
    assert error_of(err) == {
        "code": 410,
        "message": "Sync token is no longer valid, a full sync is required.",
        "errors": [
            {
                "message": "Sync token is no longer valid, a full sync is required.",
                "domain": "calendar",
                "reason": "fullSyncRequired",
                "locationType": "parameter",
                "location": "syncToken",
            }
        ],
        "status": "NOT_FOUND",
    }
    # The full resync gives a token that works again.
    items, token = full_sync(calendar)
    assert [item["summary"] for item in items] == ["점심"]
    assert changes(calendar, token)[0] == []


def test_a_garbled_token_is_400(calendar):
    with pytest.raises(HttpError) as err:
        calendar.events().list(calendarId="primary", syncToken="not-a-token").execute()
    assert err.value.status_code == 400


def test_changes_made_directly_in_google_show_in_the_next_sync(google_emulator, calendar, oauth):
    lunch = calendar.events().insert(calendarId="primary", body=LUNCH).execute()
    _, token = full_sync(calendar)
    google_emulator.control.edit_event(
        oauth.EMAIL,
        lunch["id"],
        summary="점심 (변경)",
        start={"dateTime": "2025-11-24T13:00:00+09:00"},
        end={"dateTime": "2025-11-24T14:00:00+09:00"},
    )
    items, token = changes(calendar, token)
    assert [(i["id"], i["summary"]) for i in items] == [(lunch["id"], "점심 (변경)")]
    google_emulator.control.remove_event(oauth.EMAIL, lunch["id"])
    items, _ = changes(calendar, token)
    assert [(i["id"], i["status"]) for i in items] == [(lunch["id"], "cancelled")]


def test_a_changed_series_lists_its_master_or_instances(calendar):
    weekly = {
        "summary": "영어 스터디",
        "start": {"dateTime": "2026-04-21T19:00:00", "timeZone": "Asia/Seoul"},
        "end": {"dateTime": "2026-04-21T20:00:00", "timeZone": "Asia/Seoul"},
        "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"],
    }
    _, token = full_sync(calendar)
    series = calendar.events().insert(calendarId="primary", body=weekly).execute()
    masters, _ = changes(calendar, token)
    assert [item["id"] for item in masters] == [series["id"]]
    instances, _ = changes(calendar, token, singleEvents=True)
    assert [item.get("recurringEventId") for item in instances] == [series["id"]] * 3
