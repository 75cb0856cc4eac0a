"""Slack's request signature, checked over the raw body before anything is parsed; then
the body read as Slack's JSON (an Events API envelope, an interactivity payload)."""

from __future__ import annotations

import json
import logging
import time
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import Depends, Request
from slack_sdk.signature import SignatureVerifier

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
    if not timestamp.isdigit() or not signature:
        raise SignatureInvalid()
    if abs(time.time() - int(timestamp)) > MAX_AGE_SECONDS:
        logger.warning("slack request outside the replay window")
        raise SignatureStale()
    verifier = SignatureVerifier(runtime.signing_secret())
    if not verifier.is_valid(body=body, timestamp=timestamp, signature=signature):
        logger.warning("slack request with a bad signature")
        raise SignatureInvalid()
    return body


VerifiedBodyDep = Annotated[bytes, Depends(verified_body)]


async def envelope(body: VerifiedBodyDep) -> dict[str, Any]:
    """The Events API envelope of a signed request (400 if it is not a JSON object)."""
    return _json_object(body)


async def interaction(body: VerifiedBodyDep) -> dict[str, Any]:
    """The ``payload`` form field of a signed interactivity request, as a JSON object."""
    form = parse_qs(body.decode("utf-8", errors="replace"))
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
