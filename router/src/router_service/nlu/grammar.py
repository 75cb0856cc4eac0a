"""The grammar of dates, times, durations and periods: text → a list of hits.

Each rule is a compiled pattern plus a function that turns a match into a
``Hit`` (or None when the match makes no sense, such as 2월 30일). Rules run
in the order of ``RULES``; a later rule never takes characters an earlier one
took. Add an expression by adding a rule (see docs/nlu.md).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from types import MappingProxyType

from router_service.nlu import dates, hangul
from router_service.nlu.hit import (
    AM_WORDS,
    PM_WORDS,
    WEEKDAYS,
    YEAR_WORDS,
    Context,
    Hit,
    Rule,
    with_particle,
)
from router_service.nlu.hit import make_hit as _hit
from router_service.nlu.holidays import HOLIDAY_RULE, settle_holidays
from router_service.nlu.times import LONE_MINUTES_RULE, TIME_RULES, scan_meals

__all__ = [
    "AM_WORDS",
    "NTH",
    "PM_WORDS",
    "WEEKDAYS",
    "Hit",
    "scan",
    "scan_meals",
    "settle_holidays",
]

WEEK_OFFSETS = MappingProxyType(
    {"이번": 0, "금": 0, "다음": 1, "차": 1, "다다음": 2, "지난": -1, "저번": -1}
)
MONTH_OFFSETS = MappingProxyType({"이번": 0, "다음": 1, "다다음": 2, "지난": -1, "저번": -1})
DAY_WORDS = MappingProxyType(
    {
        "오늘": 0,
        "금일": 0,
        "내일": 1,
        "명일": 1,
        "모레": 2,
        "내일모레": 2,
        "글피": 3,
        "어제": -1,
        "그제": -2,
        "그저께": -2,
        "엊그제": -2,
        "이따": 0,
        "이따가": 0,
        "좀이따": 0,
        "좀이따가": 0,
    }
)
NTH = MappingProxyType(
    {
        "첫째": 1,
        "첫번째": 1,
        "첫": 1,
        "둘째": 2,
        "두번째": 2,
        "셋째": 3,
        "세번째": 3,
        "넷째": 4,
        "네번째": 4,
        "다섯째": 5,
        "다섯번째": 5,
        "마지막": -1,
    }
)


def _weekday(char: str) -> int:
    return WEEKDAYS.index(char)


def _safe_date(year: int, month: int, day: int) -> date | None:
    if not dates.MIN_YEAR <= year <= dates.MAX_YEAR:
        return None  # 9999년, 0001년: out of any calendar a person plans in
    try:
        return date(year, month, day)
    except ValueError:
        return None


# ----- dates --------------------------------------------------------------------------


def _iso_date(m: re.Match[str], ctx: Context) -> Hit | None:
    day = _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
    return _hit("date", m, day=day, explicit_year=True) if day else None


def _year_month_day(m: re.Match[str], ctx: Context) -> Hit | None:
    month, day_of_month = int(m["m"]), int(m["d"])
    if m["y"] or m["yw"]:
        year = int(m["y"]) if m["y"] else ctx.today.year + YEAR_WORDS[m["yw"]]
        day = _safe_date(year, month, day_of_month)
        return _hit("date", m, day=day, explicit_year=True) if day else None
    day = dates.next_month_day(ctx.today, month, day_of_month)
    if day is None:
        return None
    note = f"{day.year}년으로 이해했어요" if day.year != ctx.today.year else ""
    return _hit("date", m, day=day, note=note)


def _slash_date(m: re.Match[str], ctx: Context) -> Hit | None:
    month, day_of_month = int(m["m"]), int(m["d"])
    if not 1 <= month <= 12:
        return None
    day = dates.next_month_day(ctx.today, month, day_of_month)
    if day is None:
        return None
    note = f"{day.year}년으로 이해했어요" if day.year != ctx.today.year else ""
    return _hit("date", m, day=day, note=note)


def _month_nth_weekday(m: re.Match[str], ctx: Context) -> Hit | None:
    if m["rel"]:
        first = dates.add_months(ctx.today, MONTH_OFFSETS[m["rel"]])
        year, month = first.year, first.month
    else:
        month = int(m["m"])
        if not 1 <= month <= 12:
            return None
        year = ctx.today.year if month >= ctx.today.month else ctx.today.year + 1
    day = dates.nth_weekday(year, month, _weekday(m["wd"]), NTH[m["nth"].replace(" ", "")])
    return _hit("date", m, day=day) if day else None


def _nth_weekday_this_month(m: re.Match[str], ctx: Context) -> Hit | None:
    nth, weekday = NTH[m["nth"]], _weekday(m["wd"])
    for months in (0, 1):
        first = dates.add_months(ctx.today, months)
        day = dates.nth_weekday(first.year, first.month, weekday, nth)
        if day is not None and day >= ctx.today:
            return _hit("date", m, day=day)
    return None


def _month_nth_week(m: re.Match[str], ctx: Context) -> Hit | None:
    if m["rel"]:
        first = dates.add_months(ctx.today, MONTH_OFFSETS[m["rel"]])
    else:
        month = int(m["m"])
        if not 1 <= month <= 12:
            return None
        year = ctx.today.year if month >= ctx.today.month else ctx.today.year + 1
        first = date(year, month, 1)
    nth = NTH[m["nth"].replace(" ", "")]
    if nth < 0:
        last = dates.add_months(first, 1) - timedelta(days=1)
        monday = dates.week_start(last)
    else:
        monday = dates.week_start(first) + timedelta(weeks=nth - 1)
    return _hit("period", m, day=monday, period_end=monday + timedelta(weeks=1), unit="week")


def _relative_month_day(m: re.Match[str], ctx: Context) -> Hit | None:
    first = dates.add_months(ctx.today, MONTH_OFFSETS[m["rel"]])
    day = _safe_date(first.year, first.month, int(m["d"]))
    return _hit("date", m, day=day) if day else None


def _week_weekday(m: re.Match[str], ctx: Context) -> Hit:
    monday = dates.week_start(ctx.today) + timedelta(weeks=WEEK_OFFSETS[m["rel"]])
    return _hit("date", m, day=monday + timedelta(days=_weekday(m["wd"])))


def _weeks_later_weekday(m: re.Match[str], ctx: Context) -> Hit:
    monday = dates.week_start(ctx.today) + timedelta(weeks=int(m["n"]))
    return _hit("date", m, day=monday + timedelta(days=_weekday(m["wd"])))


def _shift(m: re.Match[str], ctx: Context) -> Hit:
    n = int(m["n"])
    minutes = {"분": n, "시간": n * 60, "일": n * 1440, "주": n * 10080}[m["u"]]
    if m["half"]:
        minutes += 30 if m["u"] == "시간" else 0
    earlier = m["dir"] in EARLIER_WORDS or bool(EARLIER_VERB.match(m.string, m.end()))
    return _hit("shift", m, minutes=-minutes if earlier else minutes)


def _weekend(m: re.Match[str], ctx: Context) -> Hit:
    monday = dates.week_start(ctx.today) + timedelta(weeks=WEEK_OFFSETS[m["rel"] or "이번"])
    saturday = monday + timedelta(days=5)
    return _hit(
        "period",
        m,
        day=saturday,
        period_end=saturday + timedelta(days=2),
        unit="weekend",
        note="주말은 토요일로 이해했어요",
    )


def _relative_count(m: re.Match[str], ctx: Context) -> Hit | None:
    n = int(m["n"]) * (-1 if m["dir"] == "전" else 1)
    unit = m["u"]
    if unit == "일":
        day = ctx.today + timedelta(days=n)
    elif unit in ("주", "주일"):
        day = ctx.today + timedelta(weeks=n)
    else:
        months = n * 12 if unit == "년" else n
        first = dates.add_months(ctx.today, months)
        last_day = (dates.add_months(first, 1) - timedelta(days=1)).day
        day = first.replace(day=min(ctx.today.day, last_day))
    return _hit("date", m, day=day)


def _day_word(m: re.Match[str], ctx: Context) -> Hit:
    word = m["w"].replace(" ", "")
    return _hit("date", m, day=ctx.today + timedelta(days=DAY_WORDS[word]))


def _month_end(m: re.Match[str], ctx: Context) -> Hit | None:
    first = _month_first(m, ctx)
    if first is None:
        return None
    return _hit("date", m, day=dates.add_months(first, 1) - timedelta(days=1))


def _vague(m: re.Match[str], ctx: Context) -> Hit | None:
    first = _month_first(m, ctx)
    if first is None:
        return None
    return _hit("period", m, day=first, period_end=dates.add_months(first, 1), unit="vague")


def _year(m: re.Match[str], ctx: Context) -> Hit | None:
    year = ctx.today.year + YEAR_WORDS[m["yw"]]
    if not dates.MIN_YEAR <= year < dates.MAX_YEAR:
        return None
    first = date(year, 1, 1)
    return _hit("period", m, day=first, period_end=date(year + 1, 1, 1), unit="year")


def _bare_weekday(m: re.Match[str], ctx: Context) -> Hit:
    offset = (_weekday(m["wd"]) - ctx.today.weekday()) % 7
    return _hit("date", m, day=ctx.today + timedelta(days=offset), unit="weekday")


def _period_week(m: re.Match[str], ctx: Context) -> Hit:
    monday = dates.week_start(ctx.today) + timedelta(weeks=WEEK_OFFSETS[m["rel"]])
    return _hit("period", m, day=monday, period_end=monday + timedelta(weeks=1), unit="week")


def _month_first(m: re.Match[str], ctx: Context) -> date | None:
    """The 1st of the month named by ``rel`` (다음 달), ``m`` (5월, 내년 5월) or neither (월말)."""
    groups = m.groupdict()
    if not groups.get("m"):
        return dates.add_months(ctx.today, MONTH_OFFSETS[groups.get("rel") or "이번"])
    month = int(m["m"])
    if not 1 <= month <= 12:
        return None
    if groups.get("y"):
        year = int(m["y"])
    elif groups.get("yw"):
        year = ctx.today.year + YEAR_WORDS[m["yw"]]
    else:
        year = ctx.today.year if month >= ctx.today.month else ctx.today.year + 1
    if not dates.MIN_YEAR <= year <= dates.MAX_YEAR:
        return None
    return date(year, month, 1)


def _period_month(m: re.Match[str], ctx: Context) -> Hit | None:
    first = _month_first(m, ctx)
    if first is None:
        return None
    return _hit("period", m, day=first, period_end=dates.add_months(first, 1), unit="month")


def _all_day(m: re.Match[str], ctx: Context) -> Hit:
    return _hit("allday", m)


def _bare_day(m: re.Match[str], ctx: Context) -> Hit | None:
    day_of_month = int(m["d"])
    if not 1 <= day_of_month <= 31:
        return None
    return _hit("dayref", m, day_of_month=day_of_month)


def _day_count(m: re.Match[str], ctx: Context) -> Hit:
    days = int(m["d"]) if m["d"] else int(m["n"])
    return _hit("days", m, days=days)


_NOT_AFTER_HANGUL = r"(?<![가-힣])"

# 5월, 2026년 5월, 내년 5월 (a month by name, alone or before 말/초).
_NAMED_MONTH = (
    r"(?:(?P<y>\d{4})\s*년\s*|(?P<yw>올해|금년|내년|명년|작년)\s*)?(?<!\d)(?P<m>\d{1,2})\s*월"
)

RULES: tuple[Rule, ...] = (
    (
        re.compile(
            r"(?<![\d.])(?P<y>\d{4})\s*[-./]\s*(?P<m>\d{1,2})\s*[-./]\s*(?P<d>\d{1,2})(?!\d)\.?"
        ),
        _iso_date,
    ),
    (
        re.compile(
            r"(?:(?P<y>\d{4})\s*년\s*|(?P<yw>올해|금년|내년|명년|후년|작년)\s*)?"
            r"(?<!\d)(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일(?!\s*(?:간|동안|뒤|후))"
        ),
        _year_month_day,
    ),
    (re.compile(r"(?<![\d/])(?P<m>\d{1,2})\s*/\s*(?P<d>\d{1,2})(?![\d/])"), _slash_date),
    (
        re.compile(
            r"(?:(?P<rel>이번|다음|다다음|지난|저번)\s*달|(?<!\d)(?P<m>\d{1,2})\s*월)\s*(?:의\s*)?"
            r"(?P<nth>첫째|첫\s*번째|첫|둘째|두\s*번째|셋째|세\s*번째|넷째|네\s*번째|다섯째|다섯\s*번째|마지막)"
            r"\s*(?:주\s*)?(?:의\s*)?(?P<wd>[월화수목금토일])(?:요일|욜)"
        ),
        _month_nth_weekday,
    ),
    (
        # 셋째 주 금요일: this month's, or next month's once it has passed.
        re.compile(
            r"(?<![가-힣\d])(?P<nth>첫째|둘째|셋째|넷째|다섯째|마지막)\s*주\s*(?:의\s*)?"
            r"(?P<wd>[월화수목금토일])(?:요일|욜)"
        ),
        _nth_weekday_this_month,
    ),
    (
        re.compile(
            r"(?:(?P<rel>이번|다음|다다음|지난|저번)\s*달|(?<!\d)(?P<m>\d{1,2})\s*월)\s*(?:의\s*)?"
            r"(?P<nth>첫째|첫\s*번째|첫|둘째|두\s*번째|셋째|세\s*번째|넷째|네\s*번째|다섯째|다섯\s*번째|마지막)"
            r"\s*주(?:\s*차)?(?!\s*[월화수목금토일](?:요일|욜))"
        ),
        _month_nth_week,
    ),
    (
        re.compile(
            r"(?P<rel>이번|다음|다다음|지난|저번)\s*달\s*(?P<d>\d{1,2})\s*일(?!\s*(?:간|동안|뒤|후))"
        ),
        _relative_month_day,
    ),
    (
        re.compile(
            _NOT_AFTER_HANGUL + r"(?P<rel>이번|금|다음|다다음|지난|저번|차)\s*주\s*(?:의\s*)?"
            r"(?P<wd>[월화수목금토일])(?:요일|욜)"
        ),
        _week_weekday,
    ),
    (
        re.compile(
            r"(?<!\d)(?P<n>\d+)\s*주\s*(?:뒤|후)\s*(?:의\s*)?(?P<wd>[월화수목금토일])(?:요일|욜)"
        ),
        _weeks_later_weekday,
    ),
    (
        re.compile(_NOT_AFTER_HANGUL + r"(?:(?P<rel>이번|금|다음|다다음|지난|저번)\s*)?주말"),
        _weekend,
    ),
    (
        # 30분 늦춰줘, 1시간 뒤로 미뤄줘, 2일 앞당겨줘: a shift of an existing event.
        re.compile(
            r"(?<!\d)(?P<n>\d+)\s*(?P<u>분|시간|일|주)(?P<half>\s*반)?\s*(?:(?:만|정도|쯤)\s*)?"
            r"(?P<dir>뒤로|후로|늦게|일찍|빨리|앞으로|전으로)?"
            r"(?=\s*(?:좀\s*)?(?:늦춰|늦추|미뤄|미루|연기|앞당|당겨|당기|땡겨|땡기|옮겨))"
        ),
        _shift,
    ),
    (
        re.compile(r"(?<!\d)(?P<n>\d+)\s*(?P<u>일|주일|주|개월|달|년)\s*(?P<dir>뒤|후|있다가|전)"),
        _relative_count,
    ),
    (
        re.compile(
            r"(?<!\d)(?:(?P<n>\d+)\s*일\s*(?:간|동안)|(?P<b>\d+)\s*박\s*(?P<d>\d+)\s*일(?:\s*(?:간|동안))?)"
        ),
        _day_count,
    ),
    (
        re.compile(
            _NOT_AFTER_HANGUL + r"(?P<w>내일\s*모레|오늘|금일|내일|명일|모레|글피|"
            r"어제|그저께|그제|엊그제|좀\s*이따가?|이따가?)"
        ),
        _day_word,
    ),
    HOLIDAY_RULE,
    (
        re.compile(
            r"(?:(?:(?P<rel>이번|다음|다다음|지난|저번)\s*달|" + _NAMED_MONTH + r")"
            r"\s*(?:말일|말(?![고씀하해했])|마지막\s*날)|(?<![가-힣])월말)"
        ),
        _month_end,
    ),
    (
        re.compile(
            r"(?:(?:(?P<rel>이번|다음|다다음)\s*달|" + _NAMED_MONTH + r")\s*초"
            r"(?=$|[^가-힣]|에|부터|쯤|중|까지)|(?<![가-힣])월초)"
        ),
        _vague,
    ),
    (re.compile(r"(?<![가-힣])(?P<yw>올해|금년|내년|명년|작년)(?!\s*\d)"), _year),
    (re.compile(_NOT_AFTER_HANGUL + r"(?P<wd>[월화수목금토일])(?:요일|욜)"), _bare_weekday),
    (
        re.compile(
            _NOT_AFTER_HANGUL + r"(?P<rel>이번|금|다음|다다음|지난|저번|차)\s*주"
            r"(?!말|[가-힣]*요일|간|년|제|소|식|인|문)"
        ),
        _period_week,
    ),
    (
        re.compile(r"(?:(?P<rel>이번|다음|다다음|지난|저번)\s*달|" + _NAMED_MONTH + r"(?!\s*\d))"),
        _period_month,
    ),
    *TIME_RULES,
    (
        re.compile(_NOT_AFTER_HANGUL + r"(?:하루\s*종일|온종일|종일|올데이|all\s*day)", re.I),
        _all_day,
    ),
    LONE_MINUTES_RULE,
    (re.compile(r"(?<![\d.])(?P<d>\d{1,2})\s*일(?!\s*(?:뒤|후|전|간|동안|째|차))"), _bare_day),
)

EARLIER_WORDS = frozenset({"일찍", "빨리", "앞으로", "전으로"})
EARLIER_VERB = re.compile(r"\s*(?:좀\s*)?(?:앞당|당겨|당기|땡겨|땡기)")


_CLOCK_WORDS = re.compile(r"시|분|:")
_DIGITS_WITH_FINAL = "013678"  # 영 일 삼 육 칠 팔 end in a consonant


def invalid_note(span: str) -> str:
    """What could not be understood, e.g. ``「2월 30일」은 없는 날짜예요``."""
    span = span.strip()
    particle = "은" if _ends_in_consonant(span[-1:]) else "는"
    kind = "시각이에요" if _CLOCK_WORDS.search(span) else "날짜예요"
    return f"「{span}」{particle} 없는 {kind}"


def _ends_in_consonant(last: str) -> bool:
    final = hangul.tail(last) if last else None
    return bool(final) if final is not None else last in _DIGITS_WITH_FINAL


def scan(text: str, today: date, blocked: tuple[tuple[int, int], ...] = ()) -> list[Hit]:
    """Returns every hit in ``text``, ordered by position, none overlapping ``blocked``."""
    ctx = Context(today=today)
    taken = [False] * len(text)
    for lo, hi in blocked:
        for i in range(lo, hi):
            taken[i] = True
    hits: list[Hit] = []
    for pattern, build in RULES:
        for match in pattern.finditer(text):
            lo, hi = match.start(), match.end()
            while lo < hi and text[lo] == " ":
                lo += 1
            if lo >= hi or any(taken[lo:hi]):
                continue
            # A match that means nothing (2월 30일, 25시) still takes its characters.
            hit = build(match, ctx) or Hit("invalid", lo, hi, note=invalid_note(text[lo:hi]))
            if hit.start != lo:  # dataclasses.replace costs more than the rest of the loop
                hit = replace(hit, start=lo)
            hit = with_particle(text, hit)
            if any(taken[hit.start : hit.end]):
                hit = replace(hit, end=hi, particle="")
            for i in range(hit.start, hit.end):
                taken[i] = True
            hits.append(hit)
    hits.sort(key=lambda h: h.start)
    return hits
