"""Change notices: recorded with the sync token that found them, delivered to the router's
one hook (POST /internal/calendar-changes) until acknowledged, each person's in order."""

from __future__ import annotations

import httpx
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.backoff import retry_after_seconds
from shared.db import utcnow
from shared.work.jobs import JobState
from shared.work.queue import Claim, Outcome, Queue
from shared.work.runner import work_due
from skill_calendar.sync.models import ChangeNotice

DELIVERY_PATH = "/internal/calendar-changes"
RETRY_AFTER_CAP = 600.0


def notice_queue(
    *,
    max_attempts: int,
    backoff_base: float,
    backoff_cap: float,
    lease_seconds: float,
    registry: CollectorRegistry | None = None,
) -> Queue:
    """The notice outbox as a durable queue (oldest first, one person's in order)."""
    return Queue(
        name="change_notices",
        model=ChangeNotice,
        key="user_id",
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
) -> int:
    """Delivers the notices that are due; returns how many the router acknowledged."""

    async def post(claim: Claim, notice: ChangeNotice) -> Outcome:
        return await _post(client, notice)

    states = await work_due(queue, sessionmaker=sessionmaker, handle=post, limit=limit)
    return sum(1 for state in states.values() if state == JobState.done)


async def _post(client: httpx.AsyncClient, notice: ChangeNotice) -> Outcome:
    try:
        response = await client.post(
            DELIVERY_PATH,
            content=notice.payload.encode(),
            headers={"Content-Type": "application/json", "Idempotency-Key": notice.id},
        )
    except httpx.HTTPError as err:
        return Outcome.retry(type(err).__name__)
    if 200 <= response.status_code < 300:
        return Outcome.done(delivered_at=utcnow())
    if response.status_code in (400, 404, 422):
        return Outcome.failed(f"status {response.status_code}")  # asking again cannot help
    retry_after = retry_after_seconds(response.headers.get("retry-after"), cap=RETRY_AFTER_CAP)
    return Outcome.retry(f"status {response.status_code}", retry_after=retry_after)
