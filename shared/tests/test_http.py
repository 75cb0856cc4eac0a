import httpx
import pytest

from shared.backoff import backoff_delay, retry_after_seconds
from shared.context import request_id_var
from shared.http import RETRY_POLICY, RetryPolicy, create_client, error_object, path_of


class Script(httpx.AsyncBaseTransport):
    """Answers from a script of statuses / exceptions, recording the requests."""

    def __init__(self, *steps):
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request):
        self.requests.append(request)
        step = self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        status, headers, *code = step if isinstance(step, tuple) else (step, {})
        if code:  # the one error shape of shared.errors
            return httpx.Response(status, headers=headers, json={"error": {"code": code[0]}})
        return httpx.Response(status, headers=headers, json={"n": len(self.requests)})


@pytest.fixture
def sleeps():
    return []


def client_for(transport, sleeps, **kw):
    async def fake_sleep(seconds):
        sleeps.append(seconds)

    return create_client(
        base_url="http://svc", token="tok", transport=transport, sleep=fake_sleep, **kw
    )


async def test_retries_503_then_succeeds(sleeps):
    script = Script(503, 502, 200)
    async with client_for(script, sleeps) as client:
        response = await client.get("/x")
    assert response.status_code == 200
    assert len(script.requests) == 3
    assert len(sleeps) == 2


async def test_honours_retry_after_capped(sleeps):
    script = Script((429, {"Retry-After": "2"}), (503, {"Retry-After": "999"}), 200)
    async with client_for(script, sleeps, retry_after_cap=10) as client:
        await client.get("/x")
    assert sleeps == [2.0, 10.0]


async def test_gives_up_after_the_retry_budget(sleeps):
    script = Script(503, 503, 503)
    async with client_for(script, sleeps, retries=2) as client:
        response = await client.get("/x")
    assert response.status_code == 503
    assert len(script.requests) == 3


async def test_post_without_idempotency_key_is_not_replayed_after_502(sleeps):
    script = Script(502, 200)
    async with client_for(script, sleeps) as client:
        response = await client.post("/x", json={})
    assert response.status_code == 502
    assert len(script.requests) == 1


async def test_post_with_idempotency_key_is_replayed(sleeps):
    script = Script(502, httpx.ReadTimeout("lost"), 201)
    async with client_for(script, sleeps) as client:
        response = await client.post("/x", json={"a": 1}, headers={"Idempotency-Key": "k"})
    assert response.status_code == 201
    assert [r.content for r in script.requests] == [b'{"a":1}'] * 3


async def test_connection_errors_are_retried_for_any_method(sleeps):
    script = Script(httpx.ConnectError("refused"), 200)
    async with client_for(script, sleeps) as client:
        assert (await client.post("/x")).status_code == 200


async def test_read_timeout_on_plain_post_is_raised(sleeps):
    script = Script(httpx.ReadTimeout("lost"))
    async with client_for(script, sleeps) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post("/x")


UPSTREAM_DONE = RetryPolicy(
    final_error_codes=frozenset({"svc.upstream_unavailable"}), retry_read_timeout=False
)


async def test_policy_returns_a_final_error_code_without_retrying(sleeps):
    script = Script((503, {"Retry-After": "3"}, "svc.upstream_unavailable"), 200)
    async with client_for(script, sleeps) as client:
        response = await client.post(
            "/x",
            headers={"Idempotency-Key": "k"},
            extensions={RETRY_POLICY: UPSTREAM_DONE},
        )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "svc.upstream_unavailable"
    assert response.headers["Retry-After"] == "3"
    assert len(script.requests) == 1
    assert sleeps == []


async def test_policy_still_retries_other_codes_and_connection_errors(sleeps):
    script = Script(
        httpx.ConnectError("refused"),
        (503, {}, "svc.database_unavailable"),
        502,
        httpx.RemoteProtocolError("dropped"),
        201,
    )
    async with client_for(script, sleeps, retries=4) as client:
        response = await client.post(
            "/x", headers={"Idempotency-Key": "k"}, extensions={RETRY_POLICY: UPSTREAM_DONE}
        )
    assert response.status_code == 201
    assert len(script.requests) == 5


async def test_policy_can_refuse_to_retry_a_read_timeout(sleeps):
    script = Script(httpx.ReadTimeout("slow"), 201)
    async with client_for(script, sleeps) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post(
                "/x", headers={"Idempotency-Key": "k"}, extensions={RETRY_POLICY: UPSTREAM_DONE}
            )
    assert len(script.requests) == 1


async def test_without_a_policy_the_same_final_code_is_retried(sleeps):
    script = Script((503, {}, "svc.upstream_unavailable"), 200)
    async with client_for(script, sleeps) as client:
        assert (await client.get("/x")).status_code == 200
    assert len(script.requests) == 2


async def test_token_and_request_id_travel(sleeps):
    script = Script(200, 200)
    token = request_id_var.set("req-123")
    try:
        async with client_for(script, sleeps) as client:
            await client.get("/x")
    finally:
        request_id_var.reset(token)
    async with client_for(script, sleeps) as client:
        await client.get("/y")
    assert script.requests[0].headers["authorization"] == "Bearer tok"
    assert script.requests[0].headers["x-request-id"] == "req-123"
    assert len(script.requests[1].headers["x-request-id"]) == 32


def test_retry_after_parsing_and_backoff_bounds():
    assert retry_after_seconds("3", cap=10) == 3
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", cap=10) == 0
    assert retry_after_seconds("soon", cap=10) is None
    assert all(0 <= backoff_delay(n, base=0.2, cap=3) <= 3 for n in range(1, 20))


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            httpx.Response(400, json={"error": {"code": "x.y", "message": "m"}}),
            {"code": "x.y", "message": "m"},
        ),
        (
            httpx.Response(401, json={"error": {"code": 401, "status": "UNAUTHENTICATED"}}),
            {"code": 401, "status": "UNAUTHENTICATED"},
        ),
        (
            httpx.Response(400, json={"error": "invalid_grant", "error_description": "Bad"}),
            {"code": "invalid_grant", "message": "Bad"},
        ),
        (
            httpx.Response(200, json={"ok": False, "error": "channel_not_found"}),
            {"code": "channel_not_found"},
        ),
        (httpx.Response(502, text="<html>"), {}),
        (httpx.Response(500, json=["error"]), {}),
        (httpx.Response(500, json={"error": None}), {}),
    ],
)
def test_error_object_reads_every_error_body_shape(answer, expected):
    assert error_object(answer) == expected


def test_path_of_makes_each_value_one_segment():
    """Reserved characters, unicode and even a lone surrogate (a JSON "\\ud800") are
    percent-encoded: one segment each, never an exception."""
    path = path_of("/users/{user_id}/events/{event_id}", user_id="a/b?c#d%e f", event_id="하루")
    assert path == "/users/a%2Fb%3Fc%23d%25e%20f/events/%ED%95%98%EB%A3%A8"
    assert path_of("/users/{user_id}", user_id="\ud800") == "/users/%ED%A0%80"


async def test_path_of_keeps_a_dot_segment_in_its_place():
    seen: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path)
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer), base_url="http://t") as c:
        for odd in (".", ".."):
            await c.get(path_of("/people/{user_id}/x", user_id=odd))
    assert seen == [b"/people/%2E/x", b"/people/%2E%2E/x"]
