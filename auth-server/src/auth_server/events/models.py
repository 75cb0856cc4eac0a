"""The outbox of grant events, written in the same transaction as the grant change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from auth_server.db import Base
from shared.db import UTCDateTime, utcnow
from shared.work.jobs import JobColumns, JobState
from shared.work.notify import notify_on_insert

CHANNEL = "grant_events"  # NOTIFY channel: a recorded event wakes every replica's worker


class GrantEvent(JobColumns, Base):
    """One event owed to the router: a durable job (``shared.work``) until acknowledged."""

    __tablename__ = "grant_events"
    __table_args__ = (Index("ix_grant_events_due", "state", "due_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the event_id
    type: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(36), index=True)
    payload: Mapped[str] = mapped_column(Text)  # the JSON body sent to the router
    state: Mapped[JobState] = mapped_column(
        Enum(JobState, native_enum=False, length=16), default=JobState.pending
    )
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


notify_on_insert(GrantEvent.__table__, channel=CHANNEL)


class OwedAnnouncement(Base):
    """Grant events a data migration owes: the housekeeping loop records them once through
    the outbox and deletes this row in the same transaction (``grants/backfill.py``)."""

    __tablename__ = "owed_announcements"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
