"""Sync routes: Google's push notifications (public, checked against the channel) and the
router's start/stop of following a person's calendar (service auth)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import get_session
from skill_calendar.sync import service
from skill_calendar.sync.dependencies import google_notification, sync_runtime
from skill_calendar.sync.exceptions import NotWatched
from skill_calendar.sync.schemas import Accepted, SyncState
from skill_calendar.sync.worker import SyncRuntime

Session = Annotated[AsyncSession, Depends(get_session)]
Runtime = Annotated[SyncRuntime, Depends(sync_runtime)]
UserId = Annotated[str, Path(min_length=1, max_length=64)]

notifications_router = APIRouter(tags=["sync"])
people_router = APIRouter(prefix="/sync/people/{user_id}", tags=["sync"])


@notifications_router.post(
    "/google/notifications",
    status_code=200,
    response_class=Response,
    summary="Google's push notification for a watched calendar",
    responses={
        200: {"description": "taken (no body)", "content": None},
        404: {"description": "unknown or stopped channel, wrong token"},
    },
)
async def receive_notification(
    session: Session,
    runtime: Runtime,
    notification: Annotated[service.Notification, Depends(google_notification)],
) -> Response:
    """A change queues a sync of the channel's calendar; the answer is at once (200)."""
    outcome = await service.accept_notification(session=session, notification=notification)
    if outcome == "queued":
        runtime.wake()
    return Response(status_code=200)


@people_router.put("", response_model=Accepted, status_code=202, summary="Follow the calendar")
async def watch_person(user_id: UserId, session: Session, runtime: Runtime) -> Accepted:
    """Baseline sync and a push channel, in the background; idempotent."""
    await service.watch_person(session=session, user_id=user_id)
    runtime.wake()
    return Accepted()


@people_router.delete("", response_model=Accepted, status_code=202, summary="Stop following")
async def unwatch_person(
    user_id: UserId,
    session: Session,
    runtime: Runtime,
    now: Annotated[bool, Query(description="Stop the channel in this request")] = False,
) -> Accepted:
    """Stops the channel and forgets the sync token, in the background; idempotent. With
    ``now`` (a disconnect, before the grant is revoked) the channel is stopped at Google
    within the request; the queued stop stays as the fallback if Google cannot be reached."""
    await service.unwatch_person(session=session, user_id=user_id)
    await session.close()  # no transaction held while Google answers
    if now and await runtime.engine.unwatch_now(user_id=user_id):
        return Accepted(status="stopped")
    runtime.wake()
    return Accepted()


@people_router.get("", response_model=SyncState, summary="How the calendar is followed")
async def sync_state(user_id: UserId, session: Session) -> SyncState:
    row = await service.get_watched(session=session, user_id=user_id)
    if row is None:
        raise NotWatched()
    return SyncState(
        user_id=row.user_id,
        active=row.active,
        synced=row.sync_token is not None,
        channel_expires_at=row.channel_expires_at,
        last_synced_at=row.last_synced_at,
    )
