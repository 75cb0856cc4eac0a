"""Call counting and fault injection, applied at the start (and end) of each handler."""

import asyncio

from fastapi import Request

from google_emulator.errors import GoogleApiError, OAuthError, unauthenticated
from google_emulator.state import Fault, State

DROP_KEY = "google_emulator.drop_connection"


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
        if api and fault.status == 401 and fault.reason in (None, "authError"):
            raise unauthenticated()
        if api:
            raise GoogleApiError(fault.status, fault.reason, headers=headers)
        raise OAuthError(
            fault.status, fault.reason or "internal_failure", "Injected fault.", headers
        )
    return None


async def finish_call(request: Request, fault: Fault | None) -> None:
    """For a drop_response fault: the effect is done; stall `delay`, then lose the answer."""
    if fault is None or not fault.drop_response:
        return
    await asyncio.sleep(fault.delay)
    drop = request.scope.get(DROP_KEY)
    if drop is None:
        raise ConnectionAbortedError("response dropped by an injected fault")
    drop()
    # Let the event loop see the connection go before the handler's answer is discarded.
    for _ in range(3):
        await asyncio.sleep(0)


class DropConnectionApp:
    """The outermost ASGI layer: lets a handler abort its connection without any answer."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        dropped = False
        # uvicorn's send is a bound method of the request cycle, which owns the transport.
        transport = getattr(getattr(send, "__self__", None), "transport", None)

        def drop() -> None:
            nonlocal dropped
            dropped = True
            if transport is not None:
                transport.abort()

        async def guarded_send(message) -> None:
            if not dropped:
                await send(message)

        if transport is not None:
            scope[DROP_KEY] = drop
        await self.app(scope, receive, guarded_send)
