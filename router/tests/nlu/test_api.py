"""``POST /internal/nlu/parse``: service-token protected, SPEC JSON out."""

from __future__ import annotations


async def test_parse_returns_the_spec_json(client, service_headers):
    response = await client.post(
        "/internal/nlu/parse",
        json={"text": "내일 오후 3시 팀 미팅", "now": "2025-11-14T10:00:00+09:00"},
        headers=service_headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["intent"] == "create_event"
    assert body["event"] == {
        "title": "팀 미팅",
        "start": "2025-11-15T15:00:00+09:00",
        "end": "2025-11-15T16:00:00+09:00",
        "all_day": False,
        "location": None,
        "recurrence": None,
        "reminder_minutes": None,
    }
    assert body["events"] is None and body["needs"] is None
    assert isinstance(body["assumptions"], list)


async def test_parse_uses_the_users_zone(client, service_headers):
    response = await client.post(
        "/internal/nlu/parse",
        json={
            "text": "12월 25일 크리스마스 파티",
            "now": "2025-11-14T10:00:00+09:00",
            "time_zone": "Europe/Berlin",
        },
        headers=service_headers,
    )
    assert response.json()["event"]["start"] == "2025-12-25"


async def test_parse_defaults_now_to_the_current_time(client, service_headers):
    response = await client.post(
        "/internal/nlu/parse", json={"text": "오늘 일정 알려줘"}, headers=service_headers
    )
    assert response.status_code == 200
    assert response.json()["range"]["start"].endswith("T00:00:00+09:00")


async def test_parse_needs_a_service_token(client):
    response = await client.post("/internal/nlu/parse", json={"text": "네"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "auth.invalid_service_token"


async def test_parse_refuses_a_naive_now(client, service_headers):
    response = await client.post(
        "/internal/nlu/parse",
        json={"text": "내일 3시 회의", "now": "2025-11-14T10:00:00"},
        headers=service_headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "datetime.naive"


async def test_parse_refuses_an_unknown_zone(client, service_headers):
    response = await client.post(
        "/internal/nlu/parse",
        json={"text": "내일 3시 회의", "time_zone": "Mars/Olympus"},
        headers=service_headers,
    )
    assert response.status_code == 422
