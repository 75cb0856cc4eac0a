"""Grant events: recorded in the grant's transaction, delivered to the router until acknowledged."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime

import httpx
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth_server.events.models import GrantEvent
from shared.backoff import retry_after_seconds
from shared.db import utcnow
from shared.time import SEOUL
from shared.work.jobs import JobState
from shared.work.queue import Claim, Outcome, Queue
from shared.work.runner import work_due

logger = logging.getLogger(__name__)

GRANT_USABLE = "grant.usable"
GRANT_UNUSABLE = "grant.unusable"
DELIVERY_PATH = "/internal/grant-events"
RETRY_AFTER_CAP = 600.0  # a router asking for more than ten minutes is retried sooner


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
        state=JobState.pending,
        attempts=0,
        due_at=now,
        created_at=now,
    )
    session.add(event)
    return event


def outbox_queue(
    *,
    max_attempts: int,
    backoff_base: float,
    backoff_cap: float,
    lease_seconds: float,
    registry: CollectorRegistry | None = None,
) -> Queue:
    """The grant-event outbox as a durable queue (oldest event first)."""
    return Queue(
        name="grant_events",
        model=GrantEvent,
        order="created_at",
        max_attempts=max_attempts,
        lease_seconds=lease_seconds,
        backoff_base=backoff_base,
        backoff_cap=backoff_cap,
        registry=registry,
    )


async def deliver_due(
    *,
    queue: Queue,
    sessionmaker: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
    limit: int = 20,
    now: datetime | None = None,
) -> int:
    """Delivers the events that are due; returns how many the router acknowledged.

    Each event is claimed in a short transaction of its own and posted with no transaction
    open; only the claim's holder records the outcome, so replicas never send one event
    at the same time and a slow router never holds a row lock.
    """

    async def post(claim: Claim, event: GrantEvent) -> Outcome:
        return await _post(client, event)

    states = await work_due(queue, sessionmaker=sessionmaker, handle=post, limit=limit, now=now)
    return sum(1 for state in states.values() if state == JobState.done)


async def _post(client: httpx.AsyncClient, event: GrantEvent) -> Outcome:
    try:
        response = await client.post(
            DELIVERY_PATH,
            content=event.payload.encode(),
            headers={"Content-Type": "application/json", "Idempotency-Key": event.id},
        )
    except httpx.HTTPError as err:
        return Outcome.retry(type(err).__name__)
    if 200 <= response.status_code < 300:
        return Outcome.done(delivered_at=utcnow())
    retry_after = retry_after_seconds(response.headers.get("retry-after"), cap=RETRY_AFTER_CAP)
    return Outcome.retry(f"status {response.status_code}", retry_after=retry_after)
