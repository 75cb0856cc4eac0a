"""Grant events: recorded in the grant's transaction, delivered to the router until acknowledged."""

from __future__ import annotations

import json
import logging
import uuid
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from auth_server.events.models import GrantEvent
from shared.db import utcnow
from shared.time import SEOUL
from shared.work import outbox
from shared.work.jobs import JobState

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
        state=JobState.pending,
        attempts=0,
        due_at=now,
        created_at=now,
    )
    session.add(event)
    return event


# The grant-event outbox as a durable queue (oldest event first).
outbox_queue = partial(outbox.outbox_queue, name="grant_events", model=GrantEvent)

# Delivers the events that are due; returns how many the router acknowledged. Every refusal
# is retried, up to the queue's maximum attempts (docs/contracts.md, "Grant events").
deliver_due = partial(outbox.deliver_due, path=DELIVERY_PATH)
