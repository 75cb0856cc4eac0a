"""The chat stream: server-sent events of messages stored after a point, from the database."""

import asyncio
import json

import httpx
import pytest
from sqlalchemy import event

from router_service.conversations.models import Channel, Direction
from router_service.conversations.service import record_message

pytestmark = pytest.mark.db


async def _next_event(lines) -> dict:
    data = None
    async for line in lines:
        if line.startswith("data: "):
            data = json.loads(line[len("data: ") :])
        elif line == "" and data is not None:
            return data
    raise AssertionError("stream ended")


async def test_stream_delivers_messages_stored_later_by_anyone(app, serve_http):
    async with serve_http(app) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        session = (await client.get("/api/chat/session")).json()
        async with client.stream(
            "GET", "/api/chat/stream", params={"after_id": session["last_message_id"]}
        ) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = response.aiter_lines()
            # A reply written by another replica (here: straight into the database).
            async with app.state.database.sessionmaker() as db:
                await record_message(
                    session=db,
                    channel=Channel.web,
                    conversation_key=session["conversation_key"],
                    direction=Direction.outbound,
                    text="✅ 등록했어요",
                    payload={"kind": "result", "action_id": None},
                )
                await db.commit()
            event = await _next_event(lines)
    assert event["text"] == "✅ 등록했어요" and event["role"] == "assistant"


async def test_stream_needs_a_session(client):
    response = await client.get("/api/chat/stream")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "chat.session_missing"


async def test_an_idle_stream_queries_nothing_on_postgresql_and_still_wakes_at_once(
    make_app, serve_http
):
    # Polling would query every 50 ms; on PostgreSQL the stream waits for a NOTIFY instead.
    app = await make_app(stream_poll_seconds=0.05)
    if app.state.database.is_sqlite:
        pytest.skip("SQLite has no LISTEN/NOTIFY: the stream polls there")
    queries: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if "messages" in statement:
            queries.append(statement)

    async with serve_http(app) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        await asyncio.wait_for(app.state.listener.connected.wait(), timeout=10)
        session = (await client.get("/api/chat/session")).json()
        async with client.stream(
            "GET", "/api/chat/stream", params={"after_id": session["last_message_id"]}
        ) as response:
            lines = response.aiter_lines()
            assert await anext(lines) == "retry: 2000"
            await asyncio.sleep(0.3)  # the first look at the database is done
            event.listen(app.state.database.engine.sync_engine, "before_cursor_execute", count)
            await asyncio.sleep(1.0)
            assert queries == []  # idle: no polling
            async with app.state.database.sessionmaker() as db:
                await record_message(
                    session=db,
                    channel=Channel.web,
                    conversation_key="web:someone-else",
                    direction=Direction.outbound,
                    text="다른 사람",
                )
                await record_message(
                    session=db,
                    channel=Channel.web,
                    conversation_key=session["conversation_key"],
                    direction=Direction.outbound,
                    text="알림이에요",
                )
                await db.commit()
            got = await asyncio.wait_for(_next_event(lines), timeout=5)
    event.remove(app.state.database.engine.sync_engine, "before_cursor_execute", count)
    assert got["text"] == "알림이에요"


async def test_on_sqlite_the_stream_polls(make_app, serve_http, sqlite_url):
    app = await make_app(database_url=sqlite_url, stream_poll_seconds=0.05)
    assert app.state.listener is None  # no LISTEN/NOTIFY on SQLite
    async with serve_http(app) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        session = (await client.get("/api/chat/session")).json()
        async with client.stream(
            "GET", "/api/chat/stream", params={"after_id": session["last_message_id"]}
        ) as response:
            lines = response.aiter_lines()
            async with app.state.database.sessionmaker() as db:
                await record_message(
                    session=db,
                    channel=Channel.web,
                    conversation_key=session["conversation_key"],
                    direction=Direction.outbound,
                    text="폴링으로 왔어요",
                )
                await db.commit()
            got = await asyncio.wait_for(_next_event(lines), timeout=5)
    assert got["text"] == "폴링으로 왔어요"
