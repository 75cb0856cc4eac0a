"""Before a disconnect revokes the grant at Google: skill-calendar (through the router, which
decides who is followed) stops the person's push channel while their credentials still
work. Best effort and bounded: a disconnect never fails or waits long for it."""

from __future__ import annotations

import logging
from typing import Literal

import httpx
from pydantic import BaseModel, ValidationError

from auth_server.runtime import AuthRuntime

logger = logging.getLogger(__name__)

# The router asks skill-calendar, which may refresh the access token here and then calls
# Google once: enough for that on a healthy day, short enough for a person to wait for.
STOP_TIMEOUT = httpx.Timeout(8.0, connect=2.0)


class FollowingStopped(BaseModel):
    status: Literal["stopped", "accepted"]


async def stop_following(*, runtime: AuthRuntime, user_id: str) -> bool:
    """Asks the router to stop following ``user_id``'s calendar now; whether the channel
    was stopped at Google (False, logged, when anything failed: the grant event that
    follows the disconnect still stops following, and the channel ends at its expiry)."""
    client = runtime.router_http
    if client is None:
        return False
    try:
        response = await client.post(
            f"/internal/users/{user_id}/calendar-following/stop", timeout=STOP_TIMEOUT
        )
        response.raise_for_status()
        stopped = FollowingStopped.model_validate(response.json()).status == "stopped"
    except (httpx.HTTPError, ValueError, ValidationError) as err:
        logger.warning(
            "calendar channel not stopped before the revoke",
            extra={"error_type": type(err).__name__},
        )
        return False
    if not stopped:
        logger.info("calendar channel stop left to skill-calendar's queue")
    return stopped
