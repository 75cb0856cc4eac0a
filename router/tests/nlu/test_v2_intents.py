"""Intents added in SPEC v2 (amend, undo, set_preference) and the precision of ``other``:
the past, wishes, feelings and non-calendar requests are never events or queries."""

from __future__ import annotations

import pytest

from router_service.nlu.parser import parse


@pytest.mark.parametrize(
    "text, changes, approve",
    [
        ("아 6시로", {"time": "18:00"}, False),
        ("아니 9시로 해줘", {"time": "09:00"}, False),
        ("응 근데 4시로 해줘", {"time": "16:00"}, True),
        ("네 11시 반으로 해 주세요", {"time": "11:30"}, True),
        ("아니 내일 말고 글피", {"date": "2025-11-17"}, False),
        ("음 내일 말고 다음 주 월요일", {"date": "2025-11-17"}, False),
        ("아니 수요일로", {"date": "2025-11-19"}, False),
        ("좋아 근데 토요일 저녁 7시로 해줘", {"start": "2025-11-15T19:00:00+09:00"}, True),
        ("그래 근데 장소는 역삼역 2번 출구로", {"location": "역삼역 2번 출구"}, True),
        ("장소는 판교 오피스", {"location": "판교 오피스"}, False),
        ("장소는 종로", {"location": "종로"}, False),
        ("네 제목은 주간 회고로 해줘", {"title": "주간 회고"}, True),
        ("30분 일찍", {"shift_minutes": -30}, False),
        ("1시간 늦게 해줘", {"shift_minutes": 60}, False),
        ("1시간 반으로 해줘", {"duration_minutes": 90}, False),
        ("90분으로", {"duration_minutes": 90}, False),
    ],
)
def test_amendments(text, changes, approve, now):
    result = parse(text, now=now).to_spec_json()
    assert result["intent"] == "amend"
    assert {k: result["changes"][k] for k in changes} == changes
    assert result["approve"] is approve


@pytest.mark.parametrize("text", ["4시로 바꿔줘", "회의 3시로 바꿔줘", "30분 늦춰줘"])
def test_a_change_with_an_update_verb_stays_an_update(text, now):
    assert parse(text, now=now).intent == "update_event"


@pytest.mark.parametrize("text", ["내일 3시", "내일 오후 3시 회의"])
def test_a_new_day_and_time_without_a_correction_word_is_a_create(text, now):
    assert parse(text, now=now).intent == "create_event"


@pytest.mark.parametrize(
    "text",
    [
        "되돌려줘",
        "방금 거 취소",
        "아까 추가한 거 지워줘",
        "실행 취소",
        "방금 바꾼 거 원래대로 해줘",
    ],
)
def test_undo(text, now):
    assert parse(text, now=now).intent == "undo"


@pytest.mark.parametrize("text", ["취소", "치과 예약 취소해줘"])
def test_cancel_alone_or_with_a_thing_is_not_undo(text, now):
    assert parse(text, now=now).intent in ("reject", "delete_event")


@pytest.mark.parametrize(
    "text, preference",
    [
        ("매일 아침 8시에 오늘 일정 보내줘", {"agenda_time": "08:00"}),
        ("매일 저녁 9시에 내일 일정 알려줘", {"agenda_time": "21:00"}),
        ("아침마다 일정 브리핑 해줘", {"agenda_time": "08:00"}),
        ("브리핑 그만 보내", {"agenda_time": None}),
        ("일정 요약 보내지 마", {"agenda_time": None}),
        ("모든 일정 1시간 전에 알려줘", {"reminder_minutes": 60}),
        ("기본 알림 10분 전으로 해줘", {"reminder_minutes": 10}),
        ("알림 꺼줘", {"reminder_minutes": None}),
    ],
)
def test_preferences(text, preference, now):
    result = parse(text, now=now).to_spec_json()
    assert (result["intent"], result["preference"]) == ("set_preference", preference)


@pytest.mark.parametrize(
    "text",
    [
        "어제 회의 너무 길었어",
        "지난주에 친구 만났어",
        "주말에 푹 쉬고 싶다",
        "내일 바다 보러 가고 싶어",
        "오늘 너무 피곤해",
        "이번 주 진짜 바쁘다",
        "내일 날씨 어때?",
        "주말에 갈 만한 곳 추천해줘",
        "오늘 저녁 뭐 먹지",
        "점심 메뉴 골라줘",
        "모레 부산 날씨 알려줘",
        "지난주 회의록 정리해줘",
        "내일 아침에 깨워줘",
    ],
)
def test_not_a_calendar_request(text, now):
    assert parse(text, now=now).intent == "other"


@pytest.mark.parametrize(
    "text", ["내일 회의 잡혔어", "이번 주 바빠?", "어제 일정 보여줘", "내일 3시에 회의 있었나?"]
)
def test_a_plan_or_a_question_about_the_calendar_is_still_understood(text, now):
    assert parse(text, now=now).intent in ("create_event", "query_events")


@pytest.mark.parametrize(
    "text, changes, approve",
    [
        ("시간은 4시로 해줘", {"time": "16:00"}, False),
        ("아니 날짜를 모레로", {"date": "2025-11-16"}, False),
        ("아 미안 목요일이야", {"date": "2025-11-20"}, False),
        ("아 참 장소는 회사 3층 회의실", {"location": "회사 3층 회의실"}, False),
        ("제목을 팀 점심으로", {"title": "팀 점심"}, False),
        ("응 근데 30분만 늦춰줘", {"shift_minutes": 30}, True),
        ("5시 말고 6시", {"time": "18:00"}, False),
        ("아니 다섯 시로", {"time": "17:00"}, False),
    ],
)
def test_more_ways_to_amend(text, changes, approve, now):
    result = parse(text, now=now).to_spec_json()
    assert result["intent"] == "amend"
    assert {k: result["changes"][k] for k in changes} == changes
    assert result["approve"] is approve


@pytest.mark.parametrize(
    "text, intent",
    [
        ("그래 해줘", "approve"),
        ("응 등록해줘", "approve"),
        ("ㅇㅇ 그걸로", "approve"),
        ("아니 잠깐만 그냥 둬", "reject"),
        ("둘 다 아니야", "reject"),
        ("그냥 두세요", "reject"),
        ("그걸로 하자", "approve"),
        ("ㅇㅇ 넣어줘", "approve"),
        ("응 저장해 줘", "approve"),
        ("네 그렇게 할게요", "approve"),
        ("좋아요 감사합니다", "approve"),
        ("아니 괜찮아 고마워", "reject"),
        ("안 할게", "reject"),
        ("고마워", "other"),  # thanks alone answers nothing
        ("아까 넣은 거 없던 걸로 해 줘", "undo"),
        # A plan said with its hour, decided or owed is a create; without an hour, a question.
        ("토요일 오후 2시에 동생이랑 약속 있어", "create_event"),
        ("다음 주 월요일 9시에 면접 있음", "create_event"),
        ("모레 저녁 6시에 친구들이랑 보기로 했어", "create_event"),
        ("내일 약속 있어", "query_events"),
        ("내일 3시에 약속 있어?", "query_events"),
        ("오늘 너무 덥다", "other"),
        ("월요일 출근 싫어", "other"),
        ("연휴 잘 보내세요", "other"),
        ("오늘 기분이 최고야", "other"),
        ("이번 주 로또 당첨 번호 뭐야", "other"),
        # Any past tense (잤어, 샀어, 탔어), an exclamation about the day (시험이다).
        ("어제 일찍 잤어", "other"),
        ("지난주에 새 신발 샀어", "other"),
        ("내일 시험이다 ㅠㅠ", "other"),
        ("오늘 회식이다", "other"),
        ("다음 주 월요일 원고 마감이다", "create_event"),
        ("내일 3시 회의 있었어?", "query_events"),
        ("아니요 추가하지 마세요", "reject"),
        ("아까 옮긴 거 다시 돌려 줘", "undo"),
    ],
)
def test_v2_answers(text, intent, now):
    assert parse(text, now=now).intent == intent


@pytest.mark.parametrize(
    "text, preference",
    [
        ("아침 일정 메시지 그만 보내", {"agenda_time": None}),
        ("알림 기본 20분 전으로 해줘", {"reminder_minutes": 20}),
    ],
)
def test_preferences_in_other_words(text, preference, now):
    assert parse(text, now=now).to_spec_json()["preference"] == preference


@pytest.mark.parametrize(
    "text, changes",
    [
        ("장소는 우리 회사야", {"location": "우리 회사"}),
        ("장소는 강남역 카페예요", {"location": "강남역 카페"}),
        ("20분 늦게로 해줘", {"shift_minutes": 20}),
        ("15분 일찍으로", {"shift_minutes": -15}),
    ],
)
def test_amendments_with_a_copula_or_ro(text, changes, now):
    result = parse(text, now=now).to_spec_json()
    assert result["intent"] == "amend"
    assert {k: result["changes"][k] for k in changes} == changes
