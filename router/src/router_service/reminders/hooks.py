"""The dialogue's hook: after Haru creates, moves or deletes an event, its reminders
follow in the same transaction (the write's own reply and its reminders commit together)."""

from __future__ import annotations

from typing import Any

from router_service.clients.calendar import CalendarEvent
from router_service.dialogue import plans
from router_service.dialogue.turn import Conversation
from router_service.reminders import flows
from router_service.reminders.service import Where, reschedule_for_events


async def reminders_follow(conv: Conversation, plan: Any, result: dict[str, Any]) -> None:
    """Plans, moves or cancels the reminders of the event ``plan`` just wrote."""
    where = Where(conv.channel, conv.conversation_key, conv.zone_name)
    metrics = conv.app.reminder_metrics
    if isinstance(plan, plans.DeletePlan):
        await reschedule_for_events(
            session=conv.session,
            user_id=conv.user_id,
            events=[],
            deleted_ids=[plan.event_id],
            now=conv.now,
            where=where,
            metrics=metrics,
        )
        return
    if not isinstance(plan, plans.CreatePlan | plans.ChangePlan) or "event" not in result:
        return
    event = CalendarEvent.model_validate(result["event"])
    if event.recurrence:  # a series: its instances are read from the calendar right away
        await flows.schedule_refresh_now(
            session=conv.session, app=conv.app, user_id=conv.user_id, where=where, now=conv.now
        )
        return
    await reschedule_for_events(
        session=conv.session,
        user_id=conv.user_id,
        events=[event],
        now=conv.now,
        where=where,
        metrics=metrics,
    )
