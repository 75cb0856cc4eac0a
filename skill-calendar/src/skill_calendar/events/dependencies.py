"""Dependencies of the events routes: the calendar runtime and the Idempotency-Key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Header, Path, Request

from skill_calendar.events.exceptions import IdempotencyKeyMissing
from skill_calendar.google.client import GoogleCalendarClient
from skill_calendar.google.exceptions import CalendarReauthRequired
from skill_calendar.google.zones import CalendarZones
from skill_calendar.tokens.service import AuthServerTokens


@dataclass
class CalendarRuntime:
    """The long-lived clients of one app (built in the lifespan)."""

    google: GoogleCalendarClient
    zones: CalendarZones
    tokens: AuthServerTokens
    idempotency_ttl: timedelta = timedelta(days=7)


async def calendar_runtime(
    request: Request, user_id: str = Path(min_length=1, max_length=64)
) -> AsyncIterator[CalendarRuntime]:
    """The app's runtime; a re-auth error without a connect link gets one from the auth-server."""
    runtime: CalendarRuntime = request.app.state.calendar
    try:
        yield runtime
    except CalendarReauthRequired as err:
        if not err.details.get("connect_url"):
            err.details["connect_url"] = await runtime.tokens.connect_url(user_id=user_id)
        raise


async def idempotency_key(
    key: str | None = Header(None, alias="Idempotency-Key", max_length=255),
) -> str:
    """The required Idempotency-Key header."""
    if not key or not key.strip():
        raise IdempotencyKeyMissing()
    return key.strip()


async def optional_idempotency_key(
    key: str | None = Header(None, alias="Idempotency-Key", max_length=255),
) -> str | None:
    """An optional Idempotency-Key header (series changes replay their first answer)."""
    return key.strip() if key and key.strip() else None
