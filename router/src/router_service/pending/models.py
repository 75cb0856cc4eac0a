"""Pending actions: what Haru proposed and is waiting to be allowed to do."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Enum, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from router_service.conversations.models import Channel
from router_service.db import Base
from shared.db import UTCDateTime, utcnow


class ActionKind(enum.StrEnum):
    create = "create"
    update = "update"
    delete = "delete"
    query = "query"
    create_many = "create_many"  # several events asked in one message, approved at once


class ActionState(enum.StrEnum):
    proposed = "proposed"
    awaiting_choice = "awaiting_choice"
    awaiting_scope = "awaiting_scope"  # one, following or all of a recurring series?
    awaiting_date = "awaiting_date"  # a create with no day: Haru asked "언제로 할까요?"
    awaiting_auth = "awaiting_auth"
    approved = "approved"
    executing = "executing"
    done = "done"
    failed = "failed"
    rejected = "rejected"
    expired = "expired"
    superseded = "superseded"
    undoing = "undoing"
    undone = "undone"


# States in which an action still waits for the person (or for their Google consent).
OPEN_STATES = (
    ActionState.proposed,
    ActionState.awaiting_choice,
    ActionState.awaiting_scope,
    ActionState.awaiting_auth,
    ActionState.awaiting_date,
)
# States whose next step runs the plan: an action cannot be in one of them without it.
PLANNED_STATES = (ActionState.proposed, ActionState.approved, ActionState.executing)
FINAL_STATES = (
    ActionState.done,
    ActionState.failed,
    ActionState.rejected,
    ActionState.expired,
    ActionState.superseded,
    ActionState.undone,
)
PLAN_REQUIRED = "state NOT IN ({}) OR plan IS NOT NULL".format(
    ", ".join(f"'{state}'" for state in PLANNED_STATES)
)


class PendingAction(Base):
    __tablename__ = "pending_actions"
    __table_args__ = (
        Index("ix_pending_actions_conversation", "conversation_key", "state"),
        Index("ix_pending_actions_user", "user_id", "state"),
        Index("ix_pending_actions_undo", "conversation_key", "undo_until"),
        # A plan-less action that could be approved or run cannot exist (a crash between
        # a state change and its plan once left one behind: "그래" then failed on it).
        CheckConstraint(PLAN_REQUIRED, name="plan_required"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    user_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=16))
    conversation_key: Mapped[str] = mapped_column(String(255))
    kind: Mapped[ActionKind] = mapped_column(Enum(ActionKind, native_enum=False, length=16))
    state: Mapped[ActionState] = mapped_column(Enum(ActionState, native_enum=False, length=16))
    # What the person asked for (dialogue.plans' *Request models, as JSON), kept so the
    # action can be prepared again after a re-auth.
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The prepared operation (dialogue.plans' *Plan models, as JSON); written in the same
    # UPDATE or INSERT as the state that needs it (PLANNED_STATES).
    # none_as_null: no plan is SQL NULL (not JSON null), which the CHECK sees.
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # Numbered candidates while the person chooses among several matching events.
    candidates: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    assumptions: Mapped[list[str] | None] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error_code: Mapped[str | None] = mapped_column(String(64))
    time_zone: Mapped[str] = mapped_column(String(64))
    # Set when the person approved; an action resumed after re-auth then runs without asking.
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # What takes a done create, update or delete back (dialogue.undo_plans' models, as
    # JSON; captured from the calendar's answers when it ran), and until when it may.
    undo_plan: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    undo_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How often the recovery round took it up again after a stopped process; at
    # ROUTER_RECOVERY_MAX_ATTEMPTS it fails instead (a write that kills its process each time).
    recovery_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def idempotency_key(self) -> str:
        """The key skill-calendar sees for this action's write: the action's own id."""
        return f"pending-action-{self.id}"

    @property
    def undo_idempotency_key(self) -> str:
        """The key of the write that undoes this action (the same for every retry)."""
        return f"undo-pending-action-{self.id}"
