"""The one retry budget at Google: attempt timeouts inside it, timed-out writes retried."""

import json

import anyio
import httpx
import pytest

from skill_calendar.google.client import MIN_ATTEMPT_S, GoogleCalendarClient
from skill_calendar.google.exceptions import CalendarUnavailable

BUDGET_S = 12.0
ATTEMPT_TIMEOUT_S = 4.0
BODY = {
    "id": "a1b2c3d4e5",
    "summary": "검진",
    "start": {"dateTime": "2026-11-24T07:40:00+09:00"},
    "end": {"dateTime": "2026-11-24T12:00:00+09:00"},
}


class FixedToken:
    """A token source that always has a token (token handling is not under test here)."""

    async def access_token(self, *, user_id: str, refused: str | None = None) -> str:
        return "access-token"


class SilentGoogle(httpx.AsyncBaseTransport):
    """Google that never answers: each attempt uses up its whole read timeout on ``clock``."""

    def __init__(self, clock) -> None:
        self.clock = clock
        self.attempts: list[tuple[float, float, dict]] = []  # (started, read timeout, body)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        read_timeout = request.extensions["timeout"]["read"]
        self.attempts.append((self.clock.now, read_timeout, json.loads(request.content or b"{}")))
        self.clock.now += read_timeout
        raise httpx.ReadTimeout("no answer", request=request)


@pytest.fixture
def silent(clock):
    return SilentGoogle(clock)


@pytest.fixture
async def google(silent, clock):
    async with httpx.AsyncClient(
        base_url="https://google.test", transport=silent, timeout=ATTEMPT_TIMEOUT_S
    ) as http:
        yield GoogleCalendarClient(
            http=http,
            tokens=FixedToken(),
            limiter=anyio.CapacityLimiter(1),
            retry_budget_s=BUDGET_S,
            sleep=clock.sleep,
            clock=clock,
        )


async def test_a_timed_out_insert_is_retried_with_the_same_id_inside_one_budget(
    google, silent, clock
):
    started = clock.now
    with pytest.raises(CalendarUnavailable) as raised:
        await google.insert_event(user_id="u1", body=BODY)
    assert len(silent.attempts) >= 2  # the timeout is shorter than the budget
    assert {body["id"] for _, _, body in silent.attempts} == {BODY["id"]}
    for at, read_timeout, _ in silent.attempts:
        assert read_timeout <= ATTEMPT_TIMEOUT_S
        assert at + read_timeout <= started + BUDGET_S  # no attempt outlives the budget
        assert read_timeout >= MIN_ATTEMPT_S
    assert clock.now - started <= BUDGET_S
    assert int(raised.value.headers["Retry-After"]) >= 1


async def test_the_last_attempt_is_cut_to_what_is_left_of_the_budget(google, silent, clock):
    google.retry_budget_s = ATTEMPT_TIMEOUT_S + 2.5  # room for one full attempt, then less
    google.backoff_base_s = google.backoff_cap_s = 0.0
    with pytest.raises(CalendarUnavailable):
        await google.get_event(user_id="u1", event_id="e1")
    assert [timeout for _, timeout, _ in silent.attempts] == [ATTEMPT_TIMEOUT_S, 2.5]


async def test_insert_without_an_id_is_refused_before_google(google, silent):
    with pytest.raises(ValueError):
        await google.insert_event(user_id="u1", body={k: v for k, v in BODY.items() if k != "id"})
    assert silent.attempts == []
