"""Tokens from the auth-server: a refresh after Google's 401 names the refused token."""

import asyncio
from hashlib import sha256

import httpx
import pytest

from skill_calendar.tokens.service import AuthServerTokens

pytestmark = pytest.mark.db

EMAIL = "minji@example.com"
USER = "u-seoul"
DAY = {"start": "2025-11-24T00:00:00+09:00", "end": "2025-11-25T00:00:00+09:00"}


@pytest.fixture
def user(google, auth_double) -> str:
    google.control.add_account(EMAIL, time_zone="Asia/Seoul")
    auth_double.connect(user_id=USER, email=EMAIL)
    return USER


def fingerprint(token: str) -> str:
    return sha256(token.encode()).hexdigest()


def replica(auth_double) -> AuthServerTokens:
    """The token service of one skill-calendar process, talking to the auth double."""
    http = httpx.AsyncClient(
        base_url=auth_double.base_url,
        headers={"Authorization": "Bearer test-calendar-at-auth"},
    )
    return AuthServerTokens(http=http)


async def test_fifty_reads_refused_by_google_refresh_once(
    client, service_headers, user, google, auth_double
):
    first = await client.get(f"/v1/users/{user}/events", params=DAY, headers=service_headers)
    assert first.status_code == 200
    refused = auth_double.issued[0]
    google.control.expire_tokens(EMAIL)
    google.control.reset_calls()
    answers = await asyncio.gather(
        *[
            client.get(f"/v1/users/{user}/events", params=DAY, headers=service_headers)
            for _ in range(50)
        ]
    )
    assert {a.status_code for a in answers} == {200}
    calls = google.control.calls()
    assert calls["calendar.events.list"] > 50  # Google refused the old token
    assert calls["token.refresh_token"] == 1
    forced = [r for r in auth_double.requests if r["force_refresh"]]
    assert forced
    assert {r.get("refused_token_sha256") for r in forced} == {fingerprint(refused)}


async def test_two_replicas_refused_the_same_token_refresh_once(user, google, auth_double):
    replicas = [replica(auth_double), replica(auth_double)]
    refused = {await r.access_token(user_id=user) for r in replicas}
    assert len(refused) == 1
    google.control.reset_calls()

    all_refused = asyncio.Barrier(50)

    async def after_a_401(tokens: AuthServerTokens) -> str:
        held = await tokens.access_token(user_id=user)
        assert held in refused
        await all_refused.wait()  # every caller was handed the token before Google refuses it
        return await tokens.access_token(user_id=user, refused=held)

    try:
        fresh = await asyncio.gather(*[after_a_401(r) for r in replicas * 25])
    finally:
        for r in replicas:
            await r.http.aclose()
    assert len(set(fresh)) == 1
    assert set(fresh) != refused
    assert google.control.calls()["token.refresh_token"] == 1
    forced = [r for r in auth_double.requests if r["force_refresh"]]
    assert len(forced) == 2  # one per replica; the second is answered with the new token
    assert {r["refused_token_sha256"] for r in forced} == {fingerprint(next(iter(refused)))}


async def test_a_caller_late_after_the_refresh_gets_the_new_token_without_asking(user, auth_double):
    tokens = replica(auth_double)
    try:
        refused = await tokens.access_token(user_id=user)

        async def caller() -> str:
            assert await tokens.access_token(user_id=user) == refused
            await first_refresh.wait()
            return await tokens.access_token(user_id=user, refused=refused)

        first_refresh = asyncio.Event()
        late = asyncio.create_task(caller())
        await asyncio.sleep(0)
        fresh = await tokens.access_token(user_id=user, refused=refused)
        asked = len(auth_double.requests)
        first_refresh.set()
        assert await late == fresh
    finally:
        await tokens.http.aclose()
    assert fresh != refused
    assert len(auth_double.requests) == asked == 2
