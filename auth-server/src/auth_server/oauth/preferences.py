"""The person's reminder choices, read from the router for the account page (best effort:
the page is whole without them when the router does not answer)."""

from __future__ import annotations

import logging

import httpx
from pydantic import BaseModel, ValidationError

from auth_server.runtime import AuthRuntime
from shared.http import path_of

logger = logging.getLogger(__name__)

PREFERENCES_PATH = "/internal/users/{user_id}/preferences"


class ReminderChoices(BaseModel):
    reminder_text: str
    agenda_text: str


async def reminder_choices(*, runtime: AuthRuntime, user_id: str) -> ReminderChoices | None:
    """The router's summary of ``user_id``'s default reminder and morning agenda, or None."""
    client = runtime.router_http
    if client is None:
        return None
    try:
        response = await client.get(path_of(PREFERENCES_PATH, user_id=user_id))
        response.raise_for_status()
        return ReminderChoices.model_validate(response.json())
    except (httpx.HTTPError, ValueError, ValidationError) as err:
        logger.warning("router preferences unavailable", extra={"error_type": type(err).__name__})
        return None
