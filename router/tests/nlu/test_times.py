"""Hours, minutes, markers, ranges and lengths (now: Friday 2025-11-14 10:00 Seoul)."""

from __future__ import annotations

from datetime import datetime

import pytest

from router_service.nlu.parser import parse


def _span(text: str, now: datetime) -> tuple[str, str]:
    spec = parse(text, now=now).to_spec_json()["event"]
    return spec["start"][11:16], spec["end"][11:16]


@pytest.mark.parametrize(
    "text, start",
    [
        ("내일 오전 9시 회의", "09:00"),
        ("내일 오후 3시 회의", "15:00"),
        ("내일 오후3시 회의", "15:00"),
        ("내일 아침 7시 조깅", "07:00"),
        ("내일 새벽 2시 배포", "02:00"),
        ("내일 저녁 7시 회식", "19:00"),
        ("내일 밤 9시 운동", "21:00"),
        ("내일 낮 1시 회의", "13:00"),
        ("내일 정오 점심", "12:00"),
        ("내일 오후 12시 회의", "12:00"),
        ("내일 오전 12시 회의", "00:00"),
        ("내일 1시 회의", "13:00"),
        ("내일 6시 회의", "18:00"),
        ("내일 7시 회의", "07:00"),
        ("내일 11시 회의", "11:00"),
        ("내일 12시 회의", "12:00"),
        ("내일 14시 회의", "14:00"),
        ("내일 3시 반 회의", "15:30"),
        ("내일 3시 15분 회의", "15:15"),
        ("내일 3시15분 회의", "15:15"),
        ("내일 15:45 회의", "15:45"),
        ("내일 세 시 반 회의", "15:30"),
        ("내일 열두 시 점심", "12:00"),
        ("내일 열한시 회의", "11:00"),
        ("내일 다섯 시 삼십 분 회의", "17:30"),
        ("내일 점심 김대리", "12:00"),
        ("내일 저녁 동창들", "19:00"),
        ("내일 오후에 회의", "14:00"),
        ("내일 오전 중 보고서 제출", "09:00"),
        ("오늘 밤 영화", "21:00"),
        ("내일 점심에 김대리", "12:00"),
    ],
)
def test_start_times(text, start, now):
    assert _span(text, now)[0] == start


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("내일 오후 2시부터 4시까지 워크숍", "14:00", "16:00"),
        ("내일 07:40~12시 검진", "07:40", "12:00"),
        ("내일 13:00-14:30 코드 리뷰", "13:00", "14:30"),
        ("내일 10시부터 2시까지 워크숍", "10:00", "14:00"),
        ("내일 오전 11시부터 1시까지 회의", "11:00", "13:00"),
        ("내일 오전 9시~오후 6시 교육", "09:00", "18:00"),
        ("내일 2시~4시 회의", "14:00", "16:00"),
        ("내일 3시에서 5시까지 회의", "15:00", "17:00"),
        ("내일 오후 3시에 2시간 동안 스터디", "15:00", "17:00"),
        ("내일 오후 3시 30분 동안 통화", "15:00", "15:30"),
        ("내일 4시 1시간 반 동안 면접", "16:00", "17:30"),
        ("내일 오후 2시부터 3시간 워크숍", "14:00", "17:00"),
        ("내일 오후 3시 회의", "15:00", "16:00"),
        ("모레 오후 3시 회의 30분", "15:00", "15:30"),
        ("내일 오후 3~5시 회의", "15:00", "17:00"),
        ("내일 10~12시 교육", "10:00", "12:00"),
        ("내일 오후 3시 1시간 회의", "15:00", "16:00"),
    ],
)
def test_ranges_and_lengths(text, start, end, now):
    assert _span(text, now) == (start, end)


def test_an_evening_range_that_crosses_midnight(now):
    spec = parse("내일 밤 11시부터 1시까지 배포", now=now).to_spec_json()["event"]
    assert (spec["start"], spec["end"]) == (
        "2025-11-15T23:00:00+09:00",
        "2025-11-16T01:00:00+09:00",
    )


def test_a_range_over_two_days(now):
    spec = parse("내일 오후 3시부터 모레 오전 10시까지 워크숍", now=now).to_spec_json()["event"]
    assert (spec["start"], spec["end"]) == (
        "2025-11-15T15:00:00+09:00",
        "2025-11-16T10:00:00+09:00",
    )


def test_midnight_is_the_end_of_the_day(now):
    result = parse("오늘 자정 배포", now=now)
    assert result.to_spec_json()["event"]["start"] == "2025-11-15T00:00:00+09:00"
    assert "자정은 그날 밤 12시로 이해했어요" in result.assumptions


def test_relative_times(now):
    assert parse("2시간 뒤 회의", now=now).to_spec_json()["event"]["start"] == (
        "2025-11-14T12:00:00+09:00"
    )
    assert parse("30분 후 통화", now=now).to_spec_json()["event"]["start"] == (
        "2025-11-14T10:30:00+09:00"
    )


@pytest.mark.parametrize(
    "text, note",
    [
        ("내일 3시 회의", "오후 3시로 이해했어요"),
        ("내일 9시 반 회의", "오전 9시 반으로 이해했어요"),
        ("내일 12시 회의", "낮 12시로 이해했어요"),
        ("내일 점심 약속", "점심은 낮 12시로 가정했어요"),
        ("내일 저녁 회식", "저녁은 오후 7시로 가정했어요"),
        ("3시 회의", "날짜가 없어 오늘로 이해했어요"),
        ("내일 오후 3시 회의", "끝 시각이 없어 1시간으로 잡았어요"),
    ],
)
def test_assumptions_are_reported(text, note, now):
    assert note in parse(text, now=now).assumptions


def test_explicit_times_assume_nothing_about_the_hour(now):
    notes = parse("내일 오후 3시부터 4시까지 회의", now=now).assumptions
    assert not any("이해했어요" in n for n in notes)


def test_a_meal_that_names_the_event_stays_in_the_title(now):
    event = parse("내일 점심 약속", now=now).event
    assert event.title == "점심 약속"
    assert event.start.hour == 12
    assert parse("내일 저녁 회식", now=now).event.title == "회식"
