"""Call counting and fault injection, applied at the start (and end) of each handler."""

import asyncio

from fastapi import Request

from google_emulator.errors import GoogleApiError, OAuthError
from google_emulator.state import Fault, State


def get_state(request: Request) -> State:
    """The emulator state of the running app."""
    return request.app.state.emulator


async def begin_call(request: Request, name: str, *, api: bool = True) -> Fault | None:
    """Count the call and apply an injected fault; returns a fault to finish with, if any."""
    fault = get_state(request).record_call(name, request.url.path)
    if fault is None:
        return None
    if fault.drop_response:
        return fault
    if fault.delay:
        await asyncio.sleep(fault.delay)
    if fault.status:
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        if api:
            raise GoogleApiError(fault.status, fault.reason, headers=headers)
        raise OAuthError(
            fault.status, fault.reason or "internal_failure", "Injected fault.", headers
        )
    return None


async def finish_call(fault: Fault | None) -> None:
    """For a drop_response fault: the effect is done, now stall before answering."""
    if fault is not None and fault.drop_response:
        await asyncio.sleep(fault.delay)
