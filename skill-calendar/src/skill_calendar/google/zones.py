"""The time zone of each user's primary calendar, read from calendars.get and cached."""

from __future__ import annotations

import time
from dataclasses import dataclass

from shared.memory import TtlCache
from skill_calendar.google.client import Clock, GoogleCalendarClient

FALLBACK_ZONE = "Asia/Seoul"


@dataclass(frozen=True)
class CalendarInfo:
    time_zone: str
    google_email: str | None


class CalendarZones:
    """Caches (time zone, account) of at most ``max_size`` users for ``ttl_s`` seconds;
    a restart reads them again."""

    def __init__(
        self,
        *,
        google: GoogleCalendarClient,
        ttl_s: float = 600.0,
        max_size: int = 10_000,
        clock: Clock = time.monotonic,
    ) -> None:
        self.google = google
        self._cache: TtlCache[str, CalendarInfo] = TtlCache(
            max_size=max_size, ttl_s=ttl_s, clock=clock
        )

    async def info(self, *, user_id: str) -> CalendarInfo:
        """The user's primary calendar zone and Google account."""
        cached = self._cache.get(user_id)
        if cached is not None:
            return cached
        calendar = await self.google.get_calendar(user_id=user_id)
        calendar_id = calendar.get("id")
        info = CalendarInfo(
            time_zone=calendar.get("timeZone") or FALLBACK_ZONE,
            google_email=calendar_id if calendar_id and "@" in calendar_id else None,
        )
        self._cache.set(user_id, info)
        return info

    async def zone_name(self, *, user_id: str) -> str:
        """The IANA name of the user's calendar zone."""
        return (await self.info(user_id=user_id)).time_zone
