"""Issue 17 done-when: a weekly series through the chat, real processes, the Google emulator.

"매주 X요일 저녁 7시 영어 스터디" makes one series; "이번 주 일정" lists this week's
occurrence with ↻; "다음 주 영어 스터디만 취소해줘" cancels that one (the others remain);
"영어 스터디 다음 주부터 8시로" splits the series (earlier occurrences unchanged, later ones
at 20:00, no duplicate); "영어 스터디 전부 지워줘" removes both halves in one approval — each
checked in the emulator's calendar (through skill-calendar's expansion), on PostgreSQL and
on SQLite. A proposed series names the day it clashes on, and "아 X요일로" moves its rule.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
from harness import ChatUser, System, connected_user, kind_of
from slack_person import SlackPerson, has_button, message_text, slack_buttons

SEOUL = ZoneInfo("Asia/Seoul")
WEEKDAYS = "월화수목금토일"


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _first_occurrence() -> date:
    """The day of the series' first 19:00 (today's weekday while 19:00 is ahead)."""
    now = datetime.now(SEOUL)
    today = now.date()
    return today if now.time() < time(18, 30) else today + timedelta(days=1)


def _occurrences(system: System, user: ChatUser, start: date, days: int) -> list[str]:
    """The 영어 스터디 starts skill-calendar lists in ``[start, start + days)``."""
    begin = datetime.combine(start, time(), SEOUL)
    window = {"start": begin.isoformat(), "end": (begin + timedelta(days=days)).isoformat()}
    response = httpx.get(
        f"{system.url('skill-calendar')}/v1/users/{user.user_id}/events",
        params=window,
        headers=system.headers("router", "skill-calendar"),
        timeout=30,
    )
    response.raise_for_status()
    return [e["start"] for e in response.json()["events"] if e["title"] == "영어 스터디"]


def _approve(user: ChatUser, proposal: dict) -> dict:
    assert kind_of(proposal) == "proposal", proposal["text"]
    [done] = user.decide(proposal["payload"]["action_id"])
    assert done["text"].startswith("✅"), done["text"]
    return done


def _at(day: date, hour: int) -> str:
    return datetime.combine(day, time(hour), SEOUL).isoformat()


def _weekly_series_scenario(system: System) -> None:
    user = connected_user(system)
    first = _first_occurrence()
    weekday = WEEKDAYS[first.weekday()]
    [proposal] = user.say(f"매주 {weekday}요일 저녁 7시 영어 스터디")
    assert proposal["text"].startswith(
        f"매주 {weekday}요일 오후 7:00–8:00 「영어 스터디」를 등록할까요? "
        f"({first.month}월 {first.day}일부터)"
    ), proposal["text"]
    _approve(user, proposal)
    [series] = system.google.live_series(user.email)
    assert series["recurrence"][0].startswith("RRULE:FREQ=WEEKLY;BYDAY=")

    # This week's occurrence, marked as repeating (next week's when today is Sunday night).
    this_week = _monday(datetime.now(SEOUL).date())
    asked = "이번 주 일정 알려줘" if _monday(first) == this_week else "다음 주 일정 알려줘"
    [listing] = user.say(asked)
    assert f"{first.month}월 {first.day}일({weekday}) 19:00 영어 스터디 ↻" in listing["text"]

    # Next week's only: cancelled, the others remain.
    next_week = this_week + timedelta(weeks=1)
    cancelled = next_week + timedelta(days=first.weekday())
    [cancel] = user.say("다음 주 영어 스터디만 취소해줘")
    assert "하루만 삭제돼요" in cancel["text"], cancel["text"]
    _approve(user, cancel)
    remaining = _occurrences(system, user, first, 28)
    assert _at(cancelled, 19) not in remaining
    for week in range(4):
        day = first + timedelta(weeks=week)
        if day != cancelled:
            assert _at(day, 19) in remaining

    # From next week at 20:00: the split; earlier ones unchanged, later ones moved, once.
    [split] = user.say("영어 스터디 다음 주부터 8시로")
    assert "이후 전부" in split["text"] and "오후 8:00–9:00" in split["text"], split["text"]
    _approve(user, split)
    moved_from = cancelled + timedelta(weeks=1)
    listed = _occurrences(system, user, first, 35)
    before = [d for d in (first + timedelta(weeks=w) for w in range(5)) if d < moved_from]
    after = [d for d in (first + timedelta(weeks=w) for w in range(5)) if d >= moved_from]
    assert [s for s in listed if s.endswith("T19:00:00+09:00")] == [
        _at(d, 19) for d in before if d != cancelled
    ]
    assert [s for s in listed if s.endswith("T20:00:00+09:00")] == [_at(d, 20) for d in after]
    assert len(listed) == len(set(listed))  # no duplicate occurrence
    # Google's split: the original ends, a new one begins.
    assert len(system.google.live_series(user.email)) == 2

    # Everything: the series, both halves of the split, in one approval.
    [reply] = user.say("영어 스터디 전부 지워줘")
    assert "전부 삭제할까요?" in reply["text"], reply["text"]
    assert "나뉘어 있는 반복 일정" in reply["text"], reply["text"]
    _approve(user, reply)
    assert system.google.live_series(user.email) == []
    assert _occurrences(system, user, first, 60) == []


def test_weekly_series_through_the_chat(system: System) -> None:
    _weekly_series_scenario(system)


def test_weekly_series_through_the_chat_on_sqlite(sqlite_system: System) -> None:
    assert sqlite_system.databases.backend == "sqlite"
    _weekly_series_scenario(sqlite_system)


def test_the_scope_question_in_slack_is_answered_by_its_buttons(system: System) -> None:
    """In a Slack DM: the series, then a delete without a scope asks with three Block Kit
    buttons; [이번만] leads to the proposal, whose button cancels that one occurrence."""
    person = SlackPerson.new(system)
    person.connect()
    first = _first_occurrence()
    weekday = WEEKDAYS[first.weekday()]
    sent = person.say(f"매주 {weekday}요일 저녁 7시 영어 스터디")
    proposal = person.wait_for_bot(lambda m: has_button(m, "approve"), after_ts=sent["ts"])
    assert f"매주 {weekday}요일 오후 7:00–8:00" in message_text(proposal)
    assert person.press(proposal, "approve")["status"] == 200
    person.wait_for_bot(lambda m: m["text"].startswith("✅ 등록했어요"), after_ts=proposal["ts"])

    sent = person.say("영어 스터디 삭제해줘")
    question = person.wait_for_bot(lambda m: has_button(m, "choose_1"), after_ts=sent["ts"])
    labels = [b["text"]["text"] for b in slack_buttons(question)]
    assert labels == ["이번만", "이후 전부", "전체"], labels
    assert person.press(question, "choose_1")["status"] == 200
    cancel = person.wait_for_bot(lambda m: has_button(m, "approve"), after_ts=question["ts"])
    assert "하루만 삭제돼요" in message_text(cancel)
    assert person.press(cancel, "approve")["status"] == 200
    person.wait_for_bot(
        lambda m: m["text"].startswith("✅ 삭제했어요 (이번만)"), after_ts=cancel["ts"]
    )
    [series] = system.google.live_series(person.email)
    assert series["summary"] == "영어 스터디"  # the series stays; its first occurrence went
    exceptions = [
        e
        for e in system.google.events(person.email)
        if e.get("recurringEventId") == series["id"] and e.get("status") == "cancelled"
    ]
    assert len(exceptions) == 1


def test_a_series_proposal_names_its_clash_and_a_weekday_correction_moves_the_rule(
    system: System,
) -> None:
    """Next week's dentist clashes with the series' second occurrence: the proposal says
    which day; "아 X요일로" (the next weekday) moves the rule's BYDAY with the first day,
    and the series is made on that weekday."""
    user = connected_user(system)
    first = _first_occurrence()
    weekday = WEEKDAYS[first.weekday()]
    dentist = first + timedelta(weeks=1)
    label = f"{dentist.month}월 {dentist.day}일({weekday})"
    [booked] = user.say(f"{dentist.month}월 {dentist.day}일 저녁 7시 반 치과")
    _approve(user, booked)

    [proposal] = user.say(f"매주 {weekday}요일 저녁 7시 영어 스터디")
    assert proposal["text"].splitlines()[1] == (f"{label} 「치과」와 겹쳐요. 그래도 등록할까요?"), (
        proposal["text"]
    )
    assert proposal["payload"]["conflicts"] == 1

    moved = first + timedelta(days=1)
    other = WEEKDAYS[moved.weekday()]
    [amended] = user.say(f"아 {other}요일로")
    assert amended["text"].splitlines()[0] == (
        f"매주 {other}요일 오후 7:00–8:00 「영어 스터디」를 등록할까요? "
        f"({moved.month}월 {moved.day}일부터)"
    ), amended["text"]
    _approve(user, amended)
    [series] = system.google.live_series(user.email)
    code = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[moved.weekday()]
    assert series["recurrence"] == [f"RRULE:FREQ=WEEKLY;BYDAY={code}"]
    assert _occurrences(system, user, moved, 1) == [_at(moved, 19)]
