"""POST /internal/calendar-changes: skill-calendar tells the router events changed in Google."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from router_service.calendar_changes.dependencies import require_skill_calendar
from router_service.calendar_changes.exceptions import ListenerFailed
from router_service.calendar_changes.schemas import CalendarChanges, CalendarChangesAck
from router_service.dependencies import ContextDep

router = APIRouter(tags=["calendar-changes"], dependencies=[Depends(require_skill_calendar)])


@router.post(
    "/calendar-changes",
    response_model=CalendarChangesAck,
    summary="Events of a person changed in Google",
    responses={503: {"description": "a listener failed; send the notice again later"}},
)
async def receive_calendar_changes(
    body: CalendarChanges, context: ContextDep
) -> CalendarChangesAck:
    """Hands the notice to every ``calendar_changes`` listener before answering."""
    try:
        count = await context.calendar_changes.deliver(body)
    except Exception as err:
        raise ListenerFailed(retry_after=30) from err
    return CalendarChangesAck(listeners=count)
