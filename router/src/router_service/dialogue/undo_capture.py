"""What undo needs, read from the calendar while an action runs (execution calls these).

Before an update or a delete: the event as it is then (``GET`` the event, or its series'
master for a change to the whole series), stored with ``start_execution`` in the same
committed UPDATE, before the write. A run repeated after a crash finds it stored and
does not read again (the calendar would already show the write). When the read fails,
the event as the proposal listed it stands in.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from router_service.clients.calendar import CalendarEvent
from router_service.clients.exceptions import (
    CalendarEventNotFound,
    CalendarReauthRequired,
    CalendarRequestFailed,
    CalendarUnavailable,
)
from router_service.dialogue import plans, undo_plans
from router_service.dialogue import series as series_
from router_service.dialogue.turn import Conversation
from router_service.dialogue.undo_messages import undo_button
from router_service.pending.models import ActionKind, PendingAction

logger = logging.getLogger(__name__)

READ_FAILURES = (
    CalendarEventNotFound,
    CalendarReauthRequired,
    CalendarRequestFailed,
    CalendarUnavailable,
)


async def before_write(
    conv: Conversation, action: PendingAction
) -> undo_plans.PatchBack | undo_plans.Recreate | None:
    """The event before an update or a delete runs, as the start of its undo plan."""
    if action.kind not in (ActionKind.update, ActionKind.delete) or action.undo_plan is not None:
        return None
    try:
        plan = plans.plan_of(action)
    except plans.PlanMissing:
        return None
    scope = plan.scope  # an occurrence of a series: which ones change (None: a lone event)
    if scope == "following" or series_.parts_reached(plan.series, scope):
        return None  # a split series, or series split apart: not undone (docs/dialogue.md)
    calendar = conv.app.calendar
    event: CalendarEvent | None
    try:
        if scope == "all":
            event = await calendar.series_of(user_id=conv.user_id, event_id=plan.event_id)
        else:
            event = await calendar.get_event(user_id=conv.user_id, event_id=plan.event_id)
    except READ_FAILURES as err:
        logger.info("event not read before its write", extra={"error_code": err.code})
        event = None if scope == "all" else plan.before
    if event is None:
        return None
    return undo_plans.before_write(action.kind, event, event_id=plan.event_id, scope=scope)


def after_write(
    action: PendingAction,
    *,
    answer: undo_plans.Written,
    created_status: str | None,
    now: datetime,
) -> dict[str, Any]:
    """``finish``'s undo values: the complete plan and the end of its window."""
    if action.kind == ActionKind.query:
        return {}
    plan = undo_plans.after_write(
        action.kind,
        stored=undo_plans.undo_plan_of(action),
        answer=answer,
        created_status=created_status,
    )
    return {"undo_plan": plan, "undo_until": now + undo_plans.UNDO_WINDOW}


def with_button(payload: dict[str, Any] | None, action: PendingAction) -> dict[str, Any] | None:
    """The ✅ reply's payload with its [되돌리기] button, when the action can be undone."""
    if payload is None or action.undo_plan is None or action.undo_until is None:
        return payload
    return {**payload, "undo": undo_button(action.undo_until)}
