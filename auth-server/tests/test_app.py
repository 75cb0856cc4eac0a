import pytest

pytestmark = pytest.mark.db


async def test_health_readiness_and_metrics(client):
    assert (await client.get("/healthz")).json() == {"status": "ok", "service": "auth-server"}
    assert (await client.get("/readyz")).status_code == 200
    metrics = await client.get("/metrics")
    assert "http_requests_total" in metrics.text


async def test_request_id_is_echoed_or_assigned(client):
    given = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    fresh = await client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert fresh.headers["x-request-id"] != "bad id\nwith newline"
    assert len(fresh.headers["x-request-id"]) == 32


async def test_unknown_route_uses_the_error_shape(client):
    response = await client.get("/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "http.not_found"


async def test_openapi_is_served(client):
    schema = (await client.get("/openapi.json")).json()
    assert schema["info"]["title"] == "Haru auth-server"
