"""Calendar arithmetic the grammar relies on: weeks, months, nth weekdays, holidays.

Pure functions over ``datetime.date``; nothing here knows about text.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

# The years a person plans in; a date outside them is refused, never guessed.
MIN_YEAR = 1900
MAX_YEAR = 2200

# Fixed-date (solar) days people name: month, day.
SOLAR_HOLIDAYS = MappingProxyType(
    {
        "신정": (1, 1),
        "새해 첫날": (1, 1),
        "새해첫날": (1, 1),
        "삼일절": (3, 1),
        "3·1절": (3, 1),
        "3.1절": (3, 1),
        "근로자의 날": (5, 1),
        "근로자의날": (5, 1),
        "노동절": (5, 1),
        "어린이날": (5, 5),
        "어버이날": (5, 8),
        "스승의 날": (5, 15),
        "스승의날": (5, 15),
        "현충일": (6, 6),
        "제헌절": (7, 17),
        "광복절": (8, 15),
        "개천절": (10, 3),
        "한글날": (10, 9),
        "크리스마스 이브": (12, 24),
        "크리스마스이브": (12, 24),
        "성탄절": (12, 25),
        "크리스마스": (12, 25),
        "밸런타인데이": (2, 14),
        "발렌타인데이": (2, 14),
        "화이트데이": (3, 14),
        "만우절": (4, 1),
        "할로윈": (10, 31),
        "핼러윈": (10, 31),
        "빼빼로데이": (11, 11),
        "연말": (12, 31),
        "섣달그믐": (12, 31),
    }
)

# Lunar-calendar days: lunar month, lunar day (converted per year, never tabled by hand).
LUNAR_HOLIDAYS = MappingProxyType(
    {
        "설날": (1, 1),
        "구정": (1, 1),
        "설": (1, 1),
        "정월대보름": (1, 15),
        "정월 대보름": (1, 15),
        "대보름": (1, 15),
        "부처님 오신 날": (4, 8),
        "부처님오신날": (4, 8),
        "석가탄신일": (4, 8),
        "단오": (5, 5),
        "칠석": (7, 7),
        "추석": (8, 15),
        "한가위": (8, 15),
    }
)


def add_months(day: date, months: int) -> date:
    """Returns the first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def week_start(day: date) -> date:
    """Returns the Monday of ``day``'s week (weeks start on Monday)."""
    return day - timedelta(days=day.weekday())


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date | None:
    """Returns the ``nth`` (1-based; -1 = last) ``weekday`` of a month, or None."""
    first = date(year, month, 1)
    if nth > 0:
        offset = (weekday - first.weekday()) % 7
        result = first + timedelta(days=offset + 7 * (nth - 1))
        return result if result.month == month else None
    last = add_months(first, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def next_month_day(today: date, month: int, day: int) -> date | None:
    """Returns the next ``month``/``day`` on or after ``today`` (rolling the year), or None."""
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


@lru_cache(maxsize=512)  # bounded: a few holidays × the years people plan in
def lunar_to_solar(year: int, month: int, day: int) -> date | None:
    """Converts a (non-leap) lunar date to the solar calendar, or None out of range.

    The library counts days from its epoch on every call (milliseconds), so the
    answers are memoised; the conversion itself is pure."""
    from korean_lunar_calendar import KoreanLunarCalendar  # imported on first use only

    calendar = KoreanLunarCalendar()
    if not calendar.setLunarDate(year, month, day, False):
        return None
    return date(calendar.solarYear, calendar.solarMonth, calendar.solarDay)


def holiday_date(name: str, today: date, year: int | None = None) -> date | None:
    """Returns the named day in ``year``, or its next occurrence on or after ``today``."""
    # Every named day falls in its own solar year, so last year's is always past.
    years = (year,) if year is not None else (today.year, today.year + 1)
    for candidate_year in years:
        if not MIN_YEAR <= candidate_year <= MAX_YEAR:
            continue
        if name in SOLAR_HOLIDAYS:
            month, day = SOLAR_HOLIDAYS[name]
            candidate = date(candidate_year, month, day)
        else:
            month, day = LUNAR_HOLIDAYS[name]
            candidate = lunar_to_solar(candidate_year, month, day)
        if candidate is not None and (year is not None or candidate >= today):
            return candidate
    return None
