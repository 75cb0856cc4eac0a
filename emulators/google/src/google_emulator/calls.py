"""Call counting and fault injection, applied at the start of each handler."""

import asyncio

from fastapi import FastAPI, Request

from google_emulator.errors import GoogleApiError, OAuthError, unauthenticated
from google_emulator.state import State

# Set in the request scope by a drop_response fault: seconds to stall before losing the answer.
DROP_KEY = "google_emulator.drop_response_after"
# Set by a delay fault without a status: seconds to hold the answer of a call already applied.
LATE_KEY = "google_emulator.answer_late_by"


def get_state(request: Request) -> State:
    """The emulator state of the running app."""
    return request.app.state.emulator


async def begin_call(request: Request, name: str, *, api: bool = True) -> None:
    """Count the call and apply an injected fault (an error, a delay, or a lost answer).

    A delay without a status holds only the answer: the call takes effect at once, as at
    Google, where a write can land after the client timed out.
    """
    fault = get_state(request).record_call(name, request.url.path)
    if fault is None:
        return
    if fault.drop_response:
        # The call takes effect; EmulatorApp then loses whatever answer it produces.
        request.scope[DROP_KEY] = fault.delay
        return
    if not fault.status:
        request.scope[LATE_KEY] = fault.delay
        return
    if fault.delay:
        await asyncio.sleep(fault.delay)
    headers = {}
    if fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)
    if api and fault.status == 401 and fault.reason in (None, "authError"):
        raise unauthenticated()
    if api:
        raise GoogleApiError(fault.status, fault.reason, headers=headers)
    raise OAuthError(fault.status, fault.reason or "internal_failure", "Injected fault.", headers)


class EmulatorApp(FastAPI):
    """FastAPI that can hold or lose an answer: late, or the connection aborted instead."""

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        # uvicorn's send is a bound method of the request cycle, which owns the transport.
        transport = getattr(getattr(send, "__self__", None), "transport", None)
        dropped = False

        async def maybe_drop(message) -> None:
            nonlocal dropped
            if message["type"] == "http.response.start" and scope.get(LATE_KEY):
                await asyncio.sleep(scope[LATE_KEY])
            if not dropped and message["type"] == "http.response.start" and DROP_KEY in scope:
                await asyncio.sleep(scope[DROP_KEY])
                dropped = True
                if transport is None:
                    raise ConnectionAbortedError("answer lost by an injected drop_response fault")
                transport.abort()
                # Let the server notice the closed connection before the app returns.
                for _ in range(3):
                    await asyncio.sleep(0)
            if not dropped:
                await send(message)

        await super().__call__(scope, receive, maybe_drop)
