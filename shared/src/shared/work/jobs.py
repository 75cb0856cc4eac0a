"""What a job table is: a row with a state, attempts, a due time and a lease."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import UTCDateTime, utcnow


class JobState(enum.StrEnum):
    """The states of a job table made for this module (older tables map their own names)."""

    pending = "pending"  # waiting for due_at
    running = "running"  # claimed by one worker until lease_until
    done = "done"
    failed = "failed"  # a permanent error: never retried
    dead = "dead"  # transient errors until max attempts (or its worker died each time)


@dataclass(frozen=True)
class JobStates:
    """Which value of a table's state column plays each role."""

    ready: enum.StrEnum
    claimed: enum.StrEnum
    done: enum.StrEnum
    failed: enum.StrEnum
    dead: enum.StrEnum

    @property
    def open(self) -> tuple[enum.StrEnum, enum.StrEnum]:
        """States of a job not finished yet."""
        return (self.ready, self.claimed)


DEFAULT_STATES = JobStates(
    ready=JobState.pending,
    claimed=JobState.running,
    done=JobState.done,
    failed=JobState.failed,
    dead=JobState.dead,
)


class JobColumns:
    """Mixin: the columns the queue works with (the model adds ``state`` and its error column).

    ``due_at`` is when the job may run: now for work to do at once, later for a retry after
    backoff, or a chosen moment (a reminder, a morning agenda, a sync).
    """

    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set at each claim; only the holder of the current lease may record the outcome.
    lease_token: Mapped[str | None] = mapped_column(String(32))
