"""Defaults ("일정 10분 전에 항상 알려줘", "알림 꺼줘") and the morning agenda ("매일 아침
8시에 일정 알려줘", "아침 브리핑 그만"), moved through days by the test's clock."""

from __future__ import annotations

from datetime import date

import pytest

from router_service.agenda.service import holiday_of, public_holidays
from router_service.reminders.models import JobKind, JobResult
from shared.work.jobs import JobState

pytestmark = pytest.mark.db


def _of_kind(messages: list[dict], kind: str) -> list[dict]:
    return [m for m in messages if (m.get("payload") or {}).get("kind") == kind]


async def test_a_default_reminder_covers_events_made_anywhere_until_turned_off(
    client, say, fake_calendar, clock, runtime, history, jobs, user_of
):
    (reply,) = await say(client, "일정 10분 전에 항상 알려줘")
    assert reply["text"] == '앞으로 일정마다 10분 전에 알려드릴게요. (끄려면 "알림 꺼줘")'
    user = user_of()
    # Made in Google directly: the hourly read of the calendar finds it.
    fake_calendar.add_event(
        user, title="팀 회의", start="2025-11-14T13:00:00+09:00", end="2025-11-14T14:00:00+09:00"
    )
    fake_calendar.add_event(  # reminders of its own (none): the default does not apply
        user,
        title="점심",
        start="2025-11-14T12:00:00+09:00",
        end="2025-11-14T13:00:00+09:00",
        reminder_minutes=[],
    )
    await runtime.run_round()  # the read asked for by the new default, due now
    (reminder,) = await jobs(JobKind.reminder)
    assert reminder.minutes == 10 and reminder.due_at.isoformat() == "2025-11-14T03:50:00+00:00"
    refreshes = await jobs(JobKind.refresh)
    assert [j.state for j in refreshes] == [JobState.done, JobState.pending]  # the next read

    (off,) = await say(client, "알림 꺼줘")
    assert off["text"].startswith("기본 알림을 껐어요.")
    await runtime.run_round()
    (reminder,) = await jobs(JobKind.reminder)
    assert reminder.result == JobResult.cancelled
    clock.now = clock.now.replace(hour=12, minute=50)
    await runtime.run_round()
    assert _of_kind(await history(client), "reminder") == []


async def test_a_new_default_lead_replaces_the_old_one(
    client, say, fake_calendar, runtime, jobs, user_of
):
    await say(client, "일정 10분 전에 항상 알려줘")
    fake_calendar.add_event(
        user_of(),
        title="팀 회의",
        start="2025-11-14T13:00:00+09:00",
        end="2025-11-14T14:00:00+09:00",
    )
    await runtime.run_round()
    (reply,) = await say(client, "알림 30분 전으로")
    assert "30분 전에" in reply["text"]
    await runtime.run_round()
    old, new = await jobs(JobKind.reminder)
    assert (old.minutes, old.result) == (10, JobResult.cancelled)
    assert (new.minutes, new.state) == (30, JobState.pending)


async def test_turning_off_what_is_off_says_so(client, say):
    (reply,) = await say(client, "알림 꺼줘")
    assert reply["text"].startswith("기본 알림은 이미 꺼져 있어요.")
    (reply,) = await say(client, "아침 브리핑 그만")
    assert reply["text"] == "아침 브리핑은 이미 꺼져 있어요."


async def test_the_morning_agenda_at_the_chosen_time_lists_todays_events(
    client, say, fake_calendar, clock, runtime, history, jobs, user_of
):
    (reply,) = await say(client, "매일 아침 8시에 일정 알려줘")
    assert reply["text"].startswith("매일 오전 8:00에 그날 일정을 알려드릴게요.")
    (job,) = await jobs(JobKind.agenda)
    assert job.due_at.isoformat() == "2025-11-14T23:00:00+00:00"  # Saturday 08:00 in Seoul
    user = user_of()
    # Monday: a weekly stand-up (an instance of a series) and a dentist's appointment.
    fake_calendar.add_event(
        user,
        title="스탠드업",
        start="2025-11-17T09:30:00+09:00",
        end="2025-11-17T10:00:00+09:00",
        recurring_event_id="standup",
    )
    fake_calendar.add_event(
        user, title="치과", start="2025-11-17T15:00:00+09:00", end="2025-11-17T16:00:00+09:00"
    )
    clock.now = clock.now.replace(day=15, hour=8, minute=0, second=5)  # Saturday: nothing on
    await runtime.run_round()
    clock.now = clock.now.replace(day=16)  # Sunday: nothing on
    await runtime.run_round()
    assert _of_kind(await history(client), "agenda") == []
    clock.now = clock.now.replace(day=17, hour=7, minute=59)
    await runtime.run_round()
    assert _of_kind(await history(client), "agenda") == []  # not yet
    clock.now = clock.now.replace(hour=8, minute=0, second=3)
    await runtime.run_round()
    await runtime.run_round()
    (agenda,) = _of_kind(await history(client), "agenda")
    assert agenda["text"].splitlines() == [
        "☀️ 좋은 아침이에요! 11월 17일(월) 일정이에요.",
        "• 09:30 스탠드업 ↻",
        "• 15:00 치과",
        "비어 있는 시간: 오전 9:00–9:30, 오전 10:00–오후 3:00, 오후 4:00–6:00",
    ]
    results = [(j.due_at.isoformat(), j.result) for j in await jobs(JobKind.agenda)]
    assert results == [
        ("2025-11-14T23:00:00+00:00", JobResult.skipped),
        ("2025-11-15T23:00:00+00:00", JobResult.skipped),
        ("2025-11-16T23:00:00+00:00", JobResult.sent),
        ("2025-11-17T23:00:00+00:00", None),  # Tuesday's, waiting
    ]


async def test_stopping_the_agenda_cancels_the_waiting_one(client, say, runtime, clock, jobs):
    await say(client, "매일 아침 7시에 일정 알려줘")
    (reply,) = await say(client, "아침 브리핑 그만")
    assert reply["text"] == "아침 브리핑을 그만 보낼게요."
    (job,) = await jobs(JobKind.agenda)
    assert job.result == JobResult.cancelled
    clock.now = clock.now.replace(day=17, hour=7)
    assert await runtime.run_round() == {}


async def test_an_agenda_missed_by_hours_is_dropped_and_the_next_planned(
    client, say, clock, runtime, history, jobs
):
    await say(client, "매일 아침 8시에 일정 알려줘")
    clock.now = clock.now.replace(day=15, hour=11)
    await runtime.run_round()
    assert _of_kind(await history(client), "agenda") == []
    first, second = await jobs(JobKind.agenda)
    assert first.result == JobResult.late
    assert second.due_at.isoformat() == "2025-11-15T23:00:00+00:00"


async def test_a_holiday_is_named_even_on_a_quiet_day(client, say, clock, runtime, history):
    clock.now = clock.now.replace(year=2025, month=10, day=5, hour=20)  # Sunday evening
    await say(client, "매일 아침 8시에 일정 알려줘")
    clock.now = clock.now.replace(day=6, hour=8, minute=0, second=1)  # Monday: 추석
    await runtime.run_round()
    (agenda,) = _of_kind(await history(client), "agenda")
    assert agenda["text"].splitlines()[1:3] == ["오늘은 추석이에요.", "오늘은 일정이 없어요."]


def test_korean_public_holidays():
    assert holiday_of(date(2025, 10, 6)) == "추석"
    assert holiday_of(date(2025, 10, 7)) == "추석 연휴"
    assert holiday_of(date(2026, 2, 17)) == "설날"
    assert holiday_of(date(2025, 12, 25)) == "성탄절"
    assert holiday_of(date(2025, 2, 14)) is None  # 밸런타인데이: not a public holiday
    assert len([d for d in public_holidays(2025) if d.year == 2025]) >= 14


async def test_auth_server_reads_the_preferences_for_the_account_page(
    client, say, auth_server_headers, service_headers, user_of
):
    await say(client, "일정 10분 전에 항상 알려줘")
    await say(client, "매일 아침 8시에 일정 알려줘")
    url = f"/internal/users/{user_of()}/preferences"
    got = await client.get(url, headers=auth_server_headers)
    assert got.status_code == 200, got.text
    assert got.json() == {
        "reminder_minutes": 10,
        "agenda_time": "08:00",
        "time_zone": "Asia/Seoul",
        "reminder_text": "일정마다 10분 전",
        "agenda_text": "매일 08:00",
    }
    nobody = await client.get("/internal/users/nobody/preferences", headers=auth_server_headers)
    assert nobody.json()["reminder_text"] == "꺼짐" and nobody.json()["agenda_text"] == "꺼짐"
    other_caller = await client.get(url, headers=service_headers)
    assert other_caller.status_code == 403
