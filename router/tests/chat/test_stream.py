"""The chat stream: server-sent events of messages stored after a point, from the database."""

import json

import httpx
import pytest

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
