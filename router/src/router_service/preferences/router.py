"""GET /internal/users/{user_id}/preferences: auth-server's account page shows them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from router_service.grants.dependencies import require_auth_server
from router_service.preferences.messages import summary
from router_service.preferences.schemas import PreferencesOut
from router_service.reminders.service import preference_of
from shared.db import SessionDep

router = APIRouter(tags=["preferences"], dependencies=[Depends(require_auth_server)])


@router.get(
    "/users/{user_id}/preferences",
    response_model=PreferencesOut,
    summary="A person's default reminder and morning agenda",
)
async def get_preferences(
    user_id: Annotated[str, Path(min_length=1, max_length=64)], session: SessionDep
) -> PreferencesOut:
    """What the person chose (everything off when they never chose)."""
    preference = await preference_of(session=session, user_id=user_id)
    minutes = preference.reminder_minutes if preference else None
    agenda_time = preference.agenda_time if preference else None
    texts = summary(minutes, agenda_time)
    return PreferencesOut(
        reminder_minutes=minutes,
        agenda_time=agenda_time,
        time_zone=preference.time_zone if preference else None,
        reminder_text=texts["reminder"],
        agenda_text=texts["agenda"],
    )
