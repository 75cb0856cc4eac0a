"""A recurrence rule in Korean, over many rules (dialogue.recurrence_words)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from router_service.dialogue.recurrence_words import (
    GENERIC,
    end_words,
    is_finite,
    parse_rule,
    rule_words,
    series_label,
)
from router_service.dialogue.series import nearest_half_day, said_bare_hour, scope_answer

SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")
TUESDAY = date(2026, 4, 21)


def words(rule: str, first: date = TUESDAY) -> str:
    return rule_words([f"RRULE:{rule}"], first=first, zone=SEOUL)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("FREQ=DAILY", "매일"),
        ("FREQ=DAILY;INTERVAL=2", "2일마다"),
        ("FREQ=DAILY;INTERVAL=10", "10일마다"),
        ("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "평일 매일"),
        ("FREQ=WEEKLY", "매주 화요일"),  # the first occurrence's weekday
        ("FREQ=WEEKLY;BYDAY=TU", "매주 화요일"),
        ("FREQ=WEEKLY;BYDAY=SU", "매주 일요일"),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "매주 월·수·금요일"),
        ("FREQ=WEEKLY;BYDAY=FR,MO,WE", "매주 월·수·금요일"),  # order as the week goes
        ("FREQ=WEEKLY;BYDAY=TU,TH", "매주 화·목요일"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "평일 매일"),
        ("FREQ=WEEKLY;BYDAY=SA,SU", "매주 주말"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU", "매일"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "격주 금요일"),
        ("FREQ=WEEKLY;BYDAY=FR;INTERVAL=2", "격주 금요일"),  # parameters in any order
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "격주 월·목요일"),
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=WE", "3주마다 수요일"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR", "격주 평일"),
        ("FREQ=WEEKLY;INTERVAL=2", "격주 화요일"),
        ("FREQ=WEEKLY;WKST=SU;BYDAY=TU", "매주 화요일"),
        ("FREQ=MONTHLY;BYMONTHDAY=25", "매달 25일"),
        ("FREQ=MONTHLY;BYMONTHDAY=1", "매달 1일"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,15", "매달 1·15일"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "매달 마지막 날"),
        ("FREQ=MONTHLY;BYMONTHDAY=15,-1", "매달 15일·마지막 날"),
        ("FREQ=MONTHLY", "매달 21일"),  # the first occurrence's day
        ("FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=10", "2개월마다 10일"),
        ("FREQ=MONTHLY;INTERVAL=3", "3개월마다 21일"),
        ("FREQ=MONTHLY;BYDAY=1MO", "매달 첫째 월요일"),
        ("FREQ=MONTHLY;BYDAY=2TU", "매달 둘째 화요일"),
        ("FREQ=MONTHLY;BYDAY=3WE", "매달 셋째 수요일"),
        ("FREQ=MONTHLY;BYDAY=4TH", "매달 넷째 목요일"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "매달 마지막 금요일"),
        ("FREQ=MONTHLY;BYDAY=+1MO", "매달 첫째 월요일"),
        ("FREQ=MONTHLY;INTERVAL=2;BYDAY=1SA", "2개월마다 첫째 토요일"),
        ("FREQ=MONTHLY;BYDAY=1MO,1TH", "매달 첫째 월·목요일"),
        ("FREQ=YEARLY", "매년 4월 21일"),
        ("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=14", "매년 3월 14일"),
        ("FREQ=YEARLY;INTERVAL=2", "2년마다 4월 21일"),
        ("freq=weekly;byday=tu", "매주 화요일"),  # case does not matter
    ],
)
def test_rules_in_korean(rule: str, expected: str) -> None:
    assert words(rule) == expected


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=HOURLY",  # Google has none; never described wrongly
        "FREQ=MINUTELY;INTERVAL=15",
        "FREQ=WEEKLY;BYDAY=TU;BYHOUR=9,17",
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1",
        "FREQ=MONTHLY;BYDAY=MO",  # every Monday of the month: no ordinal to say
        "FREQ=MONTHLY;BYDAY=1MO,2TU",
        "FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=3",
        "FREQ=MONTHLY;BYMONTHDAY=-3",
        "FREQ=YEARLY;BYMONTH=3,9",
        "FREQ=YEARLY;BYDAY=1MO;BYMONTH=5",
        "FREQ=WEEKLY;INTERVAL=0",
        "FREQ=WEEKLY;INTERVAL=x",
        "FREQ=WEEKLY;BYDAY=XX",
        "",
    ],
)
def test_what_the_words_cannot_say_is_plain_repeat(rule: str) -> None:
    assert words(rule) == GENERIC


def test_no_rule_at_all_is_plain_repeat() -> None:
    assert rule_words(None, first=TUESDAY, zone=SEOUL) == GENERIC
    assert rule_words(["EXDATE:20260428T100000Z"], first=TUESDAY, zone=SEOUL) == GENERIC


def test_the_rrule_line_is_found_among_exdates_and_rdates() -> None:
    lines = ["EXDATE;TZID=Asia/Seoul:20260428T190000", "RRULE:FREQ=WEEKLY;BYDAY=TU"]
    assert rule_words(lines, first=TUESDAY, zone=SEOUL) == "매주 화요일"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("FREQ=WEEKLY;BYDAY=TU", "4월 21일부터"),
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=10", "4월 21일부터 10회"),
        ("FREQ=DAILY;COUNT=1", "4월 21일부터 1회"),
        # 23:59:59 Seoul as UTC: still 6월 30일 where the person is
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;UNTIL=20260630T145959Z", "4월 21일부터 6월 30일까지"),
        ("FREQ=DAILY;UNTIL=20260630", "4월 21일부터 6월 30일까지"),  # all-day: a date
        ("FREQ=MONTHLY;BYMONTHDAY=25;UNTIL=20270131T145959Z", "4월 21일부터 2027년 1월 31일까지"),
    ],
)
def test_where_a_series_starts_and_ends(rule: str, expected: str) -> None:
    assert end_words([f"RRULE:{rule}"], first=TUESDAY, zone=SEOUL) == expected


def test_a_first_date_in_another_year_still_reads_without_its_own_year() -> None:
    # The proposal adds the year when the whole date is not this year; the rule's end only
    # says a year when it differs from the first's.
    first = date(2027, 3, 14)
    assert end_words(["RRULE:FREQ=YEARLY;COUNT=3"], first=first, zone=SEOUL) == "3월 14일부터 3회"


def test_until_is_the_day_in_the_persons_zone() -> None:
    # 2026-07-01 03:59:59 UTC is still June 30 in New York (and July 1 in Seoul).
    rule = ["RRULE:FREQ=DAILY;UNTIL=20260701T035959Z"]
    assert end_words(rule, first=TUESDAY, zone=NEW_YORK) == "4월 21일부터 6월 30일까지"
    assert end_words(rule, first=TUESDAY, zone=SEOUL) == "4월 21일부터 7월 1일까지"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("FREQ=WEEKLY;BYDAY=TU", "매주 화요일"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=10", "평일 매일, 10회"),
        ("FREQ=MONTHLY;BYMONTHDAY=25;UNTIL=20261231T145959Z", "매달 25일, 12월 31일까지"),
    ],
)
def test_series_label_is_the_rule_and_its_end(rule: str, expected: str) -> None:
    assert series_label([f"RRULE:{rule}"], first=TUESDAY, zone=SEOUL) == expected


def test_finite_series() -> None:
    assert is_finite(["RRULE:FREQ=DAILY;COUNT=3"], zone=SEOUL)
    assert is_finite(["RRULE:FREQ=DAILY;UNTIL=20260630"], zone=SEOUL)
    assert not is_finite(["RRULE:FREQ=DAILY"], zone=SEOUL)
    assert not is_finite(None, zone=SEOUL)


def test_parse_rule_reads_ordinals_and_lists() -> None:
    rule = parse_rule(["RRULE:FREQ=MONTHLY;BYDAY=-1FR;INTERVAL=2"], zone=SEOUL)
    assert rule is not None
    assert rule.freq == "MONTHLY" and rule.interval == 2 and rule.days == ((-1, 4),)
    assert parse_rule(["RRULE:FREQ=WEEKLY;COUNT=abc"], zone=SEOUL) is None


@pytest.mark.parametrize(
    ("said", "event_hour", "expected"),
    [
        (8, 19, 20),
        (8, 9, 8),
        (16, 10, 16),
        (17, 10, 17),
        (13, 9, 13),
        (15, 22, 15),
        (7, 20, 19),
        (11, 23, 23),
    ],
)
def test_a_bare_hour_takes_the_events_half_of_the_day(said, event_hour, expected) -> None:
    assert nearest_half_day(said, event_hour) == expected


@pytest.mark.parametrize(
    ("text", "bare"),
    [
        ("영어 스터디 8시로", True),
        ("오후 8시로 바꿔줘", False),
        ("20시로", False),
        ("8:30으로", True),
    ],
)
def test_a_bare_hour_is_one_without_a_half_of_the_day(text, bare) -> None:
    assert said_bare_hour(text) is bare


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("이번만", "one"),
        ("이번 것만 해줘", "one"),
        ("1번", "one"),
        ("이후 전부", "following"),
        ("앞으로 다", "following"),
        ("2번", "following"),
        ("전체", "all"),
        ("전부 지워줘", "all"),
        ("3번", "all"),
        ("글쎄", None),
        ("10시", None),
    ],
)
def test_typed_answers_to_the_scope_question(text, scope) -> None:
    assert scope_answer(text) == scope
