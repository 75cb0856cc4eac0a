"""auth-server's routes about grants: POST /internal/grant-events (a grant changed), and
POST /internal/users/{user_id}/calendar-following/stop (a disconnect is about to revoke)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Path

from router_service.dependencies import ContextDep
from router_service.grants.dependencies import require_auth_server
from router_service.grants.schemas import FollowingStopped, GrantEventAck, GrantEventIn
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


@router.post(
    "/users/{user_id}/calendar-following/stop",
    response_model=FollowingStopped,
    summary="Stop following the calendar now (a disconnect, before the grant is revoked)",
)
async def stop_following_now(
    user_id: Annotated[str, Path(min_length=1, max_length=64)], context: ContextDep
) -> FollowingStopped:
    """skill-calendar stops the push channel at Google while the person's grant still works
    (``stopped``), or leaves it to its queue (``accepted``); the grant event that follows
    the disconnect stops following all the same."""
    status = await context.calendar.unfollow_calendar(user_id=user_id, now=True)
    return FollowingStopped(status="stopped" if status == "stopped" else "accepted")
