import asyncio
import json

import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import SecretStr
from sqlalchemy import select

from auth_server.db import Base, load_models
from auth_server.events.models import GrantEvent
from auth_server.events.service import GRANT_USABLE, deliver_due, record_grant_event
from auth_server.main import create_app
from shared.testing import serve_app

pytestmark = pytest.mark.db

ROUTER_SIDE_TOKEN = "auth-server-at-router"


def receiver_app(received: list[dict], *, seen: set[str]) -> FastAPI:
    """A stand-in for the router's grant-event endpoint, processing each event_id once."""
    app = FastAPI()

    @app.post("/internal/grant-events")
    async def grant_events(request: Request) -> dict[str, str]:
        assert request.headers["authorization"] == f"Bearer {ROUTER_SIDE_TOKEN}"
        body = await request.json()
        received.append({"body": body, "key": request.headers.get("idempotency-key")})
        if body["event_id"] in seen:
            return {"status": "duplicate"}
        seen.add(body["event_id"])
        return {"status": "accepted"}

    return app


async def add_event(app, user_id="u-1", ref="pa-7"):
    async with app.state.database.sessionmaker() as session, session.begin():
        event = record_grant_event(
            session=session,
            type=GRANT_USABLE,
            user_id=user_id,
            capability="calendar",
            state="active",
            pending_action_ref=ref,
        )
    app.state.auth.events_recorded()
    return event.id


async def read_event(app, event_id) -> GrantEvent:
    async with app.state.database.sessionmaker() as session:
        return await session.get(GrantEvent, event_id)


async def test_delivery_survives_receiver_down_and_an_auth_server_restart(
    settings, live, reserve, wait_for
):
    router_socket = reserve()  # bound, not listening: the router is "down"
    host, port = router_socket.getsockname()[:2]
    settings = settings.model_copy(
        update={
            "router_url": f"http://{host}:{port}",
            "router_token": SecretStr(ROUTER_SIDE_TOKEN),
            "outbox_poll_seconds": 0.05,
            "outbox_backoff_base_seconds": 0.02,
            "outbox_backoff_cap_seconds": 0.1,
        }
    )
    first = create_app(settings)
    load_models()
    await first.state.database.create_all(Base.metadata)
    async with serve_app(first):
        event_id = await add_event(first)

        async def failed_twice():
            event = await read_event(first, event_id)
            return event.attempts >= 2

        await wait_for(failed_twice)
        assert (await read_event(first, event_id)).delivered_at is None
    # The auth-server is stopped; the router comes up; a new auth-server process starts.
    received: list[dict] = []
    seen: set[str] = set()
    async with live(receiver_app(received, seen=seen), router_socket):
        second = create_app(settings)
        async with serve_app(second):

            async def delivered():
                return (await read_event(second, event_id)).delivered_at

            await wait_for(delivered)
            # Another round finds nothing left to send.
            async with httpx.AsyncClient(base_url=settings.router_url) as client:
                again = await deliver_due(
                    sessionmaker=second.state.database.sessionmaker,
                    client=client,
                    backoff_base=0.01,
                    backoff_cap=0.01,
                )
            assert again == 0
    assert len(received) == 1
    body = received[0]["body"]
    assert received[0]["key"] == event_id
    assert body["event_id"] == event_id
    assert body["type"] == "grant.usable"
    assert body["pending_action_ref"] == "pa-7"
    assert body["previous_user_id"] is None
    assert body["occurred_at"].endswith("+09:00")


async def test_concurrent_workers_never_send_one_event_twice(settings):
    app = create_app(settings)
    load_models()
    await app.state.database.create_all(Base.metadata)
    async with serve_app(app):
        ids = [await add_event(app, user_id=f"u-{n}") for n in range(6)]
        calls: list[str] = []

        async def slow_ack(request: httpx.Request) -> httpx.Response:
            calls.append(json.loads(request.content)["event_id"])
            await asyncio.sleep(0.05)
            return httpx.Response(200, json={"status": "accepted"})

        async def worker() -> int:
            async with httpx.AsyncClient(
                transport=httpx.MockTransport(slow_ack), base_url="http://router"
            ) as client:
                return await deliver_due(
                    sessionmaker=app.state.database.sessionmaker,
                    client=client,
                    backoff_base=1,
                    backoff_cap=1,
                    batch_size=3,
                )

        results = await asyncio.gather(worker(), worker(), worker())
        if app.state.database.is_sqlite:
            pytest.skip("SKIP LOCKED needs PostgreSQL")
        assert sum(results) == 6
        assert sorted(calls) == sorted(ids)
        async with app.state.database.sessionmaker() as session:
            rows = (await session.scalars(select(GrantEvent))).all()
        assert all(row.delivered_at is not None and row.attempts == 1 for row in rows)


async def test_failed_delivery_is_retried_with_backoff(settings):
    app = create_app(settings)
    load_models()
    await app.state.database.create_all(Base.metadata)
    async with serve_app(app):
        event_id = await add_event(app)
        answers = iter([503, 500, 200])

        async def flaky(request: httpx.Request) -> httpx.Response:
            return httpx.Response(next(answers))

        async with httpx.AsyncClient(
            transport=httpx.MockTransport(flaky), base_url="http://router"
        ) as client:
            kw = {
                "sessionmaker": app.state.database.sessionmaker,
                "client": client,
                "backoff_base": 30,
                "backoff_cap": 60,
            }
            assert await deliver_due(**kw) == 0
            first = await read_event(app, event_id)
            assert first.attempts == 1 and first.last_error == "status 503"
            # Not due yet: nothing is sent before the backoff elapses.
            assert await deliver_due(**kw) == 0
            assert (await read_event(app, event_id)).attempts == 1
            later = first.next_attempt_at
            assert await deliver_due(**kw, now=later) == 0
            second = await read_event(app, event_id)
            assert second.attempts == 2
            assert await deliver_due(**kw, now=second.next_attempt_at) == 1
            assert (await read_event(app, event_id)).delivered_at is not None
