"""The disconnect's call to the router (grants/following.py): the person's id as one path
segment, and one deadline for the whole call, however the router's answer trickles in."""

import asyncio
from types import SimpleNamespace
from typing import cast

import httpx

from auth_server.grants import following
from auth_server.runtime import AuthRuntime


def runtime_with(transport: httpx.AsyncBaseTransport) -> AuthRuntime:
    http = httpx.AsyncClient(transport=transport, base_url="http://router.test")
    return cast(AuthRuntime, SimpleNamespace(router_http=http))


async def test_the_user_id_is_one_encoded_path_segment():
    seen: list[bytes] = []

    def router(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path)
        return httpx.Response(200, json={"status": "stopped"})

    stopped = await following.stop_following(
        runtime=runtime_with(httpx.MockTransport(router)), user_id="a/b?c#d%e f"
    )
    assert stopped is True
    assert seen == [b"/internal/users/a%2Fb%3Fc%23d%25e%20f/calendar-following/stop"]


async def test_a_trickling_answer_is_cut_at_the_deadline():
    """The router answers at once and then holds its body back: httpx's timeouts bound each
    read (none applies over ASGI at all), so only a deadline for the whole call ends it."""
    started, never = asyncio.Event(), asyncio.Event()

    async def router(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b'{"status":', "more_body": True})
        started.set()
        await never.wait()

    runtime = runtime_with(httpx.ASGITransport(app=router))
    async with asyncio.timeout(10):  # only a guard against a hang: the deadline is far shorter
        stopped = await following.stop_following(runtime=runtime, user_id="u1", deadline_s=0.05)
    assert stopped is False
    assert started.is_set()
