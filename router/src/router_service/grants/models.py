"""Grant events received from auth-server, kept so that each is processed once.

``processed_at`` is empty until what the event allows (resuming the user's waiting actions)
has run; the recovery loop takes up any event a stopped process left unprocessed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from router_service.db import Base
from shared.db import UTCDateTime, utcnow


class GrantEvent(Base):
    __tablename__ = "grant_events"
    __table_args__ = (Index("ix_grant_events_processed_at", "processed_at"),)

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(64))
    previous_user_id: Mapped[str | None] = mapped_column(String(64))
    capability: Mapped[str] = mapped_column(String(32))
    pending_action_ref: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
