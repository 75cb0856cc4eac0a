"""Days and hours added in SPEC v2: 이따, bare weekdays that passed, holidays with 전날/다음날
and 연휴, 주말 and 월말 spans, due dates, 3pm, H:MM, number words, 자정, parts of the day,
N분 뒤, vague spans. Other words, days and times than the worked examples."""

from __future__ import annotations

import pytest

from router_service.nlu.parser import parse


def _when(text, now):
    event = parse(text, now=now).event
    if event.all_day:
        return event.title, event.start_date.isoformat(), event.end_date.isoformat()
    return event.title, event.start.isoformat()[:16], event.end.isoformat()[:16]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("이따 오후 6시 장보기", ("장보기", "2025-11-14T18:00", "2025-11-14T19:00")),
        ("좀 이따가 3시에 은행 가기", ("은행 가기", "2025-11-14T15:00", "2025-11-14T16:00")),
        # Friday 10:00: a Friday hour still ahead is today, one already past is next Friday.
        ("금요일 오후 4시 요가", ("요가", "2025-11-14T16:00", "2025-11-14T17:00")),
        ("금요일 8시 조찬 모임", ("조찬 모임", "2025-11-21T08:00", "2025-11-21T09:00")),
        ("수요일 3시 미팅", ("미팅", "2025-11-19T15:00", "2025-11-19T16:00")),
        ("설날에 세배 가기", ("세배 가기", "2026-02-17", "2026-02-18")),
        # A month by name with 말 / 말일 / 마지막 날: that month's last day.
        ("4월 말까지 논문 초안", ("논문 초안", "2026-04-30", "2026-05-01")),
        # A holiday before the people one goes with only says when.
        ("어린이날 조카랑 놀이동산", ("조카랑 놀이동산", "2026-05-05", "2026-05-06")),
        ("2월 말일에 이사", ("이사", "2026-02-28", "2026-03-01")),
        ("11월 마지막 날 대청소", ("대청소", "2025-11-30", "2025-12-01")),
        ("설 연휴에 고향 가기", ("고향 가기", "2026-02-16", "2026-02-19")),
        ("추석 전날 장보기", ("장보기", "2026-09-24", "2026-09-25")),
        ("광복절 연휴에 캠핑", ("캠핑", "2026-08-14", "2026-08-17")),
        ("한글날 다음날 오전 10시 회의", ("회의", "2026-10-10T10:00", "2026-10-10T11:00")),
        ("어버이날 오후 6시 부모님 식사", ("부모님 식사", "2026-05-08T18:00", "2026-05-08T19:00")),
        ("내년 설날 가족 여행", ("가족 여행", "2026-02-17", "2026-02-18")),
        ("다음 주말에 부산 여행", ("부산 여행", "2025-11-22", "2025-11-24")),
        ("이번 주말 캠핑 잡아줘", ("캠핑", "2025-11-15", "2025-11-17")),
        ("이달 말까지 보고서 제출", ("보고서 제출", "2025-11-30", "2025-12-01")),
        ("다음 주 수요일까지 견적서 보내기", ("견적서 보내기", "2025-11-19", "2025-11-20")),
        ("7pm 저녁 약속", ("저녁 약속", "2025-11-14T19:00", "2025-11-14T20:00")),
        ("내일 10:30am 면접", ("면접", "2025-11-15T10:30", "2025-11-15T11:30")),
        ("모레 2:30 PM 치과", ("치과", "2025-11-16T14:30", "2025-11-16T15:30")),
        ("내일 1:00 점심 미팅", ("점심 미팅", "2025-11-15T13:00", "2025-11-15T14:00")),
        ("내일 06:30 조깅", ("조깅", "2025-11-15T06:30", "2025-11-15T07:30")),
        ("내일 9:15 스탠드업", ("스탠드업", "2025-11-15T09:15", "2025-11-15T10:15")),
        ("다섯 시 반에 친구 만나기", ("친구 만나기", "2025-11-14T17:30", "2025-11-14T18:30")),
        ("내일 아홉 시 회의", ("회의", "2025-11-15T09:00", "2025-11-15T10:00")),
        ("내일 자정 마감", ("마감", "2025-11-16T00:00", "2025-11-16T01:00")),
        ("다음주 화요일 새벽 운동", ("운동", "2025-11-18T06:00", "2025-11-18T07:00")),
        ("목요일 점심 동기 모임", ("동기 모임", "2025-11-20T12:00", "2025-11-20T13:00")),
        ("토요일 밤 영화", ("영화", "2025-11-15T21:00", "2025-11-15T22:00")),
        ("내일 오전 3시쯤 비행기", ("비행기", "2025-11-15T03:00", "2025-11-15T04:00")),
        ("2시간 30분 뒤 회의", ("회의", "2025-11-14T12:30", "2025-11-14T13:30")),
        ("15분 후에 전화하기", ("전화하기", "2025-11-14T10:15", "2025-11-14T11:15")),
        ("1시간 반 뒤 빨래", ("빨래", "2025-11-14T11:30", "2025-11-14T12:30")),
        ("3월 2일부터 3박 4일 제주 여행", ("제주 여행", "2026-03-02", "2026-03-06")),
    ],
)
def test_days_and_hours(text, expected, now):
    assert _when(text, now) == expected


def test_a_part_of_the_day_says_what_it_assumed(now):
    result = parse("내일 저녁 가족 외식", now=now)
    assert result.event.start.hour == 19
    assert any("저녁" in note for note in result.assumptions)


@pytest.mark.parametrize(
    "text, title",
    [
        ("다음 주 중에 치과 가기", "치과 가기"),
        ("이번 주 안에 보고서 정리", "보고서 정리"),
        ("월초에 정산 회의", "정산 회의"),
        ("다음 달 초에 워크숍", "워크숍"),
        ("내년 3월 초에 이사", "이사"),
        ("1월 초 가족 여행", "가족 여행"),
        ("다음 주에 회의 잡아줘", "회의"),
        ("운동 일정 잡아줘", "운동"),
    ],
)
def test_vague_spans_need_a_date(text, title, now):
    result = parse(text, now=now)
    assert result.intent == "create_event" and result.needs == ("date",)
    assert (result.event.title, result.event.start, result.event.start_date) == (title, None, None)


def test_a_vague_span_keeps_its_place(now):
    result = parse("다음 주 중에 홍대에서 동아리 모임", now=now)
    assert (result.needs, result.event.location) == (("date",), "홍대")


@pytest.mark.parametrize(
    "text, time_of_day",
    [
        ("다음 주 중에 오후 3시 치과 가야 돼", ("15:00", 60)),
        ("이번 주 안에 오후 2시부터 4시까지 회의", ("14:00", 120)),
        ("다음 주 중에 치과 가야 돼", None),
    ],
)
def test_a_vague_span_keeps_the_time_it_gave_apart_from_the_spec(text, time_of_day, now):
    """The day is asked; the time said is kept for it (not SPEC JSON: start stays null)."""
    result = parse(text, now=now)
    assert result.needs == ("date",) and result.time_of_day == time_of_day
    assert result.to_spec_json()["event"]["start"] is None
    assert "time_of_day" not in result.to_spec_json()


def test_years_and_the_end_of_the_year():
    from datetime import datetime

    now = datetime.fromisoformat("2025-12-21T21:30:00+09:00")
    remaining = parse("올해 남은 일정 알려줘", now=now).range
    assert (remaining.start, remaining.end.isoformat()) == (now, "2026-01-01T00:00:00+09:00")
    assert parse("내년 일정 보여줘", now=now).range.end.isoformat() == "2027-01-01T00:00:00+09:00"
    due = parse("연말까지 보고서 마감", now=now).event
    assert (due.title, due.start_date.isoformat()) == ("보고서 마감", "2025-12-31")
    assert parse("올해 안에 건강검진 받기", now=now).needs == ("date",)
    assert parse("연말정산 서류 제출 다음 달 말까지", now=now).event.title == "연말정산 서류 제출"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("셋째 주 금요일 동아리", ("동아리", "2026-03-20", "2026-03-21")),
        ("첫째 주 월요일 회의", ("회의", "2026-03-02", "2026-03-03")),  # today is March's
        ("첫째 주 일요일 등산", ("등산", "2026-04-05", "2026-04-06")),  # March's has passed
        ("이번 달 마지막 금요일 회식", ("회식", "2026-03-27", "2026-03-28")),
        ("설날 당일 차례", ("차례", "2027-02-07", "2027-02-08")),
        ("석가탄신일 다음날 출근", ("출근", "2026-05-25", "2026-05-26")),
        ("어린이날에 조카랑 놀이공원", ("조카랑 놀이공원", "2026-05-05", "2026-05-06")),
    ],
)
def test_nth_weekdays_and_holiday_days(text, expected):
    from datetime import datetime

    assert _when(text, datetime.fromisoformat("2026-03-02T08:10:00+09:00")) == expected
