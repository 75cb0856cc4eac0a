"""Intents: answers to a proposal, create, query, update, delete and other."""

from __future__ import annotations

import pytest

from router_service.nlu.parser import parse


@pytest.mark.parametrize(
    "text",
    [
        "네",
        "넵",
        "응",
        "ㅇㅇ",
        "ㅇㅋ",
        "좋아",
        "좋아요!",
        "그래",
        "오케이",
        "등록해줘",
        "네 등록해주세요",
        "응 좋아",
        "그렇게 해줘",
        "OK",
        "넹~",
    ],
)
def test_approve(text, now):
    assert parse(text, now=now).intent == "approve"


@pytest.mark.parametrize(
    "text",
    [
        "아니",
        "아니요",
        "아뇨",
        "ㄴㄴ",
        "취소",
        "취소해줘",
        "하지 마",
        "하지마",
        "됐어",
        "아니 됐어",
        "싫어",
        "그거 취소해줘",
        "아니요 괜찮아요",
        "나중에",
    ],
)
def test_reject(text, now):
    assert parse(text, now=now).intent == "reject"


@pytest.mark.parametrize(
    "text",
    [
        "안녕",
        "안녕하세요",
        "고마워",
        "오늘 날씨 어때?",
        "내일 날씨 어때",
        "너는 누구야?",
        "뭐 할 수 있어?",
        "ㅋㅋㅋ",
    ],
)
def test_other(text, now):
    assert parse(text, now=now).intent == "other"


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("11월 17일 일정 알려줘", "2025-11-17", "2025-11-18"),
        ("내일 일정 뭐 있어?", "2025-11-15", "2025-11-16"),
        ("모레 뭐 있어", "2025-11-16", "2025-11-17"),
        ("오늘 일정", "2025-11-14", "2025-11-15"),
        ("이번 주 일정 보여줘", "2025-11-10", "2025-11-17"),
        ("이번주 스케줄", "2025-11-10", "2025-11-17"),
        ("다음주 스케줄 확인해줘", "2025-11-17", "2025-11-24"),
        ("지난주 일정 보여줘", "2025-11-03", "2025-11-10"),
        ("이번 달 일정", "2025-11-01", "2025-12-01"),
        ("다음 달 일정 보여줘", "2025-12-01", "2026-01-01"),
        ("12월 일정 알려줘", "2025-12-01", "2026-01-01"),
        ("이번 주말 일정 알려줘", "2025-11-15", "2025-11-17"),
        ("12월 1일에 뭐 있지?", "2025-12-01", "2025-12-02"),
        ("다음주 수요일에 약속 있어?", "2025-11-19", "2025-11-20"),
        ("내일 회의 몇 시야?", "2025-11-15", "2025-11-16"),
        ("크리스마스 일정 알려줘", "2025-12-25", "2025-12-26"),
        ("12월 1일부터 5일까지 일정 보여줘", "2025-12-01", "2025-12-06"),
        ("오늘부터 3일간 일정 보여줘", "2025-11-14", "2025-11-17"),
        ("내일 스케줄 어때?", "2025-11-15", "2025-11-16"),
        ("12월 첫째 주 일정", "2025-12-01", "2025-12-08"),
        ("다음 달 둘째 주 일정 알려줘", "2025-12-08", "2025-12-15"),
        ("12월 마지막 주 일정", "2025-12-29", "2026-01-05"),
    ],
)
def test_query_ranges(text, start, end, now):
    result = parse(text, now=now).to_spec_json()
    assert result["intent"] == "query_events"
    assert result["range"] == {
        "start": f"{start}T00:00:00+09:00",
        "end": f"{end}T00:00:00+09:00",
        "limit": None,
    }


def test_a_query_without_a_day_means_today(now):
    result = parse("일정 알려줘", now=now)
    assert result.range.start.date().isoformat() == "2025-11-14"
    assert "날짜가 없어 오늘로 이해했어요" in result.assumptions


@pytest.mark.parametrize(
    "text, title, date, start",
    [
        ("11월 17일 TDD 테스트 일정 삭제해줘", "TDD 테스트 일정", "2025-11-17", None),
        ("내일 치과 예약 취소해줘", "치과 예약", "2025-11-15", None),
        ("모레 오후 3시 스터디 지워줘", "스터디", "2025-11-16", "2025-11-16T15:00:00+09:00"),
        ("다음주 화요일 회의 삭제", "회의", "2025-11-18", None),
        ("치과 예약 취소", "치과 예약", None, None),
        ("내일 오후 3시 일정 삭제해줘", None, "2025-11-15", "2025-11-15T15:00:00+09:00"),
        ("내일 일정 다 취소해줘", None, "2025-11-15", None),
    ],
)
def test_delete_targets(text, title, date, start, now):
    result = parse(text, now=now).to_spec_json()
    assert result["intent"] == "delete_event"
    assert result["target"] == {"title": title, "date": date, "start": start, "scope": None}


@pytest.mark.parametrize(
    "text, target, changes",
    [
        (
            "내일 팀 미팅 오후 4시로 변경해줘",
            {"title": "팀 미팅", "date": "2025-11-15", "start": None},
            {"start": "2025-11-15T16:00:00+09:00", "date": None},
        ),
        (
            "11월 20일 회의를 21일로 옮겨줘",
            {"title": "회의", "date": "2025-11-20", "start": None},
            {"start": None, "date": "2025-11-21"},
        ),
        (
            "내일 3시 회의 4시로 변경해줘",
            {"title": "회의", "date": "2025-11-15", "start": "2025-11-15T15:00:00+09:00"},
            {"start": "2025-11-15T16:00:00+09:00", "date": None},
        ),
        (
            "11월 20일 회의 다음주 월요일로 미뤄줘",
            {"title": "회의", "date": "2025-11-20", "start": None},
            {"start": None, "date": "2025-11-17"},
        ),
        (
            "금요일 회의를 다음주 월요일 오후 2시로 옮겨줘",
            {"title": "회의", "date": "2025-11-14", "start": None},
            {"start": "2025-11-17T14:00:00+09:00", "date": None},
        ),
        (
            "내일 미팅 시간 5시로 변경",
            {"title": "미팅", "date": "2025-11-15", "start": None},
            {"start": "2025-11-15T17:00:00+09:00", "date": None},
        ),
        (
            "내일 치과 예약 모레 같은 시간으로 옮겨줘",
            {"title": "치과 예약", "date": "2025-11-15", "start": None},
            {"start": None, "date": "2025-11-16"},
        ),
        (
            "회의를 내일에서 모레로 옮겨줘",
            {"title": "회의", "date": "2025-11-15", "start": None},
            {"start": None, "date": "2025-11-16"},
        ),
        (
            "내일 회의 3시에서 5시로 바꿔줘",
            {"title": "회의", "date": "2025-11-15", "start": "2025-11-15T15:00:00+09:00"},
            {"start": "2025-11-15T17:00:00+09:00", "date": None},
        ),
    ],
)
def test_update_target_and_changes(text, target, changes, now):
    result = parse(text, now=now).to_spec_json()
    assert result["intent"] == "update_event"
    assert {k: result["target"][k] for k in target} == target
    assert {k: result["changes"][k] for k in changes} == changes


@pytest.mark.parametrize(
    "text",
    [
        "내일 오후 3시 팀 미팅",
        "내일 3시 치과 일정 잡아줘",
        "회의 잡아줘",
        "12월 3일 면접 등록해 주세요",
        "다음주 월요일 출장 추가해줘",
    ],
)
def test_create(text, now):
    assert parse(text, now=now).intent == "create_event"


def test_a_create_without_a_day_is_unsure(now):
    result = parse("회의 잡아줘", now=now)
    assert result.event.title == "회의" and result.event.start is None
    assert result.confidence < 0.6


def test_a_verb_inside_a_title_is_not_a_request(now):
    result = parse("11월 20일 오후 3시 설계 변경 검토 회의", now=now)
    assert result.intent == "create_event"
    assert result.event.title == "설계 변경 검토 회의"


def test_polite_requests_keep_their_endings_out_of_titles(now):
    result = parse("내일 회의 취소해 주실 수 있나요?", now=now)
    assert (result.intent, result.target.title) == ("delete_event", "회의")


@pytest.mark.parametrize(
    "text, changes",
    [
        ("내일 3시 회의 30분 늦춰줘", {"start": "2025-11-15T15:30:00+09:00", "date": None}),
        (
            "내일 오후 3시 회의 1시간 뒤로 미뤄줘",
            {"start": "2025-11-15T16:00:00+09:00", "date": None},
        ),
        ("내일 오후 3시 회의 1시간 앞당겨줘", {"start": "2025-11-15T14:00:00+09:00", "date": None}),
        ("내일 회의 하루 미뤄줘", {"start": None, "date": "2025-11-16"}),
        ("11월 20일 회의 2일 앞당겨줘", {"start": None, "date": "2025-11-18"}),
    ],
)
def test_shifts_are_relative_to_the_named_event(text, changes, now):
    result = parse(text, now=now).to_spec_json()
    assert result["intent"] == "update_event"
    assert {k: result["changes"][k] for k in changes} == changes


def test_a_shift_without_the_old_time_is_kept_as_minutes(now):
    result = parse("회의 30분 미뤄줘", now=now)
    assert result.intent == "update_event"
    assert (result.changes.shift_minutes, result.changes.start) == (30, None)


def test_a_correction_after_an_answer_word_is_unsure_and_untitled(now):
    result = parse("아니 4시로 바꿔줘", now=now)
    assert result.intent == "update_event"
    assert result.target.title is None
    assert result.changes.start.hour == 16
    assert result.confidence < 0.6


def test_the_day_before_malgo_is_not_meant(now):
    result = parse("아니 내일 말고 모레", now=now)
    assert result.intent == "amend"
    assert result.changes.date.isoformat() == "2025-11-16"


def test_when_is_my_next_event_asks_for_the_next_one(now):
    result = parse("다음 회의 언제야?", now=now).to_spec_json()
    assert result["intent"] == "query_events"
    assert result["range"] == {"start": "2025-11-14T10:00:00+09:00", "end": None, "limit": 1}
    assert result["target"]["title"] == "회의"


@pytest.mark.parametrize("text", ["크리스마스가 언제야?", "추석이 언제지?"])
def test_when_is_a_holiday_is_not_about_events(text, now):
    assert parse(text, now=now).intent == "other"


def test_what_am_i_doing_tomorrow_is_a_query(now):
    assert parse("내일 뭐해?", now=now).intent == "query_events"


def test_a_polite_answer_word_before_a_request_is_not_its_title(now):
    result = parse("네 내일 3시 회의 잡아줘", now=now)
    assert (result.intent, result.event.title) == ("create_event", "회의")
    assert result.confidence >= 0.6
