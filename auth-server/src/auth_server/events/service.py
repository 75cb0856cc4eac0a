"""Grant events: recorded in the grant's transaction, delivered to the router until acknowledged."""

from __future__ import annotations

import json
import logging
import random
import uuid
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth_server.events.models import GrantEvent
from shared.db import utcnow
from shared.time import SEOUL

logger = logging.getLogger(__name__)

GRANT_USABLE = "grant.usable"
GRANT_UNUSABLE = "grant.unusable"
DELIVERY_PATH = "/internal/grant-events"


def record_grant_event(
    *,
    session: AsyncSession,
    type: str,
    user_id: str,
    capability: str,
    state: str,
    reason: str | None = None,
    pending_action_ref: str | None = None,
    previous_user_id: str | None = None,
) -> GrantEvent:
    """Adds a grant event to the outbox within the caller's transaction (no commit)."""
    now = utcnow()
    event_id = str(uuid.uuid4())
    payload = {
        "event_id": event_id,
        "type": type,
        "user_id": user_id,
        "previous_user_id": previous_user_id,
        "capability": capability,
        "state": state,
        "reason": reason,
        "pending_action_ref": pending_action_ref,
        "occurred_at": now.astimezone(SEOUL).isoformat(timespec="seconds"),
    }
    event = GrantEvent(
        id=event_id,
        type=type,
        user_id=user_id,
        payload=json.dumps(payload, ensure_ascii=False),
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(event)
    return event


def retry_delay(attempts: int, *, base: float, cap: float) -> float:
    """Exponential backoff with jitter for the ``attempts``-th failed delivery."""
    ceiling = min(cap, base * (2 ** max(0, attempts - 1)))
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311


async def deliver_due(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
    backoff_base: float,
    backoff_cap: float,
    batch_size: int = 20,
    now: datetime | None = None,
) -> int:
    """Delivers the events that are due; returns how many the router acknowledged.

    Rows are claimed with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL), so several
    replicas share the outbox without sending one event twice at the same time.
    """
    now = now or utcnow()
    delivered = 0
    async with sessionmaker() as session, session.begin():
        query = (
            select(GrantEvent)
            .where(GrantEvent.delivered_at.is_(None), GrantEvent.next_attempt_at <= now)
            .order_by(GrantEvent.created_at)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
        )
        events = (await session.scalars(query)).all()
        for event in events:
            error = await _post(client, event)
            event.attempts += 1
            if error is None:
                event.delivered_at = utcnow()
                event.last_error = None
                delivered += 1
            else:
                event.last_error = error[:200]
                delay = retry_delay(event.attempts, base=backoff_base, cap=backoff_cap)
                event.next_attempt_at = utcnow() + timedelta(seconds=delay)
                logger.info(
                    "grant event delivery failed; will retry",
                    extra={"event_id": event.id, "attempts": event.attempts, "error": error},
                )
    return delivered


async def _post(client: httpx.AsyncClient, event: GrantEvent) -> str | None:
    try:
        response = await client.post(
            DELIVERY_PATH,
            content=event.payload.encode(),
            headers={"Content-Type": "application/json", "Idempotency-Key": event.id},
        )
    except httpx.HTTPError as err:
        return type(err).__name__
    if 200 <= response.status_code < 300:
        return None
    return f"status {response.status_code}"
