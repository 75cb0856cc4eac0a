"""Slack's inbox (events and button presses, once each) and its outbound delivery queue."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from router_service.db import Base
from shared.db import UTCDateTime, utcnow
from shared.work.jobs import JobColumns, JobStates
from shared.work.notify import notify_on_insert

ID = BigInteger().with_variant(Integer, "sqlite")


class InboxKind(enum.StrEnum):
    message = "message"  # message.im or app_mention
    action = "action"  # a block_actions button press


class InboxState(enum.StrEnum):
    received = "received"  # stored and acknowledged, due at due_at
    processing = "processing"  # claimed by one process until lease_until
    done = "done"
    failed = "failed"  # gave up after max attempts (logged, the person told)


INBOX_STATES = JobStates(
    ready=InboxState.received,
    claimed=InboxState.processing,
    done=InboxState.done,
    failed=InboxState.failed,
    dead=InboxState.failed,
)


class SlackInbox(JobColumns, Base):
    """One Slack event (keyed by ``event_id``) or interaction (``action:<trigger_id>``).

    A durable job (``shared.work``): its own process works it right after the
    acknowledgement; ``due_at`` (a grace later) is when recovery takes it up instead.
    """

    __tablename__ = "slack_inbox"
    __table_args__ = (Index("ix_slack_inbox_due", "state", "due_at"),)

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[InboxKind] = mapped_column(Enum(InboxKind, native_enum=False, length=16))
    team_id: Mapped[str] = mapped_column(String(32))
    # What the processing needs (channel, user, text or action): kept until done, then cleared.
    body: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    state: Mapped[InboxState] = mapped_column(Enum(InboxState, native_enum=False, length=16))
    # How many times Slack delivered it (retries with X-Slack-Retry-Num included).
    deliveries: Mapped[int] = mapped_column(Integer, default=1)
    error_code: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeliveryKind(enum.StrEnum):
    post = "post"  # chat.postMessage of a stored outbound message
    update = "update"  # chat.update of a message already posted (its buttons answered)


class DeliveryState(enum.StrEnum):
    pending = "pending"  # due at due_at
    sending = "sending"  # claimed by one worker until lease_until
    sent = "sent"
    failed = "failed"  # a permanent Slack error: never retried
    dead = "dead"  # transient errors until max attempts: dead-lettered


DELIVERY_STATES = JobStates(
    ready=DeliveryState.pending,
    claimed=DeliveryState.sending,
    done=DeliveryState.sent,
    failed=DeliveryState.failed,
    dead=DeliveryState.dead,
)
OPEN_DELIVERY_STATES = DELIVERY_STATES.open


class SlackDelivery(JobColumns, Base):
    """One Slack call owed for a stored message, written in the message's transaction.

    A durable job (``shared.work``) keyed by conversation: one conversation's deliveries
    go out in id order.
    """

    __tablename__ = "slack_deliveries"
    __table_args__ = (
        Index("ix_slack_deliveries_due", "state", "due_at"),
        Index("ix_slack_deliveries_conversation", "conversation_key", "id"),
        Index("ix_slack_deliveries_posted", "channel_id", "ts"),
    )

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    kind: Mapped[DeliveryKind] = mapped_column(Enum(DeliveryKind, native_enum=False, length=16))
    conversation_key: Mapped[str] = mapped_column(String(255))
    # Where it went (post: set once sent) or goes (update: the clicked message).
    channel_id: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[DeliveryState] = mapped_column(Enum(DeliveryState, native_enum=False, length=16))
    last_error: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


DELIVERIES_CHANNEL = "slack_deliveries"  # NOTIFY channel: a queued delivery wakes the workers
notify_on_insert(SlackDelivery.__table__, channel=DELIVERIES_CHANNEL)


class SlackUser(Base):
    """What users.info said about a Slack user (display name, time zone), kept a day."""

    __tablename__ = "slack_users"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
