"""Slack requests that once answered 500 (issue 22 item 4): each is a clear 4xx or ignored.

The signature is checked over the raw bytes before anything is decoded, so an unsigned
non-UTF-8 body is a 401 and a signed one a 400; odd shapes inside a signed body are ignored.
"""

import hashlib
import hmac
import json
import logging
import time

import pytest

from router_service.slack.models import InboxState, SlackInbox

pytestmark = pytest.mark.db

NOT_UTF8 = b'{"type": "event_callback", "event": {"text": "\xff\xfe\xc3\x28"}}'
NOT_UTF8_FORM = b"payload=%7B%22type%22%3A%22block_actions%22%7D\xff\xfe"


def raw_signed(body: bytes, secret: str) -> dict[str, str]:
    """Slack's signature computed over the bytes themselves (Slack signs bytes, not text)."""
    ts = str(int(time.time()))
    base = b"v0:" + ts.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def any_signature() -> dict[str, str]:
    return {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"}


@pytest.mark.parametrize(
    ("path", "body"), [("/slack/events", NOT_UTF8), ("/slack/interactivity", NOT_UTF8_FORM)]
)
async def test_a_non_utf8_body_with_any_signature_is_a_401_without_a_traceback(
    sender, path, body, caplog
):
    with caplog.at_level(logging.INFO):
        response = await sender.client.post(path, content=body, headers=any_signature())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "slack.signature_invalid"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    ("path", "body"), [("/slack/events", NOT_UTF8), ("/slack/interactivity", NOT_UTF8_FORM)]
)
async def test_a_signed_non_utf8_body_is_a_clear_400(
    sender, slack_ids, path, body, slack_app, rows
):
    headers = raw_signed(body, slack_ids["secret"])
    response = await sender.client.post(path, content=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "slack.payload_invalid"
    assert await rows(slack_app, SlackInbox) == []


@pytest.mark.parametrize(
    "change",
    [
        {"event": "a string"},
        {"event": ["a", "list"]},
        {"authorizations": "a string"},
        {"authorizations": ["a string", 3, None]},
        {"event_id": {"an": "object"}},
        {"team_id": ["T"]},
    ],
    ids=["event-str", "event-list", "auth-str", "auth-items", "event-id-object", "team-list"],
)
async def test_signed_envelopes_of_odd_shape_are_ignored_or_answered(sender, slack_event, change):
    envelope = {**slack_event("안녕"), **change}
    response = await sender.event(envelope)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 200:
        assert response.json()["status"] in ("accepted", "ignored")
    else:
        assert response.json()["error"]["code"] == "slack.payload_invalid"


@pytest.mark.parametrize(
    "change",
    [
        {"actions": "a string"},
        {"actions": ["a string"]},
        {"container": "a string"},
        {"channel": "a string"},
        {"user": "a string"},
        {"team": "a string"},
        {"trigger_id": {"an": "object"}},
    ],
)
async def test_signed_button_presses_of_odd_shape_are_ignored(sender, press_payload, change):
    payload = {**press_payload(action_id="approve", value="1", message_ts="1.1"), **change}
    response = await sender.press(payload)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert response.json()["error"]["code"] == "slack.payload_invalid"


@pytest.mark.parametrize("value", [str(2**63), "9" * 40, "0", "٣"])
async def test_a_button_value_beyond_any_action_id_is_ignored_cleanly(
    sender, press_payload, slack_app, rows, value
):
    response = await sender.press(press_payload(action_id="approve", value=value, message_ts="1.1"))
    assert response.status_code == 200
    [item] = await rows(slack_app, SlackInbox)
    # Worked once and done (nothing to decide), not retried as if Slack or the database failed.
    assert (item.state, item.attempts, item.error_code) == (
        InboxState.done,
        1,
        "slack.action_unknown",
    )


async def test_a_lone_surrogate_in_a_dm_is_answered_not_retried(
    sender, slack_event, slack_app, rows
):
    body = json.dumps(slack_event("회의 \ud800 내일")).encode()  # ASCII JSON: "\\ud800"
    response = await sender.client.post(
        "/slack/events",
        content=body,
        headers={
            "Content-Type": "application/json",
            **raw_signed(body, "haru-emulator-signing-secret"),
        },
    )
    assert response.status_code == 200, response.text
    [item] = await rows(slack_app, SlackInbox)
    assert item.state == InboxState.done, item.error_code
