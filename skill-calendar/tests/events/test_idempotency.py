"""Idempotent creation, duplicate detection and conflicts."""

import pytest

from skill_calendar.events.service import derive_event_id

pytestmark = pytest.mark.db

LUNCH = {
    "title": "점심 약속",
    "start": "2025-11-24T12:00:00+09:00",
    "end": "2025-11-24T13:00:00+09:00",
}


async def test_same_key_same_body_replays_the_first_answer(seoul_user, create, google):
    first = await create(seoul_user, LUNCH, key="same")
    second = await create(seoul_user, LUNCH, key="same")
    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["status"] == "replayed"
    assert second.json()["event"] == first.json()["event"]
    assert google.control.calls().get("calendar.events.insert") == 1


async def test_same_key_other_body_is_refused(seoul_user, create):
    await create(seoul_user, LUNCH, key="same")
    other = await create(seoul_user, {**LUNCH, "title": "저녁 약속"}, key="same")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency.key_reused"


async def test_timed_out_insert_is_retried_with_its_id_and_succeeds_once(
    seoul_user, create, google
):
    # Google performs the insert but its answer never arrives within our 1 s attempt timeout.
    google.control.fault("calendar.events.insert", drop_response=True, delay=3)
    first = await create(seoul_user, LUNCH, key="flaky")
    # Within the one budget the client sent the same id again, met Google's 409 for it and
    # fetched the event: one success, no second event, no 503 for the router to retry.
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "created"
    event_id = derive_event_id(user_id=seoul_user, key="flaky")
    assert first.json()["event"]["id"] == event_id
    assert google.control.calls()["calendar.events.insert"] == 2
    again = await create(seoul_user, LUNCH, key="flaky")
    assert again.json()["status"] == "replayed"
    assert again.json()["event"]["id"] == event_id
    assert google.control.calls()["calendar.events.insert"] == 2
    live = [e for e in google.control.events("minji@example.com") if e["status"] != "cancelled"]
    assert [e["id"] for e in live] == [event_id]


async def test_insert_answers_lost_for_the_whole_budget_is_reported_created(
    seoul_user, create, google
):
    # Google stores the event; its answer is lost and every later attempt fails, until the
    # retry budget is spent. The event id is ours, so one events.get tells the truth.
    google.control.fault("calendar.events.insert", drop_response=True, delay=3)
    google.control.fault("calendar.events.insert", status=503, count=50)
    answer = await create(seoul_user, LUNCH, key="lost")
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "created"
    event_id = derive_event_id(user_id=seoul_user, key="lost")
    assert answer.json()["event"]["id"] == event_id
    assert google.control.calls()["calendar.events.get"] == 1
    google.control.clear_faults()
    again = await create(seoul_user, LUNCH, key="lost")
    assert again.json()["status"] == "replayed"
    live = [e for e in google.control.events("minji@example.com") if e["status"] != "cancelled"]
    assert [e["id"] for e in live] == [event_id]


async def test_insert_that_never_landed_is_still_a_503(seoul_user, create, google):
    google.control.fault("calendar.events.insert", status=503, count=50)
    answer = await create(seoul_user, LUNCH, key="down")
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "calendar.upstream_unavailable"
    assert google.control.calls()["calendar.events.get"] == 1
    assert google.control.events("minji@example.com") == []


async def test_retry_after_an_unfinished_attempt_finds_the_same_event(
    seoul_user, create, google, app
):
    # An earlier attempt under this key inserted the event and could not confirm it (Google
    # unreachable for the lookup too): the ledger row is claimed but empty.
    google.control.fault("calendar.events.insert", drop_response=True, delay=3)
    google.control.fault("calendar.events.insert", status=503, count=50)
    google.control.fault("calendar.events.get", status=503, count=50)
    failed = await create(seoul_user, LUNCH, key="crash")
    assert failed.status_code == 503
    google.control.clear_faults()
    retried = await create(seoul_user, LUNCH, key="crash")
    assert retried.status_code == 201, retried.text
    assert retried.json()["status"] == "created"
    live = [e for e in google.control.events("minji@example.com") if e["status"] != "cancelled"]
    assert [e["id"] for e in live] == [retried.json()["event"]["id"]]


async def test_same_request_with_another_key_is_a_duplicate(seoul_user, create, google):
    first = await create(seoul_user, LUNCH, key="one")
    second = await create(seoul_user, {**LUNCH, "title": " 점심  약속 "}, key="two")
    assert second.status_code == 200
    assert second.json()["status"] == "duplicate"
    assert second.json()["event"]["id"] == first.json()["event"]["id"]
    assert google.control.calls().get("calendar.events.insert") == 1

    insisted = await create(seoul_user, {**LUNCH, "allow_duplicate": True}, key="three")
    assert insisted.status_code == 201
    assert insisted.json()["event"]["id"] != first.json()["event"]["id"]


async def test_same_title_other_time_is_not_a_duplicate(seoul_user, create):
    await create(seoul_user, LUNCH, key="one")
    later = await create(
        seoul_user,
        {**LUNCH, "start": "2025-11-24T13:00:00+09:00", "end": "2025-11-24T14:00:00+09:00"},
        key="two",
    )
    assert later.status_code == 201
    assert later.json()["conflicts"] == []  # half-open: touching is not overlapping


async def test_overlapping_events_are_reported_as_conflicts(
    client, service_headers, seoul_user, create
):
    lunch = await create(seoul_user, LUNCH, key="one")
    call = await create(
        seoul_user,
        {
            "title": "고객 통화",
            "start": "2025-11-24T12:30:00+09:00",
            "end": "2025-11-24T13:30:00+09:00",
        },
        key="two",
    )
    assert call.status_code == 201
    assert [c["id"] for c in call.json()["conflicts"]] == [lunch.json()["event"]["id"]]

    moved = await client.patch(
        f"/v1/users/{seoul_user}/events/{call.json()['event']['id']}",
        json={"start": "2025-11-24T15:00:00+09:00"},
        headers=service_headers,
    )
    assert moved.json()["conflicts"] == []


async def test_concurrent_requests_with_one_key_make_one_event(seoul_user, create, google):
    import asyncio

    answers = await asyncio.gather(*(create(seoul_user, LUNCH, key="race") for _ in range(3)))
    assert {a.status_code for a in answers} <= {200, 201}
    assert len({a.json()["event"]["id"] for a in answers}) == 1
    live = [e for e in google.control.events("minji@example.com") if e["status"] != "cancelled"]
    assert len(live) == 1
