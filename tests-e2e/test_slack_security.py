"""Slack endpoints refuse unsigned and mis-signed requests, and stale (replayed) ones."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

import httpx
import pytest
from harness import System

ENDPOINTS = ["/slack/events", "/slack/interactivity"]


def _signed(secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def _challenge() -> bytes:
    return json.dumps({"type": "url_verification", "challenge": uuid.uuid4().hex}).encode()


def _post(system: System, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    content_type = (
        "application/json" if path.endswith("events") else "application/x-www-form-urlencoded"
    )
    return httpx.post(
        system.url("router") + path,
        content=body,
        headers={"Content-Type": content_type, **headers},
        timeout=10,
    )


def test_a_correctly_signed_challenge_is_answered(system: System) -> None:
    body = _challenge()
    headers = _signed(system.keys.slack_signing_secret, body, int(time.time()))
    response = _post(system, "/slack/events", body, headers)
    assert response.status_code == 200, response.text
    assert json.loads(body)["challenge"] in response.text


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
    }
    for label, headers in cases.items():
        response = _post(system, path, body, headers)
        assert response.status_code in (401, 403), (label, response.status_code, response.text)
        assert (
            json.loads(body).get("challenge", "?") not in response.text
            if path.endswith("events")
            else True
        )
