"""The optional LLM fallback, against the OpenAI-compatible emulator in its own process."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from openai import AsyncOpenAI

from openai_emulator.testing import run_emulator
from router_service.config import RouterSettings
from router_service.main import create_app
from router_service.nlu.llm import LOW_CONFIDENCE, OpenAiNluParser
from router_service.nlu.service import LLM_ASSUMPTION, parse_message, parse_with_fallback
from shared.testing import serve_app

UNSURE = "회의 잡아줘"  # a request with no day or time: the rules are unsure
LLM_EVENT = {
    "intent": "create_event",
    "event": {
        "title": "회의",
        "start": "2025-11-17T10:00:00+09:00",
        "end": "2025-11-17T11:00:00+09:00",
        "all_day": False,
        "location": None,
    },
    "range": None,
    "target": None,
    "changes": None,
    "confidence": 0.9,
    "assumptions": ["다음 주 월요일 오전 10시로 가정했어요"],
}


@pytest.fixture(scope="module")
def emulator():
    with run_emulator() as running:
        yield running


@pytest.fixture
def llm(emulator):
    emulator.reset()
    client = AsyncOpenAI(api_key="test-key", base_url=emulator.base_url + "/v1", max_retries=0)
    return OpenAiNluParser(model="gpt-4o-mini", timeout_seconds=1.0, client=client)


def test_the_unsure_example_is_below_the_threshold(now):
    assert parse_message(UNSURE, now=now).confidence < LOW_CONFIDENCE


async def test_confident_rules_never_call_the_model(llm, emulator, now):
    result = await parse_with_fallback(
        "내일 오후 3시 팀 미팅", now=now, time_zone="Asia/Seoul", llm=llm
    )
    assert result.intent == "create_event"
    assert emulator.requests() == []


@pytest.mark.parametrize("text", ["네", "아니", "취소", "ㅇㅋ"])
async def test_answers_to_a_proposal_never_call_the_model(llm, emulator, now, text):
    emulator.script([{"content": json.dumps(LLM_EVENT)}])
    result = await parse_with_fallback(text, now=now, time_zone="Asia/Seoul", llm=llm)
    assert result.intent in ("approve", "reject")
    assert emulator.requests() == []


async def test_unsure_rules_use_a_valid_model_answer(llm, emulator, now):
    emulator.script([{"content": json.dumps(LLM_EVENT)}])
    result = await parse_with_fallback(UNSURE, now=now, time_zone="Asia/Seoul", llm=llm)
    assert result.event is not None
    assert result.event.start == datetime.fromisoformat("2025-11-17T10:00:00+09:00")
    assert LLM_ASSUMPTION in result.assumptions
    sent = emulator.requests()[0]
    assert sent["model"] == "gpt-4o-mini"
    assert sent["response_format"] == {"type": "json_object"}
    assert UNSURE in sent["messages"][-1]["content"]
    assert "2025-11-14T10:00:00+09:00" in sent["messages"][-1]["content"]


async def test_a_model_that_also_asks_for_the_day_keeps_the_time_the_rules_read(llm, emulator, now):
    """ "다음 주 중에 오후 3시 치과": the time has no place in the SPEC's JSON; a model
    answer that also needs a day must not lose it."""
    asks = {
        "intent": "create_event",
        "event": {"title": "치과", "start": None, "end": None, "all_day": False},
        "needs": ["date"],
        "confidence": 0.8,
    }
    emulator.script([{"content": json.dumps(asks)}])
    text = "다음 주 중에 오후 3시 치과 가야 돼"
    result = await parse_with_fallback(text, now=now, time_zone="Asia/Seoul", llm=llm)
    assert LLM_ASSUMPTION in result.assumptions
    assert result.time_of_day is not None and result.time_of_day.start.hour == 15


def _bad_answers() -> list[tuple[str, dict]]:
    naive = json.loads(json.dumps(LLM_EVENT))
    naive["event"]["start"] = "2025-11-17T10:00:00"
    backwards = json.loads(json.dumps(LLM_EVENT))
    backwards["event"]["end"] = "2025-11-17T09:00:00+09:00"
    approve = {"intent": "approve", "confidence": 0.99}
    unknown = {"intent": "book_flight", "confidence": 0.9}
    return [
        ("not json", {"content": "회의를 월요일로 잡을게요"}),
        ("naive datetime", {"content": json.dumps(naive)}),
        ("end before start", {"content": json.dumps(backwards)}),
        ("approve is rules-only", {"content": json.dumps(approve)}),
        ("unknown intent", {"content": json.dumps(unknown)}),
        ("json array", {"content": "[1, 2]"}),
        ("server error", {"status": 500}),
        ("rate limited", {"status": 429, "error_type": "rate_limit_error"}),
        ("malformed body", {"malformed": True}),
        ("too slow", {"delay_seconds": 3, "content": json.dumps(LLM_EVENT)}),
    ]


@pytest.mark.parametrize("step", [s for _, s in _bad_answers()], ids=[n for n, _ in _bad_answers()])
async def test_any_model_failure_keeps_the_rules_answer(llm, emulator, now, step):
    emulator.script([step])
    rules = parse_message(UNSURE, now=now)
    result = await parse_with_fallback(UNSURE, now=now, time_zone="Asia/Seoul", llm=llm)
    assert result == rules
    assert len(emulator.requests()) == 1


async def test_model_instants_are_expressed_in_the_users_zone(llm, emulator, now):
    utc_answer = json.loads(json.dumps(LLM_EVENT))
    utc_answer["event"]["start"] = "2025-11-17T01:00:00Z"
    utc_answer["event"]["end"] = "2025-11-17T02:00:00+00:00"
    emulator.script([{"content": json.dumps(utc_answer)}])
    result = await parse_with_fallback(UNSURE, now=now, time_zone="Asia/Seoul", llm=llm)
    assert result.to_spec_json()["event"]["start"] == "2025-11-17T10:00:00+09:00"
    assert result.to_spec_json()["event"]["end"] == "2025-11-17T11:00:00+09:00"


async def test_without_a_model_the_rules_answer(now):
    result = await parse_with_fallback(UNSURE, now=now, time_zone="Asia/Seoul", llm=None)
    assert result == parse_message(UNSURE, now=now)


async def test_endpoint_uses_the_model_when_enabled(
    emulator, database_url, service_headers, monkeypatch
):
    emulator.reset()
    emulator.script([{"content": json.dumps(LLM_EVENT)}])
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("OPENAI_BASE_URL", emulator.base_url + "/v1")
    settings = RouterSettings(
        database_url=database_url,
        environment="test",
        service_tokens={"router": "test-router-token"},
        llm_enabled=True,
        llm_timeout_seconds=2,
    )
    async with serve_app(create_app(settings)) as client:
        response = await client.post(
            "/internal/nlu/parse",
            json={"text": UNSURE, "now": "2025-11-14T10:00:00+09:00"},
            headers=service_headers,
        )
    assert response.status_code == 200
    assert response.json()["event"]["start"] == "2025-11-17T10:00:00+09:00"
    assert len(emulator.requests()) == 1


async def test_endpoint_keeps_rules_when_disabled(emulator, client, service_headers):
    emulator.reset()
    response = await client.post(
        "/internal/nlu/parse",
        json={"text": UNSURE, "now": "2025-11-14T10:00:00+09:00"},
        headers=service_headers,
    )
    assert response.json()["intent"] == "create_event"
    assert response.json()["event"]["start"] is None
    assert emulator.requests() == []


async def test_endpoint_without_an_api_key_answers_with_the_rules(
    database_url, service_headers, monkeypatch
):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    settings = RouterSettings(
        database_url=database_url,
        environment="test",
        service_tokens={"router": "test-router-token"},
        llm_enabled=True,
    )
    async with serve_app(create_app(settings)) as client:
        response = await client.post(
            "/internal/nlu/parse",
            json={"text": UNSURE, "now": "2025-11-14T10:00:00+09:00"},
            headers=service_headers,
        )
    assert response.status_code == 200
    assert response.json()["event"]["title"] == "회의"
    assert response.json()["event"]["start"] is None


def _answer(**event_fields) -> dict:
    answer = json.loads(json.dumps(LLM_EVENT))
    answer["event"].update(event_fields)
    return answer


async def test_a_v2_model_answer_is_validated_and_used(llm, emulator, now):
    answer = _answer(
        recurrence=["RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20251231T145959Z"], reminder_minutes=[30]
    )
    emulator.script([{"content": json.dumps(answer)}])
    result = await parse_with_fallback(UNSURE, now=now, time_zone="Asia/Seoul", llm=llm)
    assert result.event.recurrence == ["RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20251231T145959Z"]
    assert result.event.reminder_minutes == [30]


def _bad_v2_answers() -> list[tuple[str, dict]]:
    return [
        ("unknown frequency", _answer(recurrence=["RRULE:FREQ=SOMETIMES"])),
        ("not an RRULE line", _answer(recurrence=["every monday"])),
        (
            "local UNTIL on a timed event",
            _answer(recurrence=["RRULE:FREQ=DAILY;UNTIL=20251231T235959"]),
        ),
        ("negative reminder", _answer(reminder_minutes=[-5])),
        ("year 9999", _answer(start="9999-12-31T10:00:00+09:00", end="9999-12-31T11:00:00+09:00")),
        (
            "amend is rules-only",
            {"intent": "amend", "changes": {"time": "16:00"}, "confidence": 0.9},
        ),
        ("undo is rules-only", {"intent": "undo", "confidence": 0.9}),
        (
            "open range without a limit",
            {
                "intent": "query_events",
                "range": {"start": "2025-11-14T10:00:00+09:00", "end": None},
                "confidence": 0.9,
            },
        ),
    ]


@pytest.mark.parametrize(
    "answer", [a for _, a in _bad_v2_answers()], ids=[n for n, _ in _bad_v2_answers()]
)
async def test_an_invalid_v2_model_answer_keeps_the_rules_answer(llm, emulator, now, answer):
    emulator.script([{"content": json.dumps(answer)}])
    rules = parse_message(UNSURE, now=now)
    assert await parse_with_fallback(UNSURE, now=now, time_zone="Asia/Seoul", llm=llm) == rules


@pytest.mark.parametrize(
    "text", ["2월 30일 회의", "9999년 1월 1일 회의", "어제 친구랑 수다 떨었어?"]
)
async def test_what_the_rules_refused_is_never_sent_to_the_model(llm, emulator, now, text):
    emulator.script([{"content": json.dumps(LLM_EVENT)}])
    rules = parse_message(text, now=now)
    assert rules.refused or rules.confidence >= LOW_CONFIDENCE
    result = await parse_with_fallback(text, now=now, time_zone="Asia/Seoul", llm=llm)
    assert result == rules
    assert emulator.requests() == []


def test_the_prompt_names_every_v2_field():
    from router_service.nlu.llm import SYSTEM_PROMPT

    for field in (
        "recurrence",
        "reminder_minutes",
        "events",
        "needs",
        "limit",
        "scope",
        "shift_minutes",
        "preference",
    ):
        assert field in SYSTEM_PROMPT
