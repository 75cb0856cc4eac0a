"""The calendar_changes hook: skill-calendar's notices reach every registered listener."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from router_service.calendar_changes.schemas import CalendarChanges
from router_service.grants.service import process_grant_event

pytestmark = pytest.mark.db

NOTICE = {
    "notice_id": "4b0c8c8e-0000-4000-8000-000000000001",
    "user_id": "u1",
    "full_resync": False,
    "events": [
        {
            "event_id": "haru0abc",
            "status": "confirmed",
            "title": "치과",
            "start": "2025-11-20T15:00:00+09:00",
            "end": "2025-11-20T16:00:00+09:00",
            "time_zone": "Asia/Seoul",
            "updated": "2025-11-14T01:00:00Z",
        },
        {"event_id": "gone1", "status": "cancelled"},
        {
            "event_id": "allday1",
            "status": "confirmed",
            "title": "워크숍",
            "start_date": "2025-11-21",
            "end_date": "2025-11-22",
        },
    ],
    "synced_at": "2025-11-14T10:05:00+09:00",
}


async def test_a_notice_reaches_every_listener_typed(app, client, calendar_headers):
    seen: dict[str, list[CalendarChanges]] = {"first": [], "second": []}
    hooks = app.state.context.calendar_changes
    registered = len(hooks.names)  # the app's own (reminders)
    for name in seen:
        hooks.add(name, lambda notice, name=name: _record(seen[name], notice))
    answer = await client.post("/internal/calendar-changes", json=NOTICE, headers=calendar_headers)
    assert answer.status_code == 200
    assert answer.json() == {"status": "delivered", "listeners": registered + 2}
    (notice,) = seen["first"]
    assert seen["second"] == [notice]
    moved, gone, all_day = notice.events
    assert moved.start == datetime.fromisoformat("2025-11-20T15:00:00+09:00")
    assert moved.title == "치과" and moved.time_zone == "Asia/Seoul"
    assert gone.cancelled and gone.start is None
    assert all_day.start_date.isoformat() == "2025-11-21" and all_day.start is None


async def _record(into: list[CalendarChanges], notice: CalendarChanges) -> None:
    await asyncio.sleep(0)
    into.append(notice)


async def test_a_failing_listener_asks_for_the_notice_again(app, client, calendar_headers):
    async def broken(_notice: CalendarChanges) -> None:
        raise RuntimeError("reminder store down")

    app.state.context.calendar_changes.add("reminders", broken)
    answer = await client.post("/internal/calendar-changes", json=NOTICE, headers=calendar_headers)
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "calendar_changes.listener_failed"
    assert answer.headers["retry-after"] == "30"


async def test_the_app_wires_the_reminders_listener(app):
    assert app.state.context.calendar_changes.names == ["reminders"]


async def test_no_listener_is_fine(app, client, calendar_headers):
    app.state.context.calendar_changes._listeners.clear()  # a hook with nothing registered
    answer = await client.post("/internal/calendar-changes", json=NOTICE, headers=calendar_headers)
    assert answer.json() == {"status": "delivered", "listeners": 0}


async def test_only_skill_calendar_may_report_changes(client, auth_server_headers):
    answer = await client.post("/internal/calendar-changes", json=NOTICE)
    assert answer.status_code == 401
    answer = await client.post(
        "/internal/calendar-changes", json=NOTICE, headers=auth_server_headers
    )
    assert answer.status_code == 403


@pytest.mark.parametrize(
    "change",
    [
        {"events": [{"event_id": "x", "status": "confirmed", "start": "2025-11-20T15:00:00"}]},
        {"events": [{"event_id": "x", "status": "moved"}]},
        {"synced_at": "2025-11-14T10:05:00"},
        {"user_id": ""},
    ],
)
async def test_a_malformed_notice_is_422(client, calendar_headers, change):
    answer = await client.post(
        "/internal/calendar-changes", json={**NOTICE, **change}, headers=calendar_headers
    )
    assert answer.status_code == 422


async def test_grant_events_follow_and_unfollow_the_calendar(
    app, client, grant_event, auth_server_headers, fake_calendar
):
    usable = grant_event("u7")
    answer = await client.post("/internal/grant-events", json=usable, headers=auth_server_headers)
    assert answer.status_code == 200
    await process_grant_event(app=app.state.context, event_id=usable["event_id"])
    assert fake_calendar.followed == {"u7"}
    gone = grant_event("u7", type_="grant.unusable")
    await client.post("/internal/grant-events", json=gone, headers=auth_server_headers)
    await process_grant_event(app=app.state.context, event_id=gone["event_id"])
    assert fake_calendar.followed == set()


async def test_a_failed_follow_leaves_the_grant_event_for_the_recovery_round(
    app, client, grant_event, auth_server_headers, fake_calendar
):
    from router_service.grants.models import GrantEvent

    fake_calendar.down = True
    event = grant_event("u8")
    await client.post("/internal/grant-events", json=event, headers=auth_server_headers)
    await process_grant_event(app=app.state.context, event_id=event["event_id"])
    async with app.state.database.sessionmaker() as session:
        row = await session.get(GrantEvent, event["event_id"])
        assert row.processed_at is None
    fake_calendar.down = False
    await process_grant_event(app=app.state.context, event_id=event["event_id"])
    assert fake_calendar.followed == {"u8"}
    async with app.state.database.sessionmaker() as session:
        row = await session.get(GrantEvent, event["event_id"], populate_existing=True)
        assert row.processed_at is not None
