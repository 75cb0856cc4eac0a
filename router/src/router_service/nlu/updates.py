"""Changes to existing events: which one (target, scope) and what changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from router_service.nlu import hits as hits_
from router_service.nlu import words as words_
from router_service.nlu.clock import at, clock_of
from router_service.nlu.grammar import Hit
from router_service.nlu.hits import DATE_KINDS, TIME_KINDS
from router_service.nlu.result import Changes, Parse, Target
from router_service.nlu.words import Words


def update(
    hits: list[Hit], words: Words, now: datetime, zone: ZoneInfo, *, scope: str | None = None
) -> Parse:
    notes: list[str] = []
    change = hits_.change_group(hits)
    target_hits = [h for h in hits if h not in change]
    target_day, target_start = target_when(target_hits, zone, notes)
    title = words_.title(words, create=False, update=True)
    change_days = [h for h in change if h.kind in DATE_KINDS]
    change_times = [h for h in change if h.kind in TIME_KINDS]
    changes: Changes | None = None
    if change_times:
        clock = clock_of(change_times[0])
        if clock.note:
            notes.append(clock.note)
        day = change_days[0].day if change_days else (target_day or now.date())
        changes = Changes(start=at(day, clock, zone))
        if not change_days:  # only a time: the event keeps its day (the dialogue's cue)
            changes = replace(changes, time=changes.start.strftime("%H:%M"))  # type: ignore[union-attr]
    elif change_days:
        changes = Changes(date=change_days[0].day)
    else:
        changes = _shifted(hits, target_day, target_start, notes)
    confidence = 0.9 if changes and (title or target_day) else 0.5
    if any(h.kind == "period" and h.unit != "weekend" for h in change_days):
        confidence = min(confidence, 0.55)  # 다음주로: which day of that week is a guess
    parsed = Parse(
        intent="update_event",
        target=Target(
            title=title or None,
            date=target_day,
            start=target_start,
            scope=scope,
            **target_period(target_hits, target_day),
        ),
        changes=changes,
        confidence=confidence,
        assumptions=tuple(dict.fromkeys(notes)),
    )
    invalid = _invalid(hits)
    if invalid is None:
        return parsed
    # 2월 30일로, 99시로: the new time is unknown; 2월 30일 치과 …: which event is unknown.
    if invalid in change:
        return _refused(replace(parsed, changes=None), invalid)
    return _refused(replace(parsed, target=Target(title=title or None, scope=scope)), invalid)


def _invalid(hits: list[Hit]) -> Hit | None:
    """A day or time that does not exist (2월 30일, 99시)."""
    return next((h for h in hits if h.kind == "invalid"), None)


def _refused(parsed: Parse, invalid: Hit) -> Parse:
    """Never guessed (nor widened by the LLM): the dialogue names it and asks."""
    return replace(parsed, confidence=0.3, assumptions=(invalid.note or "",), refused=True)


def _shifted(
    hits: list[Hit], day: date | None, start: datetime | None, notes: list[str]
) -> Changes | None:
    """``30분 늦춰줘`` / ``하루 미뤄줘``: the new value relative to the named old one."""
    shift = next((h for h in hits if h.kind == "shift"), None)
    if shift is None:
        return None
    delta = timedelta(minutes=shift.minutes)
    if start is not None:
        return Changes(start=start + delta, shift_minutes=shift.minutes)
    if day is not None and shift.minutes % 1440 == 0:
        return Changes(date=day + delta, shift_minutes=shift.minutes)
    return Changes(shift_minutes=shift.minutes)


def delete(
    hits: list[Hit], words: Words, now: datetime, zone: ZoneInfo, *, scope: str | None = None
) -> Parse:
    notes: list[str] = []
    target_day, target_start = target_when(hits, zone, notes)
    title = words_.title(words, create=False)
    invalid = _invalid(hits)
    if invalid is not None:  # 2월 30일 치과 취소해줘: which one is unknown
        deleting = Parse(intent="delete_event", target=Target(title=title or None, scope=scope))
        return _refused(deleting, invalid)
    return Parse(
        intent="delete_event",
        target=Target(
            title=title or None,
            date=target_day,
            start=target_start,
            scope=scope,
            **target_period(hits, target_day),
        ),
        confidence=0.92 if title else 0.6,
        assumptions=tuple(dict.fromkeys(notes)),
    )


def target_period(hits: list[Hit], day: date | None) -> dict[str, date]:
    """A week or month that names when the event is, when no day does (다음 주 영어 스터디)."""
    if day is not None:
        return {}
    period = next((h for h in hits if h.kind == "period" and h.unit in ("week", "month")), None)
    if period is None or period.day is None or period.period_end is None:
        return {}
    return {"period_start": period.day, "period_end": period.period_end}


def target_when(
    hits: list[Hit], zone: ZoneInfo, notes: list[str]
) -> tuple[date | None, datetime | None]:
    # A week or month names no single day of the event.
    days = [h for h in hits if h.kind == "date" or (h.kind == "period" and h.unit == "weekend")]
    times = [h for h in hits if h.kind in TIME_KINDS]
    day = days[0].day if days else None
    start = None
    if times and day is not None:
        clock = clock_of(times[0])
        if clock.note:
            notes.append(clock.note)
        start = at(day, clock, zone)
    return day, start
