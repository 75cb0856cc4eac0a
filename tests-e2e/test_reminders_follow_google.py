"""A reminder follows its event changed in Google directly, through the real processes and
both emulators: another app moves one event and deletes another through the Calendar API;
Google's push reaches skill-calendar, whose sync tells the router's ``calendar_changes``
hook, which plans the reminders again before anything is due. The router's clock is then
moved to the new reminder's moment (it arrives once, for the new time) and past the old
one (nothing more arrives, and the deleted event says nothing).

The event is moved earlier on purpose: the check a reminder makes when it fires could
not save that case (at the old moment the new one has already passed), so only the sync
makes the reminder arrive.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from harness import ChatUser, GoogleApp, System, following_user, kind_of, wait_until

# The router is restarted twice with its clock moved (slow on a busy machine).
pytestmark = pytest.mark.timeout(600)
SEOUL = ZoneInfo("Asia/Seoul")
LEAD = timedelta(minutes=30)


def _tomorrow_at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    day = datetime.now(SEOUL).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SEOUL)


def _ask(user: ChatUser, text: str) -> None:
    """The person asks for an event with a reminder and approves the proposal."""
    replies = user.say(text)
    [proposal] = [m for m in replies if kind_of(m) == "proposal"]
    assert "30분 전에 알려드릴게요." in proposal["text"]
    assert any(m["text"].startswith("✅") for m in user.decide(proposal["payload"]["action_id"]))


def _reminders(system: System, user: ChatUser) -> list[dict[str, Any]]:
    """The person's reminder jobs: which event, due when, how they ended."""
    rows = system.databases.query(
        "router",
        "SELECT event_id, due_at, state, result FROM proactive_jobs "
        "WHERE user_id = :u AND kind = 'reminder' ORDER BY id",
        u=user.user_id,
    )
    for row in rows:
        due = row["due_at"]
        if isinstance(due, str):  # SQLite answers text
            due = datetime.fromisoformat(due)
        row["due_at"] = due if due.tzinfo else due.replace(tzinfo=ZoneInfo("UTC"))
    return rows


def _proactive_rounds(system: System) -> float:
    """How many rounds the running router's proactive worker has made (its /metrics)."""
    metrics = httpx.get(system.url("router") + "/metrics", timeout=10)
    metrics.raise_for_status()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.text.splitlines()
        if line.startswith("periodic_runs_total{") and 'task="proactive-jobs"' in line
    )


def test_a_reminder_follows_its_event_moved_or_deleted_in_google(system: System, router_at) -> None:
    user = following_user(system)
    _ask(user, "내일 오후 3시 치과 30분 전에 알려줘")
    _ask(user, "내일 오후 3시 스터디 30분 전에 알려줘")
    events = {e["summary"]: e for e in system.google.events(user.email)}
    dentist, study = events["치과"]["id"], events["스터디"]["id"]
    old_due = _tomorrow_at(15) - LEAD
    assert [(r["event_id"], r["due_at"], r["state"]) for r in _reminders(system, user)] == [
        (dentist, old_due, "pending"),
        (study, old_due, "pending"),
    ]

    # Another app moves the dentist a minute earlier and deletes the study, at Google.
    other_app = GoogleApp(system.google, user.email)
    new_start = _tomorrow_at(14, 59)
    other_app.patch_event(
        dentist,
        start={"dateTime": new_start.isoformat(), "timeZone": "Asia/Seoul"},
        end={"dateTime": (new_start + timedelta(hours=1)).isoformat(), "timeZone": "Asia/Seoul"},
    )
    other_app.delete_event(study)
    new_due = new_start - LEAD
    planned = wait_until(
        "the router plans the reminders again from Google's changes",
        lambda: (
            (rows := _reminders(system, user))
            and [(r["event_id"], r["due_at"], r["state"], r["result"]) for r in rows]
            == [
                (dentist, old_due, "done", "cancelled"),
                (study, old_due, "done", "cancelled"),
                (dentist, new_due, "pending", None),
            ]
            and rows
        ),
    )
    assert len(planned) == 3

    # At the new moment: the reminder arrives, for the event's new time.
    router_at(new_due - timedelta(seconds=15))
    reminder = user.wait_for_reply(lambda m: kind_of(m) == "reminder", after_id=0, timeout=90)
    assert reminder["text"].startswith("⏰ 30분 뒤에 「치과」 일정이 있어요.")
    assert "2:59" in reminder["text"]

    # Past the old moment: two whole rounds of the worker later, nothing more was said.
    router_at(old_due + timedelta(seconds=5))
    wait_until(
        "the worker works two rounds past the old moment", lambda: _proactive_rounds(system) >= 2
    )
    assert [m["text"] for m in user.history() if kind_of(m) == "reminder"] == [reminder["text"]]
    assert [(r["event_id"], r["result"]) for r in _reminders(system, user)] == [
        (dentist, "cancelled"),
        (study, "cancelled"),
        (dentist, "sent"),
    ]
