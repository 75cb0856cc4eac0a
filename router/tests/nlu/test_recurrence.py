"""Recurrence (SPEC v2): the words → one RRULE, the first occurrence at or after now, the
recurrence words out of the title. Varied wording, days and ends beyond the worked examples."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr

from router_service.nlu.parser import parse
from router_service.nlu.service import parse_message


def _rule(line: str) -> frozenset[str]:
    return frozenset(line.removeprefix("RRULE:").split(";"))


@pytest.mark.parametrize(
    "text, title, start, rule",
    [
        ("매주 수요일 오후 7시 독서 모임", "독서 모임", "2025-11-19T19:00", "FREQ=WEEKLY;BYDAY=WE"),
        ("목요일마다 저녁 8시 영어 회화", "영어 회화", "2025-11-20T20:00", "FREQ=WEEKLY;BYDAY=TH"),
        ("매주 화목 아침 7시 헬스", "헬스", "2025-11-18T07:00", "FREQ=WEEKLY;BYDAY=TU,TH"),
        (
            "매주 화요일과 목요일 오후 6시 요가",
            "요가",
            "2025-11-18T18:00",
            "FREQ=WEEKLY;BYDAY=TU,TH",
        ),
        (
            # The first matching Monday at or after now (SPEC), not the one after.
            "2주마다 월요일 10시 1:1 미팅",
            "1:1 미팅",
            "2025-11-17T10:00",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
        ),
        (
            # Friday: the first Wednesday is next week's, whatever the interval.
            "격주 수요일 오후 4시 멘토링",
            "멘토링",
            "2025-11-19T16:00",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
        ),
        (
            "3주마다 화요일 저녁 7시 독서회",
            "독서회",
            "2025-11-18T19:00",
            "FREQ=WEEKLY;INTERVAL=3;BYDAY=TU",
        ),
        (
            "매주 목요일 오후 2시 팀 미팅 1월 말까지",
            "팀 미팅",
            "2025-11-20T14:00",
            "FREQ=WEEKLY;BYDAY=TH;UNTIL=20260131T145959Z",
        ),
        (
            "격주로 토요일 오전 11시 봉사활동",
            "봉사활동",
            "2025-11-15T11:00",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA",
        ),
        (
            "매달 15일 오전 9시 카드값 확인",
            "카드값 확인",
            "2025-11-15T09:00",
            "FREQ=MONTHLY;BYMONTHDAY=15",
        ),
        (
            "매달 마지막 주 금요일 오후 4시 전사 회의",
            "전사 회의",
            "2025-11-28T16:00",
            "FREQ=MONTHLY;BYDAY=-1FR",
        ),
        (
            "매달 셋째 주 수요일 저녁 7시 동호회",
            "동호회",
            "2025-11-19T19:00",
            "FREQ=MONTHLY;BYDAY=3WE",
        ),
        ("매일 밤 11시 일기 쓰기 10번", "일기 쓰기", "2025-11-14T23:00", "FREQ=DAILY;COUNT=10"),
        (
            "평일 아침 8시 반 출근 체크",
            "출근 체크",
            "2025-11-17T08:30",
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        ),
        (
            "주말마다 아침 9시 등산 5회",
            "등산",
            "2025-11-15T09:00",
            "FREQ=WEEKLY;BYDAY=SA,SU;COUNT=5",
        ),
        # 23:59:59 in Seoul on the last day is 14:59:59 UTC.
        (
            "매주 금요일 오후 3시 주간 보고 12월 31일까지",
            "주간 보고",
            "2025-11-14T15:00",
            "FREQ=WEEKLY;BYDAY=FR;UNTIL=20251231T145959Z",
        ),
        (
            "매주 월요일 오전 10시 팀 회의 내년 2월까지",
            "팀 회의",
            "2025-11-17T10:00",
            "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260228T145959Z",
        ),
        (
            "매일 오전 7시 영양제 먹기 2주 동안",
            "영양제 먹기",
            "2025-11-15T07:00",
            "FREQ=DAILY;COUNT=14",
        ),
        (
            "매주 월요일, 수요일 저녁 7시 수영",
            "수영",
            "2025-11-17T19:00",
            "FREQ=WEEKLY;BYDAY=MO,WE",
        ),
        (
            "매주 월, 수, 금 오전 6시 수영",
            "수영",
            "2025-11-17T06:00",
            "FREQ=WEEKLY;BYDAY=MO,WE,FR",
        ),
        ("월수금마다 7시 러닝", "러닝", "2025-11-17T07:00", "FREQ=WEEKLY;BYDAY=MO,WE,FR"),
        (
            "매주 토요일 오전 10시 테니스 레슨 10주",
            "테니스 레슨",
            "2025-11-15T10:00",
            "FREQ=WEEKLY;BYDAY=SA;COUNT=10",
        ),
        (
            "매일 아침 9시 스탠드업 미팅 평일만",
            "스탠드업 미팅",
            "2025-11-17T09:00",
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        ),
        ("매일 저녁 10시에 약 먹기 알려줘", "약 먹기", "2025-11-14T22:00", "FREQ=DAILY"),
        (
            "12월부터 매주 화요일 저녁 9시 야간 러닝 4주 동안",
            "야간 러닝",
            "2025-12-02T21:00",
            "FREQ=WEEKLY;BYDAY=TU;COUNT=4",
        ),
    ],
)
def test_timed_rules_and_first_occurrence(text, title, start, rule, now):
    event = parse(text, now=now).event
    assert event.title == title
    assert event.start.isoformat() == f"{start}:00+09:00"
    assert event.end - event.start == timedelta(hours=1)
    assert [_rule(r) for r in event.recurrence] == [_rule(rule)]


@pytest.mark.parametrize(
    "text, title, start, rule",
    [
        ("매월 1일 월세 이체", "월세 이체", "2025-12-01", "FREQ=MONTHLY;BYMONTHDAY=1"),
        ("매년 3월 14일 화이트데이 선물", "화이트데이 선물", "2026-03-14", "FREQ=YEARLY"),
        ("3일마다 화분 물주기", "화분 물주기", "2025-11-14", "FREQ=DAILY;INTERVAL=3"),
        (
            "매달 말일 카드 명세서 정리",
            "카드 명세서 정리",
            "2025-11-30",
            "FREQ=MONTHLY;BYMONTHDAY=-1",
        ),
        (
            "매달 10일 관리비 납부 내년 3월까지",
            "관리비 납부",
            "2025-12-10",
            "FREQ=MONTHLY;BYMONTHDAY=10;UNTIL=20260331",
        ),
    ],
)
def test_all_day_rules(text, title, start, rule, now):
    event = parse(text, now=now).event
    assert (event.title, event.all_day, event.start_date.isoformat()) == (title, True, start)
    assert [_rule(r) for r in event.recurrence] == [_rule(rule)]


def test_today_counts_when_its_hour_is_still_ahead(now):
    # Friday 10:00: a Friday 15:00 rule starts today, a Friday 09:00 rule next week.
    assert parse("매주 금요일 오후 3시 회고", now=now).event.start.day == 14
    assert parse("매주 금요일 오전 9시 회고", now=now).event.start.day == 21


def test_a_plain_event_has_no_recurrence(now):
    assert parse("내일 오후 3시 팀 미팅", now=now).event.recurrence is None


def test_a_rule_beside_joined_days_keeps_its_first_occurrence():
    """Found by the property test: a joined day after a weekly rule once moved the event off
    the rule's days (a Wednesday carrying BYDAY=TU)."""
    now = datetime(2020, 1, 1, tzinfo=ZoneInfo("Asia/Seoul"))
    result = parse_message("내일 매주 화요일 이랑 모레", now=now, time_zone="Asia/Seoul")
    for event in (result.event, *(result.events or ())):
        first = datetime.combine(event.start_date, time())
        for line in event.recurrence or ():
            assert rrulestr(line, dtstart=first).after(first, inc=True) == first


@pytest.mark.parametrize(
    "text",
    [
        "매주 월요일 오전 9시 주간 보고 0회",
        "매일 밤 11시 일기 쓰기 0번",
        "매주 월요일 9시 주간 보고 0주 동안",
    ],
)
def test_a_count_of_zero_asks_how_long_instead_of_a_rule_with_no_occurrence(text, now):
    # Found by the mangled-messages property (10회 with its 1 dropped): COUNT=0 failed validation.
    result = parse_message(text, now=now)
    assert result.intent == "create_event"
    assert result.event is not None and result.event.recurrence is None
    assert result.needs == ["date"]
