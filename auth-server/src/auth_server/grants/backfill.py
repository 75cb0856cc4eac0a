"""Announcements a data migration owes: every usable ``calendar`` grant gets a
``grant.usable`` event through the outbox, so the router's usual processing makes
skill-calendar follow people who connected before calendar sync existed (nobody ever asked
``PUT /v1/sync/people/{id}`` for them). Done once, by whichever replica's housekeeping
round deletes the owed row first, in the same transaction as the events it records.
"""

from __future__ import annotations

import logging

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth_server.events.models import OwedAnnouncement
from auth_server.events.service import GRANT_USABLE, record_grant_event
from auth_server.grants.models import GoogleAccount
from auth_server.grants.status import capability_status
from shared.db import rows_affected

logger = logging.getLogger(__name__)

CALENDAR_GRANTS = "calendar-grants-for-sync"  # owed by migration 0005
CALENDAR = "calendar"
BACKFILL_REASON = "backfill"  # tells these events apart in the outbox and the router's rows


async def announce_owed(*, session: AsyncSession) -> int:
    """Records what is owed and forgets that it was (no commit: the caller's transaction);
    how many events were recorded."""
    claimed = await session.execute(
        delete(OwedAnnouncement).where(OwedAnnouncement.name == CALENDAR_GRANTS)
    )
    if rows_affected(claimed) != 1:
        return 0  # nothing owed, or another replica took it (its commit decides)
    accounts = await session.scalars(select(GoogleAccount).order_by(GoogleAccount.user_id))
    count = 0
    for account in accounts:
        status = capability_status(account, CALENDAR)
        if status.usable:
            record_grant_event(
                session=session,
                type=GRANT_USABLE,
                user_id=account.user_id,
                capability=CALENDAR,
                state=status.state,
                reason=BACKFILL_REASON,
            )
            count += 1
    logger.info("usable calendar grants announced for sync", extra={"events": count})
    return count
