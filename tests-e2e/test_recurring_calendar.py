"""A weekly series through the real processes (skill-calendar, auth-server, Google emulator).

The router's side of issue 17 (Korean proposals, the scope question) comes later; this checks
the calendar half end to end: a series created once, the week's instance listed, one instance
cancelled, "from next week at 20:00" split once (a retry makes no second series), the whole
series deleted — each checked in the emulator's state.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from harness import System, connected_user

SEOUL = ZoneInfo("Asia/Seoul")


def _next_tuesday_at(hour: int) -> datetime:
    today = datetime.now(SEOUL).date()
    day = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    return datetime(day.year, day.month, day.day, hour, tzinfo=SEOUL)


@pytest.fixture
def calendar(system: System):
    with httpx.Client(
        base_url=system.url("skill-calendar"),
        headers=system.headers("router", "skill-calendar"),
        timeout=30,
    ) as client:
        yield client


def test_a_weekly_series_lives_and_changes_as_google_intends(system: System, calendar) -> None:
    user = connected_user(system)
    events = f"/v1/users/{user.user_id}/events"
    first = _next_tuesday_at(19)
    body = {
        "title": "영어 스터디",
        "start": first.isoformat(),
        "end": (first + timedelta(hours=1)).isoformat(),
        "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=TU"],
    }
    created = calendar.post(events, json=body, headers={"Idempotency-Key": "study-1"})
    assert created.status_code == 201, created.text
    series_id = created.json()["event"]["id"]
    [master] = system.google.live_series(user.email)
    assert master["id"] == series_id and master["start"]["timeZone"] == "Asia/Seoul"

    def week_of(week: int) -> list[dict]:
        start = first - timedelta(days=1) + timedelta(weeks=week)
        window = {"start": start.isoformat(), "end": (start + timedelta(days=7)).isoformat()}
        listed = calendar.get(events, params=window)
        assert listed.status_code == 200, listed.text
        return listed.json()["events"]

    [this_week] = week_of(0)
    assert this_week["recurring_event_id"] == series_id
    assert this_week["start"] == first.isoformat()

    # "다음 주 영어 스터디만 취소해줘": one instance cancelled, the others remain.
    [next_week] = week_of(1)
    cancelled = calendar.delete(f"{events}/{next_week['id']}", params={"scope": "one"})
    assert cancelled.status_code == 200, cancelled.text
    assert week_of(1) == [] and len(week_of(0)) == 1 and len(week_of(2)) == 1

    # "영어 스터디 3주 뒤부터 8시로": the split; earlier weeks unchanged, later at 20:00.
    [third] = week_of(2)
    change = {"start": (first + timedelta(weeks=2, hours=1)).isoformat()}
    for _ in range(2):  # the retry of a split whose answer was lost
        moved = calendar.patch(
            f"{events}/{third['id']}", params={"scope": "following"}, json=change
        )
        assert moved.status_code == 200, moved.text
    assert [e["start"][11:16] for e in week_of(0) + week_of(2) + week_of(3)] == [
        "19:00",
        "20:00",
        "20:00",
    ]
    assert len(system.google.live_series(user.email)) == 2

    # "영어 스터디 전부 지워줘": both parts of the series go.
    for part in {e["recurring_event_id"] for e in week_of(0) + week_of(3)}:
        removed = calendar.delete(f"{events}/{part}", params={"scope": "all"})
        assert removed.status_code == 200, removed.text
    assert all(week_of(week) == [] for week in range(4))
    assert system.google.live_series(user.email) == []
