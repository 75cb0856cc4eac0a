"""The grammar of dates, times, durations and periods: text → a list of hits.

Each rule is a compiled pattern plus a function that turns a match into a
``Hit`` (or None when the match makes no sense, such as 2월 30일). Rules run
in the order of ``RULES``; a later rule never takes characters an earlier one
took. Add an expression by adding a rule (see docs/nlu.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from types import MappingProxyType

from router_service.nlu import dates

WEEKDAYS = "월화수목금토일"
MERIDIEMS = "오전|오후|아침|저녁|밤|새벽|낮|점심|am|pm|AM|PM"
AM_WORDS = frozenset({"오전", "아침", "새벽", "am", "AM"})
PM_WORDS = frozenset({"오후", "저녁", "밤", "낮", "점심", "pm", "PM"})
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
YEAR_WORDS = MappingProxyType({"올해": 0, "금년": 0, "내년": 1, "명년": 1, "후년": 2, "작년": -1})

# Particles that may follow an expression; kept in the hit so the title never shows them.
PARTICLE = re.compile(
    r"(?:부터|까지|에서|에는|에도|에|엔|으로|로|은|는|도|"
    r"쯤에|쯤|경에|경|께|중에|중|의)?"
)
SPACED_PARTICLE = re.compile(r"\s+(?:부터|까지)(?![가-힣])")


@dataclass(frozen=True, slots=True)
class Hit:
    """One recognised expression: where it is, what it means, and its trailing particle."""

    kind: str  # date period time meal duration days reltime shift dayref allday invalid
    start: int
    end: int
    particle: str = ""
    day: date | None = None
    period_end: date | None = None  # period: exclusive end date
    unit: str = ""  # period: week, month, weekend
    hour: int = 0
    minute: int = 0
    meridiem: str = ""  # the written marker, or "" for a bare hour
    minutes: int = 0  # duration, reltime
    days: int = 0  # days: length in days
    day_of_month: int = 0  # dayref: a bare D일
    note: str = ""  # what was assumed, for the result's assumptions
    explicit_year: bool = False
    linked: bool = False  # follows the previous hit across a range connector (~, -)


@dataclass(frozen=True, slots=True)
class Context:
    today: date


Rule = tuple[re.Pattern[str], Callable[[re.Match[str], Context], Hit | None]]


def _hit(kind: str, match: re.Match[str], **values: object) -> Hit:
    # Each rule passes only Hit's own fields; typing **values per rule would repeat Hit.
    return Hit(kind, match.start(), match.end(), **values)  # type: ignore[arg-type]


def _weekday(char: str) -> int:
    return WEEKDAYS.index(char)


def _safe_date(year: int, month: int, day: int) -> date | None:
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


def _holiday(m: re.Match[str], ctx: Context) -> Hit | None:
    year = None
    if m["y"]:
        year = int(m["y"])
    elif m["yw"]:
        year = ctx.today.year + YEAR_WORDS[m["yw"]]
    day = dates.holiday_date(m["h"], ctx.today, year)
    if day is None:
        return None
    return _hit("date", m, day=day, unit="holiday", explicit_year=year is not None)


def _bare_weekday(m: re.Match[str], ctx: Context) -> Hit:
    offset = (_weekday(m["wd"]) - ctx.today.weekday()) % 7
    return _hit("date", m, day=ctx.today + timedelta(days=offset), unit="weekday")


def _period_week(m: re.Match[str], ctx: Context) -> Hit:
    monday = dates.week_start(ctx.today) + timedelta(weeks=WEEK_OFFSETS[m["rel"]])
    return _hit("period", m, day=monday, period_end=monday + timedelta(weeks=1), unit="week")


def _period_month(m: re.Match[str], ctx: Context) -> Hit | None:
    if m["rel"]:
        first = dates.add_months(ctx.today, MONTH_OFFSETS[m["rel"]])
    else:
        month = int(m["m"])
        if not 1 <= month <= 12:
            return None
        if m["y"]:
            year = int(m["y"])
        else:
            year = ctx.today.year if month >= ctx.today.month else ctx.today.year + 1
        first = date(year, month, 1)
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


# ----- times --------------------------------------------------------------------------


def _clock(m: re.Match[str], ctx: Context) -> Hit | None:
    hour, minute = int(m["h"]), int(m["mi"])
    if hour > 24 or minute > 59:
        return None
    return _hit("time", m, hour=hour, minute=minute, meridiem=m["mer"] or "24h")


def _hour(m: re.Match[str], ctx: Context) -> Hit | None:
    hour = int(m["h"])
    minute = 30 if m["half"] else int(m["mi"] or 0)
    if hour > 24 or minute > 59:
        return None
    return _hit("time", m, hour=hour, minute=minute, meridiem=m["mer"] or "")


def _named_time(m: re.Match[str], ctx: Context) -> Hit:
    if m["w"] == "정오":
        return _hit("time", m, hour=12, minute=0, meridiem="24h")
    note = "자정은 그날 밤 12시로 이해했어요"
    return _hit("time", m, hour=24, minute=0, meridiem="24h", note=note)


def _duration(m: re.Match[str], ctx: Context) -> Hit:
    if m["m2"]:
        return _hit("duration", m, minutes=int(m["m2"]))
    minutes = int(m["h"]) * 60 + (30 if m["half"] else int(m["mi"] or 0))
    return _hit("duration", m, minutes=minutes)


def _relative_time(m: re.Match[str], ctx: Context) -> Hit:
    n = int(m["n"])
    minutes = n * 60 + (30 if m["half"] else 0) if m["u"] == "시간" else n
    return _hit("reltime", m, minutes=minutes)


_HOLIDAY_NAMES = "|".join(
    re.escape(name)
    for name in sorted(
        {*dates.SOLAR_HOLIDAYS, *dates.LUNAR_HOLIDAYS} - {"설", "연말"}, key=len, reverse=True
    )
)
_YEAR_PREFIX = r"(?:(?P<y>\d{4})\s*년\s*|(?P<yw>올해|금년|내년|명년|후년|작년)\s*)?"
_NOT_AFTER_HANGUL = r"(?<![가-힣])"

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
            r"(?<!\d)(?P<n>\d+)\s*(?P<u>분|시간|일|주)(?P<half>\s*반)?\s*"
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
            r"어제|그저께|그제|엊그제)"
        ),
        _day_word,
    ),
    (re.compile(_YEAR_PREFIX + r"(?P<h>" + _HOLIDAY_NAMES + r")"), _holiday),
    (re.compile(_NOT_AFTER_HANGUL + r"(?P<wd>[월화수목금토일])(?:요일|욜)"), _bare_weekday),
    (
        re.compile(
            _NOT_AFTER_HANGUL + r"(?P<rel>이번|금|다음|다다음|지난|저번|차)\s*주"
            r"(?!말|[가-힣]*요일|간|년|제|소|식|인|문)"
        ),
        _period_week,
    ),
    (
        re.compile(
            r"(?:(?P<rel>이번|다음|다다음|지난|저번)\s*달|(?:(?P<y>\d{4})\s*년\s*)?(?<!\d)(?P<m>\d{1,2})\s*월(?!\s*\d))"
        ),
        _period_month,
    ),
    # times
    (
        re.compile(
            rf"(?:(?P<mer>{MERIDIEMS})\s*)?(?<!\d)(?P<h>\d{{1,2}})\s*:\s*(?P<mi>\d{{2}})(?!\d)"
        ),
        _clock,
    ),
    (
        re.compile(r"(?<!\d)(?P<n>\d+)\s*(?P<u>시간|분)\s*(?P<half>반)?\s*(?:뒤|후|있다가)"),
        _relative_time,
    ),
    (
        re.compile(
            r"(?<!\d)(?:(?P<h>\d+)\s*시간\s*(?:(?P<half>반)|(?P<mi>\d{1,2})\s*분)?|(?P<m2>\d+)\s*분(?=\s*(?:동안|간|짜리)))"
            r"(?:\s*(?:동안|간|짜리))?"
        ),
        _duration,
    ),
    (
        re.compile(
            rf"(?:(?P<mer>{MERIDIEMS})\s*)?(?<!\d)(?P<h>\d{{1,2}})\s*시(?!간)"
            r"(?:\s*(?:(?P<half>반)(?!차|나절)|(?P<mi>\d{1,2})\s*분(?!\s*(?:동안|간|짜리))))?"
            r"(?:\s*정각)?"
        ),
        _hour,
    ),
    (re.compile(r"(?P<w>정오|자정)"), _named_time),
    (
        re.compile(_NOT_AFTER_HANGUL + r"(?:하루\s*종일|온종일|종일|올데이|all\s*day)", re.I),
        _all_day,
    ),
    # A minutes count left alone after the hour rules took 3시 30분: a length (회의 30분).
    (re.compile(r"(?<![\d:])(?P<m2>\d{1,3})\s*분(?![가-힣])"), _duration),
    (re.compile(r"(?<![\d.])(?P<d>\d{1,2})\s*일(?!\s*(?:뒤|후|전|간|동안|째|차))"), _bare_day),
)

HANGUL_NEXT = re.compile(r"\s*[가-힣A-Za-z]")
EARLIER_WORDS = frozenset({"일찍", "빨리", "앞으로", "전으로"})
EARLIER_VERB = re.compile(r"\s*(?:좀\s*)?(?:앞당|당겨|당기|땡겨|땡기)")
# Parts of the day named without an hour, and the hour assumed for each.
MEAL_RULE = re.compile(
    r"(?<![가-힣])(?P<w>점심|저녁|아침|오전|오후|낮|밤|새벽)"
    r"(?=[에엔은는도중]|\s+[^\d\s]|\s*$|[.,!?~])"
)
MEAL_TIMES = MappingProxyType(
    {"아침": 8, "점심": 12, "저녁": 19, "오전": 9, "오후": 14, "낮": 13, "밤": 21, "새벽": 6}
)
MEAL_NOTES = MappingProxyType(
    {
        "아침": "아침은 오전 8시로 가정했어요",
        "점심": "점심은 낮 12시로 가정했어요",
        "저녁": "저녁은 오후 7시로 가정했어요",
        "오전": "오전은 9시로 가정했어요",
        "오후": "오후는 2시로 가정했어요",
        "낮": "낮은 1시로 가정했어요",
        "밤": "밤은 9시로 가정했어요",
        "새벽": "새벽은 6시로 가정했어요",
    }
)
# A meal word that names the event itself (점심 약속, 저녁 식사) stays in the title.
MEAL_IN_TITLE = re.compile(r"\s*(?:약속|식사)")


def _with_particle(text: str, hit: Hit) -> Hit:
    spaced = SPACED_PARTICLE.match(text, hit.end)
    if spaced:
        return replace(hit, end=spaced.end(), particle=spaced.group().strip())
    particle = PARTICLE.match(text, hit.end)
    if particle and particle.group():
        return replace(hit, end=particle.end(), particle=particle.group())
    return hit


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
            hit = build(match, ctx) or Hit(
                "invalid", lo, hi, note="날짜나 시간을 이해하지 못했어요"
            )
            hit = _with_particle(text, replace(hit, start=lo))
            if any(taken[hit.start : hit.end]):
                hit = replace(hit, end=hi, particle="")
            for i in range(hit.start, hit.end):
                taken[i] = True
            hits.append(hit)
    hits.sort(key=lambda h: h.start)
    return hits


def settle_holidays(text: str, hits: list[Hit]) -> list[Hit]:
    """A holiday name is a date only when no other date is named; in a compound
    (크리스마스 파티) it is the date and stays in the title too."""
    others = any(h.kind in ("date", "period") and h.unit != "holiday" for h in hits)
    settled: list[Hit] = []
    for hit in hits:
        if hit.unit == "holiday":
            if others:
                continue
            if not hit.particle and HANGUL_NEXT.match(text, hit.end):
                hit = replace(hit, start=hit.start, end=hit.start)
        settled.append(hit)
    return settled


def scan_meals(text: str, hits: list[Hit]) -> list[Hit]:
    """Adds an assumed time for 아침/점심/저녁 when the message names no hour."""
    if any(h.kind in ("time", "reltime") for h in hits):
        return hits
    taken = [False] * len(text)
    for h in hits:
        for i in range(h.start, h.end):
            taken[i] = True
    for match in MEAL_RULE.finditer(text):
        if any(taken[match.start() : match.end()]):
            continue
        word = match["w"]
        keep_in_title = MEAL_IN_TITLE.match(text, match.end()) is not None
        end = match.start() if keep_in_title else match.end()
        hit = Hit(
            "meal",
            match.start(),
            end,
            hour=MEAL_TIMES[word],
            meridiem="24h",
            note=MEAL_NOTES[word],
        )
        if not keep_in_title:
            hit = _with_particle(text, hit)
        return sorted([*hits, hit], key=lambda h: h.start)
    return hits
