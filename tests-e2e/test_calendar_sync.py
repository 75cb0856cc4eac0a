"""Kept right when events change in Google directly, through the real processes.

An event moved in the Google emulator reaches the router's ``calendar_changes`` hook by push
(the emulator's channel → skill-calendar's /google/notifications → a sync with the sync
token → a change notice → the router) and, with push lost, by the periodic safety net; an
invalidated sync token (410) leads to a full resync; a disconnect stops following the
calendar. Its own system (fast safety net), on PostgreSQL.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from harness import (
    ChatUser,
    HarnessError,
    System,
    following_user,
    start_system,
    wait_until,
    watched,
)

SEOUL = ZoneInfo("Asia/Seoul")
FAST_SYNC = {
    "skill-calendar": {
        "CALENDAR_SYNC_INTERVAL_S": "3",  # the safety net syncs a quiet calendar every 3 s
        "CALENDAR_SYNC_POLL_S": "0.5",
        "CALENDAR_SYNC_BACKOFF_CAP_S": "2",
    }
}


@pytest.fixture(scope="module")
def sync_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    system = start_system(tmp_path_factory.mktemp("stack-sync"), env=FAST_SYNC)
    try:
        yield system
    finally:
        system.stop()


def delivered_notices(system: System, user: ChatUser) -> list[dict[str, Any]]:
    """The change notices the router acknowledged for the person, oldest first."""
    rows = system.databases.query(
        "skill-calendar",
        "SELECT payload FROM change_notices WHERE user_id = :u AND state = 'done' "
        "ORDER BY created_at",
        u=user.user_id,
    )
    return [json.loads(row["payload"]) for row in rows]


def notice_about(
    system: System, user: ChatUser, event_id: str, **wanted: Any
) -> dict[str, Any] | None:
    """The first delivered notice whose event ``event_id`` has the ``wanted`` fields."""
    for notice in delivered_notices(system, user):
        for event in notice["events"]:
            if event["event_id"] == event_id and all(event.get(k) == v for k, v in wanted.items()):
                return notice
    return None


def create_event(system: System, user: ChatUser, title: str, start: datetime) -> dict[str, Any]:
    """An event made through skill-calendar (as the router makes them)."""
    answer = httpx.post(
        system.url("skill-calendar") + f"/v1/users/{user.user_id}/events",
        json={
            "title": title,
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
        },
        headers=system.headers("router", "skill-calendar", **{"Idempotency-Key": uuid.uuid4().hex}),
        timeout=30,
    )
    answer.raise_for_status()
    return answer.json()["event"]


def move_in_google(system: System, user: ChatUser, event_id: str, start: datetime) -> str:
    """Moves the event directly in Google (not through Haru); the new start as Google says."""
    moved = system.google.edit_event(
        user.email,
        event_id,
        start={"dateTime": start.isoformat(), "timeZone": "Asia/Seoul"},
        end={"dateTime": (start + timedelta(hours=1)).isoformat(), "timeZone": "Asia/Seoul"},
    )
    return moved["start"]["dateTime"]


def tomorrow_at(hour: int) -> datetime:
    day = datetime.now(SEOUL).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=SEOUL)


def router_hook_saw(system: System, event_id: str) -> bool:
    """The router's calendar_changes hook logged a delivered notice naming the event."""
    for line in system.logs_of("router").splitlines():
        if "calendar changes delivered" in line and event_id in line:
            return True
    return False


def test_an_event_moved_in_google_reaches_the_router_by_push(sync_system: System) -> None:
    system = sync_system
    user = following_user(system)
    event = create_event(system, user, "치과", tomorrow_at(15))
    new_start = move_in_google(system, user, event["id"], tomorrow_at(17))
    notice = wait_until(
        "the moved event reaches the router",
        lambda: notice_about(system, user, event["id"], start=new_start, status="confirmed"),
    )
    assert notice["full_resync"] is False
    changed = next(e for e in notice["events"] if e["event_id"] == event["id"])
    assert changed["title"] == "치과"
    assert changed["time_zone"] == "Asia/Seoul"
    assert wait_until("the router logs it", lambda: router_hook_saw(system, event["id"]))
    # It came by push: the channel's messages were answered 200 by skill-calendar.
    channel_id = watched(system, user)["channel_id"]
    (channel,) = [c for c in system.google.channels() if c["id"] == channel_id]
    answers = [d["answer"] for d in channel["deliveries"]]
    assert answers[0] == 200 and answers.count(200) >= 2, answers

    system.google.http.delete(
        f"/emulator/accounts/{user.email}/events/{event['id']}"
    ).raise_for_status()
    wait_until(
        "the deletion reaches the router",
        lambda: notice_about(system, user, event["id"], status="cancelled"),
    )


def test_with_push_lost_the_safety_net_still_brings_the_change(sync_system: System) -> None:
    system = sync_system
    user = following_user(system)
    event = create_event(system, user, "스터디", tomorrow_at(19))
    system.google.fault("push.notification", count=1000)
    try:
        new_start = move_in_google(system, user, event["id"], tomorrow_at(20))
        notice = wait_until(
            "the periodic sync brings the change",
            lambda: notice_about(system, user, event["id"], start=new_start),
        )
    finally:
        system.google.clear_faults()
    assert notice["full_resync"] is False
    channel_id = watched(system, user)["channel_id"]
    (channel,) = [c for c in system.google.channels() if c["id"] == channel_id]
    assert "lost" in [d["answer"] for d in channel["deliveries"]]


def test_an_invalidated_sync_token_leads_to_a_full_resync(sync_system: System) -> None:
    system = sync_system
    user = following_user(system)
    event = create_event(system, user, "회의", tomorrow_at(10))
    token_before = watched(system, user)["sync_token"]
    system.google.invalidate_sync_tokens(user.email)
    move_in_google(system, user, event["id"], tomorrow_at(11))
    notice = wait_until(
        "a full resync is reported",
        lambda: next((n for n in delivered_notices(system, user) if n["full_resync"]), None),
    )
    assert event["id"] in [e["event_id"] for e in notice["events"]]
    assert watched(system, user)["sync_token"] != token_before


def disconnect(system: System, user: ChatUser) -> None:
    """The person presses 연결 해제 on the account page (opened from the chat)."""
    link = user.http.get("/api/chat/account-link")
    link.raise_for_status()
    url = link.json()["url"]
    page = user.http.get(url)
    for _hop in range(5):
        if page.status_code != 303:
            break
        url = page.headers["location"]
        page = user.http.get(url)
    if page.status_code != 200:
        raise HarnessError(f"account page answered {page.status_code}: {page.text[:200]}")
    form_token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    action = re.search(r'<form method="post" action="([^"]+/disconnect)"', page.text)
    if form_token is None or action is None:
        raise HarnessError("no disconnect form on the account page")
    target = action.group(1)
    if target.startswith("/"):
        target = system.url("auth-server") + target
    done = user.http.post(target, data={"form_token": form_token.group(1)})
    if done.status_code not in (200, 303):
        raise HarnessError(f"disconnect answered {done.status_code}")


def test_disconnect_stops_the_channel_at_google_and_following_the_calendar(
    sync_system: System,
) -> None:
    system = sync_system
    user = following_user(system)
    event = create_event(system, user, "점심", tomorrow_at(12))
    channel_id = watched(system, user)["channel_id"]
    disconnect(system, user)
    # Stopped at Google while the grant still worked (before auth-server revoked it).
    (channel,) = [c for c in system.google.channels() if c["id"] == channel_id]
    assert channel["stopped"] is True and channel["email"] == user.email
    wait_until(
        "skill-calendar forgets the channel and the grant event is processed",
        lambda: (row := watched(system, user)) and not row["active"] and not row["channel_id"],
    )
    deliveries = len(channel["deliveries"])
    before = len(delivered_notices(system, user))
    move_in_google(system, user, event["id"], tomorrow_at(13))
    time.sleep(4)  # longer than the safety net's interval: still nothing (waits, asserts no time)
    (channel,) = [c for c in system.google.channels() if c["id"] == channel_id]
    assert len(channel["deliveries"]) == deliveries  # a stopped channel sends nothing
    assert len(delivered_notices(system, user)) == before
