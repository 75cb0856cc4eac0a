"""Slack's request signature, checked over the raw body before anything is parsed; then
the body read as Slack's JSON (an Events API envelope, an interactivity payload)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import Depends, Request

from router_service.slack.exceptions import (
    PayloadInvalid,
    SignatureInvalid,
    SignatureStale,
    SlackNotConfigured,
)
from router_service.slack.worker import SlackRuntime

logger = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
SIGNATURE_HEADER = "X-Slack-Signature"
MAX_AGE_SECONDS = 60 * 5  # Slack's replay window


async def slack_runtime(request: Request) -> SlackRuntime:
    """The Slack channel of this app; 404 ``slack.not_configured`` when it is off."""
    runtime: SlackRuntime | None = getattr(request.app.state, "slack", None)
    if runtime is None:
        raise SlackNotConfigured()
    return runtime


SlackRuntimeDep = Annotated[SlackRuntime, Depends(slack_runtime)]


async def verified_body(request: Request, runtime: SlackRuntimeDep) -> bytes:
    """The raw body, if Slack signed it within the last five minutes (else 401)."""
    body = await request.body()
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not (timestamp.isascii() and timestamp.isdigit()) or not signature:
        raise SignatureInvalid()
    if abs(time.time() - int(timestamp)) > MAX_AGE_SECONDS:
        logger.warning("slack request outside the replay window")
        raise SignatureStale()
    if not signature_matches(runtime.signing_secret(), timestamp, body, signature):
        logger.warning("slack request with a bad signature")
        raise SignatureInvalid()
    return body


def signature_matches(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Slack's ``v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}")``, over the raw bytes.

    Not slack_sdk's verifier: it decodes the body as UTF-8 first, so a forged non-UTF-8
    body raised before the signature was checked (a 500 with a traceback).
    """
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


VerifiedBodyDep = Annotated[bytes, Depends(verified_body)]


async def envelope(body: VerifiedBodyDep) -> dict[str, Any]:
    """The Events API envelope of a signed request (400 if it is not a JSON object)."""
    return _json_object(body)


async def interaction(body: VerifiedBodyDep) -> dict[str, Any]:
    """The ``payload`` form field of a signed interactivity request, as a JSON object."""
    try:
        form = parse_qs(body.decode("utf-8"), errors="strict")
    except (UnicodeDecodeError, ValueError) as err:
        raise PayloadInvalid() from err
    return _json_object((form.get("payload") or [""])[0].encode())


EnvelopeDep = Annotated[dict[str, Any], Depends(envelope)]
InteractionDep = Annotated[dict[str, Any], Depends(interaction)]


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise PayloadInvalid() from err
    if not isinstance(value, dict):
        raise PayloadInvalid()
    return value
