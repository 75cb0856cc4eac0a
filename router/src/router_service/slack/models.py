"""Slack's inbox (events and button presses, once each) and its outbound delivery queue."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from router_service.db import Base
from shared.db import UTCDateTime, utcnow

ID = BigInteger().with_variant(Integer, "sqlite")


class InboxKind(enum.StrEnum):
    message = "message"  # message.im or app_mention
    action = "action"  # a block_actions button press


class InboxState(enum.StrEnum):
    received = "received"  # stored and acknowledged, not yet worked
    processing = "processing"  # claimed by one process until lease_until
    done = "done"
    failed = "failed"  # gave up after max attempts (logged)


class SlackInbox(Base):
    """One Slack event (keyed by ``event_id``) or interaction (``action:<trigger_id>``)."""

    __tablename__ = "slack_inbox"
    __table_args__ = (Index("ix_slack_inbox_state", "state", "received_at"),)

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[InboxKind] = mapped_column(Enum(InboxKind, native_enum=False, length=16))
    team_id: Mapped[str] = mapped_column(String(32))
    # What the processing needs (channel, user, text or action): kept until done, then cleared.
    body: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    state: Mapped[InboxState] = mapped_column(Enum(InboxState, native_enum=False, length=16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # How many times Slack delivered it (retries with X-Slack-Retry-Num included).
    deliveries: Mapped[int] = mapped_column(Integer, default=1)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error_code: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeliveryKind(enum.StrEnum):
    post = "post"  # chat.postMessage of a stored outbound message
    update = "update"  # chat.update of a message already posted (its buttons answered)


class DeliveryState(enum.StrEnum):
    pending = "pending"  # due at next_attempt_at
    sending = "sending"  # claimed by one worker until lease_until
    sent = "sent"
    failed = "failed"  # a permanent Slack error: never retried
    dead = "dead"  # transient errors until max attempts: dead-lettered


OPEN_DELIVERY_STATES = (DeliveryState.pending, DeliveryState.sending)


class SlackDelivery(Base):
    """One Slack call owed for a stored message, written in the message's transaction."""

    __tablename__ = "slack_deliveries"
    __table_args__ = (
        Index("ix_slack_deliveries_due", "state", "next_attempt_at"),
        Index("ix_slack_deliveries_conversation", "conversation_key", "id"),
        Index("ix_slack_deliveries_posted", "channel_id", "ts"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    kind: Mapped[DeliveryKind] = mapped_column(Enum(DeliveryKind, native_enum=False, length=16))
    # Deliveries of one conversation go out in id order (a later one waits for an earlier one).
    conversation_key: Mapped[str] = mapped_column(String(255))
    # Where it went (post: set once sent) or goes (update: the clicked message).
    channel_id: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[DeliveryState] = mapped_column(Enum(DeliveryState, native_enum=False, length=16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set at each claim; only the holder of the current lease may record the outcome.
    lease_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SlackUser(Base):
    """What users.info said about a Slack user (display name, time zone), kept a day."""

    __tablename__ = "slack_users"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
