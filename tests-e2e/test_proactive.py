"""Haru speaks first, through the real processes and both emulators: a reminder asked in
the message arrives once in Slack and once in the web chat, even with the router killed
before and restarted after its due moment; the morning agenda arrives at the chosen time
(the router's clock moved to just before it) and lists a recurring instance."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from harness import ChatUser, System, connected_user, kind_of
from slack_person import SlackPerson, message_text

# Each test restarts the router once or twice (slow on a busy machine): more than the default.
pytestmark = pytest.mark.timeout(600)
SEOUL = ZoneInfo("Asia/Seoul")
LEAD = timedelta(minutes=1)


def _korean_time(moment: datetime, today: datetime) -> str:
    day = "오늘" if moment.date() == today.date() else "내일"
    period = "오전" if moment.hour < 12 else "오후"
    return f"{day} {period} {moment.hour % 12 or 12}시 {moment.minute}분"


def _next_slot() -> tuple[datetime, datetime]:
    """An event start whose 1-minute-ahead reminder is due in 45–105 s (no long waits)."""
    now = datetime.now(SEOUL)
    due = (now + timedelta(seconds=45)).replace(second=0, microsecond=0) + timedelta(minutes=1)
    return due + LEAD, due


def _reminder_rows(system: System, user_id: str) -> list[dict]:
    return system.databases.query(
        "router",
        "SELECT state, result FROM proactive_jobs WHERE user_id = :u AND kind = 'reminder'",
        u=user_id,
    )


def test_a_reminder_arrives_once_in_slack_and_once_in_the_web_chat_across_a_restart(
    system: System,
) -> None:
    web = connected_user(system)
    slack = SlackPerson.new(system)
    slack.connect()
    start, due = _next_slot()
    asked = f"{_korean_time(start, datetime.now(SEOUL))} 치과 1분 전에 알려줘"

    replies = web.say(asked)
    [proposal] = [m for m in replies if kind_of(m) == "proposal"]
    assert "1분 전에 알려드릴게요." in proposal["text"]
    assert any(m["text"].startswith("✅") for m in web.decide(proposal["payload"]["action_id"]))
    [event] = [e for e in system.google.events(web.email) if e["summary"] == "치과"]
    assert event["reminders"] == {
        "useDefault": False,
        "overrides": [{"method": "popup", "minutes": 1}],
    }

    sent = slack.say(asked)
    slack_proposal = slack.wait_for_bot(
        lambda m: "1분 전에 알려드릴게요" in message_text(m), after_ts=sent["ts"]
    )
    slack.press(slack_proposal, "approve")
    slack.wait_for_bot(lambda m: message_text(m).startswith("✅"), after_ts=slack_proposal["ts"])
    # Nothing in flight at the kill: a Slack delivery claimed when the router dies holds its
    # conversation for its lease (slack.md), which is not what this test is about.
    slack.wait_settled()
    assert datetime.now(SEOUL) < due, "too slow to set both up before the due moment"

    # The router dies before the due moment and comes back after it (within the lead).
    system.kill("router")
    while datetime.now(SEOUL) < due + timedelta(seconds=2):
        time.sleep(0.5)
    system.restart("router")

    reminder = web.wait_for_reply(lambda m: kind_of(m) == "reminder", after_id=0, timeout=60)
    assert reminder["text"].startswith("⏰ 1분 뒤에 「치과」 일정이 있어요.")
    slack_reminder = slack.wait_for_bot(
        lambda m: message_text(m).startswith("⏰ 1분 뒤에 「치과」"), timeout=60
    )
    assert slack_reminder["channel"] == slack.channel  # the person's DM
    slack.wait_settled()
    time.sleep(2)  # a second round would have found nothing more to send
    assert len([m for m in web.history() if kind_of(m) == "reminder"]) == 1
    assert len([m for m in slack.bot_messages() if "⏰" in message_text(m)]) == 1
    for person in (web.user_id, _slack_user_id(system, slack)):
        assert _reminder_rows(system, person) == [{"state": "done", "result": "sent"}]


def _slack_user_id(system: System, person: SlackPerson) -> str:
    identity = httpx.post(
        system.url("auth-server") + "/internal/identities/resolve",
        json={"channel": "slack", "external_id": person.external_id},
        headers=system.headers("router", "auth-server"),
        timeout=10,
    )
    identity.raise_for_status()
    return identity.json()["user_id"]


def _next_weekday_at(hour: int, minute: int, second: int) -> datetime:
    day = datetime.now(SEOUL).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SEOUL)


def test_the_morning_agenda_arrives_at_the_chosen_time_with_a_recurring_instance(
    system: System, router_at
) -> None:
    web: ChatUser = connected_user(system)
    # A daily stand-up made in the calendar directly (a series; the agenda lists its instance).
    first = datetime.now(SEOUL).replace(hour=9, minute=30, second=0, microsecond=0)
    created = httpx.post(
        system.url("skill-calendar") + f"/v1/users/{web.user_id}/events",
        json={
            "title": "스탠드업",
            "start": first.isoformat(),
            "end": (first + timedelta(minutes=30)).isoformat(),
            "recurrence": ["RRULE:FREQ=DAILY"],
        },
        headers=system.headers("router", "skill-calendar", **{"Idempotency-Key": "standup"}),
        timeout=30,
    )
    assert created.status_code == 201, created.text

    offset = router_at(_next_weekday_at(7, 59, 0))
    # The first whole minute at least 20 s ahead on the router's clock (however long the
    # restart took): 8:00 on a quick machine.
    router_now = datetime.now(SEOUL) + offset
    chosen = (router_now + timedelta(seconds=20)).replace(second=0, microsecond=0)
    chosen += timedelta(minutes=1)
    (reply,) = web.say(f"매일 아침 {chosen.hour}시 {chosen.minute}분에 일정 알려줘")
    assert reply["text"].startswith(f"매일 오전 {chosen.hour}:{chosen.minute:02d}에 그날 일정을")
    agenda = web.wait_for_reply(lambda m: kind_of(m) == "agenda", after_id=0, timeout=90)
    lines = agenda["text"].splitlines()
    assert lines[0].startswith("☀️ 좋은 아침이에요!")
    assert "• 09:30 스탠드업 ↻" in lines
    assert any(line.startswith("비어 있는 시간: 오전 9:00–9:30, 오전 10:00–") for line in lines)
    time.sleep(2)
    assert len([m for m in web.history() if kind_of(m) == "agenda"]) == 1
