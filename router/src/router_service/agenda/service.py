"""The morning agenda: when it is due, Korean public holidays, and free time of a day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from router_service.clients.calendar import CalendarEvent
from router_service.nlu.dates import lunar_to_solar
from router_service.reminders import service as jobs
from router_service.reminders.models import JobKind
from router_service.reminders.service import Where

# Free time is told within the working day.
DAY_STARTS, DAY_ENDS = time(9), time(18)
MIN_FREE = timedelta(minutes=30)
LATE_AFTER = timedelta(hours=1)  # an agenda missed by more (downtime) is dropped

# Korean public holidays (공휴일): solar (month, day) and lunar (month, day, days around).
SOLAR_PUBLIC = {
    (1, 1): "신정",
    (3, 1): "삼일절",
    (5, 5): "어린이날",
    (6, 6): "현충일",
    (8, 15): "광복절",
    (10, 3): "개천절",
    (10, 9): "한글날",
    (12, 25): "성탄절",
}
LUNAR_PUBLIC = (("설날", 1, 1, 1), ("부처님 오신 날", 4, 8, 0), ("추석", 8, 15, 1))


@lru_cache(maxsize=32)
def public_holidays(year: int) -> dict[date, str]:
    """The public holidays of ``year`` by day (설날 and 추석 with the days around them)."""
    days = {date(year, m, d): name for (m, d), name in SOLAR_PUBLIC.items()}
    for name, month, day, around in LUNAR_PUBLIC:
        for lunar_year in (year - 1, year):
            solar = lunar_to_solar(lunar_year, month, day)
            if solar is None:
                continue
            for shift in range(-around, around + 1):
                moment = solar + timedelta(days=shift)
                if moment.year == year:
                    label = name if shift == 0 else f"{name} 연휴"
                    days.setdefault(moment, label)
    return days


def holiday_of(day: date) -> str | None:
    """The public holiday ``day`` is, if any."""
    return public_holidays(day.year).get(day)


def next_agenda_at(agenda_time: str, zone: tzinfo, now: datetime) -> datetime:
    """The next moment after ``now`` the clock in ``zone`` shows ``agenda_time``."""
    hour, minute = (int(part) for part in agenda_time.split(":"))
    local = now.astimezone(zone)
    candidate = datetime.combine(local.date(), time(hour, minute), tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(
            local.date() + timedelta(days=1), time(hour, minute), tzinfo=zone
        )
    return candidate


def agenda_minutes(agenda_time: str) -> int:
    hour, minute = (int(part) for part in agenda_time.split(":"))
    return hour * 60 + minute


async def schedule_next(
    *,
    session: AsyncSession,
    user_id: str,
    where: Where,
    agenda_time: str | None,
    now: datetime,
    zone: tzinfo,
) -> bool:
    """Replaces the person's waiting agenda with the next one at ``agenda_time`` (None:
    no more agendas). No commit."""
    if agenda_time is None:
        await jobs.cancel_open(session=session, user_id=user_id, kind=JobKind.agenda, now=now)
        return False
    due = next_agenda_at(agenda_time, zone, now)
    key = f"a:{user_id}:{due.date().isoformat()}:{agenda_time}"
    await jobs.cancel_open(
        session=session, user_id=user_id, kind=JobKind.agenda, keep=[key], now=now
    )
    return await jobs.add_job(
        session=session,
        dedupe_key=key,
        kind=JobKind.agenda,
        user_id=user_id,
        where=where,
        due_at=due,
        minutes=agenda_minutes(agenda_time),
    )


def free_slots(
    events: list[CalendarEvent], day: date, zone: tzinfo
) -> list[tuple[datetime, datetime]]:
    """The gaps of at least 30 minutes between timed events within the working day."""
    begin = datetime.combine(day, DAY_STARTS, tzinfo=zone)
    finish = datetime.combine(day, DAY_ENDS, tzinfo=zone)
    busy = sorted(
        (max(e.start, begin), min(e.end, finish))
        for e in events
        if e.start is not None and e.end is not None and e.end > begin and e.start < finish
    )
    slots, cursor = [], begin
    for start, end in busy:
        if start - cursor >= MIN_FREE:
            slots.append((cursor, start))
        cursor = max(cursor, end)
    if finish - cursor >= MIN_FREE:
        slots.append((cursor, finish))
    return slots
