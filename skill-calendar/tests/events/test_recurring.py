"""Recurring events: a series created once, listed as instances, changed one, following or all."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.db

EMAIL = "minji@example.com"
# Tuesdays 19:00–20:00 in Seoul from 2026-04-21.
STUDY = {
    "title": "영어 스터디",
    "start": "2026-04-21T19:00:00+09:00",
    "end": "2026-04-21T20:00:00+09:00",
    "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=TU"],
}
THREE_WEEKS = {"start": "2026-04-20T00:00:00+09:00", "end": "2026-05-11T00:00:00+09:00"}


@pytest.fixture
def events_of(client, service_headers):
    async def events_of(user_id: str, window: dict = THREE_WEEKS) -> list[dict]:
        answer = await client.get(
            f"/v1/users/{user_id}/events", params=window, headers=service_headers
        )
        assert answer.status_code == 200, answer.text
        return answer.json()["events"]

    return events_of


def masters(google) -> list[dict]:
    return [
        e
        for e in google.control.events(EMAIL)
        if e.get("recurrence") and e["status"] != "cancelled"
    ]


async def test_a_series_is_created_once_in_the_persons_zone(seoul_user, create, google, events_of):
    created = await create(seoul_user, STUDY)
    assert created.status_code == 201, created.text
    series = created.json()["event"]
    assert series["recurrence"] == STUDY["recurrence"]
    assert series["recurring_event_id"] is None
    assert (series["start"], series["end"]) == (STUDY["start"], STUDY["end"])
    [stored] = masters(google)
    assert stored["start"]["timeZone"] == "Asia/Seoul" and stored["id"] == series["id"]
    instances = await events_of(seoul_user)
    assert [(e["start"], e["recurring_event_id"]) for e in instances] == [
        ("2026-04-21T19:00:00+09:00", series["id"]),
        ("2026-04-28T19:00:00+09:00", series["id"]),
        ("2026-05-05T19:00:00+09:00", series["id"]),
    ]
    assert instances[1]["original_start"] == "2026-04-28T19:00:00+09:00"
    replay = await create(seoul_user, STUDY)
    assert replay.json()["status"] == "replayed"
    again = await create(seoul_user, STUDY, key="other-key")
    assert again.json()["status"] == "duplicate"
    assert again.json()["event"]["id"] == series["id"]
    assert len(masters(google)) == 1
    # A one-off just like an instance is that instance, not a second meeting.
    one_off = {k: v for k, v in STUDY.items() if k != "recurrence"}
    single = await create(
        seoul_user,
        {**one_off, "start": instances[1]["start"], "end": instances[1]["end"]},
        key="single",
    )
    assert single.json()["status"] == "duplicate"
    assert single.json()["event"]["id"] == instances[1]["id"]


@pytest.mark.parametrize(
    "recurrence",
    [
        ["RRULE:FREQ=SOMETIMES"],
        ["DTSTART:20260421T190000"],
        ["RRULE:FREQ=MINUTELY"],
        ["EXDATE:20260428T190000"],
        [],
    ],
)
async def test_an_invalid_rule_is_refused_before_google(seoul_user, create, google, recurrence):
    answer = await create(seoul_user, {**STUDY, "recurrence": recurrence})
    assert answer.status_code == 422, answer.text
    fields = answer.json()["error"]["details"]["fields"]
    assert [f["type"] for f in fields] == ["event.recurrence_invalid"]
    assert "calendar.events.insert" not in google.control.calls()


async def test_a_weekly_meeting_conflicts_with_next_tuesdays_dentist(seoul_user, create):
    dentist = await create(
        seoul_user,
        {"title": "치과", "start": "2026-04-28T19:30:00+09:00", "end": "2026-04-28T20:30:00+09:00"},
        key="dentist",
    )
    series = await create(seoul_user, STUDY, key="study")
    assert [c["id"] for c in series.json()["conflicts"]] == [dentist.json()["event"]["id"]]
    later = await create(
        seoul_user,
        {"title": "치과", "start": "2026-05-05T19:30:00+09:00", "end": "2026-05-05T20:30:00+09:00"},
        key="dentist-2",
    )
    [conflict] = later.json()["conflicts"]
    assert conflict["recurring_event_id"] == series.json()["event"]["id"]
    assert conflict["start"] == "2026-05-05T19:00:00+09:00"


async def test_the_series_of_an_instance(client, service_headers, seoul_user, create, events_of):
    series = (await create(seoul_user, STUDY)).json()["event"]
    instance = (await events_of(seoul_user))[1]
    answer = await client.get(
        f"/v1/users/{seoul_user}/events/{instance['id']}/series", headers=service_headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["id"] == series["id"]
    assert answer.json()["recurrence"] == STUDY["recurrence"]


async def test_scope_one_changes_or_cancels_only_that_instance(
    client, service_headers, seoul_user, create, events_of
):
    await create(seoul_user, STUDY)
    first, second, third = await events_of(seoul_user)
    renamed = await client.patch(
        f"/v1/users/{seoul_user}/events/{second['id']}",
        params={"scope": "one"},
        json={"title": "특강"},
        headers=service_headers,
    )
    assert renamed.status_code == 200, renamed.text
    assert [e["title"] for e in await events_of(seoul_user)] == [
        "영어 스터디",
        "특강",
        "영어 스터디",
    ]
    cancelled = await client.delete(
        f"/v1/users/{seoul_user}/events/{third['id']}",
        params={"scope": "one"},
        headers=service_headers,
    )
    assert cancelled.json() == {"deleted": True, "already_deleted": False}
    assert [e["id"] for e in await events_of(seoul_user)] == [first["id"], second["id"]]


async def test_scope_following_splits_the_series_once(
    client, service_headers, seoul_user, create, events_of, google
):
    series = (await create(seoul_user, STUDY)).json()["event"]
    second = (await events_of(seoul_user))[1]

    async def move():
        return await client.patch(
            f"/v1/users/{seoul_user}/events/{second['id']}",
            params={"scope": "following"},
            json={"start": "2026-04-28T20:00:00+09:00"},
            headers={**service_headers, "Idempotency-Key": "move-1"},
        )

    moved = await move()
    assert moved.status_code == 200, moved.text
    new_series = moved.json()["event"]
    assert new_series["id"] != series["id"] and new_series["recurrence"]
    assert (new_series["start"], new_series["end"]) == (
        "2026-04-28T20:00:00+09:00",
        "2026-04-28T21:00:00+09:00",
    )
    expected = [
        ("2026-04-21T19:00:00+09:00", series["id"]),
        ("2026-04-28T20:00:00+09:00", new_series["id"]),
        ("2026-05-05T20:00:00+09:00", new_series["id"]),
    ]
    listed = await events_of(seoul_user)
    assert [(e["start"], e["recurring_event_id"]) for e in listed] == expected
    assert (await move()).json()["event"]["id"] == new_series["id"]
    # The same change without the key (a retry that lost it) makes no second series either.
    bare = await client.patch(
        f"/v1/users/{seoul_user}/events/{second['id']}",
        params={"scope": "following"},
        json={"start": "2026-04-28T20:00:00+09:00"},
        headers=service_headers,
    )
    assert bare.status_code == 200, bare.text
    assert bare.json()["event"]["id"] == new_series["id"]
    assert [(e["start"], e["recurring_event_id"]) for e in await events_of(seoul_user)] == expected
    assert len(masters(google)) == 2


async def test_scope_following_of_a_counted_series_keeps_the_count(
    client, service_headers, seoul_user, create, events_of
):
    await create(seoul_user, {**STUDY, "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4"]})
    window = {"start": "2026-04-20T00:00:00+09:00", "end": "2026-06-30T00:00:00+09:00"}
    third = (await events_of(seoul_user, window))[2]
    moved = await client.patch(
        f"/v1/users/{seoul_user}/events/{third['id']}",
        params={"scope": "following"},
        json={"title": "영어 회화"},
        headers=service_headers,
    )
    assert moved.status_code == 200, moved.text
    assert [e["title"] for e in await events_of(seoul_user, window)] == [
        "영어 스터디",
        "영어 스터디",
        "영어 회화",
        "영어 회화",
    ]


async def test_scope_all_changes_the_master(
    client, service_headers, seoul_user, create, events_of, google
):
    series = (await create(seoul_user, STUDY)).json()["event"]
    dentist = await create(
        seoul_user,
        {"title": "치과", "start": "2026-05-05T20:30:00+09:00", "end": "2026-05-05T21:00:00+09:00"},
        key="dentist",
    )
    second = (await events_of(seoul_user))[1]
    answer = await client.patch(
        f"/v1/users/{seoul_user}/events/{second['id']}",
        params={"scope": "all"},
        json={"title": "English", "start": "2026-04-28T20:00:00+09:00"},
        headers=service_headers,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["event"]["id"] == series["id"]
    # The series now meets the dentist two weeks on: a conflict of the series, not the instance.
    assert [c["id"] for c in answer.json()["conflicts"]] == [dentist.json()["event"]["id"]]
    listed = [e for e in await events_of(seoul_user) if e["recurring_event_id"]]
    assert [(e["title"], e["start"][11:16], e["end"][11:16]) for e in listed] == [
        ("English", "20:00", "21:00")
    ] * 3
    assert len(masters(google)) == 1


async def test_delete_following_and_all(client, service_headers, seoul_user, create, events_of):
    await create(seoul_user, STUDY)
    first, second, _ = await events_of(seoul_user)
    trimmed = await client.delete(
        f"/v1/users/{seoul_user}/events/{second['id']}",
        params={"scope": "following"},
        headers=service_headers,
    )
    assert trimmed.status_code == 200, trimmed.text
    assert [e["id"] for e in await events_of(seoul_user)] == [first["id"]]
    removed = await client.delete(
        f"/v1/users/{seoul_user}/events/{first['id']}",
        params={"scope": "all"},
        headers=service_headers,
    )
    assert removed.json() == {"deleted": True, "already_deleted": False}
    assert await events_of(seoul_user) == []


async def test_a_series_keeps_its_wall_clock_across_dst(ny_user, create, events_of):
    created = await create(
        ny_user,
        {
            "title": "standup",
            "start": "2026-03-03T09:00:00-05:00",
            "end": "2026-03-03T09:15:00-05:00",
            "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"],
        },
    )
    assert created.status_code == 201, created.text
    window = {"start": "2026-03-01T00:00:00-05:00", "end": "2026-04-01T00:00:00-04:00"}
    assert [e["start"] for e in await events_of(ny_user, window)] == [
        "2026-03-03T09:00:00-05:00",
        "2026-03-10T09:00:00-04:00",
        "2026-03-17T09:00:00-04:00",
    ]


async def test_a_series_at_the_end_of_time_is_no_500(seoul_user, create, events_of):
    created = await create(
        seoul_user,
        {
            "title": "마지막",
            "start": "9999-12-28T10:00:00+09:00",
            "end": "9999-12-28T11:00:00+09:00",
            "recurrence": ["RRULE:FREQ=DAILY;COUNT=1000000000"],
        },
    )
    assert created.status_code == 201, created.text
    window = {"start": "9999-12-27T00:00:00+09:00", "end": "9999-12-29T12:00:00+09:00"}
    assert len(await events_of(seoul_user, window)) == 2


@pytest.mark.parametrize("suffix", ["20261341T100000Z", "20260428", "99991231T235959Z"])
async def test_an_instance_id_that_names_no_instance_is_404(
    client, service_headers, seoul_user, create, suffix
):
    series = (await create(seoul_user, STUDY)).json()["event"]
    for scope in ("all", "following"):
        answer = await client.patch(
            f"/v1/users/{seoul_user}/events/{series['id']}_{suffix}",
            params={"scope": scope},
            json={"title": "x"},
            headers=service_headers,
        )
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"]["code"] == "calendar.event_not_found"


async def test_an_all_day_series_splits_and_trims_on_dates(
    client, service_headers, seoul_user, create, events_of
):
    duty = {
        "title": "당직",
        "start_date": "2026-04-20",
        "end_date": "2026-04-21",
        "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"],
    }
    series = (await create(seoul_user, duty)).json()["event"]
    first, second, _ = await events_of(seoul_user)
    assert second["id"] == f"{series['id']}_20260427"
    moved = await client.patch(
        f"/v1/users/{seoul_user}/events/{second['id']}",
        params={"scope": "following"},
        json={"start_date": "2026-04-28"},
        headers=service_headers,
    )
    assert moved.status_code == 200, moved.text
    assert [e["start_date"] for e in await events_of(seoul_user)] == [
        "2026-04-20",
        "2026-04-28",
        "2026-05-05",
    ]
    trimmed = await client.delete(
        f"/v1/users/{seoul_user}/events/{first['id']}",
        params={"scope": "following"},
        headers=service_headers,
    )
    assert trimmed.status_code == 200, trimmed.text
    assert [e["start_date"] for e in await events_of(seoul_user)] == ["2026-04-28", "2026-05-05"]
