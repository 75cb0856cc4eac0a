"""Reminders: asked in the message, set on Google and said in the proposal; fired once at
their moment (as the moved clock says), checked against the calendar first."""

from __future__ import annotations

import asyncio
import logging

import pytest

from router_service.reminders.models import JobKind, JobResult
from shared.work.jobs import JobState
from shared.work.queue import Outcome

pytestmark = pytest.mark.db

DENTIST = "내일 오후 3시 치과 30분 전에 알려줘"  # NOW is Friday 2025-11-14 10:00 (Seoul)


async def _create(client, say, decide, text=DENTIST) -> list[dict]:
    replies = await say(client, text)
    proposal = replies[-1]
    assert proposal["payload"]["kind"] == "proposal", proposal
    done = await decide(client, proposal["payload"]["action_id"], "approve")
    assert done.status_code == 200, done.text
    return replies


def _reminders(messages: list[dict]) -> list[dict]:
    return [m for m in messages if (m.get("payload") or {}).get("kind") == "reminder"]


async def test_a_reminder_asked_in_the_message_is_proposed_set_and_sent_once(
    client, say, decide, fake_calendar, clock, runtime, history, jobs, user_of
):
    replies = await _create(client, say, decide)
    assert "30분 전에 알려드릴게요." in replies[-1]["text"]
    (call,) = fake_calendar.create_calls
    assert call["body"]["reminder_minutes"] == [30]
    (job,) = await jobs(JobKind.reminder)
    assert job.state == JobState.pending and job.minutes == 30
    assert job.due_at.isoformat() == "2025-11-15T05:30:00+00:00"  # 14:30 in Seoul

    clock.advance(hours=4, minutes=29)  # 14:29 the day before: not yet
    assert await runtime.run_round() == {}
    clock.advance(days=1, minutes=1)
    clock.now = clock.now.replace(day=15, hour=14, minute=30)
    await runtime.run_round()
    await runtime.run_round()  # nothing twice
    sent = _reminders(await history(client))
    assert len(sent) == 1
    assert sent[0]["text"].startswith("⏰ 30분 뒤에 「치과」 일정이 있어요.")
    assert "오후 3:00" in sent[0]["text"]
    (job,) = await jobs(JobKind.reminder)
    assert (job.state, job.result) == (JobState.done, JobResult.sent)


async def test_a_message_without_reminder_words_plans_none(
    client, say, decide, fake_calendar, jobs
):
    replies = await _create(client, say, decide, "내일 오후 3시 치과")
    assert "알려드릴게요" not in replies[-1]["text"]
    assert "reminder_minutes" not in fake_calendar.create_calls[0]["body"]
    assert await jobs(JobKind.reminder) == []


async def test_a_deleted_event_drops_its_reminder(
    client, say, decide, fake_calendar, clock, runtime, history, jobs, user_of
):
    await _create(client, say, decide)
    fake_calendar.events[user_of()].clear()  # deleted in Google directly
    clock.now = clock.now.replace(day=15, hour=14, minute=30)
    await runtime.run_round()
    assert _reminders(await history(client)) == []
    (job,) = await jobs(JobKind.reminder)
    assert job.result == JobResult.deleted


async def test_a_moved_event_moves_its_reminder_and_a_renamed_one_says_the_new_title(
    client, say, decide, fake_calendar, clock, runtime, history, jobs, user_of
):
    await _create(client, say, decide)
    (event,) = fake_calendar.user_events(user_of())
    event.update(
        title="치과 정기검진",
        start="2025-11-15T17:00:00+09:00",
        end="2025-11-15T18:00:00+09:00",
    )
    clock.now = clock.now.replace(day=15, hour=14, minute=30)
    await runtime.run_round()
    assert _reminders(await history(client)) == []  # 2½ hours early now
    old, new = await jobs(JobKind.reminder)
    assert old.result == JobResult.moved
    assert new.state == JobState.pending
    assert new.due_at.isoformat() == "2025-11-15T07:30:00+00:00"  # 16:30 in Seoul
    clock.now = clock.now.replace(hour=16, minute=30, second=10)
    await runtime.run_round()
    (sent,) = _reminders(await history(client))
    assert sent["text"].startswith("⏰ 30분 뒤에 「치과 정기검진」 일정이 있어요.")


async def test_moving_the_event_through_haru_moves_the_reminder_at_once(client, say, decide, jobs):
    await _create(client, say, decide)
    replies = await say(client, "내일 치과 오후 5시로 바꿔줘")
    assert replies[-1]["payload"]["kind"] == "proposal", replies
    await decide(client, replies[-1]["payload"]["action_id"], "approve")
    old, new = await jobs(JobKind.reminder)
    assert (old.state, old.result) == (JobState.done, JobResult.cancelled)
    assert new.due_at.isoformat() == "2025-11-15T07:30:00+00:00"


async def test_deleting_the_event_through_haru_cancels_the_reminder(client, say, decide, jobs):
    await _create(client, say, decide)
    replies = await say(client, "내일 치과 취소해줘")
    await decide(client, replies[-1]["payload"]["action_id"], "approve")
    (job,) = await jobs(JobKind.reminder)
    assert (job.state, job.result) == (JobState.done, JobResult.cancelled)


async def test_a_reminder_missed_during_downtime_is_dropped_with_a_log_line(
    client, say, decide, clock, runtime, history, jobs, caplog
):
    await _create(client, say, decide)
    clock.now = clock.now.replace(day=15, hour=15, minute=1)  # 31 minutes late: the lead
    with caplog.at_level(logging.INFO):
        await runtime.run_round()
    assert _reminders(await history(client)) == []
    (job,) = await jobs(JobKind.reminder)
    assert job.result == JobResult.late
    dropped = [r for r in caplog.records if "missed by more than its lead" in r.getMessage()]
    assert dropped and "치과" not in caplog.text  # no personal text in logs


async def test_a_reminder_a_little_late_is_still_sent(client, say, decide, clock, runtime, history):
    await _create(client, say, decide)
    clock.now = clock.now.replace(day=15, hour=14, minute=50)  # 20 minutes late, lead 30
    await runtime.run_round()
    assert len(_reminders(await history(client))) == 1


async def test_two_replicas_racing_send_it_once(
    client, say, decide, make_app, clock, runtime, history
):
    await _create(client, say, decide)
    other = await make_app()
    other.state.context.clock = clock
    clock.now = clock.now.replace(day=15, hour=14, minute=30)
    await asyncio.gather(runtime.run_round(), other.state.proactive.run_round())
    await asyncio.gather(runtime.run_round(), other.state.proactive.run_round())
    assert len(_reminders(await history(client))) == 1


async def test_a_worker_that_died_holding_the_reminder_leaves_it_to_another_once(
    client, say, decide, app, make_app, clock, history, jobs
):
    await _create(client, say, decide)
    clock.now = clock.now.replace(day=15, hour=14, minute=30)
    dead = app.state.proactive
    async with app.state.database.sessionmaker() as session:
        (claim,) = await dead.queue.claim_due(session=session, now=clock(), limit=10)
    # ... and the process was killed before it did anything with its claim.
    restarted = await make_app()
    restarted.state.context.clock = clock
    assert await restarted.state.proactive.run_round() == {}  # the lease still holds
    clock.advance(seconds=app.state.settings.proactive_lease_seconds + 1)
    await restarted.state.proactive.run_round()
    assert len(_reminders(await history(client))) == 1
    # The dead worker's late outcome is refused: its lease is gone.
    async with app.state.database.sessionmaker() as session:
        assert await dead.queue.record(session=session, claim=claim, outcome=Outcome.done()) is None
    assert len(_reminders(await history(client))) == 1
    (job,) = await jobs(JobKind.reminder)
    assert job.result == JobResult.sent


async def test_while_the_calendar_is_down_it_waits_briefly_then_sends_as_planned(
    client, say, decide, fake_calendar, clock, runtime, history, jobs
):
    await _create(client, say, decide)
    fake_calendar.down = True
    clock.now = clock.now.replace(day=15, hour=14, minute=30)
    await runtime.run_round()
    assert _reminders(await history(client)) == []
    (job,) = await jobs(JobKind.reminder)
    assert job.state == JobState.pending and job.attempts == 1
    clock.advance(seconds=30)
    await runtime.run_round()
    (sent,) = _reminders(await history(client))
    assert "「치과」" in sent["text"]
    (job,) = await jobs(JobKind.reminder)
    assert job.result == JobResult.unchecked


async def test_metrics_count_scheduled_sent_and_dropped(client, say, decide, clock, runtime, app):
    await _create(client, say, decide)
    clock.now = clock.now.replace(day=15, hour=14, minute=30)
    await runtime.run_round()
    registry = app.state.metrics.registry
    assert registry.get_sample_value("reminders_total", {"outcome": "scheduled"}) == 1
    assert registry.get_sample_value("reminders_total", {"outcome": "sent"}) == 1
    assert registry.get_sample_value("reminder_delay_seconds_count") == 1


def test_leads_are_said_naturally():
    from router_service.reminders.messages import lead, will_remind

    assert [lead(m) for m in (5, 30, 60, 90, 1440, 2880)] == [
        "5분",
        "30분",
        "1시간",
        "1시간 30분",
        "하루",
        "2일",
    ]
    assert will_remind([30, 1440]) == "하루 전, 30분 전에 알려드릴게요."
    assert will_remind([0]) == "시작할 때 알려드릴게요."
    # All day (Google's count back from 00:00): 900 is 09:00 the day before.
    assert (
        will_remind([900, 2340], all_day=True)
        == "2일 전 오전 9시, 하루 전 오전 9시에 알려드릴게요."
    )


async def test_changes_found_by_the_google_sync_are_followed(
    client, say, decide, app, fake_calendar, clock, runtime, jobs, user_of
):
    from router_service.calendar_changes.schemas import CalendarChanges

    await _create(client, say, decide)
    user = user_of()
    (event,) = fake_calendar.user_events(user)
    # Moved in Google to 11:00, within the next read's horizon (26 hours).
    event.update(start="2025-11-15T11:00:00+09:00", end="2025-11-15T12:00:00+09:00")
    moved = CalendarChanges.model_validate(
        {
            "notice_id": "n1",
            "user_id": user,
            "synced_at": clock().isoformat(),
            "events": [
                {
                    "event_id": event["id"],
                    "status": "confirmed",
                    **{k: event[k] for k in ("title", "start", "end")},
                }
            ],
        }
    )
    context = app.state.context
    assert context.calendar_changes.names == ["reminders"]
    await context.calendar_changes.deliver(moved)
    await context.calendar_changes.deliver(moved)  # delivered twice: one read
    assert len(await jobs(JobKind.refresh)) == 1
    await runtime.run_round()
    old, new = await jobs(JobKind.reminder)
    assert old.result == JobResult.cancelled
    assert new.due_at.isoformat() == "2025-11-15T01:30:00+00:00"

    gone = moved.model_copy(
        update={
            "notice_id": "n2",
            "events": [moved.events[0].model_copy(update={"status": "cancelled"})],
        }
    )
    await context.calendar_changes.deliver(gone)
    _old, new = await jobs(JobKind.reminder)
    assert new.result == JobResult.cancelled


async def test_an_all_day_event_is_reminded_as_google_counts_its_own_reminders(
    client, say, fake_calendar, clock, runtime, history, jobs, user_of
):
    """Google counts an all-day event's reminder back from 00:00 of its first day in the
    calendar's zone: 900 minutes is 09:00 the day before. The default lead stays for timed
    events only."""
    clock.now = clock.now.replace(hour=7)  # Friday 07:00 in Seoul
    await say(client, "일정 10분 전에 항상 알려줘")
    user = user_of()
    fake_calendar.add_event(  # made in Google: "1 day before at 9am"
        user, title="워크숍", start_date="2025-11-15", end_date="2025-11-16", reminder_minutes=[900]
    )
    fake_calendar.add_event(  # no reminders of its own: the default does not apply
        user, title="휴가", start_date="2025-11-14", end_date="2025-11-17"
    )
    await runtime.run_round()  # the read asked for by the new default, due now
    (reminder,) = await jobs(JobKind.reminder)
    assert (reminder.minutes, reminder.due_at.isoformat()) == (900, "2025-11-14T00:00:00+00:00")
    assert reminder.event_start.isoformat() == "2025-11-14T15:00:00+00:00"  # 00:00 in Seoul

    clock.now = clock.now.replace(hour=9, second=5)
    await runtime.run_round()
    await runtime.run_round()  # nothing twice
    (sent,) = _reminders(await history(client))
    assert sent["text"].splitlines()[0] == "⏰ 내일 「워크숍」 일정이 있어요."
    assert "11월 15일(토)" in sent["text"]
    (job,) = await jobs(JobKind.reminder)
    assert (job.state, job.result) == (JobState.done, JobResult.sent)


@pytest.mark.parametrize(
    ("text", "minutes", "said", "due"),
    [
        # Google counts back from 00:00 of the first day: "하루 전" is 09:00 the day before.
        ("12월 24일 종일 연차 1일 전에 알려줘", 900, "하루 전 오전 9시에", "2025-12-23T00:00"),
        ("12월 24일 종일 연차 이틀 전에 알려줘", 2340, "2일 전 오전 9시에", "2025-12-22T00:00"),
        # Hours before a day that starts at midnight: 09:00 the day before, and why.
        (
            "12월 24일 종일 연차 2시간 전에 알려줘",
            900,
            "종일 일정이라 하루 전 오전 9시에",
            "2025-12-23T00:00",
        ),
    ],
)
async def test_a_lead_asked_for_an_all_day_event_is_a_morning_not_a_midnight(
    client, say, decide, fake_calendar, jobs, text, minutes, said, due
):
    replies = await _create(client, say, decide, text)
    assert f"{said} 알려드릴게요." in replies[-1]["text"].splitlines()
    (call,) = fake_calendar.create_calls
    assert call["body"]["reminder_minutes"] == [minutes]
    (job,) = await jobs(JobKind.reminder)
    assert (job.minutes, job.due_at.isoformat()) == (minutes, f"{due}:00+00:00")  # 09:00 Seoul


async def test_a_round_logs_one_line_of_counts_and_never_a_title(
    client, say, decide, clock, runtime, history, caplog
):
    await _create(client, say, decide)
    await _create(client, say, decide, "내일 오후 3시 10분 팀 회의 30분 전에 알려줘")
    clock.now = clock.now.replace(day=15, hour=14, minute=45)  # both due: 14:30 and 14:40
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="router_service.reminders"):
        outcomes = await runtime.run_round()
    assert len(outcomes) == 2 and len(_reminders(await history(client))) == 2
    lines = [r for r in caplog.records if r.name.startswith("router_service.reminders")]
    (line,) = lines  # one line for the round, not one per reminder
    assert line.getMessage() == "proactive round"
    assert (line.jobs, line.done, line.retried, line.lost) == (2, 2, 0, 0)
    assert "치과" not in caplog.text and "팀 회의" not in caplog.text
