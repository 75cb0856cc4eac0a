"""A person's choices about Haru speaking first (plain data functions, no commit)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from router_service.preferences.models import Preference
from router_service.reminders.service import Where

UNSET = object()


async def save_preference(
    *,
    session: AsyncSession,
    user_id: str,
    where: Where,
    reminder_minutes: int | object | None = UNSET,
    agenda_time: str | object | None = UNSET,
) -> Preference:
    """Sets what is given (the rest stays) and where Haru speaks to the person first."""
    preference = await session.get(Preference, user_id, with_for_update=True)
    if preference is None:
        preference = Preference(user_id=user_id, reminder_minutes=None, agenda_time=None)
        session.add(preference)
    if reminder_minutes is not UNSET:
        preference.reminder_minutes = reminder_minutes  # type: ignore[assignment]
    if agenda_time is not UNSET:
        preference.agenda_time = agenda_time  # type: ignore[assignment]
    preference.channel = where.channel
    preference.conversation_key = where.conversation_key
    preference.time_zone = where.time_zone
    await session.flush()
    return preference
