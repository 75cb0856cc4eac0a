"""Slack's request signature, checked over the raw body before anything is parsed."""

from __future__ import annotations

import logging
import time
from typing import Annotated

from fastapi import Depends, Request
from slack_sdk.signature import SignatureVerifier

from router_service.slack.exceptions import SignatureInvalid, SignatureStale, SlackNotConfigured
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
