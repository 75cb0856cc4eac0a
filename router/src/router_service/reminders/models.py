"""Proactive jobs: a reminder before an event, a person's morning agenda, and the hourly
read of a person's coming events that plans their reminders. One table, one durable queue
(``shared.work``): claimed with a lease token (SKIP LOCKED on PostgreSQL), so any number of
router replicas share it and each job is worked once."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Enum, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from router_service.conversations.models import Channel
from router_service.db import Base
from shared.db import UTCDateTime, utcnow
from shared.work.jobs import DEFAULT_STATES, JobColumns, JobState

ID = BigInteger().with_variant(Integer, "sqlite")
PROACTIVE_STATES = DEFAULT_STATES


class JobKind(enum.StrEnum):
    reminder = "reminder"  # "30분 뒤에 「치과」가 있어요" before one event (or instance)
    agenda = "agenda"  # the morning agenda of one day
    refresh = "refresh"  # read the person's coming events and plan their reminders


class JobResult(enum.StrEnum):
    """What a finished job did (its state says only that it is finished)."""

    sent = "sent"
    unchecked = "unchecked"  # sent without reading the calendar (unreachable until late)
    moved = "moved"  # the event moved or its reminders changed: a new job took its place
    deleted = "deleted"  # the event was deleted: nothing sent
    late = "late"  # missed (downtime) by more than its lead time: dropped, not sent late
    cancelled = "cancelled"  # replaced before it was due (a change, a new preference)
    skipped = "skipped"  # a weekend agenda with nothing on it
    planned = "planned"  # a refresh read the calendar


class ProactiveJob(JobColumns, Base):
    """One job. ``dedupe_key`` names what it is for (a reminder: person, event, start and
    lead; an agenda: person and day), so two replicas planning the same thing make one row.
    """

    __tablename__ = "proactive_jobs"
    __table_args__ = (
        Index("ix_proactive_jobs_due", "state", "due_at"),
        Index("ix_proactive_jobs_person", "user_id", "kind", "state"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[JobKind] = mapped_column(Enum(JobKind, native_enum=False, length=16))
    user_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[JobState] = mapped_column(Enum(JobState, native_enum=False, length=16))
    # Where and how it is said: the person's conversation and zone when it was planned.
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=16))
    conversation_key: Mapped[str] = mapped_column(String(255))
    time_zone: Mapped[str] = mapped_column(String(64))
    # A reminder's event, its start when planned (checked again at fire time) and lead.
    event_id: Mapped[str | None] = mapped_column(String(1024))
    event_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    minutes: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(1024))
    result: Mapped[JobResult | None] = mapped_column(Enum(JobResult, native_enum=False, length=16))
    last_error: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
