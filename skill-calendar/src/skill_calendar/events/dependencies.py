"""Dependencies of the events routes: the calendar runtime and the Idempotency-Key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fastapi import Header, Path, Request

from skill_calendar.events.exceptions import IdempotencyKeyMissing
from skill_calendar.google.client import GoogleCalendarClient
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
) -> CalendarRuntime:
    """The app's runtime (a re-auth answer's connect link is the router's to make)."""
    return request.app.state.calendar


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
