"""Slack's request signing: v0=HMAC-SHA256(signing secret, "v0:{timestamp}:{raw body}")."""

import hashlib
import hmac
import time

SIGNATURE_VERSION = "v0"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Slack-Signature value for a body sent at `timestamp`."""
    base = f"{SIGNATURE_VERSION}:{timestamp}:".encode() + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def signed_headers(secret: str, body: bytes, content_type: str) -> dict[str, str]:
    """The headers of a request Slack sends now."""
    timestamp = str(int(time.time()))
    return {
        "Content-Type": content_type,
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature(secret, timestamp, body),
    }
