"""An outbox: rows written in the transaction of the business change that owes them, then
POSTed to another service until it acknowledges (at least once: the row's id travels as
``Idempotency-Key``, so the receiver can tell a repeat).

A service's outbox is a model with ``OutboxColumns`` (plus its own columns, such as
``user_id``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import UTCDateTime, utcnow
from shared.work.jobs import JobColumns, JobState


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
