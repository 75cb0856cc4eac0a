"""Slack endpoints refuse unsigned and mis-signed requests, and stale (replayed) ones; what the
Slack emulator signs (as Slack does) is accepted, and url_verification is answered."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

import httpx
import pytest
from harness import System
from slack_person import SlackPerson

ENDPOINTS = ["/slack/events", "/slack/interactivity"]
REFUSED = {"slack.signature_invalid", "slack.signature_stale"}


def _signed(secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def _challenge() -> bytes:
    return json.dumps({"type": "url_verification", "challenge": uuid.uuid4().hex}).encode()


def _content_type(path: str) -> str:
    return "application/json" if path.endswith("events") else "application/x-www-form-urlencoded"


def _post(system: System, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(
        system.url("router") + path,
        content=body,
        headers={"Content-Type": _content_type(path), **headers},
        timeout=10,
    )


def test_a_correctly_signed_challenge_is_answered(system: System) -> None:
    body = _challenge()
    headers = _signed(system.keys.slack_signing_secret, body, int(time.time()))
    response = _post(system, "/slack/events", body, headers)
    assert response.status_code == 200, response.text
    assert response.json()["challenge"] == json.loads(body)["challenge"]


def test_url_verification_sent_through_the_slack_emulator(system: System) -> None:
    body = _challenge()
    headers = {
        "Content-Type": "application/json",
        **_signed(system.keys.slack_signing_secret, body, int(time.time())),
    }
    answer = system.slack.raw("events", body.decode(), headers)
    assert answer["status"] == 200, answer
    assert json.loads(answer["body"])["challenge"] == json.loads(body)["challenge"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_bad_signatures_are_refused(system: System, path: str) -> None:
    body = _challenge() if path.endswith("events") else b"payload=%7B%7D"
    now = int(time.time())
    secret = system.keys.slack_signing_secret
    cases = {
        "unsigned": {},
        "wrong secret": _signed("not-the-secret", body, now),
        "other body": _signed(secret, body + b" ", now),
        "garbage": {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v0=zz"},
        "stale (10 min old)": _signed(secret, body, now - 600),
        "from the future": _signed(secret, body, now + 600),
        "no timestamp": {"X-Slack-Signature": _signed(secret, body, now)["X-Slack-Signature"]},
        "not a number": {**_signed(secret, body, now), "X-Slack-Request-Timestamp": "soon"},
        "v1 scheme": {
            **_signed(secret, body, now),
            "X-Slack-Signature": "v1=" + _signed(secret, body, now)["X-Slack-Signature"][3:],
        },
    }
    for label, headers in cases.items():
        response = _post(system, path, body, headers)
        assert response.status_code == 401, (label, response.status_code, response.text)
        assert response.json()["error"]["code"] in REFUSED, (label, response.text)
        if path.endswith("events"):
            assert json.loads(body)["challenge"] not in response.text, label


def test_a_stale_timestamp_is_refused_even_with_a_valid_signature(system: System) -> None:
    body = _challenge()
    old = int(time.time()) - 6 * 60  # Slack's advice: refuse anything older than five minutes
    response = _post(
        system, "/slack/events", body, _signed(system.keys.slack_signing_secret, body, old)
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "slack.signature_stale"


def test_a_mis_signed_event_is_never_worked(system: System) -> None:
    person = SlackPerson.new(system)
    envelope = {
        "type": "event_callback",
        "team_id": "T0HARU0001",
        "event_id": "Ev" + uuid.uuid4().hex[:10].upper(),
        "event": {
            "type": "message",
            "channel_type": "im",
            "user": person.user_id,
            "channel": "D0FORGED01",
            "text": "안녕",
            "ts": f"{time.time():.6f}",
        },
    }
    body = json.dumps(envelope).encode()
    now = int(time.time())
    forged = {"Content-Type": "application/json", **_signed("guessed-secret", body, now)}
    answer = system.slack.raw("events", body.decode(), forged)
    assert answer["status"] == 401
    rows = system.databases.query(
        "router", "SELECT id FROM slack_inbox WHERE id = :id", id=envelope["event_id"]
    )
    assert rows == []
