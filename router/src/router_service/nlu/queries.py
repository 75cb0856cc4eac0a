"""Questions about the calendar: which span of time (or which next events) a query means."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from router_service.nlu import lexicon
from router_service.nlu.clock import Clock, at, clock_of
from router_service.nlu.grammar import Hit
from router_service.nlu.hits import TIME_KINDS, range_partner, span_end
from router_service.nlu.result import Parse, Range, Target

NAMED_HORIZON_DAYS = 365  # 검진 언제였지?: a named thing with no day, a year either side
REMAINING = re.compile(r"남은|남아\s*있는|남았")
# 다음 일정 / 다음 약속 언제야: the next event(s) from now.
NEXT = re.compile(
    r"(?<![가-힣])다음\s*(?P<what>일정|약속|스케줄|미팅|회의|모임|수업|예약|면접|행사|레슨|진료|검진)"
    r"(?!\s*(?:주|달))"
)
KIND_OF_NEXT = frozenset({"일정", "스케줄"})
# 금요일 오후에 시간 비어?: that part of the day.
WINDOWS = MappingProxyType({"오전": (9, 12), "오후": (12, 18), "저녁": (18, 22), "밤": (18, 24)})
PART_OF_DAY = re.compile(r"(?<![가-힣])(?P<w>오전|오후|저녁|밤)(?!\s*\d)")


def query(
    norm: str,
    hits: list[Hit],
    now: datetime,
    zone: ZoneInfo,
    *,
    named: str | None,
    confidence: float,
) -> Parse:
    """The query's range (``[start, end)``, or ``start`` and ``limit``) and named thing."""
    periods = [h for h in hits if h.kind == "period"]
    days = [h for h in hits if h.kind == "date"]
    notes: tuple[str, ...] = ()
    if not periods and not days:
        upcoming = NEXT.search(norm)
        if upcoming:
            what = upcoming["what"]
            return Parse(
                intent="query_events",
                range=Range(start=now, end=None, limit=1),
                target=None if what in KIND_OF_NEXT else Target(title=what),
                confidence=confidence,
            )
        if named and lexicon.WHEN_CUE.search(norm):
            year = timedelta(days=NAMED_HORIZON_DAYS)
            return Parse(
                intent="query_events",
                range=Range(start=_year_shift(now, -1, year), end=_year_shift(now, 1, year)),
                target=Target(title=named),
                confidence=min(confidence, 0.8),
                assumptions=("날짜가 없어 앞뒤 1년을 찾아볼게요",),
            )
    if periods and (not days or periods[0].start < days[0].start):
        first, end = periods[0].day, periods[0].period_end
    elif days:
        first = days[0].day
        day_count = next((h for h in hits if h.kind == "days"), None)
        length = day_count.days if day_count and day_count.days > 0 else 1
        assert first is not None
        end = span_end(hits, days[0]) or first + timedelta(days=length)
    else:
        first = now.date()
        end = first + timedelta(days=1)
        notes = ("날짜가 없어 오늘로 이해했어요",)
        confidence = min(confidence, 0.7)
    assert first is not None and end is not None
    start_at, end_at = at(first, Clock(0, 0), zone), at(end, Clock(0, 0), zone)
    if end - first == timedelta(days=1):
        start_at, end_at = _within_day(norm, hits, first, start_at, end_at, zone)
    if REMAINING.search(norm) and start_at <= now < end_at:
        start_at = now
    return Parse(
        intent="query_events",
        range=Range(start=start_at, end=end_at),
        confidence=confidence,
        assumptions=notes,
    )


def _within_day(
    norm: str, hits: list[Hit], day: date, start: datetime, end: datetime, zone: ZoneInfo
) -> tuple[datetime, datetime]:
    """``오후 3시에 뭐 있어?``: that hour; ``오후에 시간 비어?``: that part of the day."""
    times = [h for h in hits if h.kind == "time"]
    if times:
        first = clock_of(times[0])
        partner = range_partner(hits, times[0], TIME_KINDS)
        begin = at(day, first, zone)
        finish = at(day, clock_of(partner), zone) if partner else begin + timedelta(hours=1)
        return (begin, finish) if finish > begin else (begin, begin + timedelta(hours=1))
    part = PART_OF_DAY.search(norm)
    if part:
        low, high = WINDOWS[part["w"]]
        return at(day, Clock(low, 0), zone), at(day, Clock(high, 0), zone)
    return start, end


def _year_shift(now: datetime, years: int, fallback: timedelta) -> datetime:
    try:
        return now.replace(year=now.year + years)
    except ValueError:  # 29 February
        return now + fallback * years
