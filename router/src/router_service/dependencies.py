"""App-wide dependencies: what the app holds."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from router_service.context import RouterContext


async def get_context(request: Request) -> RouterContext:
    """The app's context (clients, settings, clock, channels; built at startup)."""
    return request.app.state.context


ContextDep = Annotated[RouterContext, Depends(get_context)]
