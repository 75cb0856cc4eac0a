"""What skill-calendar keeps to follow a person's calendar: the watched calendar (sync token,
push channel), the sync jobs (a durable queue), and the change notices owed to the router."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import UTCDateTime, utcnow
from shared.work.jobs import JobColumns, JobState
from shared.work.outbox import OutboxColumns
from skill_calendar.db import Base


class WatchedCalendar(Base):
    """A connected person's primary calendar, followed with a sync token and a push channel."""

    __tablename__ = "watched_calendars"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Google's nextSyncToken of the last sync; None: the next sync is a full one.
    sync_token: Mapped[str | None] = mapped_column(Text)
    channel_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The channel token is a secret Google echoes back: only its SHA-256 is kept.
    channel_token_sha256: Mapped[str | None] = mapped_column(String(64))
    resource_id: Mapped[str | None] = mapped_column(String(255))
    channel_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SyncJobKind(enum.StrEnum):
    """What a sync job does."""

    watch = "watch"  # baseline full sync (no notice) and a push channel, renewed when due
    sync = "sync"  # incremental sync: what changed becomes a notice to the router
    unwatch = "unwatch"  # stop the channel, forget the token


class SyncJob(JobColumns, Base):
    """One piece of sync work for one person; a person's jobs run one at a time, in order."""

    __tablename__ = "sync_jobs"
    __table_args__ = (Index("ix_sync_jobs_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[SyncJobKind] = mapped_column(Enum(SyncJobKind, native_enum=False, length=16))
    reason: Mapped[str] = mapped_column(String(32))  # push, periodic, connected, renewal, …
    state: Mapped[JobState] = mapped_column(
        Enum(JobState, native_enum=False, length=16), default=JobState.pending
    )
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChangeNotice(OutboxColumns, Base):
    """Changed events of one person owed to the router (its id is the notice_id): an outbox
    row until acknowledged."""

    __tablename__ = "change_notices"
    __table_args__ = (Index("ix_change_notices_due", "state", "due_at"),)

    user_id: Mapped[str] = mapped_column(String(64), index=True)
