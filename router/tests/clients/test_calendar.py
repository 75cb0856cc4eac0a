"""The router's skill-calendar client: one retry budget, and it is skill-calendar's.

The client is the one the router app builds (shared.http with its retries), talking to the
contract fake of skill-calendar through a transport that can fail the way a network does.
"""

from datetime import datetime

import httpx
import pytest

from router_service.clients.exceptions import CalendarUnavailable
from router_service.main import create_app

EVENT = {
    "title": "검진",
    "start": "2026-11-24T07:40:00+09:00",
    "end": "2026-11-24T12:00:00+09:00",
}


class Network(httpx.AsyncBaseTransport):
    """Passes requests to skill-calendar, after the scripted failures (exceptions or statuses)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *failures: Exception | int) -> None:
        self.inner = inner
        self.failures = list(failures)
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.failures:
            failure = self.failures.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return httpx.Response(failure, text="Bad Gateway")  # a proxy's page, not our JSON
        return await self.inner.handle_async_request(request)


@pytest.fixture
def network(fake_calendar):
    def make(*failures: Exception | int) -> Network:
        return Network(httpx.ASGITransport(app=fake_calendar.app), *failures)

    return make


def calendar_client(settings, fake_auth, network: Network):
    app = create_app(
        settings,
        transports={
            "auth-server": httpx.ASGITransport(app=fake_auth.app),
            "skill-calendar": network,
        },
    )
    return app.state.context.calendar


async def test_final_503_of_skill_calendar_is_not_retried(
    settings, fake_auth, fake_calendar, network
):
    fake_calendar.down = True  # skill-calendar answers 503 calendar.upstream_unavailable
    wire = network()
    calendar = calendar_client(settings, fake_auth, wire)
    with pytest.raises(CalendarUnavailable) as raised:
        await calendar.create_event(user_id="u1", event=EVENT, idempotency_key="pa-41")
    assert raised.value.details["code"] == "calendar.upstream_unavailable"
    assert len(wire.requests) == 1
    with pytest.raises(CalendarUnavailable):
        await calendar.list_events(
            user_id="u1",
            start=datetime.fromisoformat("2026-11-24T00:00:00+09:00"),
            end=datetime.fromisoformat("2026-11-25T00:00:00+09:00"),
        )
    assert len(wire.requests) == 2


async def test_connection_errors_and_proxy_502_are_retried_with_the_same_key(
    settings, fake_auth, fake_calendar, network
):
    wire = network(httpx.ConnectError("refused"), 502, httpx.RemoteProtocolError("restarted"))
    calendar = calendar_client(settings, fake_auth, wire)
    result = await calendar.create_event(user_id="u1", event=EVENT, idempotency_key="pa-41")
    assert result.status == "created"
    assert len(wire.requests) == 4
    assert {r.headers["idempotency-key"] for r in wire.requests} == {"pa-41"}
    assert [call["key"] for call in fake_calendar.create_calls] == ["pa-41"]


async def test_unreachable_skill_calendar_is_retried_within_a_small_bound(
    settings, fake_auth, fake_calendar, network
):
    wire = network(*[httpx.ConnectError("refused")] * 10)
    calendar = calendar_client(settings, fake_auth, wire)
    with pytest.raises(CalendarUnavailable):
        await calendar.create_event(user_id="u1", event=EVENT, idempotency_key="pa-41")
    assert 1 < len(wire.requests) <= 4
    assert fake_calendar.create_calls == []


async def test_read_timeout_is_not_retried_while_skill_calendar_works_on_it(
    settings, fake_auth, fake_calendar, network
):
    wire = network(httpx.ReadTimeout("still spending its budget"))
    calendar = calendar_client(settings, fake_auth, wire)
    with pytest.raises(CalendarUnavailable):
        await calendar.create_event(user_id="u1", event=EVENT, idempotency_key="pa-41")
    assert len(wire.requests) == 1


async def test_series_scope_and_key_are_sent_only_when_given(
    settings, fake_auth, fake_calendar, network
):
    wire = network()
    calendar = calendar_client(settings, fake_auth, wire)
    created = await calendar.create_event(user_id="u1", event=EVENT, idempotency_key="pa-41")
    assert created.event.recurring_event_id is None and created.event.recurrence is None
    event_id = created.event.id
    await calendar.update_event(user_id="u1", event_id=event_id, changes={"title": "검사"})
    plain = wire.requests[-1]
    assert "scope" not in plain.url.params and "idempotency-key" not in plain.headers
    await calendar.update_event(
        user_id="u1",
        event_id=event_id,
        changes={"title": "검진"},
        scope="following",
        idempotency_key="pa-42",
    )
    scoped = wire.requests[-1]
    assert scoped.url.params["scope"] == "following"
    assert scoped.headers["idempotency-key"] == "pa-42"
    await calendar.delete_event(user_id="u1", event_id=event_id, scope="all")
    assert wire.requests[-1].url.params["scope"] == "all"
