"""Create, list, get, update and delete against the Google emulator, in two zones."""

import pytest

pytestmark = pytest.mark.db

CHECKUP = {
    "title": "검진",
    "start": "2025-11-24T07:40:00+09:00",
    "end": "2025-11-24T12:00:00+09:00",
    "location": "인천 연수구 갯벌로156",
}


async def test_timed_event_in_seoul_round_trips_with_offsets(
    client, service_headers, seoul_user, create, google
):
    created = await create(seoul_user, CHECKUP)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "created"
    event = body["event"]
    assert (event["start"], event["end"]) == (CHECKUP["start"], CHECKUP["end"])
    assert event["all_day"] is False and event["time_zone"] == "Asia/Seoul"
    assert event["html_link"] and event["created"].endswith("+09:00")
    stored = google.control.events("minji@example.com")
    assert stored[0]["start"]["timeZone"] == "Asia/Seoul"
    assert stored[0]["start"]["dateTime"].endswith("+09:00")

    got = await client.get(f"/v1/users/{seoul_user}/events/{event['id']}", headers=service_headers)
    assert got.status_code == 200 and got.json()["title"] == "검진"

    listed = await client.get(
        f"/v1/users/{seoul_user}/events",
        params={"start": "2025-11-24T00:00:00+09:00", "end": "2025-11-25T00:00:00+09:00"},
        headers=service_headers,
    )
    assert listed.status_code == 200, listed.text
    assert [e["id"] for e in listed.json()["events"]] == [event["id"]]
    assert listed.json()["time_zone"] == "Asia/Seoul"

    patched = await client.patch(
        f"/v1/users/{seoul_user}/events/{event['id']}",
        json={"start": "2025-11-24T09:00:00+09:00"},
        headers=service_headers,
    )
    assert patched.status_code == 200, patched.text
    moved = patched.json()["event"]
    # Only the start was given: the duration (4h20) is kept.
    assert (moved["start"], moved["end"]) == (
        "2025-11-24T09:00:00+09:00",
        "2025-11-24T13:20:00+09:00",
    )
    assert moved["location"] == CHECKUP["location"]

    deleted = await client.delete(
        f"/v1/users/{seoul_user}/events/{event['id']}", headers=service_headers
    )
    assert deleted.json() == {"deleted": True, "already_deleted": False}
    again = await client.delete(
        f"/v1/users/{seoul_user}/events/{event['id']}", headers=service_headers
    )
    assert again.status_code == 200 and again.json()["already_deleted"] is True
    gone = await client.get(f"/v1/users/{seoul_user}/events/{event['id']}", headers=service_headers)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "calendar.event_not_found"


async def test_deleting_an_event_that_never_existed_is_not_found(
    client, service_headers, seoul_user
):
    missing = await client.delete(
        f"/v1/users/{seoul_user}/events/neverexisted123", headers=service_headers
    )
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "calendar.event_not_found"


async def test_all_day_event_uses_dates_with_exclusive_end(
    client, service_headers, seoul_user, create
):
    created = await create(
        seoul_user, {"title": "제주 여행", "start_date": "2025-12-01", "end_date": "2025-12-03"}
    )
    assert created.status_code == 201, created.text
    event = created.json()["event"]
    assert event["all_day"] is True
    assert (event["start_date"], event["end_date"]) == ("2025-12-01", "2025-12-03")
    assert event["start"] is None

    # Seoul's Dec 2 is inside; a window ending at Seoul midnight of Dec 1 is not.
    inside = await client.get(
        f"/v1/users/{seoul_user}/events",
        params={"start": "2025-12-02T10:00:00+09:00", "end": "2025-12-02T11:00:00+09:00"},
        headers=service_headers,
    )
    assert [e["id"] for e in inside.json()["events"]] == [event["id"]]
    before = await client.get(
        f"/v1/users/{seoul_user}/events",
        params={"start": "2025-11-30T00:00:00+09:00", "end": "2025-12-01T00:00:00+09:00"},
        headers=service_headers,
    )
    assert before.json()["events"] == []

    patched = await client.patch(
        f"/v1/users/{seoul_user}/events/{event['id']}",
        json={"end_date": "2025-12-05", "title": "제주 여행 (연장)"},
        headers=service_headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["event"]["end_date"] == "2025-12-05"
    assert patched.json()["event"]["title"] == "제주 여행 (연장)"


async def test_new_york_across_the_dst_boundary(client, service_headers, ny_user, create):
    # 2025-11-02 02:00 EDT -> 01:00 EST. An event each side, and one across it.
    before = await create(
        ny_user,
        {
            "title": "brunch",
            "start": "2025-11-01T11:00:00-04:00",
            "end": "2025-11-01T12:00:00-04:00",
        },
        key="a",
    )
    across = await create(
        ny_user,
        # Given in UTC: the service writes it in the calendar's zone.
        {"title": "night shift", "start": "2025-11-02T04:30:00Z", "end": "2025-11-02T07:30:00Z"},
        key="b",
    )
    after = await create(
        ny_user,
        {"title": "gym", "start": "2025-11-03T07:00:00-05:00", "end": "2025-11-03T08:00:00-05:00"},
        key="c",
    )
    assert {r.status_code for r in (before, across, after)} == {201}
    shift = across.json()["event"]
    assert shift["start"] == "2025-11-02T00:30:00-04:00"
    assert shift["end"] == "2025-11-02T02:30:00-05:00"
    assert shift["time_zone"] == "America/New_York"

    listed = await client.get(
        f"/v1/users/{ny_user}/events",
        params={"start": "2025-11-01T00:00:00-04:00", "end": "2025-11-04T00:00:00-05:00"},
        headers=service_headers,
    )
    titles = [e["title"] for e in listed.json()["events"]]
    assert titles == ["brunch", "night shift", "gym"]
    assert listed.json()["events"][2]["start"] == "2025-11-03T07:00:00-05:00"

    all_day = await create(
        ny_user,
        {"title": "Election prep", "start_date": "2025-11-02", "end_date": "2025-11-03"},
        key="d",
    )
    assert all_day.status_code == 201
    # The all-day event spans New York's Nov 2 (25 hours long), found from a window at 23:30 EST.
    late = await client.get(
        f"/v1/users/{ny_user}/events",
        params={"start": "2025-11-02T23:30:00-05:00", "end": "2025-11-02T23:45:00-05:00"},
        headers=service_headers,
    )
    assert [e["title"] for e in late.json()["events"]] == ["Election prep"]

    moved = await client.patch(
        f"/v1/users/{ny_user}/events/{after.json()['event']['id']}",
        json={"start": "2025-11-01T07:00:00-04:00", "end": "2025-11-01T08:00:00-04:00"},
        headers=service_headers,
    )
    assert moved.json()["event"]["start"] == "2025-11-01T07:00:00-04:00"


async def test_naive_datetimes_are_refused(client, service_headers, seoul_user, create):
    naive = await create(
        seoul_user, {"title": "회의", "start": "2025-11-24T10:00:00", "end": "2025-11-24T11:00:00"}
    )
    assert naive.status_code == 422
    assert naive.json()["error"]["code"] == "datetime.naive"
    listed = await client.get(
        f"/v1/users/{seoul_user}/events",
        params={"start": "2025-11-24T00:00:00", "end": "2025-11-25T00:00:00+09:00"},
        headers=service_headers,
    )
    assert listed.json()["error"]["code"] == "datetime.naive"
    backwards = await create(
        seoul_user,
        {"title": "회의", "start": "2025-11-24T11:00:00+09:00", "end": "2025-11-24T10:00:00+09:00"},
    )
    assert backwards.json()["error"]["code"] == "datetime.range_invalid"


async def test_create_needs_an_idempotency_key(client, service_headers, seoul_user):
    answer = await client.post(
        f"/v1/users/{seoul_user}/events", json=CHECKUP, headers=service_headers
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "idempotency.key_missing"


async def test_service_token_required(client, seoul_user):
    answer = await client.get(f"/v1/users/{seoul_user}/calendar")
    assert answer.status_code == 401


async def test_calendar_reports_zone_and_account(client, service_headers, ny_user):
    answer = await client.get(f"/v1/users/{ny_user}/calendar", headers=service_headers)
    assert answer.json() == {"time_zone": "America/New_York", "google_email": "jordan@example.com"}


async def test_list_gathers_every_page_and_filters_text(
    client, service_headers, seoul_user, create, monkeypatch
):
    from skill_calendar.google import client as google_client

    monkeypatch.setattr(google_client, "PAGE_SIZE", 2)
    for hour in (15, 9, 11, 13, 10):
        answer = await create(
            seoul_user,
            {
                "title": f"상담 {hour}시" if hour != 10 else "점심",
                "start": f"2025-11-24T{hour:02d}:00:00+09:00",
                "end": f"2025-11-24T{hour:02d}:30:00+09:00",
            },
            key=f"k{hour}",
        )
        assert answer.status_code == 201
    listed = await client.get(
        f"/v1/users/{seoul_user}/events",
        params={"start": "2025-11-24T00:00:00+09:00", "end": "2025-11-25T00:00:00+09:00"},
        headers=service_headers,
    )
    starts = [e["start"][11:16] for e in listed.json()["events"]]
    assert starts == ["09:00", "10:00", "11:00", "13:00", "15:00"]
    found = await client.get(
        f"/v1/users/{seoul_user}/events",
        params={
            "start": "2025-11-24T00:00:00+09:00",
            "end": "2025-11-25T00:00:00+09:00",
            "q": "점심",
        },
        headers=service_headers,
    )
    assert [e["title"] for e in found.json()["events"]] == ["점심"]


async def test_timed_event_becomes_all_day_and_back(client, service_headers, seoul_user, create):
    created = await create(seoul_user, CHECKUP)
    event_id = created.json()["event"]["id"]
    to_day = await client.patch(
        f"/v1/users/{seoul_user}/events/{event_id}",
        json={"start_date": "2025-11-24", "end_date": "2025-11-25"},
        headers=service_headers,
    )
    assert to_day.status_code == 200, to_day.text
    day = to_day.json()["event"]
    assert (day["all_day"], day["start_date"], day["end_date"], day["start"]) == (
        True,
        "2025-11-24",
        "2025-11-25",
        None,
    )
    half = await client.patch(
        f"/v1/users/{seoul_user}/events/{event_id}",
        json={"start": "2025-11-24T10:00:00+09:00"},
        headers=service_headers,
    )
    assert half.json()["error"]["code"] == "datetime.range_invalid"
    back = await client.patch(
        f"/v1/users/{seoul_user}/events/{event_id}",
        json={"start": "2025-11-24T10:00:00+09:00", "end": "2025-11-24T11:00:00+09:00"},
        headers=service_headers,
    )
    assert back.status_code == 200, back.text
    assert back.json()["event"]["all_day"] is False
    assert back.json()["event"]["end"] == "2025-11-24T11:00:00+09:00"


async def test_all_day_duplicate_is_found(seoul_user, create):
    trip = {"title": "연차", "start_date": "2025-12-10", "end_date": "2025-12-11"}
    first = await create(seoul_user, trip, key="one")
    second = await create(seoul_user, {**trip, "title": "연 차"}, key="two")
    assert second.status_code == 200 and second.json()["status"] == "duplicate"
    assert second.json()["event"]["id"] == first.json()["event"]["id"]
