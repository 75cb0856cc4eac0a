"""Working claimed jobs: claim in one short transaction, do the work with no transaction
open (a remote call may take seconds), then record the outcome guarded by the claim."""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import utcnow
from shared.work.queue import Claim, Outcome, Queue

logger = logging.getLogger(__name__)

# Does the job's work and says what became of it. ``row`` is the claimed row as it was
# when claimed (detached: read it, do not write it). An exception is a transient failure.
Handler = Callable[[Claim, Any], Awaitable[Outcome]]


async def work_claimed(
    queue: Queue,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    claim: Claim,
    handle: Handler,
    now: datetime | None = None,
) -> enum.StrEnum:
    """Works one claimed job; its new state (``claimed`` if another worker holds it now).

    ``now``: the clock the outcome is recorded by (a retry's due time), default the real one.
    """
    async with sessionmaker() as session:
        row = await queue.holds(session=session, claim=claim)
    if row is None:
        # Our lease ran out and another worker holds the job now: it works it, not us.
        logger.warning("job lease lost", extra={"queue": queue.name, "job_id": claim.job_id})
        queue.count("lost")
        return queue.states.claimed
    try:
        outcome = await handle(claim, row)
    except Exception as err:  # kept for a later attempt; the next one may succeed
        code = str(getattr(err, "code", None) or type(err).__name__)
        logger.warning(
            "job failed", extra={"queue": queue.name, "job_id": claim.job_id, "error": code}
        )
        outcome = Outcome.retry(code)
    async with sessionmaker() as session:
        state = await queue.record(session=session, claim=claim, outcome=outcome, now=now)
    return queue.states.claimed if state is None else state


async def work_due(
    queue: Queue,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    handle: Handler,
    limit: int = 20,
    now: datetime | None = None,
) -> dict[Any, enum.StrEnum]:
    """One round: claims due jobs (as if at ``now``), works each; their new states by id."""
    async with sessionmaker() as session:
        claims = await queue.claim_due(session=session, now=now or utcnow(), limit=limit)
    return {
        claim.job_id: await work_claimed(
            queue, sessionmaker=sessionmaker, claim=claim, handle=handle
        )
        for claim in claims
    }
