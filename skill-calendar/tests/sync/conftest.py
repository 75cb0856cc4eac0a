"""A connected person, a webhook standing in for this service's public address, and a
router double that records the change notices."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from google_emulator.testing import NotificationReceiver
from skill_calendar.config import CalendarSettings

EMAIL = "minji@example.com"
USER = "u-minji"


@pytest.fixture
def receiver() -> Iterator[NotificationReceiver]:
    hook = NotificationReceiver()
    yield hook
    hook.close()


@pytest.fixture
def settings(settings: CalendarSettings, receiver: NotificationReceiver) -> CalendarSettings:
    """Push to the receiver (Google reaches it; it is relayed to the app by hand), and
    background loops that wait: each test works the jobs itself."""
    public = receiver.url.rsplit("/", 1)[0]  # the receiver takes any path
    return settings.model_copy(
        update={"public_url": public, "sync_poll_s": 3600.0, "sync_interval_s": 0.0}
    )


@pytest.fixture
def person(google, auth_double) -> str:
    google.control.add_account(EMAIL, time_zone="Asia/Seoul")
    auth_double.connect(user_id=USER, email=EMAIL)
    return USER


class RouterDouble:
    """POST /internal/calendar-changes: records each notice, answers ``statuses`` in turn."""

    def __init__(self) -> None:
        self.notices: list[dict[str, Any]] = []
        self.statuses: list[int] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/internal/calendar-changes"
        status = self.statuses.pop(0) if self.statuses else 200
        if status == 200:
            body = json.loads(request.content)
            self.notices.append({"key": request.headers["idempotency-key"], **body})
        return httpx.Response(status, json={"status": "delivered"})


@pytest.fixture
def router_double() -> RouterDouble:
    return RouterDouble()


@pytest.fixture
async def sync(app, client, router_double: RouterDouble):
    """The app's sync runtime (lifespan running), its notices going to ``router_double``."""
    runtime = app.state.sync
    for loop in (runtime.job_loop, runtime.notice_loop, runtime.safety_net):
        await loop.stop()  # the test works the queues itself, one step at a time
    await runtime.router_client.aclose()
    runtime.router_client = httpx.AsyncClient(
        transport=httpx.MockTransport(router_double.handle), base_url="http://router"
    )
    return runtime


@pytest.fixture
def create_event(client, service_headers):
    """Creates an event through skill-calendar (Haru's own write); its JSON."""
    counter = iter(range(1_000_000))

    async def create(user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = await client.post(
            f"/v1/users/{user_id}/events",
            json=body,
            headers={**service_headers, "Idempotency-Key": f"k{next(counter)}"},
        )
        assert answer.status_code in (200, 201), answer.text
        return answer.json()["event"]

    return create
