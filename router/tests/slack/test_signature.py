"""Slack's request signature over the raw body, the replay window, url_verification."""

import json
import time

import pytest

from router_service.slack.models import SlackInbox

pytestmark = pytest.mark.db


async def test_url_verification_echoes_the_challenge(sender):
    response = await sender.event(
        {
            "token": "t",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


async def test_a_body_signed_with_another_secret_is_refused(sender, sign, slack_event):
    body = json.dumps(slack_event("내일 오후 3시 팀 미팅"), ensure_ascii=False).encode()
    headers = sign(body, secret="not-the-signing-secret")
    response = await sender.client.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "slack.signature_invalid"


async def test_a_body_changed_after_signing_is_refused(sender, sign, slack_event):
    body = json.dumps(slack_event("내일 오후 3시 팀 미팅"), ensure_ascii=False).encode()
    headers = sign(body)
    tampered = body.replace("팀 미팅".encode(), "회식".encode())
    assert tampered != body
    response = await sender.client.post("/slack/events", content=tampered, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "slack.signature_invalid"


async def test_missing_signature_headers_are_refused(sender):
    response = await sender.client.post("/slack/events", content=b"{}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "slack.signature_invalid"


async def test_a_timestamp_older_than_five_minutes_is_refused_even_when_signed(
    sender, sign, slack_event, slack_app, rows
):
    body = json.dumps(slack_event("내일 오후 3시 팀 미팅"), ensure_ascii=False).encode()
    headers = sign(body, timestamp=int(time.time()) - 6 * 60)
    response = await sender.client.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "slack.signature_stale"
    assert await rows(slack_app, SlackInbox) == []


async def test_a_replayed_request_within_the_window_is_acknowledged_but_worked_once(
    sender, sign, slack_event, slack_app, rows
):
    body = json.dumps(slack_event("이번 주 일정 알려줘")).encode()
    headers = sign(body)
    first = await sender.client.post("/slack/events", content=body, headers=headers)
    replay = await sender.client.post("/slack/events", content=body, headers=headers)
    assert first.json() == {"ok": True, "status": "accepted"}
    assert replay.json() == {"ok": True, "status": "duplicate"}
    [item] = await rows(slack_app, SlackInbox)
    assert item.deliveries == 2 and item.attempts == 1


async def test_interactivity_is_signature_checked_too(sender, press_payload, sign):
    from urllib.parse import urlencode

    payload = press_payload(action_id="approve", value="1", message_ts="1733000000.000100")
    body = urlencode({"payload": json.dumps(payload)}).encode()
    response = await sender.client.post(
        "/slack/interactivity", content=body, headers=sign(body, secret="wrong")
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "slack.signature_invalid"


async def test_without_slack_settings_the_endpoints_say_not_configured(client, sign):
    body = b'{"type": "url_verification", "challenge": "x"}'
    for path in ("/slack/events", "/slack/interactivity"):
        response = await client.post(path, content=body, headers=sign(body))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "slack.not_configured"
    # The rest of the router works without Slack.
    assert (await client.get("/api/chat/session")).status_code == 200
