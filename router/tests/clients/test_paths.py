"""Ids in the paths the router's clients build are each one percent-encoded path segment.

httpx sends an f-string path as it is: an id holding "/", "?", "#", "%" or a space would
name another resource, start a query or a fragment. The transport records the raw path.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import httpx
import pytest

from router_service.clients.auth_server import AuthServerClient
from router_service.clients.calendar import CalendarClient

ODD_ID = "a/b?c#d%e f"
ENCODED = "a%2Fb%3Fc%23d%25e%20f"
EVENT = {"id": "e1", "title": "검진"}
WHEN = datetime.fromisoformat("2026-11-24T07:40:00+09:00")


def recording() -> tuple[list[bytes], httpx.AsyncClient]:
    """A client whose every request is answered with a body each method can read."""
    paths: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.raw_path.split(b"?")[0])
        body: dict[str, Any] = {
            "event": EVENT,
            "status": "created",
            "events": [],
            "deleted": True,
            "capability": "calendar",
            "state": "active",
            **EVENT,
        }
        return httpx.Response(200, json=body)

    return paths, httpx.AsyncClient(transport=httpx.MockTransport(answer), base_url="http://t")


Call = Callable[[CalendarClient], Awaitable[object]]

CALENDAR_CALLS: list[tuple[Call, str]] = [
    (
        lambda c: c.list_events(user_id=ODD_ID, start=WHEN, end=WHEN),
        f"/v1/users/{ENCODED}/events",
    ),
    (
        lambda c: c.get_event(user_id=ODD_ID, event_id=ODD_ID),
        f"/v1/users/{ENCODED}/events/{ENCODED}",
    ),
    (
        lambda c: c.series_of(user_id=ODD_ID, event_id=ODD_ID),
        f"/v1/users/{ENCODED}/events/{ENCODED}/series",
    ),
    (
        lambda c: c.create_event(user_id=ODD_ID, event={}, idempotency_key="k"),
        f"/v1/users/{ENCODED}/events",
    ),
    (
        lambda c: c.update_event(user_id=ODD_ID, event_id=ODD_ID, changes={}),
        f"/v1/users/{ENCODED}/events/{ENCODED}",
    ),
    (
        lambda c: c.delete_event(user_id=ODD_ID, event_id=ODD_ID),
        f"/v1/users/{ENCODED}/events/{ENCODED}",
    ),
    (lambda c: c.follow_calendar(user_id=ODD_ID), f"/v1/sync/people/{ENCODED}"),
    (lambda c: c.unfollow_calendar(user_id=ODD_ID, now=True), f"/v1/sync/people/{ENCODED}"),
]


@pytest.mark.parametrize(("call", "expected"), CALENDAR_CALLS)
async def test_calendar_client_encodes_each_id_as_one_segment(call: Call, expected: str):
    paths, http = recording()
    await call(CalendarClient(http))
    assert paths == [expected.encode()]


async def test_auth_server_client_encodes_the_user_id_as_one_segment():
    paths, http = recording()
    await AuthServerClient(http).grant_state(user_id=ODD_ID)
    assert paths == [f"/internal/users/{ENCODED}/grants/calendar".encode()]
