"""An event's own reminders: set on create and patch as Google's popup overrides, read back,
refused beyond Google's limits before Google is asked."""

import pytest

pytestmark = pytest.mark.db

DENTIST = {
    "title": "치과",
    "start": "2025-11-24T15:00:00+09:00",
    "end": "2025-11-24T16:00:00+09:00",
}


async def test_reminders_asked_for_are_set_on_the_google_event(
    client, service_headers, seoul_user, create, google
):
    created = await create(seoul_user, {**DENTIST, "reminder_minutes": [30]})
    assert created.status_code == 201, created.text
    event = created.json()["event"]
    assert event["reminder_minutes"] == [30]
    stored = google.control.events("minji@example.com")[0]
    assert stored["reminders"] == {
        "useDefault": False,
        "overrides": [{"method": "popup", "minutes": 30}],
    }
    got = await client.get(f"/v1/users/{seoul_user}/events/{event['id']}", headers=service_headers)
    assert got.json()["reminder_minutes"] == [30]


async def test_without_reminders_the_calendars_default_applies(
    client, service_headers, seoul_user, create, google
):
    created = await create(seoul_user, DENTIST)
    assert created.json()["event"]["reminder_minutes"] is None
    assert google.control.events("minji@example.com")[0]["reminders"] == {"useDefault": True}


async def test_a_patch_changes_clears_and_restores_the_reminders(
    client, service_headers, seoul_user, create, google
):
    event = (await create(seoul_user, {**DENTIST, "reminder_minutes": [30]})).json()["event"]
    url = f"/v1/users/{seoul_user}/events/{event['id']}"
    changed = await client.patch(url, json={"reminder_minutes": [10, 60]}, headers=service_headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["event"]["reminder_minutes"] == [10, 60]
    cleared = await client.patch(url, json={"reminder_minutes": []}, headers=service_headers)
    assert cleared.json()["event"]["reminder_minutes"] == []
    restored = await client.patch(url, json={"reminder_minutes": None}, headers=service_headers)
    assert restored.json()["event"]["reminder_minutes"] is None
    assert google.control.events("minji@example.com")[0]["reminders"] == {"useDefault": True}


async def test_the_same_key_with_other_reminders_is_a_different_request(seoul_user, create):
    first = await create(seoul_user, {**DENTIST, "reminder_minutes": [30]})
    assert first.status_code == 201
    again = await create(seoul_user, {**DENTIST, "reminder_minutes": [30]})
    assert again.json()["status"] == "replayed"
    other = await create(seoul_user, {**DENTIST, "reminder_minutes": [10]})
    assert other.status_code == 422, other.text


@pytest.mark.parametrize(
    "minutes",
    [[40321], [-1], [0, 1, 2, 3, 4, 5], ["soon"]],
    ids=["long", "negative", "six", "text"],
)
async def test_reminders_beyond_googles_limits_are_refused(seoul_user, create, google, minutes):
    refused = await create(seoul_user, {**DENTIST, "reminder_minutes": minutes})
    assert refused.status_code == 422, refused.text
    assert google.control.events("minji@example.com") == []
