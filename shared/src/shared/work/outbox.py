"""An outbox: rows written in the transaction of the business change that owes them, then
POSTed to another service until it acknowledges (at least once: the row's id travels as
``Idempotency-Key``, so the receiver can tell a repeat).

A service's outbox is a model with ``OutboxColumns`` (plus its own columns, such as
``user_id``), a queue from ``outbox_queue`` and a loop calling ``deliver_due``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import httpx
from prometheus_client import CollectorRegistry
from sqlalchemy import Enum, String, Text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from shared.backoff import retry_after_seconds
from shared.db import UTCDateTime, utcnow
from shared.work.jobs import JobColumns, JobState
from shared.work.queue import Claim, Outcome, Queue
from shared.work.runner import work_due

RETRY_AFTER_CAP = 600.0  # a receiver asking for more than ten minutes is retried sooner


class OutboxColumns(JobColumns):
    """Mixin: an outbox row and its delivery (the model adds ``__tablename__``, its due
    index and its own columns)."""

    # A UUID, sent as the Idempotency-Key; first in the table, before the model's own columns.
    id: Mapped[str] = mapped_column(String(36), primary_key=True, sort_order=-1)
    payload: Mapped[str] = mapped_column(Text)  # the JSON body sent
    state: Mapped[JobState] = mapped_column(
        Enum(JobState, native_enum=False, length=16), default=JobState.pending
    )
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def outbox_queue(
    *,
    name: str,
    model: type[OutboxColumns],
    key: str | None = None,
    max_attempts: int,
    backoff_base: float,
    backoff_cap: float,
    lease_seconds: float,
    registry: CollectorRegistry | None = None,
) -> Queue:
    """An outbox table as a durable queue, oldest row first (ids are UUIDs: no order);
    with ``key``, the rows of one key are delivered one at a time, in order."""
    return Queue(
        name=name,
        model=model,
        key=key,
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
    path: str,
    permanent: Collection[int] = (),
    limit: int = 20,
    now: datetime | None = None,
) -> int:
    """POSTs the due rows to ``path``; how many the receiver acknowledged (a 2xx).

    A round's rows are claimed in one short transaction and posted with no transaction
    open (``work_due``); only a claim's holder records its outcome, so replicas never send
    one row at the same time and a slow receiver never holds a row lock. A status in ``permanent``
    ends the row as failed (asking again cannot help); any other failure is retried, at
    the receiver's ``Retry-After`` when it gave one.
    """

    async def post(claim: Claim, row: OutboxColumns) -> Outcome:
        try:
            response = await client.post(
                path,
                content=row.payload.encode(),
                headers={"Content-Type": "application/json", "Idempotency-Key": row.id},
            )
        except httpx.HTTPError as err:
            return Outcome.retry(type(err).__name__)
        status = response.status_code
        if 200 <= status < 300:
            return Outcome.done(delivered_at=utcnow())
        if status in permanent:
            return Outcome.failed(f"status {status}")
        retry_after = retry_after_seconds(response.headers.get("retry-after"), cap=RETRY_AFTER_CAP)
        return Outcome.retry(f"status {status}", retry_after=retry_after)

    states = await work_due(queue, sessionmaker=sessionmaker, handle=post, limit=limit, now=now)
    return sum(1 for state in states.values() if state == JobState.done)
