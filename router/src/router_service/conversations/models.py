"""Every message in and out, with what the parser understood of it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Enum, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from router_service.db import Base
from shared.db import UTCDateTime, utcnow


class Direction(enum.StrEnum):
    inbound = "in"
    outbound = "out"


class Channel(enum.StrEnum):
    web = "web"
    slack = "slack"


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_conversation", "conversation_key", "id"),
        # A person's latest conversation (where reminders go when nothing else says).
        Index("ix_messages_user", "user_id", "id"),
    )

    # The database assigns the id (identity), never the application.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=16))
    conversation_key: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str | None] = mapped_column(String(64))
    direction: Mapped[Direction] = mapped_column(Enum(Direction, native_enum=False, length=8))
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(32))
    slots: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # What a channel renders beside the text: {"kind": "proposal", "action_id", "buttons"|"choices",
    # "link"}. Channel-neutral; each channel turns it into its own widgets.
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
