"""Only auth-server may report grant changes."""

from __future__ import annotations

from fastapi import Request

from router_service.grants.exceptions import CallerNotAllowed

GRANT_EVENT_CALLER = "auth-server"


async def require_auth_server(request: Request) -> None:
    """Service auth has already named the caller; it must be auth-server."""
    if getattr(request.state, "caller", None) != GRANT_EVENT_CALLER:
        raise CallerNotAllowed()
