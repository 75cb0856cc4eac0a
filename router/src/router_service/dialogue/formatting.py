"""Korean wording of dates, times, events and proposals: short and exact about time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from shared.time import DEFAULT_ZONE_NAME, parse_aware
from shared.titles import title_key

WEEKDAYS = "월화수목금토일"
# The zone Korean wording leaves implicit; any other zone is named beside the times.
IMPLICIT_ZONE = DEFAULT_ZONE_NAME
# How a person reads the common zones; others are shown by their UTC offset.
ZONE_NAMES = {
    "America/New_York": "뉴욕",
    "America/Chicago": "시카고",
    "America/Denver": "덴버",
    "America/Los_Angeles": "로스앤젤레스",
    "America/Vancouver": "밴쿠버",
    "America/Toronto": "토론토",
    "America/Sao_Paulo": "상파울루",
    "Pacific/Honolulu": "호놀룰루",
    "Europe/London": "런던",
    "Europe/Paris": "파리",
    "Europe/Berlin": "베를린",
    "Asia/Tokyo": "도쿄",
    "Asia/Shanghai": "상하이",
    "Asia/Hong_Kong": "홍콩",
    "Asia/Taipei": "타이베이",
    "Asia/Singapore": "싱가포르",
    "Asia/Ho_Chi_Minh": "호찌민",
    "Asia/Bangkok": "방콕",
    "Asia/Kolkata": "인도",
    "Asia/Dubai": "두바이",
    "Australia/Sydney": "시드니",
}
_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
NOON_WORD, MIDNIGHT_WORD = "낮", "자정"
# The year the person is in (the turn's clock, set by ``this_year``): a date of another
# year shows it. Unset, no year is shown.
_THIS_YEAR: ContextVar[int | None] = ContextVar("haru_this_year", default=None)


def set_this_year(year: int) -> None:
    """Dates of years other than ``year`` show their year (the turn's clock sets it)."""
    _THIS_YEAR.set(year)


@contextmanager
def this_year(year: int) -> Iterator[None]:
    """``set_this_year`` for a block only (tests, background work)."""
    token = _THIS_YEAR.set(year)
    try:
        yield
    finally:
        _THIS_YEAR.reset(token)


def has_final_consonant(word: str) -> bool | None:
    """Whether the last syllable of ``word`` has a final consonant (None: not Hangul)."""
    for char in reversed(word.strip()):
        if char in "」』\"')]":
            continue
        code = ord(char)
        if _HANGUL_FIRST <= code <= _HANGUL_LAST:
            return (code - _HANGUL_FIRST) % 28 != 0
        if char.isdigit():
            return char in "0136789"  # 영 일 삼 육 칠 팔 구 end in a consonant
        return None
    return None


def josa(word: str, with_final: str, without_final: str) -> str:
    """The particle that follows ``word``: 을/를, 이/가, 은/는, 으로/로."""
    final = has_final_consonant(word)
    if final is None:
        return f"{with_final}({without_final})"
    if with_final == "으로":
        last = word.strip()[-1]
        code = ord(last) - _HANGUL_FIRST
        if final and code >= 0 and code % 28 == 8:  # ㄹ takes 로
            return "로"
    return with_final if final else without_final


def quoted(title: str, with_final: str | None = None, without_final: str | None = None) -> str:
    """「title」 with its particle when given."""
    text = f"「{title}」"
    if with_final and without_final:
        return text + josa(title, with_final, without_final)
    return text


def day_label(day: date) -> str:
    """``11월 15일(토)``; ``2026년 1월 3일(토)`` when the person is in another year."""
    year = _THIS_YEAR.get()
    prefix = f"{day.year}년 " if year is not None and day.year != year else ""
    return f"{prefix}{day.month}월 {day.day}일({WEEKDAYS[day.weekday()]})"


def _period(moment: datetime) -> str:
    if moment.time() == time(0, 0):
        return MIDNIGHT_WORD
    if moment.time() == time(12, 0):
        return NOON_WORD
    return "오전" if moment.hour < 12 else "오후"


def clock_12(moment: datetime, *, with_period: bool = True) -> str:
    """``오후 3:00`` (``3:00`` without the period); noon is ``낮 12:00``, midnight ``자정``."""
    period = _period(moment)
    if period == MIDNIGHT_WORD:
        return MIDNIGHT_WORD
    hour = moment.hour % 12 or 12
    text = f"{hour}:{moment.minute:02d}"
    return f"{period} {text}" if with_period else text


def _day_of(moment: datetime) -> date:
    """The day a time is said on: midnight closes the day before ('14일 자정')."""
    if moment.time() == time(0, 0):
        return moment.date() - timedelta(days=1)
    return moment.date()


def clock_24(moment: datetime) -> str:
    """``15:00``."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def timed_span(start: datetime, end: datetime, zone: tzinfo) -> str:
    """``11월 15일(토) 오후 3:00–4:00`` in ``zone``; the end repeats only what changed."""
    start, end = start.astimezone(zone), end.astimezone(zone)
    head = f"{day_label(_day_of(start))} {clock_12(start)}"
    if _day_of(end) != _day_of(start):
        return f"{head} – {day_label(_day_of(end))} {clock_12(end)}"
    return f"{head}–{clock_12(end, with_period=not _same_period(start, end))}"


def _same_period(start: datetime, end: datetime) -> bool:
    return _period(start) == _period(end) and _period(start) in ("오전", "오후")


def clock_span(start: datetime, end: datetime) -> str:
    """``오후 3:00–4:00``, ``오전 11:00–낮 12:00``: two times of one day (already in zone)."""
    return f"{clock_12(start)}–{clock_12(end, with_period=not _same_period(start, end))}"


def zone_note(zone: tzinfo, at: datetime) -> str:
    """``""`` in Seoul; elsewhere `` (뉴욕 시간)`` or `` (UTC-6 기준)`` (the offset at ``at``)."""
    name = getattr(zone, "key", None)
    if name == IMPLICIT_ZONE:
        return ""
    if name in ZONE_NAMES:
        return f" ({ZONE_NAMES[name]} 시간)"
    offset = at.astimezone(zone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    if minutes == 0:
        return " (UTC 기준)"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f" (UTC{sign}{hours}{f':{rest:02d}' if rest else ''} 기준)"


def all_day_span(start: date, end_exclusive: date) -> str:
    """``11월 24일(월) 종일`` or ``12월 26일(금)–28일(일) 종일`` (the end is exclusive)."""
    last = end_exclusive - timedelta(days=1)
    if last <= start:
        return f"{day_label(start)} 종일"
    if last.month == start.month:
        return f"{day_label(start)}–{last.day}일({WEEKDAYS[last.weekday()]}) 종일"
    return f"{day_label(start)}–{day_label(last)} 종일"


def event_when(event: dict[str, Any], zone: tzinfo) -> str:
    """The time span of an event body or calendar event (dict with start/end or dates).

    Times outside Seoul say their zone (``… 오후 3:00–4:00 (뉴욕 시간)``); days need none.
    """
    if event.get("all_day") or event.get("start_date"):
        start = as_date(event["start_date"])
        end = as_date(event.get("end_date")) if event.get("end_date") else start + timedelta(1)
        return all_day_span(start, end)
    start_at = as_datetime(event["start"])
    span = timed_span(start_at, as_datetime(event["end"]), zone)
    return span + zone_note(zone, start_at)


def event_line(event: dict[str, Any], zone: tzinfo) -> str:
    """``11월 24일(월) 오전 7:40–낮 12:00 「검진」``."""
    return f"{event_when(event, zone)} {quoted(event.get('title') or '제목 없음')}"


def list_item(event: dict[str, Any], zone: tzinfo, *, with_day: bool) -> str:
    """``• 15:00 TDD 테스트 일정`` (with the day first when the list spans days)."""
    title = event.get("title") or "제목 없음"
    if event.get("all_day") or event.get("start_date"):
        start = as_date(event["start_date"])
        when = "종일"
        prefix = f"{day_label(start)} " if with_day else ""
    else:
        start_at = as_datetime(event["start"]).astimezone(zone)
        when = clock_24(start_at)
        prefix = f"{day_label(start_at.date())} " if with_day else ""
    place = f" ({event['location']})" if place_to_say(title, event.get("location")) else ""
    return f"• {prefix}{when} {title}{place}"


def place_to_say(title: str | None, location: str | None) -> bool:
    """Whether a place adds anything: 「교회」 at 교회 says it once."""
    return bool(location) and title_key(location) != title_key(title)


def range_label(start: datetime, end: datetime, zone: tzinfo) -> str:
    """``11월 17일(월)`` for one day, ``11월 17일(월)–11월 23일(일)`` for several."""
    first = start.astimezone(zone).date()
    last_moment = end.astimezone(zone) - timedelta(microseconds=1)
    last = last_moment.date()
    if last <= first:
        return day_label(first)
    return f"{day_label(first)}–{day_label(last)}"


def normalise_title(title: str | None) -> str:
    """A title for loose matching (``shared.titles.title_key``)."""
    return title_key(title)


def as_datetime(value: Any) -> datetime:
    """An aware datetime from a datetime or ISO text (a naive one is refused)."""
    if isinstance(value, datetime):
        return value
    return parse_aware(str(value))


def as_date(value: Any) -> date:
    """A date from a date, a datetime or ISO text."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
