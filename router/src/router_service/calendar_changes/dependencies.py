"""Only skill-calendar may report calendar changes."""

from __future__ import annotations

from fastapi import Request

from router_service.grants.exceptions import CallerNotAllowed

CHANGES_CALLER = "skill-calendar"


async def require_skill_calendar(request: Request) -> None:
    """Service auth has already named the caller; it must be skill-calendar."""
    if getattr(request.state, "caller", None) != CHANGES_CALLER:
        raise CallerNotAllowed()
