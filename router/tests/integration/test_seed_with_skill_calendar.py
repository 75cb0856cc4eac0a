"""The seed scenario through the real skill-calendar app and the Google emulator.

router (ASGI, this process) → skill-calendar (uvicorn, own database) → Google
emulator (a process); skill-calendar gets its tokens from its auth-server token
double (tests only). The router's auth-server is the
contract fake of router/tests/conftest.py. skill-calendar first answers 409
calendar.reauth_required (no Google grant yet), so the re-auth resume runs too.
"""

import asyncio

import httpx
import pytest

from router_service.clients.exceptions import CalendarUnavailable
from router_service.main import create_app
from shared.testing import serve_app

from .calendar_stack import EMAIL, calendar_app, router_on_calendar

pytestmark = pytest.mark.db


class CountingTransport(httpx.AsyncHTTPTransport):
    """The network, counting the requests that cross it."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await super().handle_async_request(request)


async def test_google_rate_limit_costs_one_budget_not_one_per_router_retry(
    settings, fake_auth, other_database_url, google, token_double, serve_http
):
    """skill-calendar spends its budget and answers 503 once; the router passes it on."""
    served_calendar = await calendar_app(
        settings,
        other_database_url,
        token_double,
        google,
        google_timeout_s=1.0,
        google_retry_budget_s=2.5,
    )
    await asyncio.to_thread(token_double.connect, user_id="u-budget", email=EMAIL)
    event = {
        "title": "검진",
        "start": "2025-11-24T07:40:00+09:00",
        "end": "2025-11-24T12:00:00+09:00",
    }
    wire = CountingTransport()
    async with serve_http(served_calendar) as calendar_url:
        router_app = create_app(
            settings.model_copy(update={"calendar_url": calendar_url}),
            transports={
                "auth-server": httpx.ASGITransport(app=fake_auth.app),
                "skill-calendar": wire,
            },
        )
        calendar = router_app.state.context.calendar
        await asyncio.to_thread(
            google.control.fault,
            "calendar.events.insert",
            status=403,
            count=1000,
            reason="rateLimitExceeded",
        )
        with pytest.raises(CalendarUnavailable) as refused:
            await calendar.create_event(user_id="u-budget", event=event, idempotency_key="pa-7")
        assert refused.value.details["code"] == "calendar.upstream_unavailable"
        assert len(wire.requests) == 1  # the router did not retry skill-calendar's final 503
        calls = await asyncio.to_thread(google.control.calls)
        assert calls["calendar.events.insert"] >= 2  # skill-calendar retried within its budget

        await asyncio.to_thread(google.control.clear_faults)
        created = await calendar.create_event(
            user_id="u-budget", event=event, idempotency_key="pa-7"
        )
        assert created.status == "created"
        live = await asyncio.to_thread(google.control.events, EMAIL)
        assert [e["id"] for e in live if e.get("status") != "cancelled"] == [created.event.id]
        await router_app.state.database.dispose()


async def test_seed_scenario_with_reauth_through_skill_calendar(
    settings,
    fake_auth,
    other_database_url,
    google,
    token_double,
    serve_http,
    say,
    auth_server_headers,
    grant_event,
):
    served_calendar = await calendar_app(
        settings, other_database_url, token_double, google, google_timeout_s=2.0
    )

    async with serve_http(served_calendar) as calendar_url:
        router_app = await router_on_calendar(settings, fake_auth, calendar_url)
        async with serve_app(router_app) as client:
            user_id = (await client.get("/api/chat/session")).json()["user_id"]
            token_double.add_user(user_id)  # auth-server knows every chat user (grant or not)

            # No Google grant behind skill-calendar yet: 409 → awaiting_auth + connect link.
            [connect] = await say(client, "11월 24일 검진 07:40~12시 인천 연수구 갯벌로156")
            assert connect["payload"]["kind"] == "connect", connect["text"]
            assert connect["action_state"] == "awaiting_auth"

            # The person consents at Google; auth-server then reports the grant.
            await asyncio.to_thread(token_double.connect, user_id=user_id, email=EMAIL)
            event = grant_event(user_id, ref=str(connect["payload"]["action_id"]))
            ack = await client.post(
                "/internal/grant-events", json=event, headers=auth_server_headers
            )
            assert ack.json() == {"status": "accepted"}
            history = (await client.get("/api/chat/messages")).json()["messages"]
            proposal = history[-1]
            assert proposal["text"].splitlines()[:2] == [
                "11월 24일(월) 오전 7:40–낮 12:00 「검진」을 등록할까요?",
                "장소: 인천 연수구 갯벌로156",
            ]

            [created] = await say(client, "그래")
            assert created["text"].startswith("✅ 등록했어요: 11월 24일(월) 오전 7:40–낮 12:00")
            assert created["payload"]["link"]["url"]
            [google_event] = await asyncio.to_thread(google.control.events, EMAIL)
            assert google_event["summary"] == "검진"
            assert google_event["location"] == "인천 연수구 갯벌로156"
            assert google_event["start"]["dateTime"].startswith("2025-11-24T07:40:00")
            assert google_event["end"]["dateTime"].startswith("2025-11-24T12:00:00")

            [listing] = await say(client, "11월 24일 일정 알려줘")
            assert listing["text"] == "11월 24일(월) 일정:\n• 07:40 검진 (인천 연수구 갯벌로156)"

            [delete] = await say(client, "11월 24일 검진 삭제해줘")
            assert delete["text"] == "11월 24일(월) 오전 7:40–낮 12:00 「검진」을 삭제할까요?"
            [deleted] = await say(client, "네")
            assert deleted["text"].startswith("✅ 삭제했어요")
            [empty] = await say(client, "11월 24일 일정 알려줘")
            assert empty["text"] == "11월 24일(월)에는 일정이 없어요."
            remaining = await asyncio.to_thread(google.control.events, EMAIL)
            assert [e for e in remaining if e.get("status") != "cancelled"] == []
        await router_app.state.database.dispose()
