import pytest
from pydantic import SecretStr

from shared.auth import identify_caller


async def test_naive_datetime_gets_422_datetime_naive(demo_client):
    response = await demo_client.post("/internal/slots", json={"at": "2025-11-17T15:00:00"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "datetime.naive"
    assert "오프셋" in error["message"]
    assert error["details"]["fields"][0]["loc"] == ["body", "at"]


async def test_nested_range_errors_are_promoted(demo_client):
    response = await demo_client.post(
        "/internal/bookings",
        json={
            "title": "x",
            "when": {"start": "2025-11-17T15:00:00+09:00", "end": "2025-11-17T14:00:00+09:00"},
        },
    )
    assert response.json()["error"]["code"] == "datetime.range_invalid"


async def test_aware_datetime_is_echoed_with_offset(demo_client):
    response = await demo_client.post("/internal/slots", json={"at": "2025-11-17T15:00:00+09:00"})
    assert response.json() == {"at": "2025-11-17T15:00:00+09:00"}


async def test_other_validation_errors_have_the_generic_code(demo_client):
    response = await demo_client.post("/internal/slots", json={})
    assert response.json()["error"]["code"] == "request.validation_failed"


async def test_app_error_shape(demo_client):
    response = await demo_client.get("/internal/things/42")
    assert response.status_code == 404
    body = response.json()
    assert body == {
        "error": {
            "code": "thing.not_found",
            "message": "그런 것은 없습니다.",
            "details": {"thing_id": "42"},
            "request_id": response.headers["x-request-id"],
        }
    }


async def test_unexpected_errors_are_500_without_internals(demo_client):
    response = await demo_client.get("/internal/boom")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal.error"
    assert "secret" not in response.text


async def test_method_not_allowed_uses_the_shape(demo_client):
    response = await demo_client.delete("/internal/slots")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "http.method_not_allowed"


@pytest.mark.parametrize("header", [None, "Bearer nope", "Bearer", "Token tok-router"])
async def test_internal_routes_refuse_missing_or_wrong_tokens(demo_client, header):
    headers = {"Authorization": header} if header else {}
    demo_client.headers.pop("Authorization")
    response = await demo_client.post(
        "/internal/slots", json={"at": "2025-11-17T15:00:00+09:00"}, headers=headers
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "auth.invalid_service_token"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_health_routes_are_public(demo_client):
    demo_client.headers.pop("Authorization")
    assert (await demo_client.get("/healthz")).status_code == 200
    assert (await demo_client.get("/readyz")).json()["status"] == "ready"


async def test_metrics_count_requests_by_route_template(demo_client):
    await demo_client.get("/internal/things/1")
    await demo_client.get("/internal/things/2")
    text = (await demo_client.get("/metrics")).text
    assert 'route="/internal/things/{thing_id}",service="demo",status="404"} 2.0' in text
    assert "http_request_duration_seconds_bucket" in text


def test_identify_caller_maps_each_token_to_its_caller():
    tokens = {"router": SecretStr("a" * 32), "skill-calendar": SecretStr("b" * 32)}
    assert identify_caller("a" * 32, tokens) == "router"
    assert identify_caller("b" * 32, tokens) == "skill-calendar"
    assert identify_caller("a" * 31, tokens) is None
    assert identify_caller("", tokens) is None
