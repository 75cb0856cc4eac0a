"""Corrections in more wordings (a place, a title, a shift in Korean counts), an update's
``time`` when no day is named, answers typed one letter off, and numbered answers."""

from __future__ import annotations

import pytest

from router_service.nlu import typos
from router_service.nlu.choices import choice_number
from router_service.nlu.parser import parse


@pytest.mark.parametrize(
    ("text", "changes"),
    [
        ("장소는 강남역", {"location": "강남역"}),
        ("장소는 강남역으로 바꿔줘", {"location": "강남역"}),
        ("장소는 테헤란로", {"location": "테헤란로"}),
        ("위치 본사 3층 회의실로 변경해 주세요", {"location": "본사 3층 회의실"}),
        ("장소 홍대입구역으로 해 주세요", {"location": "홍대입구역"}),
        ("제목은 주간 회의로 고쳐줘", {"title": "주간 회의"}),
        ("이름 분기 리뷰로", {"title": "분기 리뷰"}),
        ("반시간 일찍", {"shift_minutes": -30}),
        ("한 시간 늦게", {"shift_minutes": 60}),
        ("두 시간 뒤로", {"shift_minutes": 120}),
        ("응 근데 한 시간만 미뤄줘", {"shift_minutes": 60}),
    ],
)
def test_corrections_in_more_wordings(text, changes, now):
    result = parse(text, now=now).to_spec_json()
    assert result["intent"] == "amend", result
    assert {k: result["changes"][k] for k in changes} == changes


@pytest.mark.parametrize("text", ["위치 확인해줘", "장소는 어디야?", "이름이 뭐야", "0분 늦게"])
def test_questions_about_a_slot_are_no_corrections(text, now):
    assert parse(text, now=now).intent != "amend"


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("30분만 늦춰줘", 30), ("1시간만 당겨줘", -60), ("팀 미팅 20분 정도 미뤄줘", 20)],
)
def test_a_shift_with_only_or_about(text, minutes, now):
    result = parse(text, now=now)
    assert result.intent == "update_event"
    assert result.changes.shift_minutes == minutes
    assert result.target.title in (None, "팀 미팅")


@pytest.mark.parametrize(
    ("text", "time", "day_named"),
    [
        ("회의 4시로 바꿔줘", "16:00", False),
        ("금요일 회의 오전 11시로 옮겨줘", "11:00", False),
        ("팀 미팅 내일 4시로 옮겨줘", None, True),
    ],
)
def test_an_update_says_when_only_a_time_is_named(text, time, day_named, now):
    result = parse(text, now=now)
    assert result.intent == "update_event"
    assert result.changes.time == time
    assert result.changes.start is not None


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("그레", "approve"),
        ("그레요", "approve"),
        ("그랭", "approve"),
        ("조아", "approve"),
        ("조아요", "approve"),
        ("알겟어", "approve"),
        ("넴", "approve"),
        ("그레 해줘", "approve"),
        ("마자", "approve"),
        ("아니여", "reject"),
        ("시러요", "reject"),
        ("괜차나", "reject"),
    ],
)
def test_answers_typed_one_letter_off(text, intent, now):
    assert parse(text, now=now).intent == intent


@pytest.mark.parametrize("text", ["그림", "회의", "치과", "팀 미팅", "네모", "조명"])
def test_other_words_are_not_taken_for_answers(text, now):
    assert parse(text, now=now).intent not in ("approve", "reject")


def test_a_word_near_both_answers_is_not_guessed():
    assert typos.fix_word("그래") is None  # already a word
    assert typos.fix_word("네") is None  # one syllable: too many neighbours
    assert typos.jamo("그레") != typos.jamo("그래")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1번", 1),
        ("2", 2),
        (" 3번이요", 3),
        ("내일 3시", None),
        ("2번요", 2),
        ("3번으로 할게요", 3),
    ],
)
def test_choice_numbers(text, number):
    assert choice_number(text) == number
