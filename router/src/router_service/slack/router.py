"""Slack's Events API and interactivity endpoints (Slack signature, no service token)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request

from router_service.slack import service
from router_service.slack.dependencies import EnvelopeDep, InteractionDep, SlackRuntimeDep
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
    envelope: EnvelopeDep,
    runtime: SlackRuntimeDep,
    session: SessionDep,
    background: BackgroundTasks,
) -> Ack | Challenge:
    """Answers url_verification; stores message.im and app_mention once, works them after."""
    if envelope.get("type") == "url_verification":
        return Challenge(challenge=str(envelope.get("challenge", "")))
    item = service.event_item(envelope)
    if item is None:
        return Ack(status="ignored")
    fresh = await service.store(
        session=session,
        item_id=item.id,
        kind=item.kind,
        team_id=item.team_id,
        body=item.body,
        recover_after=runtime.settings.slack_inbox_recovery_seconds,
    )
    retry = request.headers.get(RETRY_HEADER)
    runtime.inbox.labels("message", "accepted" if fresh else "duplicate").inc()
    if not fresh:
        logger.info("slack event already received", extra={"event_id": item.id, "retry": retry})
        return Ack(status="duplicate")
    logger.info("slack event received", extra={"event_id": item.id, "retry": retry})
    background.add_task(runtime.process, item.id)
    return Ack(status="accepted")


@router.post("/interactivity", response_model=Ack, summary="Slack interactivity", responses=ERRORS)
async def interactivity(
    payload: InteractionDep,
    runtime: SlackRuntimeDep,
    session: SessionDep,
    background: BackgroundTasks,
) -> Ack:
    """Stores a button press (block_actions) once and works it after answering."""
    item = service.action_item(payload)
    if item is None:
        return Ack(status="ignored")
    fresh = await service.store(
        session=session,
        item_id=item.id,
        kind=item.kind,
        team_id=item.team_id,
        body=item.body,
        recover_after=runtime.settings.slack_inbox_recovery_seconds,
    )
    runtime.inbox.labels("action", "accepted" if fresh else "duplicate").inc()
    if not fresh:
        return Ack(status="duplicate")
    background.add_task(runtime.process, item.id)
    return Ack(status="accepted")
