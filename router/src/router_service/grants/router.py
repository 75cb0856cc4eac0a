"""POST /internal/grant-events: auth-server tells the router a grant changed."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Depends

from router_service.dependencies import ContextDep
from router_service.grants.dependencies import require_auth_server
from router_service.grants.schemas import GrantEventAck, GrantEventIn
from router_service.grants.service import process_grant_event, record_grant_event
from shared.db import SessionDep

router = APIRouter(tags=["grants"], dependencies=[Depends(require_auth_server)])


@router.post("/grant-events", response_model=GrantEventAck, summary="A grant became (un)usable")
async def receive_grant_event(
    body: GrantEventIn, session: SessionDep, context: ContextDep, background: BackgroundTasks
) -> GrantEventAck:
    """Records each ``event_id`` once and answers; the user's waiting actions continue after."""
    status = await record_grant_event(session=session, event=body)
    if status == "accepted":
        background.add_task(process_grant_event, app=context, event_id=body.event_id)
    return GrantEventAck(status=status)
