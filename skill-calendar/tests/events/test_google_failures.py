"""Google failures: retried bursts, a bounded outage, revoked grants and expired tokens."""

from hashlib import sha256

import pytest

pytestmark = pytest.mark.db

DAY = {"start": "2025-11-24T00:00:00+09:00", "end": "2025-11-25T00:00:00+09:00"}


async def test_rate_limit_and_backend_bursts_are_absorbed(
    client, service_headers, seoul_user, create, google, clock
):
    await client.get(f"/v1/users/{seoul_user}/calendar", headers=service_headers)
    google.control.fault("calendar.events.list", status=429, count=2, retry_after=2)
    google.control.fault("calendar.events.insert", status=503, count=2, reason="backendError")
    google.control.fault("calendar.events.insert", status=403, reason="rateLimitExceeded")
    created = await create(
        seoul_user,
        {"title": "요가", "start": "2025-11-24T19:00:00+09:00", "end": "2025-11-24T20:00:00+09:00"},
    )
    assert created.status_code == 201, created.text
    assert clock.sleeps[:2] == [2.0, 2.0]  # Retry-After honoured
    assert len(clock.sleeps) == 5
    assert google.control.calls()["calendar.events.insert"] == 4


async def test_persistent_outage_ends_in_503_within_the_budget(
    client, service_headers, seoul_user, google, clock
):
    google.control.fault("/calendar/v3", status=503, count=1000, reason="backendError")
    answer = await client.get(f"/v1/users/{seoul_user}/events", params=DAY, headers=service_headers)
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "calendar.upstream_unavailable"
    assert int(answer.headers["Retry-After"]) >= 1
    assert sum(clock.sleeps) <= 20.0  # the configured budget, on the injected clock


async def test_revoked_grant_asks_for_reconnect(client, service_headers, seoul_user, google):
    google.control.revoke("minji@example.com")
    answer = await client.get(f"/v1/users/{seoul_user}/events", params=DAY, headers=service_headers)
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "calendar.reauth_required"
    assert error["details"]["reason"] == "revoked"
    # The router makes the connect link (bound to the person's browser); none comes from here.
    assert error["details"]["connect_url"] is None


async def test_user_without_a_grant_asks_to_connect(client, service_headers, auth_double):
    auth_double.add_user("nobody")
    answer = await client.get("/v1/users/nobody/calendar", headers=service_headers)
    assert answer.status_code == 409
    assert answer.json()["error"]["details"]["reason"] == "missing"


async def test_google_401_refreshes_once_then_succeeds(
    client, service_headers, seoul_user, google, auth_double
):
    first = await client.get(f"/v1/users/{seoul_user}/events", params=DAY, headers=service_headers)
    assert first.status_code == 200
    assert [r["force_refresh"] for r in auth_double.requests] == [False]
    google.control.expire_tokens("minji@example.com")
    second = await client.get(f"/v1/users/{seoul_user}/events", params=DAY, headers=service_headers)
    assert second.status_code == 200, second.text
    assert [r["force_refresh"] for r in auth_double.requests] == [False, True]
    # The forced request names the token Google refused, by its SHA-256 only.
    refused = auth_double.issued[0]
    assert auth_double.requests[1]["refused_token_sha256"] == sha256(refused.encode()).hexdigest()
    assert "refused_token_sha256" not in auth_double.requests[0]
    assert len(auth_double.issued) == 2


async def test_cached_token_is_reused(client, service_headers, seoul_user, auth_double):
    for _ in range(3):
        answer = await client.get(
            f"/v1/users/{seoul_user}/events", params=DAY, headers=service_headers
        )
        assert answer.status_code == 200
    assert len(auth_double.requests) == 1


async def test_missing_event_is_404(client, service_headers, seoul_user):
    answer = await client.get(f"/v1/users/{seoul_user}/events/nosuchevent", headers=service_headers)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "calendar.event_not_found"
    patched = await client.patch(
        f"/v1/users/{seoul_user}/events/nosuchevent", json={"title": "x"}, headers=service_headers
    )
    assert patched.json()["error"]["code"] == "calendar.event_not_found"


async def test_unexpected_google_error_is_mapped_not_500(
    client, service_headers, seoul_user, google
):
    google.control.fault("calendar.events.get", status=400, reason="badRequest")
    answer = await client.get(f"/v1/users/{seoul_user}/events/abc", headers=service_headers)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "calendar.request_rejected"


async def test_free_busy_in_the_calendar_zone(client, service_headers, seoul_user, create):
    await create(
        seoul_user,
        {"title": "회의", "start": "2025-11-24T01:00:00Z", "end": "2025-11-24T02:00:00Z"},
    )
    answer = await client.post(
        f"/v1/users/{seoul_user}/freebusy", json=DAY, headers=service_headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "busy": [{"start": "2025-11-24T10:00:00+09:00", "end": "2025-11-24T11:00:00+09:00"}],
        "time_zone": "Asia/Seoul",
    }


async def test_google_401_after_refresh_asks_for_reconnect_with_link(
    client, service_headers, seoul_user, google, auth_double
):
    google.control.fault("calendar.events.list", status=401, count=2, reason="authError")
    answer = await client.get(f"/v1/users/{seoul_user}/events", params=DAY, headers=service_headers)
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "calendar.reauth_required"
    assert error["details"] == {"reason": "unauthorized", "connect_url": None}
    assert [r["force_refresh"] for r in auth_double.requests] == [False, True]


async def test_auth_server_out_of_budget_is_not_asked_again(
    client, service_headers, seoul_user, google, auth_double
):
    """The auth-server retries Google itself: its 503 is final here, one budget not two."""
    first = await client.get(f"/v1/users/{seoul_user}/events", params=DAY, headers=service_headers)
    assert first.status_code == 200
    google.control.expire_tokens("minji@example.com")
    google.control.fault("token.refresh_token", status=503, count=10)
    answer = await client.get(f"/v1/users/{seoul_user}/events", params=DAY, headers=service_headers)
    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "calendar.upstream_unavailable"
    assert [r["force_refresh"] for r in auth_double.requests] == [False, True]
