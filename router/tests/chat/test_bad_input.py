"""Inputs that once answered 500: each is now a 4xx in the one error shape (issue 22 item 4)."""

import asyncio
import re

import httpx
import pytest

from router_service.nlu import service as nlu_service

pytestmark = pytest.mark.db

BEYOND_INT64 = 2**63
HANGUL = re.compile(r"[가-힣]")


def _clear_error(response, status: int = 422, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert HANGUL.search(error["message"]), error
    if code is not None:
        assert error["code"] == code, error
    return error


@pytest.mark.parametrize("action_id", [BEYOND_INT64, 10**30, -1, 0])
async def test_an_action_id_beyond_the_database_range_is_refused(client, action_id):
    response = await client.post(
        f"/api/chat/actions/{action_id}/decision", json={"decision": "approve"}
    )
    _clear_error(response, 422, "request.validation_failed")


async def test_an_after_id_beyond_the_database_range_is_refused(client):
    response = await client.get("/api/chat/messages", params={"after_id": BEYOND_INT64})
    _clear_error(response, 422, "request.validation_failed")


async def test_a_stream_after_id_beyond_the_database_range_is_refused(client):
    await client.get("/api/chat/session")
    response = await client.get("/api/chat/stream", params={"after_id": BEYOND_INT64})
    _clear_error(response, 422, "request.validation_failed")


async def test_a_huge_last_event_id_is_ignored_not_a_broken_stream(app, serve_http):
    async with serve_http(app) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        sent = await client.post("/api/chat/messages", json={"text": "안녕"})
        last = sent.json()["messages"][-1]["id"]
        headers = {"Last-Event-ID": str(BEYOND_INT64)}
        async with client.stream("GET", "/api/chat/stream", headers=headers) as response:
            assert response.status_code == 200

            async def ids_until_last() -> list[int]:
                seen: list[int] = []
                async for line in response.aiter_lines():
                    if line.startswith("id: "):
                        seen.append(int(line[4:]))
                    if last in seen:
                        return seen
                raise AssertionError("stream ended")

            # Falls back to after_id=0: the history arrives, the stream does not break.
            seen = await asyncio.wait_for(ids_until_last(), timeout=10)
    assert seen[-1] == last


async def test_a_very_long_time_zone_is_an_unknown_zone(client):
    response = await client.post(
        "/api/chat/messages", json={"text": "안녕", "time_zone": "A" * 300}
    )
    _clear_error(response, 422, "datetime.zone_unknown")


@pytest.mark.parametrize("zone", ["../../etc/passwd", "Asia/Seoul\u0000", "/abs", "A" * 5000])
async def test_odd_time_zones_are_unknown_zones(client, zone):
    response = await client.post("/api/chat/messages", json={"text": "안녕", "time_zone": zone})
    _clear_error(response, 422, "datetime.zone_unknown")


@pytest.mark.parametrize("raw", [r"\ud800", r"회의 \udfff 내일", r"\ud83d"])
async def test_a_lone_surrogate_in_the_text_is_refused(client, raw):
    body = ('{"text": "' + raw + '"}').encode()
    response = await client.post(
        "/api/chat/messages", content=body, headers={"Content-Type": "application/json"}
    )
    _clear_error(response, 422, "request.unstorable_text")
    # The conversation goes on.
    assert (await client.post("/api/chat/messages", json={"text": "안녕"})).status_code == 201


async def test_whatever_the_nlu_raises_the_person_gets_an_answer(client, monkeypatch):
    def broken(*_args, **_kwargs):
        raise OverflowError("date value out of range")

    monkeypatch.setattr(nlu_service, "parse", broken)
    response = await client.post(
        "/api/chat/messages", json={"text": "9999년 12월 31일 오후 11시 30분 회의"}
    )
    assert response.status_code == 201, response.text
    replies = [m for m in response.json()["messages"] if m["role"] == "assistant"]
    assert replies and all(HANGUL.search(m["text"]) for m in replies)


async def test_the_nlu_endpoint_answers_a_clear_422_whatever_the_parser_raises(
    client, service_headers
):
    body = {"text": "내일 오후 3시 회의", "now": "9999-12-31T23:59:00+09:00"}
    response = await client.post("/internal/nlu/parse", json=body, headers=service_headers)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        _clear_error(response, 422, "nlu.unreadable")


async def test_a_lone_surrogate_echoed_in_a_validation_error_is_rendered(client, service_headers):
    body = b'{"text": "hello", "time_zone": "\\ud800"}'
    response = await client.post(
        "/internal/nlu/parse",
        content=body,
        headers={**service_headers, "Content-Type": "application/json"},
    )
    _clear_error(response, 422, "datetime.zone_unknown")
