"""Korean wording: dates with weekdays, 12-hour times, particles, loose titles."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from router_service.dialogue import formatting as fmt
from shared.time import SEOUL


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025-11-15T15:00+09:00", "2025-11-15T16:00+09:00", "11월 15일(토) 오후 3:00–4:00"),
        ("2025-11-24T07:40+09:00", "2025-11-24T12:00+09:00", "11월 24일(월) 오전 7:40–낮 12:00"),
        ("2025-11-24T00:30+09:00", "2025-11-24T01:00+09:00", "11월 24일(월) 오전 12:30–1:00"),
        (
            "2025-11-24T23:00+09:00",
            "2025-11-25T01:00+09:00",
            "11월 24일(월) 오후 11:00 – 11월 25일(화) 오전 1:00",
        ),
        # An instant in another offset is shown in the user's zone.
        ("2025-11-15T06:00+00:00", "2025-11-15T07:00+00:00", "11월 15일(토) 오후 3:00–4:00"),
    ],
)
def test_timed_span(start, end, expected):
    assert fmt.timed_span(at(start), at(end), SEOUL) == expected


def test_all_day_spans_use_an_exclusive_end():
    assert fmt.all_day_span(date(2025, 11, 24), date(2025, 11, 25)) == "11월 24일(월) 종일"
    assert fmt.all_day_span(date(2025, 12, 26), date(2025, 12, 29)) == "12월 26일(금)–28일(일) 종일"
    assert (
        fmt.all_day_span(date(2025, 11, 30), date(2025, 12, 2)) == "11월 30일(일)–12월 1일(월) 종일"
    )


@pytest.mark.parametrize(
    ("word", "pair", "expected"),
    [
        ("팀 미팅", ("을", "를"), "을"),
        ("검진", ("을", "를"), "을"),
        ("주간 회의", ("이", "가"), "가"),
        ("TDD", ("을", "를"), "을(를)"),
        ("회의 3", ("을", "를"), "을"),
        ("서울", ("으로", "로"), "로"),
        ("강남역", ("으로", "로"), "으로"),
    ],
)
def test_particles_follow_the_last_syllable(word, pair, expected):
    assert fmt.josa(word, *pair) == expected


def test_loose_titles_ignore_spaces_case_and_a_trailing_schedule_word():
    assert fmt.normalise_title("TDD 테스트 일정") == fmt.normalise_title("tdd테스트")
    assert fmt.normalise_title("검진 일정") == "검진"
    assert fmt.normalise_title("일정") == "일정"


def test_range_labels():
    start, end = at("2025-11-17T00:00+09:00"), at("2025-11-18T00:00+09:00")
    assert fmt.range_label(start, end, SEOUL) == "11월 17일(월)"
    week_end = at("2025-11-24T00:00+09:00")
    assert fmt.range_label(start, week_end, SEOUL) == "11월 17일(월)–11월 23일(일)"


@pytest.mark.parametrize(
    ("zone", "moment", "expected"),
    [
        ("Asia/Seoul", "2025-11-15T15:00+09:00", ""),
        ("America/New_York", "2025-11-15T15:00-05:00", " (뉴욕 시간)"),
        ("Asia/Tokyo", "2025-11-15T15:00+09:00", " (도쿄 시간)"),
        ("UTC", "2025-11-15T15:00+00:00", " (UTC 기준)"),
        ("Asia/Kathmandu", "2025-11-15T15:00+05:45", " (UTC+5:45 기준)"),
        # A zone without a Korean name is shown by its offset at that moment (summer time).
        ("America/Halifax", "2025-07-01T09:00-03:00", " (UTC-3 기준)"),
        ("America/Halifax", "2025-12-01T09:00-04:00", " (UTC-4 기준)"),
    ],
)
def test_zone_note_names_every_zone_but_seoul(zone, moment, expected):
    assert fmt.zone_note(ZoneInfo(zone), at(moment)) == expected


def test_event_when_names_the_zone_of_times_but_not_of_days():
    new_york = ZoneInfo("America/New_York")
    timed = {"start": "2025-11-14T20:00+00:00", "end": "2025-11-14T21:00+00:00"}
    assert fmt.event_when(timed, new_york) == "11월 14일(금) 오후 3:00–4:00 (뉴욕 시간)"
    assert fmt.event_when(timed, SEOUL) == "11월 15일(토) 오전 5:00–6:00"
    all_day = {"all_day": True, "start_date": "2025-11-24", "end_date": "2025-11-25"}
    assert fmt.event_when(all_day, new_york) == "11월 24일(월) 종일"
