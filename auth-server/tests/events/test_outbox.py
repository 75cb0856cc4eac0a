import asyncio
import contextlib
import json
from datetime import timedelta
from functools import partial

import httpx
import pytest
from fastapi import FastAPI, Request
from prometheus_client import CollectorRegistry
from pydantic import SecretStr
from sqlalchemy import select, text, update

from auth_server.db import Base, load_models
from auth_server.events.models import GrantEvent
from auth_server.events.service import (
    GRANT_USABLE,
    deliver_due,
    outbox_queue,
    record_grant_event,
)
from auth_server.main import create_app
from shared.db import utcnow
from shared.testing import serve_app
from shared.work.jobs import JobState

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


@contextlib.asynccontextmanager
async def outbox_app(settings):
    """A running auth-server whose outbox rounds the test drives itself (no router URL)."""
    app = create_app(settings)
    load_models()
    await app.state.database.create_all(Base.metadata)
    async with serve_app(app):
        yield app


def queue(**kw):
    options = {"max_attempts": 5, "backoff_base": 1, "backoff_cap": 1, "lease_seconds": 60}
    return outbox_queue(**{**options, **kw})


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
                    queue=second.state.auth.outbox.queue,
                    sessionmaker=second.state.database.sessionmaker,
                    client=client,
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
    async with outbox_app(settings) as app:
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
                    queue=queue(),
                    sessionmaker=app.state.database.sessionmaker,
                    client=client,
                    limit=3,
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
    async with outbox_app(settings) as app:
        event_id = await add_event(app)
        answers = iter([503, 500, 200])

        async def flaky(request: httpx.Request) -> httpx.Response:
            return httpx.Response(next(answers))

        async with httpx.AsyncClient(
            transport=httpx.MockTransport(flaky), base_url="http://router"
        ) as client:
            kw = {
                "queue": queue(backoff_base=30, backoff_cap=60),
                "sessionmaker": app.state.database.sessionmaker,
                "client": client,
            }
            assert await deliver_due(**kw) == 0
            first = await read_event(app, event_id)
            assert first.attempts == 1 and first.last_error == "status 503"
            assert first.state == JobState.pending and first.lease_token is None
            # Not due yet: nothing is sent before the backoff elapses.
            early = first.due_at - timedelta(milliseconds=1)
            assert await deliver_due(**kw, now=early) == 0
            assert (await read_event(app, event_id)).attempts == 1
            assert await deliver_due(**kw, now=first.due_at) == 0
            second = await read_event(app, event_id)
            assert second.attempts == 2
            assert await deliver_due(**kw, now=second.due_at) == 1
            delivered = await read_event(app, event_id)
            assert delivered.delivered_at is not None and delivered.state == JobState.done


async def test_an_event_the_router_refuses_with_a_4xx_is_still_retried(settings):
    async with outbox_app(settings) as app:
        event_id = await add_event(app)
        answers = iter([404, 422, 200])
        transport = httpx.MockTransport(lambda request: httpx.Response(next(answers)))
        async with httpx.AsyncClient(transport=transport, base_url="http://router") as client:
            sessionmaker = app.state.database.sessionmaker
            deliver = partial(deliver_due, queue=queue(), sessionmaker=sessionmaker, client=client)
            now = None
            for refusal in (404, 422):
                assert await deliver(now=now) == 0
                event = await read_event(app, event_id)
                assert (event.state, event.last_error) == (JobState.pending, f"status {refusal}")
                now = event.due_at
            assert await deliver(now=now) == 1


async def test_no_row_lock_or_transaction_is_held_while_the_router_answers(settings):
    async with outbox_app(settings) as app:
        event_id = await add_event(app)
        sessionmaker = app.state.database.sessionmaker
        touched = []

        async def slow_router(request: httpx.Request) -> httpx.Response:
            # Meanwhile someone else writes the very row: it must not wait for the delivery.
            async with sessionmaker() as session:
                if not app.state.database.is_sqlite:
                    await session.execute(text("SET LOCAL lock_timeout = '1s'"))
                await session.execute(
                    update(GrantEvent).where(GrantEvent.id == event_id).values(user_id="u-moved")
                )
                await session.commit()
            touched.append(event_id)
            return httpx.Response(200, json={"status": "accepted"})

        async with httpx.AsyncClient(
            transport=httpx.MockTransport(slow_router), base_url="http://router"
        ) as client:
            delivered = await asyncio.wait_for(
                deliver_due(queue=queue(), sessionmaker=sessionmaker, client=client), timeout=10
            )
        assert delivered == 1 and touched == [event_id]
        event = await read_event(app, event_id)
        assert (event.state, event.user_id) == (JobState.done, "u-moved")


async def test_an_event_the_router_keeps_refusing_goes_dead_after_max_attempts(settings):
    async with outbox_app(settings) as app:
        event_id = await add_event(app)
        calls = []

        async def refusing(request: httpx.Request) -> httpx.Response:
            calls.append(1)
            return httpx.Response(503, headers={"Retry-After": "20"})

        registry = CollectorRegistry()
        outbox = queue(max_attempts=3, registry=registry)
        async with httpx.AsyncClient(
            transport=httpx.MockTransport(refusing), base_url="http://router"
        ) as client:
            kw = {
                "queue": outbox,
                "sessionmaker": app.state.database.sessionmaker,
                "client": client,
            }
            before = utcnow()
            assert await deliver_due(**kw) == 0
            event = await read_event(app, event_id)
            assert event.due_at >= before + timedelta(seconds=20)  # the router's Retry-After
            for _ in range(4):
                event = await read_event(app, event_id)
                await deliver_due(**kw, now=event.due_at + timedelta(days=1))
        event = await read_event(app, event_id)
        assert (event.state, event.attempts, event.delivered_at) == (JobState.dead, 3, None)
        assert len(calls) == 3
        dead = registry.get_sample_value(
            "work_jobs_total", {"queue": "grant_events", "outcome": "dead"}
        )
        assert dead == 1


async def test_an_event_recorded_by_another_replica_wakes_this_worker_at_once(
    settings, live, reserve, wait_for
):
    # One replica's worker waits a minute between polls; another replica records the event.
    router_socket = reserve()
    host, port = router_socket.getsockname()[:2]
    settings = settings.model_copy(
        update={
            "router_url": f"http://{host}:{port}",
            "router_token": SecretStr(ROUTER_SIDE_TOKEN),
            "outbox_poll_seconds": 60,
        }
    )
    worker_replica = create_app(settings)
    recording_replica = create_app(settings.model_copy(update={"outbox_enabled": False}))
    load_models()
    await worker_replica.state.database.create_all(Base.metadata)
    if worker_replica.state.database.is_sqlite:
        pytest.skip("SQLite has no LISTEN/NOTIFY: the worker polls there")
    received: list[dict] = []
    async with (
        live(receiver_app(received, seen=set()), router_socket),
        serve_app(worker_replica),
        serve_app(recording_replica),
    ):
        await asyncio.wait_for(worker_replica.state.listener.connected.wait(), timeout=10)
        await asyncio.sleep(0.2)  # the worker's first round (at start) is over
        event_id = await add_event(recording_replica)

        async def delivered():
            return (await read_event(worker_replica, event_id)).delivered_at

        await wait_for(delivered, timeout=10)  # far sooner than the next poll
    assert [r["body"]["event_id"] for r in received] == [event_id]
