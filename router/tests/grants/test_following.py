"""auth-server's disconnect asks the router to stop following the calendar before it
revokes the grant at Google (docs/sync.md)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.db


async def test_a_disconnect_stops_following_at_once(
    client, auth_server_headers, calendar_headers, fake_calendar
):
    """auth-server asks this before it revokes the grant at Google (docs/sync.md)."""
    fake_calendar.followed.add("u9")
    path = "/internal/users/u9/calendar-following/stop"
    answer = await client.post(path, headers=auth_server_headers)
    assert (answer.status_code, answer.json()) == (200, {"status": "stopped"})
    assert fake_calendar.followed == set()
    assert (await client.post(path, headers=calendar_headers)).status_code == 403
    fake_calendar.down = True
    answer = await client.post(path, headers=auth_server_headers)
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "router.calendar_unavailable"
