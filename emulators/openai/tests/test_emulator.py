"""The OpenAI-compatible emulator: completions, scripted replies and faults, via the real client."""

from __future__ import annotations

import httpx
import openai
import pytest
from openai import AsyncOpenAI

from openai_emulator.app import DEFAULT_CONTENT, create_app

MESSAGES = [{"role": "user", "content": "안녕"}]


@pytest.fixture
def app():
    return create_app()


@pytest.fixture
async def control(app):
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://emulator"
    ) as client:
        yield client


@pytest.fixture
async def client(app):
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    async with AsyncOpenAI(
        api_key="test-key", base_url="http://emulator/v1", http_client=http, max_retries=0
    ) as client:
        yield client


async def test_unscripted_completion_answers_the_default(client):
    completion = await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert completion.choices[0].message.content == DEFAULT_CONTENT
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == "gpt-4o-mini"
    assert completion.usage.total_tokens >= completion.usage.prompt_tokens


async def test_scripted_replies_come_in_order_and_requests_are_recorded(client, control):
    await control.post("/_control/script", json={"steps": [{"content": "하나"}, {"content": "둘"}]})
    first = await client.chat.completions.create(model="emulator", messages=MESSAGES)
    second = await client.chat.completions.create(model="emulator", messages=MESSAGES)
    third = await client.chat.completions.create(model="emulator", messages=MESSAGES)
    assert [c.choices[0].message.content for c in (first, second, third)] == [
        "하나",
        "둘",
        DEFAULT_CONTENT,
    ]
    recorded = (await control.get("/_control/requests")).json()["requests"]
    assert len(recorded) == 3
    assert recorded[0]["messages"] == MESSAGES


async def test_scripted_error_status_raises_the_clients_error(client, control):
    await control.post(
        "/_control/script",
        json={"steps": [{"status": 429, "error_type": "rate_limit_error"}, {"status": 503}]},
    )
    with pytest.raises(openai.RateLimitError):
        await client.chat.completions.create(model="emulator", messages=MESSAGES)
    with pytest.raises(openai.InternalServerError):
        await client.chat.completions.create(model="emulator", messages=MESSAGES)


async def test_missing_api_key_is_refused(control):
    response = await control.post(
        "/v1/chat/completions", json={"model": "emulator", "messages": MESSAGES}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


async def test_request_without_messages_is_refused(control):
    response = await control.post(
        "/v1/chat/completions",
        json={"model": "emulator"},
        headers={"Authorization": "Bearer k"},
    )
    assert response.status_code == 400


async def test_malformed_body_is_sent_when_scripted(control):
    await control.post("/_control/script", json={"steps": [{"malformed": True}]})
    response = await control.post(
        "/v1/chat/completions",
        json={"model": "emulator", "messages": MESSAGES},
        headers={"Authorization": "Bearer k"},
    )
    with pytest.raises(ValueError):
        response.json()


async def test_reset_clears_script_default_and_requests(client, control):
    await control.post(
        "/_control/script", json={"steps": [{"content": "x"}], "default_content": "기본"}
    )
    await control.post("/_control/reset")
    completion = await client.chat.completions.create(model="emulator", messages=MESSAGES)
    assert completion.choices[0].message.content == DEFAULT_CONTENT
    assert len((await control.get("/_control/requests")).json()["requests"]) == 1


async def test_models_are_listed(client):
    models = await client.models.list()
    assert "gpt-4o-mini" in [m.id for m in models.data]
