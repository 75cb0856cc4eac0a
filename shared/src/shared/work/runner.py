"""Working claimed jobs: claim in one short transaction, do the work with no transaction
open (a remote call may take seconds), then record the outcome guarded by the claim.

A round's jobs are worked a few at a time (``concurrency``); whenever the recorder is
free it records every outcome ready by then in one transaction (each still guarded by its
own lease), so an outcome waits no longer than one commit, as it would for the database
lock anyway. A ``Pause`` is the remote side's "everyone wait" (HTTP 429 with
Retry-After): jobs not started yet go back ``later``.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import utcnow
from shared.work.queue import Claim, Outcome, Queue

logger = logging.getLogger(__name__)

# Does the job's work and says what became of it. ``row`` is the claimed row as it was
# when claimed (detached: read it, do not write it). An exception is a transient failure.
Handler = Callable[[Claim, Any], Awaitable[Outcome]]


class Pause:
    """A remote side's "everyone wait N seconds" (HTTP 429 with Retry-After) for a worker:
    an outcome with ``pause_all`` holds it, and no job of the worker starts until then.

    In memory only, on purpose: a restarted worker forgets it and learns it again from the
    next answer that says so; the jobs themselves keep their due times in the database.
    """

    def __init__(self) -> None:
        self._until: datetime | None = None

    def hold(self, until: datetime) -> None:
        """Nothing starts before ``until`` (a later hold already set stays)."""
        if self._until is None or until > self._until:
            self._until = until

    def remaining(self, now: datetime) -> float:
        """Seconds from ``now`` until jobs may start again (0: now)."""
        if self._until is None:
            return 0.0
        return max(0.0, (self._until - now).total_seconds())


async def _outcome(queue: Queue, claim: Claim, row: Any, handle: Handler) -> Outcome:
    """The handler's outcome; an exception is a transient failure, kept for a later attempt."""
    try:
        return await handle(claim, row)
    except Exception as err:  # the next attempt may succeed
        code = str(getattr(err, "code", None) or type(err).__name__)
        logger.warning(
            "job failed", extra={"queue": queue.name, "job_id": claim.job_id, "error": code}
        )
        return Outcome.retry(code)


async def work_claimed(
    queue: Queue,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    claim: Claim,
    handle: Handler,
    now: datetime | None = None,
) -> enum.StrEnum:
    """Works one claimed job; its new state (``claimed`` if another worker holds it now).

    The row is read first (``claim_one`` carries none, and a claim may be old by now);
    ``now``: the clock the outcome is recorded by (a retry's due time), default the real one.
    """
    async with sessionmaker() as session:
        row = await queue.holds(session=session, claim=claim)
    if row is None:
        # Our lease ran out and another worker holds the job now: it works it, not us.
        logger.warning("job lease lost", extra={"queue": queue.name, "job_id": claim.job_id})
        queue.count("lost")
        return queue.states.claimed
    outcome = await _outcome(queue, claim, row, handle)
    async with sessionmaker() as session:
        state = await queue.record(session=session, claim=claim, outcome=outcome, now=now)
    return queue.states.claimed if state is None else state


async def work_claims(
    queue: Queue,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    claims: Sequence[Claim],
    handle: Handler,
    concurrency: int = 1,
    pause: Pause | None = None,
    now: datetime | None = None,
) -> dict[Any, enum.StrEnum]:
    """Works a round's fresh claims (their rows as claimed: no second read; the outcome's
    UPDATE is guarded by the token anyway), ``concurrency`` at a time, and records the
    outcomes ready whenever the recorder is free, together; their new states by id.

    A job not started within half its lease goes back ``later``, unattempted: no remote
    call starts on a lease about to run out (another worker could take the job over).
    """
    gate = asyncio.Semaphore(max(1, concurrency))
    ready: asyncio.Queue[tuple[Claim, Outcome]] = asyncio.Queue()
    start_by = time.monotonic() + queue.lease_seconds / 2

    async def work(claim: Claim) -> None:
        async with gate:
            if time.monotonic() >= start_by:
                outcome = Outcome.later(0.0)
            else:
                outcome = await _paused_or_handled(queue, claim, handle, pause, now)
            ready.put_nowait((claim, outcome))

    workers = asyncio.gather(*(work(claim) for claim in claims))
    states: dict[Any, enum.StrEnum] = {}
    try:
        while len(states) < len(claims):
            batch = [await ready.get()]
            while not ready.empty():
                batch.append(ready.get_nowait())
            states.update(
                await _record_together(queue, sessionmaker=sessionmaker, outcomes=batch, now=now)
            )
        await workers
    finally:
        workers.cancel()  # the round was cancelled (shutdown): its jobs stop too
    return states


async def _paused_or_handled(
    queue: Queue, claim: Claim, handle: Handler, pause: Pause | None, now: datetime | None
) -> Outcome:
    """``later`` while paused; else the handler's outcome (which may pause everyone)."""
    if pause is None:
        return await _outcome(queue, claim, claim.row, handle)
    wait = pause.remaining(now or utcnow())
    if wait > 0:
        return Outcome.later(wait)
    outcome = await _outcome(queue, claim, claim.row, handle)
    if outcome.pause_all:
        pause.hold((now or utcnow()) + timedelta(seconds=outcome.retry_after or 0.0))
    return outcome


async def _record_together(
    queue: Queue,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    outcomes: list[tuple[Claim, Outcome]],
    now: datetime | None,
) -> dict[Any, enum.StrEnum]:
    """One transaction for all; if it fails, one each, so one bad job holds up no other
    (a job whose own record fails again keeps its lease and is worked again after it)."""
    claimed = queue.states.claimed
    try:
        async with sessionmaker() as session:
            states = await queue.record_many(session=session, outcomes=outcomes, now=now)
        return {job_id: claimed if state is None else state for job_id, state in states.items()}
    except Exception:
        logger.exception("recording a round together failed", extra={"queue": queue.name})
    recorded: dict[Any, enum.StrEnum] = {}
    for claim, outcome in outcomes:
        state = None
        try:
            async with sessionmaker() as session:
                state = await queue.record(session=session, claim=claim, outcome=outcome, now=now)
        except Exception:
            logger.exception(
                "recording a job failed", extra={"queue": queue.name, "job_id": claim.job_id}
            )
        recorded[claim.job_id] = claimed if state is None else state
    return recorded


async def work_due(
    queue: Queue,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    handle: Handler,
    limit: int = 20,
    concurrency: int = 1,
    pause: Pause | None = None,
    now: datetime | None = None,
) -> dict[Any, enum.StrEnum]:
    """One round: claims due jobs (as if at ``now``), works them (``work_claims``), each
    outcome recorded as its job ends; their new states by id. Claims nothing while paused."""
    if pause is not None and pause.remaining(now or utcnow()) > 0:
        return {}
    async with sessionmaker() as session:
        claims = await queue.claim_due(session=session, now=now or utcnow(), limit=limit)
    return await work_claims(
        queue,
        sessionmaker=sessionmaker,
        claims=claims,
        handle=handle,
        concurrency=concurrency,
        pause=pause,
        now=now,
    )
