"""A durable queue over one job table: claim due jobs with a lease token, record outcomes.

A claim is one UPDATE over a ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite runs
one writer at a time, so the single statement is just as exclusive), committed at once: two
workers never hold one job, and no transaction stays open while the job's work runs. The
outcome is written only while the claim's token still matches, so a worker whose lease ran
out (and whose job another worker took over) records nothing.

With a ``key`` column, jobs of one key run in id order: a job waits while an earlier job of
its key is still open (a conversation's Slack messages).

A round's outcomes may be recorded together (``record_many``: one transaction, each row
still guarded by its own token), and a job the worker chose not to start (the remote side
asked it to wait) goes back ``later`` without spending an attempt.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from prometheus_client import CollectorRegistry
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from shared.backoff import retry_delay
from shared.db import rows_affected, utcnow
from shared.work.jobs import DEFAULT_STATES, JobStates
from shared.work.metrics import JOBS, counter

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claim:
    """A job reserved for one worker: only ``token``'s holder may record its outcome."""

    job_id: Any
    token: str
    attempts: int  # including this one
    # The row as the claim left it (detached: read it, do not write it); None from claim_one.
    row: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Outcome:
    """What became of a claimed job; build it with ``done``, ``retry``, ``failed`` or ``later``."""

    kind: Literal["done", "retry", "failed", "later"]
    error: str | None = None
    retry_after: float | None = None  # the remote side said when (Retry-After): never earlier
    # The remote side asked every caller to wait (HTTP 429): a worker's Pause holds them all.
    pause_all: bool = False
    values: Mapping[str, object] = field(default_factory=dict)  # more columns to set
    # Runs in the transaction that records the outcome (only if the claim still held).
    also: Callable[[AsyncSession], Awaitable[None]] | None = None

    @classmethod
    def done(
        cls,
        error: str | None = None,
        *,
        also: Callable[[AsyncSession], Awaitable[None]] | None = None,
        **values: object,
    ) -> Outcome:
        return cls("done", error=error, values=values, also=also)

    @classmethod
    def retry(
        cls,
        error: str,
        *,
        retry_after: float | None = None,
        pause_all: bool = False,
        **values: object,
    ) -> Outcome:
        return cls(
            "retry", error=error, retry_after=retry_after, pause_all=pause_all, values=values
        )

    @classmethod
    def failed(cls, error: str, **values: object) -> Outcome:
        return cls("failed", error=error, values=values)

    @classmethod
    def later(cls, retry_after: float) -> Outcome:
        """Not attempted (the remote side asked everyone to wait): due again after
        ``retry_after`` seconds, the attempt not counted."""
        return cls("later", retry_after=retry_after)


class Queue:
    """One job table's queue: its states, ordering key, attempts, lease and backoff.

    The table has ``id``, ``state``, the ``JobColumns`` and an error column; ``order`` is
    the column claims go by (oldest first), ``key`` the column whose jobs run in id order.
    """

    def __init__(
        self,
        *,
        name: str,
        model: type[Any],
        states: JobStates = DEFAULT_STATES,
        key: str | None = None,
        error_column: str = "last_error",
        order: str = "id",
        max_attempts: int,
        lease_seconds: float,
        backoff_base: float,
        backoff_cap: float,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.name = name
        self.model = model
        self.states = states
        self.key = key
        self.error_column = error_column
        self.order = order
        self.max_attempts = max_attempts
        self.lease_seconds = lease_seconds
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.counter = counter(registry or CollectorRegistry(), JOBS)
        length = getattr(getattr(model, error_column).type, "length", None)
        self._error_length: int = length or 200

    def count(self, outcome: str, amount: int = 1) -> None:
        if amount:
            self.counter.labels(self.name, outcome).inc(amount)

    def _claimable(self, now: datetime) -> Any:
        m, s = self.model, self.states
        expired = and_(m.state == s.claimed, m.lease_until < now)
        return and_(m.attempts < self.max_attempts, or_(m.state == s.ready, expired))

    def _claim_values(self, now: datetime, token: str) -> dict[str, Any]:
        return {
            "state": self.states.claimed,
            "lease_until": now + timedelta(seconds=self.lease_seconds),
            "lease_token": token,
            "attempts": self.model.attempts + 1,
        }

    async def claim_due(self, *, session: AsyncSession, now: datetime, limit: int) -> list[Claim]:
        """Reserves up to ``limit`` due jobs (oldest first, one per key) and commits; each
        claim carries its row as claimed, so working it needs no second read."""
        m, s = self.model, self.states
        await self._bury_abandoned(session, now)
        due = and_(self._claimable(now), or_(m.state != s.ready, m.due_at <= now))
        conditions = [due]
        if self.key is not None:
            earlier = aliased(m)
            conditions.append(
                ~exists().where(
                    getattr(earlier, self.key) == getattr(m, self.key),
                    earlier.id < m.id,
                    earlier.state.in_(list(s.open)),
                )
            )
        candidates = (
            select(m.id)
            .where(*conditions)
            .order_by(getattr(m, self.order), m.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=m)
            # A CTE with FOR UPDATE is evaluated once (PostgreSQL does not inline it), so
            # the UPDATE takes exactly the rows this statement locked, never more.
            .cte("due")
        )
        token = secrets.token_hex(8)
        result = await session.execute(
            update(m)
            .where(m.id.in_(select(candidates.c.id)))
            .values(**self._claim_values(now, token))
            .returning(m)
            .execution_options(synchronize_session=False)
        )
        claims = sorted(
            (
                Claim(job_id=row.id, token=token, attempts=row.attempts, row=row)
                for row in result.scalars().all()
            ),
            key=lambda c: c.job_id,
        )
        await session.commit()
        self.count("claimed", len(claims))
        return claims

    async def claim_one(self, *, session: AsyncSession, job_id: Any, now: datetime) -> Claim | None:
        """Reserves one job now, due or not (its own process takes it up at once); commits."""
        m = self.model
        token = secrets.token_hex(8)
        result = await session.execute(
            update(m)
            .where(m.id == job_id, self._claimable(now))
            .values(**self._claim_values(now, token))
            .returning(m.attempts)
            .execution_options(synchronize_session=False)
        )
        attempts = result.scalar_one_or_none()
        await session.commit()
        if attempts is None:
            return None
        self.count("claimed")
        return Claim(job_id=job_id, token=token, attempts=attempts)

    async def _bury_abandoned(self, session: AsyncSession, now: datetime) -> None:
        """Jobs whose worker died on their last attempt (lease out, no attempts left) die."""
        m, s = self.model, self.states
        result = await session.execute(
            update(m)
            .where(m.state == s.claimed, m.lease_until < now, m.attempts >= self.max_attempts)
            .values(state=s.dead, lease_until=None, lease_token=None)
            .execution_options(synchronize_session=False)
        )
        if rows_affected(result):
            logger.error(
                "jobs abandoned on their last attempt are dead",
                extra={"queue": self.name, "jobs": rows_affected(result)},
            )
            self.count("dead", rows_affected(result))

    async def holds(self, *, session: AsyncSession, claim: Claim) -> Any | None:
        """The claimed row while ``claim`` still holds it, else None (the lease was lost)."""
        row = await session.get(self.model, claim.job_id, populate_existing=True)
        if row is None or row.lease_token != claim.token or row.state != self.states.claimed:
            return None
        return row

    def is_last_attempt(self, claim: Claim) -> bool:
        """Whether a retry of this claim's failure would make the job dead."""
        return claim.attempts >= self.max_attempts

    def next_role(self, claim: Claim, outcome: Outcome) -> str:
        """The role of the state ``outcome`` leads to: done, failed, dead or ready."""
        if outcome.kind == "later":
            return "ready"
        if outcome.kind == "retry":
            return "dead" if self.is_last_attempt(claim) else "ready"
        return outcome.kind

    def _state(self, claim: Claim, outcome: Outcome) -> enum.StrEnum:
        state: enum.StrEnum = getattr(self.states, self.next_role(claim, outcome))
        return state

    async def record(
        self,
        *,
        session: AsyncSession,
        claim: Claim,
        outcome: Outcome,
        now: datetime | None = None,
    ) -> enum.StrEnum | None:
        """Writes ``outcome`` if the claim still holds (its new state), else None; commits."""
        states = await self.record_many(session=session, outcomes=[(claim, outcome)], now=now)
        return states[claim.job_id]

    async def record_many(
        self,
        *,
        session: AsyncSession,
        outcomes: Sequence[tuple[Claim, Outcome]],
        now: datetime | None = None,
    ) -> dict[Any, enum.StrEnum | None]:
        """Writes several outcomes in one transaction, each only while its own claim still
        holds (its ``also`` too); their new states by job id (None: lease lost); commits.
        Outcomes that set the same values under one lease token share one UPDATE."""
        now = now or utcnow()
        states: dict[Any, enum.StrEnum | None] = {}
        for group in _alike(outcomes):
            held = await self._write(session, [claim for claim, _ in group], group[0][1], now)
            for claim, outcome in group:
                states[claim.job_id] = None
                if claim.job_id in held:
                    if outcome.also is not None:
                        await outcome.also(session)
                    states[claim.job_id] = self._state(claim, outcome)
        await session.commit()
        for claim, outcome in outcomes:
            if states[claim.job_id] is not None:
                self._recorded(claim, outcome)
        return states

    async def _write(
        self, session: AsyncSession, claims: Sequence[Claim], outcome: Outcome, now: datetime
    ) -> set[Any]:
        """The guarded UPDATE of claims sharing ``outcome`` and one token (no commit); the
        ids whose claim still held."""
        m, first = self.model, claims[0]
        state = self._state(first, outcome)
        values: dict[str, Any] = {
            **outcome.values,
            "state": state,
            "lease_until": None,
            "lease_token": None,
            self.error_column: outcome.error[: self._error_length] if outcome.error else None,
        }
        if outcome.kind == "later":
            values["attempts"] = m.attempts - 1  # never started: the attempt is not spent
            values["due_at"] = now + timedelta(seconds=outcome.retry_after or 0.0)
        elif state == self.states.ready:
            delay = retry_delay(
                first.attempts,
                base=self.backoff_base,
                cap=self.backoff_cap,
                retry_after=outcome.retry_after,
            )
            values["due_at"] = now + timedelta(seconds=delay)
        result = await session.execute(
            update(m)
            .where(
                m.id.in_([claim.job_id for claim in claims]),
                m.lease_token == first.token,
                m.state == self.states.claimed,
            )
            .values(**values)
            .returning(m.id)
            .execution_options(synchronize_session=False)
        )
        held = set(result.scalars().all())
        for claim in claims:
            if claim.job_id not in held:
                logger.warning("job lease lost", extra={"queue": self.name, "job_id": claim.job_id})
                self.count("lost")
        return held

    def _recorded(self, claim: Claim, outcome: Outcome) -> None:
        """Counts (and, for a retry or a dead job, logs) a committed outcome."""
        role = self.next_role(claim, outcome)
        if outcome.kind == "later":
            self.count("later")
            return
        self.count("retry" if role == "ready" else role)
        extra = {"queue": self.name, "job_id": claim.job_id, "attempts": claim.attempts}
        if role == "dead":
            logger.error("job dead after max attempts", extra={**extra, "error": outcome.error})
        elif role == "ready":
            logger.info("job will be retried", extra={**extra, "error": outcome.error})


def _alike(outcomes: Sequence[tuple[Claim, Outcome]]) -> list[list[tuple[Claim, Outcome]]]:
    """``outcomes`` in groups that write the same values under one token (a round's
    reminders all "done, sent, at now"); a retry (its own backoff) stays alone."""
    groups: dict[object, list[tuple[Claim, Outcome]]] = {}
    for index, (claim, outcome) in enumerate(outcomes):
        key: object = index
        if outcome.kind in ("done", "failed"):
            alike = (claim.token, outcome.kind, outcome.error, frozenset(outcome.values.items()))
            with contextlib.suppress(TypeError):  # a value that cannot be hashed: alone
                key = (alike, hash(alike))
        groups.setdefault(key, []).append((claim, outcome))
    return list(groups.values())
