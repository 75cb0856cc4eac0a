"""The token cache, the zone cache and the per-user locks stay bounded as users come and go."""

import asyncio
import json
from datetime import timedelta

import httpx

from shared.db import utcnow
from skill_calendar.google.zones import CalendarZones
from skill_calendar.tokens.service import AuthServerTokens


def token_server(asked: list[str]) -> httpx.AsyncClient:
    async def handler(request: httpx.Request) -> httpx.Response:
        user_id = json.loads(request.content)["user_id"]
        asked.append(user_id)
        await asyncio.sleep(0.001)
        expires_at = (utcnow() + timedelta(hours=1)).isoformat()
        return httpx.Response(200, json={"access_token": f"at-{user_id}", "expires_at": expires_at})

    return httpx.AsyncClient(base_url="http://auth", transport=httpx.MockTransport(handler))


async def test_the_token_cache_keeps_at_most_its_size_and_forgets_the_oldest():
    asked: list[str] = []
    tokens = AuthServerTokens(http=token_server(asked), cache_size=2)
    for user in ("u1", "u2", "u3", "u3", "u2"):
        assert await tokens.access_token(user_id=user) == f"at-{user}"
    assert asked == ["u1", "u2", "u3"]
    assert await tokens.access_token(user_id="u1") == "at-u1"
    assert asked == ["u1", "u2", "u3", "u1"]  # u1 had been dropped


async def test_per_user_locks_are_released_once_nobody_waits():
    asked: list[str] = []
    tokens = AuthServerTokens(http=token_server(asked))
    users = [f"u{n}" for n in range(50)]
    await asyncio.gather(*(tokens.access_token(user_id=u) for u in users * 3))
    assert sorted(asked) == sorted(users)  # one fetch per user (single flight)
    assert len(tokens._locks) == 0


class FakeGoogle:
    def __init__(self) -> None:
        self.calls: list[str] = []

    async def get_calendar(self, *, user_id: str) -> dict:
        self.calls.append(user_id)
        return {"id": f"{user_id}@example.com", "timeZone": "Asia/Seoul"}


async def test_the_zone_cache_is_bounded_in_size_and_age():
    now = [0.0]
    google = FakeGoogle()
    zones = CalendarZones(google=google, ttl_s=10, max_size=2, clock=lambda: now[0])
    for user in ("a", "b", "a", "c", "a"):
        await zones.zone_name(user_id=user)
    assert google.calls == ["a", "b", "c"]  # b was the least recently used, a stayed
    await zones.zone_name(user_id="b")
    now[0] = 10.0
    await zones.zone_name(user_id="a")
    assert google.calls == ["a", "b", "c", "b", "a"]
