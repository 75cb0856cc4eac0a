"""The dialogue's hook: after Haru creates, moves or deletes an event, its reminders
follow in the same transaction (the write's own reply and its reminders commit together)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from router_service.calendar_changes.schemas import CalendarChanges
from router_service.clients.calendar import CalendarEvent
from router_service.context import RouterContext
from router_service.dialogue import plans
from router_service.dialogue.turn import Conversation
from router_service.reminders import flows
from router_service.reminders.models import JobKind
from router_service.reminders.service import Where, add_job, reschedule_for_events, where_for


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


def follow_calendar_changes(app: RouterContext) -> Callable[[], None]:
    """Registers the reminders' listener on ``calendar_changes`` (the Google sync): a
    deleted event loses its reminders at once; for anything else the person's coming events
    are read again right away (the notice does not carry an event's own reminders). A notice
    delivered twice plans one read (keyed by its id)."""

    async def listen(notice: CalendarChanges) -> None:
        now = app.clock()
        async with app.sessionmaker() as session:
            where = await where_for(
                session=session,
                user_id=notice.user_id,
                default_zone=app.settings.default_time_zone,
            )
            if where is None:
                return  # never wrote to Haru: nothing planned, nowhere to say anything
            deleted = [e.event_id for e in notice.events if e.cancelled]
            if deleted:
                await reschedule_for_events(
                    session=session,
                    user_id=notice.user_id,
                    events=[],
                    deleted_ids=deleted,
                    now=now,
                    where=where,
                    metrics=app.reminder_metrics,
                )
            if notice.full_resync or len(deleted) < len(notice.events):
                await add_job(
                    session=session,
                    dedupe_key=f"f:{notice.user_id}:notice:{notice.notice_id}",
                    kind=JobKind.refresh,
                    user_id=notice.user_id,
                    where=where,
                    due_at=now,
                )
            await session.commit()

    return app.calendar_changes.add("reminders", listen)
