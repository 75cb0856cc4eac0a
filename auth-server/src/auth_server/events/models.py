"""The outbox of grant events, written in the same transaction as the grant change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from auth_server.db import Base
from shared.db import UTCDateTime, utcnow


class GrantEvent(Base):
    __tablename__ = "grant_events"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the event_id
    type: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(36), index=True)
    payload: Mapped[str] = mapped_column(Text)  # the JSON body sent to the router
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
