"""The dialogue's set_preference: "일정 10분 전에 항상 알려줘", "알림 꺼줘", "매일 아침 8시에
일정 알려줘", "아침 브리핑 그만". Applied at once (nothing to approve), said back, and the
jobs follow: the next agenda is planned, coming events get the new default reminder."""

from __future__ import annotations

import logging

from router_service.agenda import messages as agenda_messages
from router_service.agenda import service as agenda
from router_service.conversations.models import Message
from router_service.dialogue.turn import Conversation
from router_service.nlu.schemas import PreferenceSlots
from router_service.preferences import messages
from router_service.preferences.service import save_preference
from router_service.reminders import flows as reminder_flows
from router_service.reminders.service import Where, preference_of

logger = logging.getLogger(__name__)


async def set_preference(conv: Conversation, slots: PreferenceSlots | None) -> list[Message]:
    """Saves what the message set and says what Haru will do from now on."""
    if slots is None or not slots.model_fields_set:
        return [await conv.say(messages.NOT_UNDERSTOOD)]
    where = Where(conv.channel, conv.conversation_key, conv.zone_name)
    before = await preference_of(session=conv.session, user_id=conv.user_id)
    replies: list[str] = []
    if "agenda_time" in slots.model_fields_set:
        was_on = before is not None and before.agenda_time is not None
        preference = await save_preference(
            session=conv.session, user_id=conv.user_id, where=where, agenda_time=slots.agenda_time
        )
        await agenda.schedule_next(
            session=conv.session,
            user_id=conv.user_id,
            where=where,
            agenda_time=preference.agenda_time,
            now=conv.now,
            zone=conv.zone,
        )
        if slots.agenda_time is not None:
            replies.append(agenda_messages.agenda_on(slots.agenda_time))
        else:
            replies.append(
                agenda_messages.AGENDA_OFF if was_on else agenda_messages.AGENDA_ALREADY_OFF
            )
    if "reminder_minutes" in slots.model_fields_set:
        was = before.reminder_minutes if before is not None else None
        await save_preference(
            session=conv.session,
            user_id=conv.user_id,
            where=where,
            reminder_minutes=slots.reminder_minutes,
        )
        # Coming events get the new default at the next read of the calendar, due now.
        await reminder_flows.schedule_refresh_now(
            session=conv.session, app=conv.app, user_id=conv.user_id, where=where, now=conv.now
        )
        replies.append(messages.reminder_default(slots.reminder_minutes, was=was))
    logger.info("preference set", extra={"fields": sorted(slots.model_fields_set)})
    return [await conv.say("\n".join(replies))]
