"""What a person chose about Haru speaking first: a default reminder and a morning agenda."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from router_service.conversations.models import Channel
from router_service.db import Base
from shared.db import UTCDateTime, utcnow


class Preference(Base):
    """One row per person (auth-server user id); absent means everything off."""

    __tablename__ = "preferences"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Minutes before each event with no reminders of its own; None: no default reminder.
    reminder_minutes: Mapped[int | None] = mapped_column(Integer)
    # "HH:MM" in time_zone; None: no morning agenda.
    agenda_time: Mapped[str | None] = mapped_column(String(5))
    time_zone: Mapped[str] = mapped_column(String(64))
    # Where Haru speaks first: the conversation the person last set something in.
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=16))
    conversation_key: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
