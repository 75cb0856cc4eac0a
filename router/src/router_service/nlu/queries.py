"""Questions about the calendar: which span of time a query means."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from router_service.nlu import lexicon
from router_service.nlu.clock import Clock, at
from router_service.nlu.grammar import Hit
from router_service.nlu.hits import span_end
from router_service.nlu.result import Parse, Range

WHEN_HORIZON_DAYS = 30  # 다음 회의 언제야?: how far ahead a dateless "when" looks


def query(norm: str, hits: list[Hit], now: datetime, zone: ZoneInfo, *, confidence: float) -> Parse:
    periods = [h for h in hits if h.kind == "period"]
    days = [h for h in hits if h.kind == "date"]
    notes: tuple[str, ...] = ()
    if periods and (not days or periods[0].start < days[0].start):
        first, end = periods[0].day, periods[0].period_end
    elif days:
        first = days[0].day
        day_count = next((h for h in hits if h.kind == "days"), None)
        length = day_count.days if day_count and day_count.days > 0 else 1
        end = span_end(hits, days[0]) or first + timedelta(days=length)
    elif lexicon.WHEN_CUE.search(norm):
        first = now.date()
        end = first + timedelta(days=WHEN_HORIZON_DAYS)
        notes = (f"날짜가 없어 오늘부터 {WHEN_HORIZON_DAYS}일 동안을 찾아볼게요",)
        confidence = min(confidence, 0.7)
    else:
        first = now.date()
        end = first + timedelta(days=1)
        notes = ("날짜가 없어 오늘로 이해했어요",)
        confidence = min(confidence, 0.7)
    assert first is not None and end is not None
    return Parse(
        intent="query_events",
        range=Range(start=at(first, Clock(0, 0), zone), end=at(end, Clock(0, 0), zone)),
        confidence=confidence,
        assumptions=notes,
    )
