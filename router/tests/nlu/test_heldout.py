"""The held-out set: messages written from the SPEC alone, scored field by field.

Its first figure (before the rules it showed missing were written) and the current one
are in docs/nlu.md. Every line must stay understood, and no message, however mangled,
may make the parser fail.
"""

from __future__ import annotations

from datetime import datetime
from typing import get_args

from hypothesis import given, settings
from hypothesis import strategies as st

from router_service.nlu.schemas import Intent
from router_service.nlu.service import parse_message

SPEC_INTENTS = set(get_args(Intent))


def test_the_set_covers_every_intent_and_its_forms(heldout_corpus):
    assert len(heldout_corpus) >= 500
    assert {c["expect"]["intent"] for c in heldout_corpus} == SPEC_INTENTS
    events = [c["expect"]["event"] for c in heldout_corpus if "event" in c["expect"]]
    assert any(e["recurrence"] for e in events) and any(e["reminder_minutes"] for e in events)
    assert any(c["expect"].get("events") for c in heldout_corpus)
    assert any(c["expect"].get("needs") for c in heldout_corpus)


def test_every_held_out_message_is_understood(heldout_corpus, misread):
    assert misread(heldout_corpus) == {}


@st.composite
def mangled(draw, texts: list[str]) -> str:
    """A held-out message with letters dropped, doubled or spaces and emoji put in."""
    text = list(draw(st.sampled_from(texts)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["drop", "double", "space", "emoji", "join"]))
        if edit == "drop" and at < len(text):
            del text[at]
        elif edit == "double" and at < len(text):
            text.insert(at, text[at])
        elif edit == "space":
            text.insert(at, " ")
        elif edit == "emoji":
            text.insert(at, draw(st.sampled_from(["🙏", "ㅋㅋ", "!!", "~", "ㅠㅠ", "?"])))
        elif edit == "join" and at < len(text) and text[at] == " ":
            del text[at]
    return "".join(text)


def test_mangled_messages_always_give_a_valid_result(heldout_corpus):
    texts = [c["text"] for c in heldout_corpus]
    now = datetime.fromisoformat("2025-11-14T10:00:00+09:00")

    @settings(max_examples=400, deadline=None)
    @given(text=mangled(texts))
    def check(text):
        result = parse_message(text, now=now)  # validates through pydantic
        assert 0.0 <= result.confidence <= 1.0

    check()


def test_long_messages_give_a_valid_result(heldout_corpus):
    """Every message at once, and long runs of one syllable (a regex that tries every letter
    as a start on a long word would take quadratic time here: see docs/nlu.md)."""
    now = datetime.fromisoformat("2025-11-14T10:00:00+09:00")
    texts = [c["text"] for c in heldout_corpus]
    for text in ["\n".join(texts), " ".join(texts), *(s * 4000 for s in ("빼", "가", "야", "싶"))]:
        assert parse_message(text, now=now).intent in SPEC_INTENTS
