"""Clock arithmetic of the parser: a time hit to an hour of the day, and to an aware instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from router_service.nlu.grammar import AM_WORDS, PM_WORDS, Hit


@dataclass(frozen=True, slots=True)
class Clock:
    """A resolved time of day: hour 0–24 (24 = the end of the day) and minute."""

    hour: int
    minute: int
    note: str = ""


def clock_of(hit: Hit) -> Clock:
    """Resolves a time hit to a 0–24 hour using its marker, or the SPEC's bare-hour rule."""
    hour, minute, marker = hit.hour, hit.minute, hit.meridiem
    if marker == "24h" or hour > 12 or (hour == 0):
        return Clock(hour, minute)
    if marker in AM_WORDS:
        return Clock(0 if hour == 12 else hour, minute)
    if marker in PM_WORDS:
        if hour == 12:
            return Clock(24 if marker == "밤" else 12, minute)
        return Clock(hour + 12, minute)
    # A bare hour: 1–6 afternoon, 7–11 morning, 12 noon.
    if 1 <= hour <= 6:
        return Clock(hour + 12, minute, f"오후 {spoken(hour, minute)} 이해했어요")
    if 7 <= hour <= 11:
        return Clock(hour, minute, f"오전 {spoken(hour, minute)} 이해했어요")
    return Clock(12, minute, f"낮 {spoken(hour, minute)} 이해했어요")


def end_clock(start: Clock, end_hit: Hit) -> Clock:
    """The end of a range inherits the start's half of the day unless it would end first."""
    if end_hit.meridiem or end_hit.hour > 12 or end_hit.hour == 0:
        return clock_of(end_hit)
    inherited_hour = end_hit.hour % 12 + (12 if start.hour >= 12 else 0)
    if (inherited_hour, end_hit.minute) > (start.hour, start.minute):
        return Clock(inherited_hour, end_hit.minute)
    bare = clock_of(end_hit)
    return Clock(bare.hour, bare.minute)


def spoken(hour: int, minute: int) -> str:
    """``3시로``, ``3시 반으로``, ``3시 20분으로``: the time with the right 로/으로."""
    if minute == 0:
        return f"{hour}시로"
    if minute == 30:
        return f"{hour}시 반으로"
    return f"{hour}시 {minute}분으로"


def at(day: date, clock: Clock, zone: ZoneInfo) -> datetime:
    extra, hour = divmod(clock.hour, 24)
    return datetime.combine(day + timedelta(days=extra), time(hour, clock.minute), tzinfo=zone)
