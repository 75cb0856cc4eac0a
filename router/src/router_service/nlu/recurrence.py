"""Recurring events: the words (매주 화요일, 격주, 매달 25일, 8번, 6주 동안) → one RFC 5545 rule.

``take_repeat`` finds the recurrence words and removes them from the text (they are
no part of the title); ``first_occurrence`` and ``rrule_line`` do the rule
arithmetic with python-dateutil's ``rrule`` (imported on first use, so the command
starts fast), never with hand-written date loops.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from router_service.nlu.grammar import NTH, WEEKDAYS

CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY = r"[월화수목금토일](?:요일|욜)"
_JOIN = r"(?:\s*(?:,|·|/|와|과|이랑|랑|하고|및|그리고)?\s*)"
# 화요일, 화·목요일, 화요일이랑 목요일, 월수금 (a compact run of two or more).
_DAYS = (
    rf"(?P<days>(?:{_DAY}{_JOIN})*{_DAY}|"
    r"(?<![가-힣])[월화수목금토일]{2,7}(?:요일)?(?:(?![가-힣])|(?=마다))|"
    r"(?<![가-힣])[월화수목금토일](?:\s*[,·/]\s*[월화수목금토일])+(?:요일)?(?:(?![가-힣])|(?=마다))|"
    r"[월화수목금토일](?:요일|욜))"
)
_NTH = "|".join(sorted(NTH, key=len, reverse=True))
_EVERY_MONTH = r"(?:매달|매월|달마다|매\s*달|(?P<months>\d+)\s*(?:개월|달)\s*마다)"

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "monthly_nth",
        re.compile(
            rf"{_EVERY_MONTH}\s*(?P<nth>{_NTH})\s*(?:주\s*)?(?:의\s*)?(?P<wd>[월화수목금토일])(?:요일|욜)(?:마다|에)?"
        ),
    ),
    (
        "monthly_day",
        re.compile(
            rf"{_EVERY_MONTH}\s*(?:(?P<d>\d{{1,2}})\s*일|(?P<last>마지막\s*날|말일|월말|말))(?:마다|에|에는)?"
        ),
    ),
    ("monthly", re.compile(r"(?:매달|매월|달마다)(?![가-힣])")),
    ("yearly", re.compile(r"(?:매년|매해|해마다)(?![가-힣])")),
    (
        "biweekly",
        re.compile(
            rf"(?:격주(?:로|에)?|(?P<n>\d+)\s*주\s*(?:마다|에\s*한\s*번(?:씩)?|간격으로))\s*(?:매주\s*)?{_DAYS}(?:마다|에)?"
        ),
    ),
    ("weekly_days", re.compile(rf"(?:매주|매\s*주|주마다)\s*{_DAYS}(?:마다|에|에는)?")),
    ("days_every", re.compile(rf"{_DAYS}\s*마다")),
    ("weekdays", re.compile(r"(?:평일|주중)\s*(?:마다|매일|에는|에|만)?(?![가-힣])|주중\s*매일")),
    ("weekends", re.compile(r"(?:주말마다|매\s*주말(?:마다|에)?|주말\s*매주)")),
    ("weekly", re.compile(r"(?:매주|주마다)(?![가-힣])")),
    ("every_n_days", re.compile(r"(?P<n>\d+)\s*일\s*(?:마다|에\s*한\s*번(?:씩)?)")),
    ("daily", re.compile(r"(?:매일매일|매일|날마다|하루도\s*빠짐없이)(?![가-힣])")),
)
COUNT = re.compile(
    r"(?<!\d)(?P<n>\d+)\s*(?:번|회)(?:\s*(?:만|동안|반복))?(?!\s*(?:째|출구|방|버스|게이트|지))"
)
SPAN = re.compile(
    r"(?<!\d)(?P<n>\d+)\s*(?P<u>주|개월|달|일)\s*(?:(?:동안|간)(?:만)?|(?:만)?(?=\s*[.!,]?\s*$))"
)
# Other recurrence words said alongside the one that counts (매일 … 평일만).
EXTRA_WORDS = re.compile(r"(?:매일|매주|날마다|매번)(?![가-힣])")


@dataclass(frozen=True, slots=True)
class Repeat:
    """A recurrence as said: frequency, interval, days and how it ends."""

    freq: str  # DAILY WEEKLY MONTHLY YEARLY
    interval: int = 1
    weekdays: tuple[int, ...] = ()  # 0 = Monday
    nth: int | None = None  # MONTHLY BYDAY=1MO (-1 = last)
    month_day: int | None = None  # BYMONTHDAY (-1 = last day)
    count: int | None = None
    span: tuple[int, str] | None = None  # 6주 동안: (6, "주"), turned into COUNT or UNTIL
    until: date | None = None
    until_year_said: bool = False  # 2026년 3월까지: never rolled to the next year


def _weekdays(text: str) -> tuple[int, ...]:
    found = [WEEKDAYS.index(c) for c in re.sub(r"요일|욜", "", text) if c in WEEKDAYS]
    return tuple(sorted(set(found)))


def _build(kind: str, m: re.Match[str]) -> Repeat:
    groups = m.groupdict()
    if kind == "monthly_nth":
        return Repeat(
            "MONTHLY",
            interval=int(groups["months"] or 1),
            weekdays=(WEEKDAYS.index(m["wd"]),),
            nth=NTH[m["nth"].replace(" ", "")],
        )
    if kind == "monthly_day":
        day = -1 if m["last"] else int(m["d"])
        return Repeat("MONTHLY", interval=int(groups["months"] or 1), month_day=day)
    if kind == "monthly":
        return Repeat("MONTHLY")
    if kind == "yearly":
        return Repeat("YEARLY")
    if kind == "biweekly":
        return Repeat("WEEKLY", interval=int(m["n"] or 2), weekdays=_weekdays(m["days"]))
    if kind in ("weekly_days", "days_every"):
        return Repeat("WEEKLY", weekdays=_weekdays(m["days"]))
    if kind == "weekdays":
        return Repeat("WEEKLY", weekdays=(0, 1, 2, 3, 4))
    if kind == "weekends":
        return Repeat("WEEKLY", weekdays=(5, 6))
    if kind == "weekly":
        return Repeat("WEEKLY")
    if kind == "every_n_days":
        return Repeat("DAILY", interval=int(m["n"]))
    return Repeat("DAILY")


def mentions(text: str) -> bool:
    """Whether ``text`` says something recurs (then its commas list days, not events)."""
    return any(pattern.search(text) for _, pattern in PATTERNS)


def take_repeat(text: str) -> tuple[Repeat | None, str]:
    """Finds the recurrence words; returns the rule as said and the text without them."""
    for kind, pattern in PATTERNS:
        match = pattern.search(text)
        if match is None:
            continue
        if kind == "monthly_day" and match["d"] and not 1 <= int(match["d"]) <= 31:
            continue
        repeat = _build(kind, match)
        if repeat.freq == "WEEKLY" and kind != "weekly" and not repeat.weekdays:
            continue
        text = (text[: match.start()] + " " + text[match.end() :]).strip()
        text = EXTRA_WORDS.sub(" ", text).strip()
        count = COUNT.search(text)
        if count:
            repeat = replace(repeat, count=int(count["n"]))
            text = (text[: count.start()] + " " + text[count.end() :]).strip()
        span = SPAN.search(text)
        if span and repeat.count is None:
            repeat = replace(repeat, span=(int(span["n"]), span["u"]))
            text = (text[: span.start()] + " " + text[span.end() :]).strip()
        return repeat, text
    return None, text


def _rule(repeat: Repeat, dtstart: datetime, anchor: date | None):  # type: ignore[no-untyped-def]
    from dateutil import rrule  # imported on first use only

    freq = {"DAILY": rrule.DAILY, "WEEKLY": rrule.WEEKLY, "MONTHLY": rrule.MONTHLY}.get(
        repeat.freq, rrule.YEARLY
    )
    days = [
        rrule.weekday(d, repeat.nth) if repeat.nth else rrule.weekday(d) for d in repeat.weekdays
    ]
    kwargs: dict[str, object] = {"dtstart": dtstart, "interval": repeat.interval}
    if days:
        kwargs["byweekday"] = days
    if repeat.month_day is not None:
        kwargs["bymonthday"] = repeat.month_day
    if repeat.freq == "YEARLY" and anchor is not None:
        kwargs["bymonth"], kwargs["bymonthday"] = anchor.month, anchor.day
    if repeat.freq == "MONTHLY" and not days and repeat.month_day is None and anchor is not None:
        kwargs["bymonthday"] = anchor.day
    return rrule.rrule(freq, **kwargs)  # type: ignore[arg-type]


def first_occurrence(
    repeat: Repeat, *, at: time | None, not_before: datetime, anchor: date | None
) -> date | None:
    """The day of the first occurrence starting at or after ``not_before`` (naive, local)."""
    dtstart = datetime.combine(not_before.date(), at or time(0))
    # The series starts on the first matching day: counted from ``not_before``'s week, an
    # INTERVAL (격주) would skip this week's or next week's day when it falls before it.
    found = _rule(replace(repeat, interval=1), dtstart, anchor).after(not_before, inc=True)
    return found.date() if found is not None else None


def with_end(repeat: Repeat, first: date) -> Repeat | None:
    """Turns ``N주 동안`` into a COUNT (or an UNTIL when a count would not say it); an
    UNTIL said without a year before the first occurrence means next year's day. None when
    the rule would end before it starts (an UNTIL before it, a count of zero)."""
    if repeat.count == 0 or (repeat.span is not None and repeat.span[0] == 0):
        return None
    if repeat.until is not None and repeat.until < first:
        if repeat.until_year_said:
            return None
        try:
            repeat = replace(repeat, until=repeat.until.replace(year=repeat.until.year + 1))
        except ValueError:  # 2월 29일
            repeat = replace(repeat, until=date(repeat.until.year + 1, 2, 28))
    if repeat.span is None:
        return repeat
    n, unit = repeat.span
    per_week = max(1, len(repeat.weekdays))
    if repeat.freq == "WEEKLY" and unit == "주" and repeat.interval == 1:
        return replace(repeat, count=n * per_week, span=None)
    if repeat.freq == "DAILY" and repeat.interval == 1 and unit in ("일", "주"):
        return replace(repeat, count=n * (7 if unit == "주" else 1), span=None)
    if repeat.freq == "MONTHLY" and unit in ("개월", "달") and repeat.interval == 1:
        return replace(repeat, count=n, span=None)
    days = {"일": n, "주": 7 * n}.get(unit)
    if days is None:
        index = first.year * 12 + first.month - 1 + n
        last = date(index // 12, index % 12 + 1, 1)
        days = (last - first).days
    return replace(repeat, until=first + timedelta(days=days - 1), span=None)


def rrule_line(repeat: Repeat, *, zone: ZoneInfo, all_day: bool) -> str:
    """``RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20251223T145959Z`` as Google Calendar takes it."""
    parts = [f"FREQ={repeat.freq}"]
    if repeat.interval > 1:
        parts.append(f"INTERVAL={repeat.interval}")
    if repeat.weekdays:
        prefix = str(repeat.nth) if repeat.nth else ""
        parts.append("BYDAY=" + ",".join(prefix + CODES[d] for d in repeat.weekdays))
    if repeat.month_day is not None:
        parts.append(f"BYMONTHDAY={repeat.month_day}")
    if repeat.count is not None:
        parts.append(f"COUNT={repeat.count}")
    elif repeat.until is not None:
        if all_day:
            parts.append(f"UNTIL={repeat.until:%Y%m%d}")
        else:
            last = datetime.combine(repeat.until, time(23, 59, 59), tzinfo=zone)
            parts.append(f"UNTIL={last.astimezone(UTC):%Y%m%dT%H%M%SZ}")
    return "RRULE:" + ";".join(parts)
