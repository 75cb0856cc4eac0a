"""Inputs that must be a clear 4xx in the one error shape, never a 500 or a retryable 503."""

import json

import pytest
from sqlalchemy import func, select

from skill_calendar.idempotency.models import IdempotencyRecord

pytestmark = pytest.mark.db

# Valid instants whose conversion to a calendar zone leaves years 1–9999.
EDGE_OF_TIME = [
    ("9999-12-31T22:00:00-12:00", "9999-12-31T23:00:00-12:00"),
    ("0001-01-01T00:00:00+14:00", "0001-01-01T01:00:00+14:00"),
]


async def _ledger_rows(app) -> int:
    async with app.state.database.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(IdempotencyRecord))


@pytest.mark.parametrize(("start", "end"), EDGE_OF_TIME)
async def test_create_at_the_edge_of_time_is_a_422_without_a_ledger_row(
    app, seoul_user, create, start, end
):
    answer = await create(seoul_user, {"title": "끝", "start": start, "end": end})
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "datetime.out_of_range"
    assert error["message"]
    assert await _ledger_rows(app) == 0


@pytest.mark.parametrize(("start", "end"), EDGE_OF_TIME)
async def test_list_at_the_edge_of_time_is_a_422(client, service_headers, seoul_user, start, end):
    answer = await client.get(
        f"/v1/users/{seoul_user}/events",
        params={"start": start, "end": end},
        headers=service_headers,
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "datetime.out_of_range"


@pytest.mark.parametrize(
    "patch",
    [
        {"end": "9999-12-31T23:00:00-12:00"},
        # Only the start moves: the kept duration (almost a year) would end past year 9999.
        {"start": "9999-12-29T00:00:00+09:00"},
    ],
)
async def test_patch_moved_past_the_edge_of_time_is_a_422(
    client, service_headers, seoul_user, create, patch
):
    created = await create(
        seoul_user,
        {
            "title": "긴 일",
            "start": "9999-01-01T10:00:00+09:00",
            "end": "9999-12-28T11:00:00+09:00",
        },
    )
    assert created.status_code == 201, created.text
    event_id = created.json()["event"]["id"]
    moved = await client.patch(
        f"/v1/users/{seoul_user}/events/{event_id}", json=patch, headers=service_headers
    )
    assert moved.status_code == 422, moved.text
    assert moved.json()["error"]["code"] == "datetime.out_of_range"


async def test_unknown_user_is_a_404_not_a_retryable_503(client, service_headers, auth_double):
    for answer in (
        await client.get("/v1/users/nobody/calendar", headers=service_headers),
        await client.get(
            "/v1/users/nobody/events",
            params={"start": "2025-11-24T00:00:00+09:00", "end": "2025-11-25T00:00:00+09:00"},
            headers=service_headers,
        ),
    ):
        assert answer.status_code == 404, answer.text
        assert "Retry-After" not in answer.headers
        error = answer.json()["error"]
        assert error["code"] == "calendar.user_unknown"
        assert error["message"]


async def test_a_refused_create_leaves_no_ledger_row(app, client, service_headers, auth_double):
    auth_double.add_user("u-without-grant")
    answer = await client.post(
        "/v1/users/u-without-grant/events",
        json={
            "title": "점심",
            "start": "2025-11-24T12:00:00+09:00",
            "end": "2025-11-24T13:00:00+09:00",
        },
        headers={**service_headers, "Idempotency-Key": "k1"},
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "calendar.reauth_required"
    assert await _ledger_rows(app) == 0


@pytest.mark.parametrize("field", ["title", "location", "description"])
async def test_a_lone_surrogate_in_a_patch_is_a_422_not_a_500(
    client, service_headers, seoul_user, field
):
    """Found by the CI schemathesis run: the idempotency fingerprint could not encode it."""
    answer = await client.patch(
        f"/v1/users/{seoul_user}/events/abc",
        content=json.dumps({field: "회의\ud800"}),  # the escape, as a fuzzer sends it
        headers={
            **service_headers,
            "Idempotency-Key": "k-surrogate",
            "Content-Type": "application/json",
        },
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "request.unstorable_text"


async def test_a_lone_surrogate_in_a_create_is_a_422(app, client, service_headers, seoul_user):
    body = {
        "title": "회의\ud800",
        "start": "2025-11-24T10:00:00+09:00",
        "end": "2025-11-24T11:00:00+09:00",
    }
    answer = await client.post(
        f"/v1/users/{seoul_user}/events",
        content=json.dumps(body),
        headers={
            **service_headers,
            "Idempotency-Key": "k-surrogate",
            "Content-Type": "application/json",
        },
    )
    assert answer.status_code == 422, answer.text
    assert await _ledger_rows(app) == 0
