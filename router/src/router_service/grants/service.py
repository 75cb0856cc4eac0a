"""Grant events from auth-server: recorded once each, then waiting actions continue."""

from __future__ import annotations

import logging

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from router_service.clients.auth_server import CALENDAR_CAPABILITY
from router_service.dialogue.service import DialogueDeps, resume_after_grant
from router_service.grants.models import GrantEvent
from router_service.grants.schemas import GrantEventIn
from router_service.pending.models import FINAL_STATES, PendingAction
from shared.db import utcnow

logger = logging.getLogger(__name__)


async def process_grant_event(
    session: AsyncSession, *, deps: DialogueDeps, event: GrantEventIn
) -> str:
    """Records the event (``duplicate`` if seen before) and resumes the user's waiting actions."""
    session.add(
        GrantEvent(
            event_id=event.event_id,
            type=event.type,
            user_id=event.user_id,
            previous_user_id=event.previous_user_id,
            capability=event.capability,
            pending_action_ref=event.pending_action_ref,
            occurred_at=event.occurred_at,
        )
    )
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        logger.info("grant event already processed", extra={"event_id": event.event_id})
        return "duplicate"
    if event.previous_user_id and event.previous_user_id != event.user_id:
        # The identity now belongs to another user: its unfinished actions follow it.
        await session.execute(
            update(PendingAction)
            .where(
                PendingAction.user_id == event.previous_user_id,
                PendingAction.state.not_in(list(FINAL_STATES)),
            )
            .values(user_id=event.user_id, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    await session.commit()
    logger.info(
        "grant event accepted",
        extra={"event_id": event.event_id, "type": event.type, "capability": event.capability},
    )
    if event.type == "grant.usable" and event.capability == CALENDAR_CAPABILITY:
        await resume_after_grant(session, deps=deps, user_id=event.user_id)
    return "accepted"
