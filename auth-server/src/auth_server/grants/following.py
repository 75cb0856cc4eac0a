"""Before a disconnect revokes the grant at Google: skill-calendar (through the router, which
decides who is followed) stops the person's push channel while their credentials still
work. Best effort and bounded: a disconnect never fails or waits long for it."""

from __future__ import annotations

import asyncio
import logging
from typing import Literal

import httpx
from pydantic import BaseModel, ValidationError

from auth_server.runtime import AuthRuntime
from shared.http import path_of

logger = logging.getLogger(__name__)

STOP_PATH = "/internal/users/{user_id}/calendar-following/stop"

# The router asks skill-calendar, which may refresh the access token here and then calls
# Google once: enough for that on a healthy day, short enough for a person to wait for.
# A deadline for the whole call: httpx's timeouts bound each read, so an answer that
# trickles in (or the shared client's retries) could otherwise hold the disconnect longer.
STOP_DEADLINE_S = 8.0
STOP_TIMEOUT = httpx.Timeout(STOP_DEADLINE_S, connect=2.0)


class FollowingStopped(BaseModel):
    status: Literal["stopped", "accepted"]


async def stop_following(
    *, runtime: AuthRuntime, user_id: str, deadline_s: float = STOP_DEADLINE_S
) -> bool:
    """Asks the router to stop following ``user_id``'s calendar now, within ``deadline_s``
    in all; whether the channel was stopped at Google (False, logged, when anything failed
    or the deadline passed: the grant event that follows the disconnect still stops
    following, and the channel ends at its expiry)."""
    client = runtime.router_http
    if client is None:
        return False
    try:
        async with asyncio.timeout(deadline_s):
            response = await client.post(path_of(STOP_PATH, user_id=user_id), timeout=STOP_TIMEOUT)
            response.raise_for_status()
            stopped = FollowingStopped.model_validate(response.json()).status == "stopped"
    except (httpx.HTTPError, ValueError, ValidationError, TimeoutError) as err:
        logger.warning(
            "calendar channel not stopped before the revoke",
            extra={"error_type": type(err).__name__},
        )
        return False
    if not stopped:
        logger.info("calendar channel stop left to skill-calendar's queue")
    return stopped
