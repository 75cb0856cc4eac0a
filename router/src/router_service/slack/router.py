"""Slack's Events API and interactivity endpoints (Slack signature, no service token)."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, BackgroundTasks, Request

from router_service.slack import service
from router_service.slack.dependencies import SlackRuntimeDep, VerifiedBodyDep
from router_service.slack.exceptions import PayloadInvalid
from router_service.slack.models import InboxKind
from router_service.slack.schemas import Ack, Challenge
from shared.db import SessionDep

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/slack", tags=["slack"])
RETRY_HEADER = "X-Slack-Retry-Num"
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "slack.signature_invalid, slack.signature_stale"},
    404: {"description": "slack.not_configured"},
}


@router.post(
    "/events", response_model=Ack | Challenge, summary="Slack Events API", responses=ERRORS
)
async def events(
    request: Request,
    body: VerifiedBodyDep,
    runtime: SlackRuntimeDep,
    session: SessionDep,
    background: BackgroundTasks,
) -> Ack | Challenge:
    """Answers url_verification; stores message.im and app_mention once, works them after."""
    envelope = _json(body)
    if envelope.get("type") == "url_verification":
        return Challenge(challenge=str(envelope.get("challenge", "")))
    if envelope.get("type") != "event_callback" or not envelope.get("event_id"):
        return Ack(status="ignored")
    fields = service.message_fields(envelope)
    if fields is None:
        return Ack(status="ignored")
    event_id = str(envelope["event_id"])
    fresh = await service.store(
        session=session,
        item_id=event_id,
        kind=InboxKind.message,
        team_id=str(envelope.get("team_id") or ""),
        body=fields,
    )
    retry = request.headers.get(RETRY_HEADER)
    runtime.inbox.labels("message", "accepted" if fresh else "duplicate").inc()
    if not fresh:
        logger.info("slack event already received", extra={"event_id": event_id, "retry": retry})
        return Ack(status="duplicate")
    logger.info("slack event received", extra={"event_id": event_id, "retry": retry})
    background.add_task(runtime.process, event_id)
    return Ack(status="accepted")


@router.post("/interactivity", response_model=Ack, summary="Slack interactivity", responses=ERRORS)
async def interactivity(
    body: VerifiedBodyDep,
    runtime: SlackRuntimeDep,
    session: SessionDep,
    background: BackgroundTasks,
) -> Ack:
    """Stores a button press (block_actions) once and works it after answering."""
    form = parse_qs(body.decode("utf-8", errors="replace"))
    payload = _json((form.get("payload") or [""])[0].encode())
    if payload.get("type") != "block_actions":
        return Ack(status="ignored")
    fields = service.action_fields(payload)
    if fields is None:
        return Ack(status="ignored")
    press_id = payload.get("trigger_id") or (payload.get("actions") or [{}])[0].get("action_ts")
    if not press_id:
        raise PayloadInvalid(details={"missing": "trigger_id"})
    item_id = f"action:{press_id}"
    team_id = str(
        (payload.get("team") or {}).get("id") or (payload.get("user") or {}).get("team_id") or ""
    )
    fresh = await service.store(
        session=session, item_id=item_id, kind=InboxKind.action, team_id=team_id, body=fields
    )
    runtime.inbox.labels("action", "accepted" if fresh else "duplicate").inc()
    if not fresh:
        return Ack(status="duplicate")
    background.add_task(runtime.process, item_id)
    return Ack(status="accepted")


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise PayloadInvalid() from err
    if not isinstance(value, dict):
        raise PayloadInvalid()
    return value
