"""Queries and updates added in SPEC v2: past days, months by name, 남은, a time, short
questions, part-of-day windows, the next event, a named thing; shifts and recurring scope."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from router_service.nlu.parser import parse


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("그저께 뭐 했지?", "2025-11-12T00:00", "2025-11-13T00:00"),
        ("지난달 일정", "2025-10-01T00:00", "2025-11-01T00:00"),
        ("3월 일정 보여줘", "2026-03-01T00:00", "2026-04-01T00:00"),
        ("다음 주말에 뭐 있어?", "2025-11-22T00:00", "2025-11-24T00:00"),
        ("오늘 남은 일정", "2025-11-14T10:00", "2025-11-15T00:00"),
        ("이번 달 남은 일정 알려줘", "2025-11-14T10:00", "2025-12-01T00:00"),
        ("내일 오후 2시에 뭐 있어?", "2025-11-15T14:00", "2025-11-15T15:00"),
        ("다음주 월요일 10시에 일정 있어?", "2025-11-17T10:00", "2025-11-17T11:00"),
        ("내일 일정은?", "2025-11-15T00:00", "2025-11-16T00:00"),
        ("다음 주는?", "2025-11-17T00:00", "2025-11-24T00:00"),
        ("수요일 오전에 시간 돼?", "2025-11-19T09:00", "2025-11-19T12:00"),
        ("내일 저녁에 시간 있어?", "2025-11-15T18:00", "2025-11-15T22:00"),
        ("토요일 오후 비어 있어?", "2025-11-15T12:00", "2025-11-15T18:00"),
    ],
)
def test_query_ranges(text, start, end, now):
    result = parse(text, now=now).to_spec_json()
    assert result["intent"] == "query_events"
    assert (result["range"]["start"], result["range"]["end"]) == (
        f"{start}:00+09:00",
        f"{end}:00+09:00",
    )


@pytest.mark.parametrize(
    "text, title",
    [("다음 일정 알려줘", None), ("다음 미팅 몇 시야?", "미팅"), ("다음 약속 언제야?", "약속")],
)
def test_the_next_event(text, title, now):
    result = parse(text, now=now).to_spec_json()
    assert result["range"] == {"start": "2025-11-14T10:00:00+09:00", "end": None, "limit": 1}
    assert (result["target"] or {}).get("title") == title


@pytest.mark.parametrize(
    "text, title", [("치과 언제야?", "치과"), ("미용실 예약 언제더라?", "미용실 예약")]
)
def test_a_named_thing_without_a_day_looks_a_year_either_way(text, title, now):
    result = parse(text, now=now).to_spec_json()
    assert result["range"] == {
        "start": "2024-11-14T10:00:00+09:00",
        "end": "2026-11-14T10:00:00+09:00",
        "limit": None,
    }
    assert result["target"]["title"] == title


@pytest.mark.parametrize(
    "text, target, changes",
    [
        ("내일 회의 1시간 미뤄줘", {"title": "회의", "date": "2025-11-15"}, {"shift_minutes": 60}),
        ("모레 점심 약속 30분 당겨줘", {"title": "점심 약속"}, {"shift_minutes": -30}),
        ("금요일 회의 이틀 미뤄줘", {"title": "회의"}, {"shift_minutes": 2880}),
        (
            "매주 하는 스터디 이번만 2시간 미뤄줘",
            {"title": "스터디", "scope": "one"},
            {"shift_minutes": 120},
        ),
        (
            "요가 수업 앞으로 30분 늦춰줘",
            {"title": "요가 수업", "scope": "following"},
            {"shift_minutes": 30},
        ),
        (
            "내일 회의 1시간 앞으로 당겨줘",
            {"title": "회의", "scope": None},
            {"shift_minutes": -60},
        ),
    ],
)
def test_shifts_and_scopes(text, target, changes, now):
    result = parse(text, now=now).to_spec_json()
    assert result["intent"] == "update_event"
    assert {k: result["target"][k] for k in target} == target
    assert {k: result["changes"][k] for k in changes} == changes


@pytest.mark.parametrize(
    "text, title, scope",
    [
        ("운동 일정 이후로 전부 삭제해줘", "운동 일정", "following"),
        ("매일 있는 알람 회의 다 지워줘", "알람 회의", "all"),
        ("영어 학원 전부 취소해줘", "영어 학원", "all"),
        ("다음 주 회의 그날만 취소해줘", "회의", "one"),
        ("내일 치과 취소해줘", "치과", None),
    ],
)
def test_delete_scopes(text, title, scope, now):
    target = parse(text, now=now).target
    assert (target.title, target.scope) == (title, scope)


def test_a_target_with_no_day(now):
    result = parse("치과 예약 목요일로 옮겨줘", now=now).to_spec_json()
    assert result["target"]["date"] is None
    assert result["changes"]["date"] == "2025-11-20"


# now (conftest): Friday 2025-11-14 10:00 in Seoul; next week is 11-17 to 11-24.
@pytest.mark.parametrize(
    "text, intent, title, scope, day, period",
    [
        # A day, then the event with 만: that occurrence only; the day stays the target's.
        ("다음 주 영어 스터디만 취소해줘", "delete_event", "영어 스터디", "one", None, "11-17"),
        ("다음주 요가만 지워줘", "delete_event", "요가", "one", None, "11-17"),
        ("다음 주 수요일만 요가 취소해줘", "delete_event", "요가", "one", "11-19", None),
        ("수요일 요가만 빼줘", "delete_event", "요가", "one", "11-19", None),
        ("18일 스터디만 삭제해줘", "delete_event", "스터디", "one", "11-18", None),
        ("이번 달 독서 모임 취소해줘", "delete_event", "독서 모임", None, None, "11-01"),
        # 다음 주부터: the week says where the split starts.
        (
            "영어 스터디 다음 주부터 8시로 바꿔줘",
            "update_event",
            "영어 스터디",
            "following",
            None,
            "11-17",
        ),
        (
            "영어 스터디 다음 주부터 8시로",
            "update_event",
            "영어 스터디",
            "following",
            None,
            "11-17",
        ),
        (
            "다음 주부터 요가 수업 30분 미뤄줘",
            "update_event",
            "요가 수업",
            "following",
            None,
            "11-17",
        ),
        ("내일부터 요가 7시로", "update_event", "요가", "following", "11-15", None),
        # Without 만 or 부터 nothing is assumed.
        ("다음 주 영어 스터디 취소해줘", "delete_event", "영어 스터디", None, None, "11-17"),
        ("영어 스터디 전부 지워줘", "delete_event", "영어 스터디", "all", None, None),
    ],
)
def test_which_occurrences(text, intent, title, scope, day, period, now):
    result = parse(text, now=now)
    assert result.intent == intent
    target = result.target
    assert (target.title, target.scope) == (title, scope)
    assert target.date == (None if day is None else date.fromisoformat(f"2025-{day}"))
    start = None if period is None else date.fromisoformat(f"2025-{period}")
    assert target.period_start == start
    if start is not None:
        assert target.period_end is not None and target.period_end > start


@pytest.mark.parametrize(
    "text, title, hour",
    [
        ("팀 미팅 4시로", "팀 미팅", 16),
        ("영어 스터디 8시로", "영어 스터디", 8),
        ("회의 오후 3시 반으로", "회의", 15),
    ],
)
def test_a_new_time_with_no_verb_is_a_move(text, title, hour, now):
    result = parse(text, now=now)
    assert result.intent == "update_event"
    assert result.target.title == title
    assert result.changes.start.hour == hour


@pytest.mark.parametrize("text", ["내일 3시로 치과 예약해줘", "4시로 등록해줘", "아 4시로"])
def test_a_time_with_ro_in_a_create_or_an_amend_stays_so(text, now):
    assert parse(text, now=now).intent != "update_event"


@pytest.mark.parametrize(
    "text, today, target_day, new_day",
    [
        # A move may go back within the target's week ...
        ("금요일 요가 목요일로 옮겨줘", "2026-03-02", "2026-03-06", "2026-03-05"),
        ("수요일 회의 화요일로 바꿔줘", "2026-03-02", "2026-03-04", "2026-03-03"),
        # ... but never into the past: then it is that weekday after the target.
        ("금요일 회의 화요일로 바꿔줘", "2026-03-04", "2026-03-06", "2026-03-10"),
        ("화요일 PT 목요일로 바꿔줘", "2026-03-02", "2026-03-03", "2026-03-05"),
    ],
)
def test_a_move_to_a_weekday(text, today, target_day, new_day):
    result = parse(text, now=datetime.fromisoformat(f"{today}T08:10:00+09:00"))
    assert result.intent == "update_event"
    assert (str(result.target.date), str(result.changes.date)) == (target_day, new_day)


@pytest.mark.parametrize(
    "text, intent",
    [
        ("다음 주 일정 조회해 줘", "query_events"),
        ("내일 일정 조회", "query_events"),
        ("내일 10시 월례 조회", "create_event"),  # 조회 as a noun: a morning assembly
    ],
)
def test_jo_hoe_asks_only_as_a_verb(text, intent, now):
    assert parse(text, now=now).intent == intent
