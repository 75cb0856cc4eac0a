"""Greetings and chit-chat are no requests, even when they name a part of the day."""

from __future__ import annotations

import pytest

from router_service.nlu.parser import parse


@pytest.mark.parametrize(
    "text",
    [
        "좋은 아침",
        "좋은 아침이에요!",
        "굿모닝~",
        "좋은 밤 되세요",
        "좋은 저녁 보내세요",
        "좋은 주말 보내",
        "안녕하세요",
        "고마워요",
        "잘 지내?",
        "Hello, can you add a meeting tomorrow at 3pm?",
    ],
)
def test_greetings_and_chit_chat_are_other(text, now):
    assert parse(text, now=now).intent == "other"


@pytest.mark.parametrize("text", ["좋은 아침 회의 잡아줘", "내일 아침 9시 좋은 사람들 모임"])
def test_an_event_that_starts_with_a_kind_word_stays_an_event(text, now):
    assert parse(text, now=now).intent == "create_event"
