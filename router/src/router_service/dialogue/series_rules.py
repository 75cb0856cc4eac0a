"""A series' rule as data: its occurrences, the rule after its first day moves, its end.

Pure (python-dateutil, imported on first use): ``series_check`` expands a proposed series
to check it against the calendar, ``amend`` moves a proposed series to another weekday,
``series_flow`` counts occurrences and finds series split from one another.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import islice
from zoneinfo import ZoneInfo

from router_service.dialogue.recurrence_words import CODES

logger = logging.getLogger(__name__)

# How long one step of each frequency can be (a month: 31 days, a year: 366).
_STEP_DAYS = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}
_DAY_ITEM = re.compile(r"^([+-]?\d{0,2})([A-Z]{2})$")
# A series with more starts than this before a split is not looked at as split.
MAX_EXPANDED = 1000


def _rrule_parts(line: str) -> list[tuple[str, str]]:
    return [
        (key.strip().upper(), value.strip())
        for key, sep, value in (item.partition("=") for item in line.split(":", 1)[1].split(";"))
        if sep
    ]


def _rrules(recurrence: list[str]) -> list[str]:
    return [line for line in recurrence if line.upper().startswith("RRULE:")]


def starts(recurrence: list[str], first: datetime | date, zone: tzinfo) -> Iterator[datetime]:
    """The series' starts in order (aware in ``zone``; midnight for an all-day series),
    ending quietly where the rule cannot be read or the calendar ends."""
    from dateutil.rrule import rrulestr  # imported on first use only

    if isinstance(first, datetime):
        dtstart = first.astimezone(zone)
        if isinstance(zone, ZoneInfo):  # wall-clock time kept across DST
            dtstart = dtstart.replace(tzinfo=zone)
    else:
        dtstart = datetime.combine(first, time())
    try:
        rules = iter(rrulestr("\n".join(recurrence), dtstart=dtstart, forceset=True))
        while True:
            moment = next(rules)
            yield moment if moment.tzinfo else moment.replace(tzinfo=zone)
    except StopIteration:
        return
    except (ValueError, TypeError, OverflowError):
        logger.info("a series rule could not be expanded")
        return


def starts_until(
    recurrence: list[str], first: datetime | date, zone: tzinfo, *, stop: datetime, limit: int
) -> list[datetime]:
    """The starts before ``stop``, at most ``limit`` of them."""
    found = []
    for moment in islice(starts(recurrence, first, zone), limit):
        if moment >= stop:
            break
        found.append(moment)
    return found


def moved(recurrence: list[str], *, old: date, new: date) -> list[str]:
    """The rule of a series whose first day moves from ``old`` to ``new``: a weekday or a
    day of the month that named ``old`` names ``new`` instead ("아 수요일로" on 매주 화요일:
    ``BYDAY=TU`` → ``WE``; 매달 첫째 월요일 → 첫째 화요일; 매달 25일 → 26일)."""
    if old == new:
        return list(recurrence)
    out = []
    for line in recurrence:
        if line.upper().startswith("RRULE:"):
            freq = dict(_rrule_parts(line)).get("FREQ", "").upper()
            parts = [
                (key, _moved_part(key, value, freq, old, new)) for key, value in _rrule_parts(line)
            ]
            line = "RRULE:" + ";".join(f"{key}={value}" for key, value in parts)
        out.append(line)
    return out


def _moved_part(key: str, value: str, freq: str, old: date, new: date) -> str:
    if key == "BYDAY":
        items = [_moved_weekday(item.strip().upper(), old, new) for item in value.split(",")]
        return ",".join(dict.fromkeys(items))
    if key == "BYMONTHDAY" and freq == "MONTHLY":
        items = [
            str(new.day) if item.strip() == str(old.day) else item for item in value.split(",")
        ]
        return ",".join(dict.fromkeys(items))
    return value


def _moved_weekday(item: str, old: date, new: date) -> str:
    match = _DAY_ITEM.match(item)
    if match is None or match.group(2) != CODES[old.weekday()]:
        return item
    ordinal = match.group(1)
    if ordinal:  # 매달 첫째 월요일: the new day's place in its month
        last_week = (new + timedelta(days=7)).month != new.month
        ordinal = "-1" if ordinal.startswith("-") and last_week else str((new.day - 1) // 7 + 1)
    return f"{ordinal}{CODES[new.weekday()]}"


def first_day_moved(old: date, new: date) -> date:
    """A weekday said for a series that starts in a later week ("다음 달부터 매주 화요일"
    then "아 수요일로") is that weekday in the series' first week, not the coming one."""
    monday = old - timedelta(days=old.weekday())
    return new if new >= monday else monday + timedelta(days=new.weekday())


def step(recurrence: list[str]) -> timedelta | None:
    """The longest time between two starts by the rule's FREQ and INTERVAL (None: no rule)."""
    lines = _rrules(recurrence)
    if not lines:
        return None
    parts = dict(_rrule_parts(lines[0]))
    days = _STEP_DAYS.get(parts.get("FREQ", "").upper())
    try:
        interval = max(int(parts.get("INTERVAL", "1")), 1)
        return timedelta(days=days * interval) if days else None
    except (ValueError, OverflowError):  # unreadable, or longer than any calendar
        return None


def until(recurrence: list[str], zone: tzinfo) -> datetime | None:
    """The moment the rule's ``UNTIL`` ends it (a day: that day's end in ``zone``)."""
    for line in _rrules(recurrence):
        value = dict(_rrule_parts(line)).get("UNTIL", "").upper()
        try:
            if value.endswith("Z"):
                return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            if "T" in value:
                return datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=zone)
            if value:
                day = datetime.strptime(value, "%Y%m%d").date()
                return datetime.combine(day, time(23, 59, 59), zone)
        except ValueError:
            return None
    return None


def continues(
    earlier: list[str], earlier_first: datetime | date, later_first: datetime, zone: tzinfo
) -> bool:
    """Whether a series starting at ``later_first`` continues the ``earlier`` one, split
    from it ("다음 주부터 8시로": Google's split ends the original with ``UNTIL`` just before
    the occurrence it starts at): the earlier ends within one step of its rule from the
    later's start, and its last occurrence falls on an earlier day than that start."""
    end, gap = until(earlier, zone), step(earlier)
    if end is None or gap is None:
        return False
    try:
        if not end - gap < later_first < end + gap:
            return False
        stop = end + timedelta(seconds=1)
    except OverflowError:  # an end at the calendar's last day (UNTIL=99991231)
        return False
    found = starts_until(earlier, earlier_first, zone, stop=stop, limit=MAX_EXPANDED)
    if not 0 < len(found) < MAX_EXPANDED:
        return False
    return found[-1].astimezone(zone).date() < later_first.astimezone(zone).date()
