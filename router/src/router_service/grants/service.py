"""Grant events from auth-server: recorded once each and answered at once; what they allow
(resuming the user's waiting actions) runs after, and is taken up again after a crash."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from router_service.chat.models import WebSession
from router_service.clients.auth_server import CALENDAR_CAPABILITY
from router_service.context import RouterContext
from router_service.dialogue.flows import resume_after_grant
from router_service.grants.models import GrantEvent
from router_service.grants.schemas import GrantEventIn
from router_service.pending.models import FINAL_STATES, PendingAction
from shared.db import utcnow

logger = logging.getLogger(__name__)

# An unprocessed event younger than this is probably being processed right now.
PROCESSING_GRACE = timedelta(seconds=30)
RECOVERY_BATCH = 50


async def record_grant_event(*, session: AsyncSession, event: GrantEventIn) -> str:
    """Records the event unprocessed (``duplicate`` if seen before) and commits."""
    session.add(
        GrantEvent(
            event_id=event.event_id,
            type=event.type,
            user_id=event.user_id,
            previous_user_id=event.previous_user_id,
            capability=event.capability,
            pending_action_ref=event.pending_action_ref,
            occurred_at=event.occurred_at,
            received_at=utcnow(),
            processed_at=None,
        )
    )
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        logger.info("grant event already received", extra={"event_id": event.event_id})
        return "duplicate"
    if event.previous_user_id and event.previous_user_id != event.user_id:
        # The identity now belongs to another user: its unfinished actions follow it
        # (in the same transaction as the event, so a resume never misses them).
        await session.execute(
            update(PendingAction)
            .where(
                PendingAction.user_id == event.previous_user_id,
                PendingAction.state.not_in(list(FINAL_STATES)),
            )
            .values(user_id=event.user_id, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        # Web chats remember their user (no identity question per message): they follow too.
        await session.execute(
            update(WebSession)
            .where(WebSession.user_id == event.previous_user_id)
            .values(user_id=event.user_id)
            .execution_options(synchronize_session=False)
        )
    await session.commit()
    logger.info(
        "grant event accepted",
        extra={"event_id": event.event_id, "type": event.type, "capability": event.capability},
    )
    return "accepted"


async def process_grant_event(*, app: RouterContext, event_id: str) -> None:
    """Resumes what the event allows, then marks it processed (a background task)."""
    try:
        async with app.sessionmaker() as session:
            event = await session.get(GrantEvent, event_id, populate_existing=True)
            if event is None or event.processed_at is not None:
                return
            user_id = event.user_id
            calendar = event.capability == CALENDAR_CAPABILITY
            usable = event.type == "grant.usable" and calendar
            await session.commit()
            if usable:
                await resume_after_grant(session=session, app=app, user_id=user_id)
            if calendar:
                await follow_calendar(app=app, user_id=user_id, usable=usable)
            await session.execute(
                update(GrantEvent)
                .where(GrantEvent.event_id == event_id, GrantEvent.processed_at.is_(None))
                .values(processed_at=utcnow())
            )
            await session.commit()
    except Exception:  # left unprocessed: the recovery loop takes it up again
        logger.exception("grant event processing failed", extra={"event_id": event_id})
    app.channels.wake()  # replies of resumed actions may be queued for a channel


async def follow_calendar(*, app: RouterContext, user_id: str, usable: bool) -> None:
    """skill-calendar follows a usable calendar (sync and push) and stops following one that
    is not; a failure leaves the event unprocessed, so the recovery round asks again."""
    if usable:
        await app.calendar.follow_calendar(user_id=user_id)
    else:
        await app.calendar.unfollow_calendar(user_id=user_id)


async def recover_grant_events(*, app: RouterContext, received_before: datetime) -> int:
    """Processes the events a stopped process recorded and never processed; returns how many."""
    async with app.sessionmaker() as session:
        rows = await session.scalars(
            select(GrantEvent.event_id)
            .where(GrantEvent.processed_at.is_(None), GrantEvent.received_at < received_before)
            .order_by(GrantEvent.received_at)
            .limit(RECOVERY_BATCH)
        )
        event_ids = list(rows.all())
    for event_id in event_ids:
        logger.info("recovering a grant event", extra={"event_id": event_id})
        await process_grant_event(app=app, event_id=event_id)
    return len(event_ids)
