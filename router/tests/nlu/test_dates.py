"""Days, weeks, months and named days (now: Friday 2025-11-14 10:00 Seoul)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from korean_lunar_calendar import KoreanLunarCalendar

from router_service.nlu import dates
from router_service.nlu.parser import parse


def _day(text: str, now: datetime) -> date:
    event = parse(text, now=now).event
    assert event is not None and event.all_day, event
    return event.start_date


@pytest.mark.parametrize(
    "text, expected",
    [
        ("오늘 회의", "2025-11-14"),
        ("내일 회의", "2025-11-15"),
        ("낼 회의", "2025-11-15"),
        ("모레 회의", "2025-11-16"),
        ("내일모레 회의", "2025-11-16"),
        ("글피 회의", "2025-11-17"),
        ("3일 뒤 회의", "2025-11-17"),
        ("10일 후 회의", "2025-11-24"),
        ("이틀 뒤 회의", "2025-11-16"),
        ("2주 뒤 회의", "2025-11-28"),
        ("2주 뒤 월요일 회의", "2025-11-24"),
        ("한 달 뒤 회의", "2025-12-14"),
        ("이번 주 월요일 회의", "2025-11-10"),
        ("이번주 일요일 회의", "2025-11-16"),
        ("다음주 화요일 회의", "2025-11-18"),
        ("담주 화요일 회의", "2025-11-18"),
        ("다다음주 수요일 회의", "2025-11-26"),
        ("다음 주 금욜 회의", "2025-11-21"),
        ("수요일 회의", "2025-11-19"),
        ("이번 주말 캠핑", "2025-11-15"),
        ("다음 주말 캠핑", "2025-11-22"),
        ("11월 24일 회의", "2025-11-24"),
        ("11월24일 회의", "2025-11-24"),
        ("11월 1일 회의", "2026-11-01"),
        ("12/3 회의", "2025-12-03"),
        ("2026년 1월 9일 회의", "2026-01-09"),
        ("2026-01-09 회의", "2026-01-09"),
        ("2026.1.9 회의", "2026-01-09"),
        ("내년 3월 1일 이사", "2026-03-01"),
        ("다음 달 5일 세미나", "2025-12-05"),
        ("다음달 5일 세미나", "2025-12-05"),
        ("이번 달 25일 회식", "2025-11-25"),
        ("25일에 회식", "2025-11-25"),
        ("5일에 회식", "2025-12-05"),
        ("다음 달 첫째 주 월요일 회의", "2025-12-01"),
        ("다음 달 둘째 주 화요일 회의", "2025-12-09"),
        ("이번 달 마지막 금요일 회식", "2025-11-28"),
        ("12월 셋째 주 수요일 송년회", "2025-12-17"),
    ],
)
def test_days(text, expected, now):
    assert _day(text, now).isoformat() == expected


def test_month_day_rolls_over_the_year():
    now = datetime.fromisoformat("2025-12-20T18:30:00+09:00")
    assert _day("1월 3일 동창회", now) == date(2026, 1, 3)
    assert "2026년으로 이해했어요" in parse("1월 3일 동창회", now=now).assumptions


def test_bare_day_takes_the_month_of_the_date_before_it(now):
    result = parse("12월 26일부터 28일까지 여행", now=now)
    assert (result.event.start_date, result.event.end_date) == (
        date(2025, 12, 26),
        date(2025, 12, 29),
    )


@pytest.mark.parametrize("text", ["12월 26~28일 제주 여행", "12월 26-28일 제주 여행"])
def test_a_day_range_with_the_unit_written_once(text, now):
    result = parse(text, now=now)
    assert (result.event.start_date, result.event.end_date) == (
        date(2025, 12, 26),
        date(2025, 12, 29),
    )
    assert result.event.title == "제주 여행"


@pytest.mark.parametrize("text", ["다음 주 월~수 출장", "다음주 월요일~수요일 출장"])
def test_a_weekday_range(text, now):
    result = parse(text, now=now)
    assert (result.event.start_date, result.event.end_date) == (
        date(2025, 11, 17),
        date(2025, 11, 20),
    )


def test_a_range_that_crosses_the_month_end(now):
    result = parse("12월 30일부터 1월 2일까지 휴가", now=now)
    assert (result.event.start_date, result.event.end_date) == (
        date(2025, 12, 30),
        date(2026, 1, 3),
    )


def test_a_weekday_range_stays_in_its_week(now):
    result = parse("다음주 금요일부터 월요일까지 여행", now=now)
    assert (result.event.start_date, result.event.end_date) == (
        date(2025, 11, 21),
        date(2025, 11, 25),
    )


def test_a_weekday_label_after_a_date_is_part_of_it(now):
    assert _day("11월 19일 수요일 외부 교육", now) == date(2025, 11, 19)
    assert parse("11월 17일(월) 오후 3시 회의", now=now).event.title == "회의"
    result = parse("11월 17일 월요일부터 19일 수요일까지 교육", now=now)
    assert (result.event.start_date, result.event.end_date) == (
        date(2025, 11, 17),
        date(2025, 11, 20),
    )


def test_days_count(now):
    result = parse("내일부터 3일간 출장", now=now)
    assert (result.event.start_date, result.event.end_date) == (
        date(2025, 11, 15),
        date(2025, 11, 18),
    )
    result = parse("12월 26일부터 2박 3일 제주 여행", now=now)
    assert (result.event.start_date, result.event.end_date) == (
        date(2025, 12, 26),
        date(2025, 12, 29),
    )


def test_an_impossible_date_is_not_a_date(now):
    result = parse("2월 30일 회의", now=now)
    assert result.event.title == "회의"
    assert result.event.start_date is None and result.event.start is None
    assert result.confidence < 0.6
    assert "「2월 30일」은 없는 날짜예요" in result.assumptions


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("내일 99시 회의", "「99시」는 없는 시각이에요"),
        ("4월 31일 오후 2시 치과", "「4월 31일」은 없는 날짜예요"),
        ("11/31 저녁 약속", "「11/31」은 없는 날짜예요"),
        ("모레 3시 75분 통화", "「3시 75분」은 없는 시각이에요"),
    ],
)
def test_what_could_not_be_understood_is_named(now, text, note):
    result = parse(text, now=now)
    assert result.intent == "create_event" and result.event.start is None
    assert note in result.assumptions


@pytest.mark.parametrize(
    "name, expected",
    [
        ("크리스마스", "2025-12-25"),
        ("성탄절", "2025-12-25"),
        ("신정", "2026-01-01"),
        ("삼일절", "2026-03-01"),
        ("어린이날", "2026-05-05"),
        ("현충일", "2026-06-06"),
        ("광복절", "2026-08-15"),
        ("개천절", "2026-10-03"),
        ("한글날", "2026-10-09"),
        ("빼빼로데이", "2026-11-11"),
    ],
)
def test_fixed_holidays(name, expected, now):
    assert _day(f"{name}에 가족 모임", now).isoformat() == expected


def _lunar(year: int, month: int, day: int) -> date:
    calendar = KoreanLunarCalendar()
    assert calendar.setLunarDate(year, month, day, False)
    return date(calendar.solarYear, calendar.solarMonth, calendar.solarDay)


@pytest.mark.parametrize(
    "name, lunar",
    [("설날", (1, 1)), ("추석", (8, 15)), ("정월대보름", (1, 15)), ("석가탄신일", (4, 8))],
)
def test_lunar_holidays_come_from_the_lunar_calendar(name, lunar, now):
    this_year = _lunar(2025, *lunar)
    expected = this_year if this_year >= now.date() else _lunar(2026, *lunar)
    assert _day(f"{name}에 고향 방문", now) == expected


def test_known_lunar_dates():
    assert dates.holiday_date("설날", date(2025, 11, 14)) == date(2026, 2, 17)
    assert dates.holiday_date("추석", date(2025, 11, 14)) == date(2026, 9, 25)
    assert dates.holiday_date("추석", date(2025, 1, 1), 2025) == date(2025, 10, 6)


def test_year_named_holiday(now):
    assert _day("2027년 추석 성묘", now) == _lunar(2027, 8, 15)


def test_holiday_in_a_compound_stays_in_the_title(now):
    event = parse("크리스마스 파티", now=now).event
    assert (event.title, event.start_date) == ("크리스마스 파티", date(2025, 12, 25))


def test_holiday_is_only_a_word_when_a_date_is_named(now):
    event = parse("2025년 12월 24일 크리스마스 파티 준비", now=now).event
    assert (event.title, event.start_date) == ("크리스마스 파티 준비", date(2025, 12, 24))


def test_nth_weekday_helpers():
    assert dates.nth_weekday(2025, 12, 0, 1) == date(2025, 12, 1)
    assert dates.nth_weekday(2025, 11, 4, -1) == date(2025, 11, 28)
    assert dates.nth_weekday(2025, 2, 0, 5) is None
    assert dates.add_months(date(2025, 12, 31), 2) == date(2026, 2, 1)
