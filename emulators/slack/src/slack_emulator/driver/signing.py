"""Slack's request signing: v0=HMAC-SHA256(signing secret, "v0:{timestamp}:{raw body}")."""

import time

from slack_sdk.signature import SignatureVerifier


def signed_headers(secret: str, body: bytes, content_type: str) -> dict[str, str]:
    """The headers of a request Slack sends now (signed by slack_sdk's own generator)."""
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    assert signature is not None  # None only without a timestamp or a body
    return {
        "Content-Type": content_type,
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }
