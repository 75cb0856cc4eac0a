"""POST /internal/grant-events: auth-server tells the router a grant changed."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from router_service.dependencies import DialogueDepsDep
from router_service.grants.dependencies import require_auth_server
from router_service.grants.schemas import GrantEventAck, GrantEventIn
from router_service.grants.service import process_grant_event
from shared.db import SessionDep

router = APIRouter(tags=["grants"], dependencies=[Depends(require_auth_server)])


@router.post("/grant-events", response_model=GrantEventAck, summary="A grant became (un)usable")
async def receive_grant_event(
    request: Request, body: GrantEventIn, session: SessionDep, deps: DialogueDepsDep
) -> GrantEventAck:
    """Processes each ``event_id`` once; waiting actions of the user continue."""
    status = await process_grant_event(session, deps=deps, event=body)
    slack = getattr(request.app.state, "slack", None)
    if slack is not None:
        slack.wake()  # replies of resumed Slack actions are queued: send them now
    return GrantEventAck(status=status)
