"""Impossible or out-of-range dates and clocks: a low-confidence result the dialogue asks
about, never a guessed day and never an exception (year 9999 once raised → HTTP 500)."""

from __future__ import annotations

from datetime import datetime

import pytest

from router_service.nlu.llm import LOW_CONFIDENCE
from router_service.nlu.parser import parse
from router_service.nlu.service import parse_message


@pytest.mark.parametrize(
    "text",
    [
        "2월 30일 회의",
        "4월 31일 오후 3시 미팅",
        "13월 5일 회의",
        "99시 회의",
        "내일 25시 미팅",
        "9999년 12월 31일 회의",
        "0001년 1월 1일 회의",
        "10000년 1월 1일 회의",
    ],
)
def test_an_impossible_date_is_asked_about_not_guessed(text, now):
    result = parse(text, now=now)
    assert result.intent == "create_event"
    assert result.needs == ("date",)
    assert result.event.start is None and result.event.start_date is None
    assert result.confidence < LOW_CONFIDENCE


@pytest.mark.parametrize(
    "text, intent, changes, target_day",
    [
        ("치과 2월 30일로 옮겨줘", "update_event", False, None),
        ("치과 2월 30일 오후 3시로 옮겨줘", "update_event", False, None),
        ("치과 내일 99시로 바꿔줘", "update_event", False, None),
        ("2월 30일 치과 4시로 옮겨줘", "update_event", True, None),
        ("2월 30일 치과 취소해줘", "delete_event", False, None),
    ],
)
def test_an_impossible_date_in_a_change_is_refused_not_guessed(
    text, intent, changes, target_day, now
):
    """The new value (or the event's day) is unknown: never today, never any 치과."""
    result = parse(text, now=now)
    assert (result.intent, result.refused) == (intent, True)
    assert (result.changes is not None) == changes
    assert result.target.title == "치과" and result.target.date == target_day
    assert "없는" in result.assumptions[0]
    assert result.confidence < LOW_CONFIDENCE


@pytest.mark.parametrize(
    "text, clock",
    [
        ("내일 3시 회의", "9999-12-31T10:00:00+09:00"),
        ("다음 달 일정 알려줘", "9999-12-31T10:00:00+09:00"),
        ("매주 월요일 9시 회의", "9999-12-31T10:00:00+09:00"),
        ("크리스마스 파티", "9999-12-31T10:00:00+09:00"),
        ("어제 일정 보여줘", "0001-01-01T10:00:00+09:00"),
        ("지난주 금요일에 뭐 있었지?", "0001-01-01T10:00:00+09:00"),
        ("치과 언제야?", "9999-12-31T10:00:00+09:00"),
    ],
)
def test_a_clock_at_the_edge_of_time_never_raises(text, clock):
    result = parse_message(text, now=datetime.fromisoformat(clock))
    assert result.confidence <= 0.5 or result.intent != "other"


async def test_the_api_answers_a_clock_in_year_9999_without_a_500(client, service_headers):
    response = await client.post(
        "/internal/nlu/parse",
        json={"text": "내일 오후 3시 팀 미팅", "now": "9999-12-31T10:00:00+09:00"},
        headers=service_headers,
    )
    assert response.status_code == 200
    assert response.json()["confidence"] < LOW_CONFIDENCE
