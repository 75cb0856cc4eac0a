"""The outbox of grant events, written in the same transaction as the grant change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from auth_server.db import Base
from shared.db import UTCDateTime, utcnow
from shared.work.notify import notify_on_insert
from shared.work.outbox import OutboxColumns

CHANNEL = "grant_events"  # NOTIFY channel: a recorded event wakes every replica's worker


class GrantEvent(OutboxColumns, Base):
    """One event owed to the router (its id is the event_id): an outbox row until acknowledged."""

    __tablename__ = "grant_events"
    __table_args__ = (Index("ix_grant_events_due", "state", "due_at"),)

    type: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(36), index=True)


notify_on_insert(GrantEvent.__table__, channel=CHANNEL)


class OwedAnnouncement(Base):
    """Grant events a data migration owes: the housekeeping loop records them once through
    the outbox and deletes this row in the same transaction (``grants/backfill.py``)."""

    __tablename__ = "owed_announcements"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
