"""Fixtures for the Slack channel: a router with Slack on, signed requests, Slack's payloads.

The Slack side is the Slack emulator (``slack_emulator`` fixture of slack_emulator.testing, a
real process) wherever the router calls Slack's Web API; requests from Slack are signed here
exactly as Slack signs them.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from pydantic import SecretStr
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select

from router_service.conversations.models import Message

SIGNING_SECRET = "haru-emulator-signing-secret"  # the emulator's default
BOT_TOKEN = "xoxb-haru-emulator-token"  # the emulator's default
TEAM = "T0HARU0001"
BOT_USER = "U0HARUBOT1"
NOWHERE = "http://127.0.0.1:9/api/"  # nothing listens: Slack unreachable
_ids = itertools.count(1)


def signed_headers(
    body: bytes, *, secret: str = SIGNING_SECRET, timestamp: int | None = None, **extra: str
) -> dict[str, str]:
    """Slack's headers: ``v0=HMAC-SHA256(secret, "v0:{ts}:{body}")``."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature, **extra}


def message_event(
    text: str,
    *,
    user: str = "U0ALICE001",
    channel: str = "D0ALICE001",
    kind: str = "im",
    event_id: str | None = None,
    **event_extra: Any,
) -> dict[str, Any]:
    """An ``event_callback`` as Slack sends it for a DM (``im``) or a mention."""
    number = next(_ids)
    ts = f"1733000000.{number:06d}"
    event: dict[str, Any] = {
        "type": "message" if kind == "im" else "app_mention",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "client_msg_id": f"msg-{number}",
    }
    if kind == "im":
        event["channel_type"] = "im"
    event.update(event_extra)
    return {
        "token": "unused",
        "team_id": TEAM,
        "api_app_id": "A0HARUAPP1",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{number:08d}",
        "event_time": 1733000000,
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    }


def block_actions(
    *,
    action_id: str,
    value: str,
    message_ts: str,
    channel: str = "D0ALICE001",
    user: str = "U0ALICE001",
    trigger_id: str | None = None,
) -> dict[str, Any]:
    """A ``block_actions`` payload as Slack posts it for a button press."""
    number = next(_ids)
    return {
        "type": "block_actions",
        "user": {"id": user, "username": "alice", "name": "alice", "team_id": TEAM},
        "api_app_id": "A0HARUAPP1",
        "token": "unused",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id or f"trigger-{number}",
        "team": {"id": TEAM, "domain": "haru"},
        "channel": {"id": channel, "name": "directmessage"},
        "message": {"ts": message_ts, "blocks": []},
        "response_url": "http://127.0.0.1:9/actions/unused",
        "actions": [
            {
                "action_id": action_id,
                "block_id": f"action-{value}",
                "value": value,
                "type": "button",
                "action_ts": f"1733000001.{number:06d}",
            }
        ],
    }


def form_body(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload, ensure_ascii=False)}).encode()


class SlackSender:
    """Posts signed Events API and interactivity requests to a router app."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def event(self, envelope: dict[str, Any], **headers: str) -> httpx.Response:
        body = json.dumps(envelope, ensure_ascii=False).encode()
        return await self.client.post(
            "/slack/events",
            content=body,
            headers={"Content-Type": "application/json", **signed_headers(body, **headers)},
        )

    async def press(self, payload: dict[str, Any]) -> httpx.Response:
        body = form_body(payload)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **signed_headers(body)}
        return await self.client.post("/slack/interactivity", content=body, headers=headers)


def slack_overrides(api_url: str = NOWHERE, **extra: Any) -> dict[str, Any]:
    return {
        "slack_bot_token": SecretStr(BOT_TOKEN),
        "slack_signing_secret": SecretStr(SIGNING_SECRET),
        "slack_api_url": api_url,
        "slack_delivery_backoff_base_seconds": 0.01,
        "slack_delivery_backoff_cap_seconds": 0.05,
        **extra,
    }


@pytest.fixture
async def make_slack_app(make_app):
    """A router with Slack on (``api_url``: where its Web API calls go); disposed afterwards."""
    made = []

    async def make(api_url: str = NOWHERE, **extra: Any):
        app = await make_app(**slack_overrides(api_url, **extra))
        made.append(app)
        return app

    yield make
    for app in made:  # tests drive these apps without their lifespan
        await app.state.database.dispose()


@pytest.fixture
def slack_api_url() -> str:
    """Where the router's Slack Web API calls go (modules using the emulator override it)."""
    return NOWHERE


@pytest.fixture
async def slack_app(make_slack_app, slack_api_url):
    return await make_slack_app(slack_api_url)


@pytest.fixture
def slack_user(slack_emulator):
    """``slack_user(name, tz=)`` → (user id, DM channel id): a person in the emulator, their DM."""

    def make(name: str, tz: str | None = "Asia/Seoul") -> tuple[str, str]:
        user = slack_emulator.control.add_user(name, real_name=name.title(), tz=tz)
        response = httpx.post(
            slack_emulator.api_url + "conversations.open",
            data={"users": user["id"]},
            headers={"Authorization": f"Bearer {BOT_TOKEN}"},
        )
        assert response.json()["ok"], response.text
        return user["id"], response.json()["channel"]["id"]

    return make


@pytest.fixture
async def sender(slack_app) -> AsyncIterator[SlackSender]:
    """Signed requests to ``slack_app`` without its background loops (each test drives them)."""
    transport = httpx.ASGITransport(app=slack_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield SlackSender(client)


@pytest.fixture
def rows():
    """Reads a table of an app: ``await rows(app, Model, *where)``."""

    async def read(app, model, *where) -> list[Any]:
        async with app.state.database.sessionmaker() as session:
            order = getattr(model, "id", None)
            query = select(model).where(*where)
            if order is not None:
                query = query.order_by(order)
            return list((await session.scalars(query)).all())

    return read


@pytest.fixture
def conversation(rows):
    """The messages of a conversation, oldest first."""

    async def read(app, key: str) -> list[Message]:
        return await rows(app, Message, Message.conversation_key == key)

    return read


@pytest.fixture
def sign():
    """``sign(body, secret=..., timestamp=...)`` → Slack's signature headers."""
    return signed_headers


@pytest.fixture
def slack_event():
    """``slack_event(text, user=, channel=, kind="im"|"app_mention", event_id=, **extra)``."""
    return message_event


@pytest.fixture
def press_payload():
    """``press_payload(action_id=, value=, message_ts=, channel=, user=)``: block_actions."""
    return block_actions


@pytest.fixture
def drain():
    """``await drain(app)``: runs the app's Slack delivery worker until nothing is due."""

    async def run(app) -> None:
        while await app.state.slack.deliver_round():
            pass

    return run


@pytest.fixture
def slack_ids() -> dict[str, str]:
    return {"team": TEAM, "bot_user": BOT_USER, "secret": SIGNING_SECRET, "token": BOT_TOKEN}
