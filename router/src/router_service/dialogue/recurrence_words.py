"""A recurrence rule in Korean: ``RRULE:FREQ=WEEKLY;BYDAY=TU`` → ``매주 화요일``.

Proposals and replies say a series as people say it (``평일 매일``, ``격주 금요일``,
``매달 25일``, ``매달 첫째 월요일``, ``매년 3월 14일``) and how it ends (``10회``,
``6월 30일까지``). A rule with parts these words cannot say exactly (``BYHOUR``,
``BYSETPOS`` …) is called ``반복`` rather than described wrongly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

WEEKDAY_NAMES = "월화수목금토일"
CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ORDINALS = {1: "첫째", 2: "둘째", 3: "셋째", 4: "넷째", 5: "다섯째", -1: "마지막"}
WEEKDAYS = (0, 1, 2, 3, 4)
WEEKEND = (5, 6)
# The parts these words can say; any other part makes the rule plain "반복".
KNOWN_PARTS = frozenset(
    {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "COUNT", "UNTIL", "WKST"}
)
GENERIC = "반복"
REPEAT_MARK = "↻"


@dataclass(frozen=True)
class Rule:
    """The parts of one RRULE line that the words use."""

    freq: str
    interval: int = 1
    days: tuple[tuple[int | None, int], ...] = ()  # (ordinal or None, weekday 0=Mon)
    month_days: tuple[int, ...] = ()
    months: tuple[int, ...] = ()
    count: int | None = None
    until: date | None = None
    exact: bool = True  # False: a part the words cannot say


def parse_rule(recurrence: list[str] | None, *, zone: tzinfo) -> Rule | None:
    """The first ``RRULE:`` line of ``recurrence`` as a Rule (None when there is none or it
    cannot be read). UNTIL is the day it falls on in ``zone``."""
    line = next((r for r in recurrence or [] if r.upper().startswith("RRULE:")), None)
    if line is None:
        return None
    parts: dict[str, str] = {}
    for item in line.split(":", 1)[1].split(";"):
        key, sep, value = item.partition("=")
        if sep:
            parts[key.strip().upper()] = value.strip().upper()
    try:
        return Rule(
            freq=parts.get("FREQ", ""),
            interval=int(parts.get("INTERVAL", "1")),
            days=tuple(_day(code) for code in _list(parts.get("BYDAY"))),
            month_days=tuple(int(d) for d in _list(parts.get("BYMONTHDAY"))),
            months=tuple(int(m) for m in _list(parts.get("BYMONTH"))),
            count=int(parts["COUNT"]) if "COUNT" in parts else None,
            until=_until(parts["UNTIL"], zone) if "UNTIL" in parts else None,
            exact=set(parts) <= KNOWN_PARTS,
        )
    except (ValueError, KeyError):
        return None


def rule_words(recurrence: list[str] | None, *, first: date, zone: tzinfo) -> str:
    """How often: ``매주 화요일``, ``평일 매일``, ``격주 금요일``, ``매달 25일`` (``반복``
    when the rule says what these words cannot)."""
    rule = parse_rule(recurrence, zone=zone)
    if rule is None or not rule.exact or rule.interval < 1:
        return GENERIC
    words = {
        "DAILY": _daily,
        "WEEKLY": _weekly,
        "MONTHLY": _monthly,
        "YEARLY": _yearly,
    }.get(rule.freq)
    return (words(rule, first) if words else None) or GENERIC


def end_words(recurrence: list[str] | None, *, first: date, zone: tzinfo) -> str:
    """Where it starts and ends: ``4월 21일부터``, ``4월 21일부터 10회``,
    ``4월 21일부터 6월 30일까지`` (a year is said when it is not the first's)."""
    rule = parse_rule(recurrence, zone=zone)
    text = f"{_date(first, first.year)}부터"
    if rule is None:
        return text
    if rule.count is not None:
        return f"{text} {rule.count}회"
    if rule.until is not None:
        return f"{text} {_date(rule.until, first.year)}까지"
    return text


def series_label(recurrence: list[str] | None, *, first: date, zone: tzinfo) -> str:
    """``매주 화요일, 10회`` or ``매주 화요일, 6월 30일까지``: the rule and its end, no start."""
    words = rule_words(recurrence, first=first, zone=zone)
    rule = parse_rule(recurrence, zone=zone)
    if rule is not None and rule.count is not None:
        return f"{words}, {rule.count}회"
    if rule is not None and rule.until is not None:
        return f"{words}, {_date(rule.until, first.year)}까지"
    return words


def is_finite(recurrence: list[str] | None, *, zone: tzinfo) -> bool:
    """Whether the series ends (COUNT or UNTIL)."""
    rule = parse_rule(recurrence, zone=zone)
    return rule is not None and (rule.count is not None or rule.until is not None)


# --- one frequency each --------------------------------------------------------------------


def _daily(rule: Rule, first: date) -> str | None:
    if rule.days or rule.month_days or rule.months:
        if rule.interval == 1 and not rule.month_days and not rule.months:
            return _weekly(Rule("WEEKLY", days=rule.days), first)
        return None
    return "매일" if rule.interval == 1 else f"{rule.interval}일마다"


def _weekly(rule: Rule, first: date) -> str | None:
    if rule.month_days or rule.months or any(n is not None for n, _ in rule.days):
        return None
    days = tuple(sorted({d for _, d in rule.days})) or (first.weekday(),)
    if days == WEEKDAYS:
        named = "평일 매일"
    elif days == WEEKEND:
        named = "주말"
    elif len(days) == 7:
        named = "매일"
    else:
        named = _weekday_list(days)
    if rule.interval == 1:
        if named in ("평일 매일", "매일"):
            return named
        return f"매주 {named}"
    if named == "평일 매일":
        named = "평일"
    every = "격주" if rule.interval == 2 else f"{rule.interval}주마다"
    return f"{every} {named}"


def _monthly(rule: Rule, first: date) -> str | None:
    if rule.months:
        return None
    every = "매달" if rule.interval == 1 else f"{rule.interval}개월마다"
    if rule.days and rule.month_days:
        return None
    if rule.days:
        if any(n is None or n not in ORDINALS for n, _ in rule.days):
            return None
        if len({n for n, _ in rule.days}) > 1:
            return None
        nth = rule.days[0][0]
        assert nth is not None
        days = tuple(sorted(d for _, d in rule.days))
        return f"{every} {ORDINALS[nth]} {_weekday_list(days)}"
    month_days = rule.month_days or (first.day,)
    if any(d < -1 or d == 0 for d in month_days):
        return None
    return f"{every} {_month_days(month_days)}"


def _yearly(rule: Rule, first: date) -> str | None:
    if rule.days or len(rule.months) > 1 or len(rule.month_days) > 1:
        return None
    month = rule.months[0] if rule.months else first.month
    day = rule.month_days[0] if rule.month_days else first.day
    if day < 0:
        return None
    every = "매년" if rule.interval == 1 else f"{rule.interval}년마다"
    return f"{every} {month}월 {day}일"


# --- pieces ---------------------------------------------------------------------------------


def _weekday_list(days: tuple[int, ...]) -> str:
    """``화요일``, ``월·수·금요일``."""
    return "·".join(WEEKDAY_NAMES[d] for d in days) + "요일"


def _month_days(days: tuple[int, ...]) -> str:
    """``25일``, ``1·15일``, ``마지막 날`` (BYMONTHDAY=-1), ``15일·마지막 날``."""
    dated = sorted(d for d in days if d > 0)
    text = "·".join(str(d) for d in dated) + "일" if dated else ""
    if -1 in days:
        return f"{text}·마지막 날" if text else "마지막 날"
    return text


def _date(day: date, year: int) -> str:
    text = f"{day.month}월 {day.day}일"
    return text if day.year == year else f"{day.year}년 {text}"


def _list(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def _day(code: str) -> tuple[int | None, int]:
    """``TU`` → (None, 1); ``1MO`` → (1, 0); ``-1FR`` → (-1, 4)."""
    weekday = CODES.index(code[-2:])
    prefix = code[:-2]
    return (int(prefix) if prefix else None), weekday


def _until(value: str, zone: tzinfo) -> date:
    """UNTIL's day in ``zone`` (``20260630T145959Z`` is 6월 30일 in Seoul)."""
    if "T" not in value:
        return datetime.strptime(value[:8], "%Y%m%d").date()
    moment = datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S")
    if value.endswith("Z"):
        return moment.replace(tzinfo=UTC).astimezone(zone).date()
    return moment.date()
