"""auth-server's disconnect asks the router to stop following the calendar before it
revokes the grant at Google (docs/sync.md)."""

from __future__ import annotations

from urllib.parse import quote

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


@pytest.mark.parametrize(
    ("odd", "code"),
    [
        ("x" * 65, "request.validation_failed"),
        ("%00", "request.invalid_id"),
        ("a%00b", "request.invalid_id"),
        ("a%1Fb", "request.invalid_id"),
        ("%2E%2E", "request.invalid_id"),
        ("%2E", "request.invalid_id"),
    ],
)
async def test_an_id_skill_calendar_would_refuse_is_a_422_here(
    client, auth_server_headers, fake_calendar, odd, code
):
    """Not a 502 (skill-calendar's refusal passed on as its failure): the caller's mistake."""
    path = f"/internal/users/{odd}/calendar-following/stop"
    answer = await client.post(path, headers=auth_server_headers)
    assert (answer.status_code, answer.json()["error"]["code"]) == (422, code)


async def test_any_other_id_is_passed_on_whole(client, auth_server_headers, fake_calendar):
    odd = "하루 a?b#c%d😀"
    fake_calendar.followed.add(odd)
    path = f"/internal/users/{quote(odd, safe='')}/calendar-following/stop"
    answer = await client.post(path, headers=auth_server_headers)
    assert (answer.status_code, answer.json()) == (200, {"status": "stopped"})
    assert fake_calendar.followed == set()
