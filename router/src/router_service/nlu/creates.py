"""Create requests: when the event is, how long, how often, on which days, and its reminders."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from router_service.nlu import dates, recurrence
from router_service.nlu import hits as hits_
from router_service.nlu import words as words_
from router_service.nlu.clock import Clock, at, clock_of, end_clock
from router_service.nlu.grammar import Hit
from router_service.nlu.hits import DATE_KINDS, TIME_KINDS
from router_service.nlu.recurrence import Repeat
from router_service.nlu.result import Event, Parse
from router_service.nlu.words import Words

DEFAULT_MINUTES = 60
SPAN_UNITS = frozenset({"weekend", "holiday"})  # a create on these is the whole span
VAGUE_UNITS = frozenset(
    {"week", "month", "vague", "year"}
)  # 다음 주 중에, 월초: no day to put it on
UNTIL_PARTICLES = frozenset({"까지", "까지만"})
NO_DAY = "언제로 잡을지 날짜가 필요해요"
NO_OCCURRENCE = "반복이 시작하기 전에 끝나요. 언제까지 반복할지 다시 알려 주세요"

Timing = tuple[datetime, datetime] | tuple[date, date]


@dataclass(frozen=True, slots=True)
class Extras:
    """What the phrases around the event said: reminders and a recurrence."""

    reminders: tuple[int, ...] | None = None
    repeat: Repeat | None = None


NO_DATE_TODAY = "날짜가 없어 오늘로 이해했어요"


def create(
    hits: list[Hit],
    words: Words,
    now: datetime,
    zone: ZoneInfo,
    *,
    asked: bool,
    extras: Extras = Extras(),
) -> Parse:
    """A create request: its event (or events), or ``needs: date`` when no day is fixed."""
    notes: list[str] = []
    title = words_.title(words, create=True) or words.location or ""
    confidence = 0.95 if title else 0.4
    repeat = extras.repeat
    if repeat is not None:
        repeat, hits = _until(repeat, hits)
    invalid = next((h for h in hits if h.kind == "invalid"), None)
    if invalid is not None:  # 2월 30일, 99시, 9999년: ask; never guess (nor let the LLM guess)
        return replace(_needs_date(title, words, extras, invalid.note, 0.3), refused=True)
    if repeat is None and _vague(hits):
        asked_day = _needs_date(title, words, extras, NO_DAY, 0.5)
        return replace(asked_day, time_of_day=_time_of_day(hits, now, zone))
    chain = _day_chain(hits)
    timing = _timing([h for h in hits if h not in chain[1:]], now, zone, notes)
    if timing is None and repeat is not None:  # 매달 25일 …: the rule names the days
        timing = now.date(), now.date() + timedelta(days=1)
    if timing is None:
        return _needs_date(title, words, extras, NO_DAY, min(confidence, 0.5))
    timing = _not_passed(timing, hits, now)
    rule = None
    if repeat is not None:
        recurring = _recurring(repeat, timing, hits, now, zone)
        if recurring is None:
            return replace(_needs_date(title, words, extras, NO_OCCURRENCE, 0.3), refused=True)
        timing, rule = recurring
        # The rule names the days: "no date, so today" was never assumed.
        notes = [n for n in notes if n != NO_DATE_TODAY]
    event = _event(title, words.location, timing, extras.reminders, rule)
    events = None
    if len(chain) > 1 and rule is None:  # a rule names its own days: moving it would break it
        events = tuple(_moved(event, (h.day - chain[0].day).days) for h in chain)  # type: ignore[operator]
    if any("이해했어요" in n or "가정했어요" in n for n in notes):
        confidence -= 0.05
    return Parse(
        intent="create_event",
        event=event,
        events=events,
        confidence=confidence if asked or title else confidence - 0.1,
        assumptions=tuple(dict.fromkeys(notes)),
    )


def _needs_date(title: str, words: Words, extras: Extras, note: str, confidence: float) -> Parse:
    event = Event(title=title or None, location=words.location, reminder_minutes=extras.reminders)
    return Parse(
        intent="create_event",
        event=event,
        needs=("date",),
        confidence=confidence,
        assumptions=(note,),
    )


def _time_of_day(hits: list[Hit], now: datetime, zone: ZoneInfo) -> tuple[str, int] | None:
    """The time a create with a vague day gave ("다음 주 중에 오후 3시"): start and minutes."""
    if not any(h.kind in TIME_KINDS for h in hits):
        return None
    timing = _timing([h for h in hits if h.kind not in DATE_KINDS], now, zone, [])
    if timing is None or not isinstance(timing[0], datetime):
        return None
    start, end = timing
    assert isinstance(end, datetime)
    return start.strftime("%H:%M"), int((end - start).total_seconds() // 60)


def _vague(hits: list[Hit]) -> bool:
    days = [h for h in hits if h.kind in DATE_KINDS]
    return bool(days) and all(h.kind == "period" and h.unit in VAGUE_UNITS for h in days)


def _day_chain(hits: list[Hit]) -> list[Hit]:
    """``화요일이랑 목요일``: the first date and the dates joined to it (one event each)."""
    days = [h for h in hits if h.kind == "date"]
    if not days:
        return []
    chain = [days[0]]
    for hit in days[1:]:
        if chain[-1].particle != hits_.JOINED:
            break
        chain.append(hit)
    return chain


def _until(repeat: Repeat, hits: list[Hit]) -> tuple[Repeat, list[Hit]]:
    """``12월 23일까지`` / ``3월까지`` in a recurring create ends the rule (UNTIL)."""
    for hit in hits:
        if hit.kind in DATE_KINDS and hit.particle in UNTIL_PARTICLES and hit.day is not None:
            last = hits_.last_day(hit)
            repeat = replace(repeat, until=last, until_year_said=hit.explicit_year)
            return repeat, [h for h in hits if h is not hit]
    return repeat, hits


def _recurring(
    repeat: Repeat, timing: Timing, hits: list[Hit], now: datetime, zone: ZoneInfo
) -> tuple[Timing, str] | None:
    """Moves the event to the rule's first occurrence; returns it with the RRULE line, or
    None when the rule has no occurrence (it would end before it starts)."""
    start, end = timing
    timed = isinstance(start, datetime)
    named = next((h.day for h in hits if h.kind in DATE_KINDS and h.day is not None), None)
    takes_date = repeat.freq == "YEARLY" or (
        repeat.freq == "MONTHLY" and not repeat.weekdays and repeat.month_day is None
    )
    local_now = now.replace(tzinfo=None)
    if named is not None and not takes_date:
        not_before = datetime.combine(named, datetime.min.time())  # 다음 주부터 매주 …
        if timed and not_before < local_now:
            not_before = local_now
    else:
        not_before = local_now if timed else datetime.combine(now.date(), datetime.min.time())
    start_day = start.date() if isinstance(start, datetime) else start
    first = recurrence.first_occurrence(
        repeat,
        at=start.time() if isinstance(start, datetime) else None,
        not_before=not_before,
        anchor=named if takes_date else None,
    )
    if first is None:
        return None
    shift = timedelta(days=(first - start_day).days)
    start, end = start + shift, end + shift  # type: ignore[operator]
    ended = recurrence.with_end(repeat, first)
    if ended is None or not all(
        dates.MIN_YEAR <= d.year <= dates.MAX_YEAR for d in (first, ended.until or first)
    ):
        return None
    line = recurrence.rrule_line(ended, zone=zone, all_day=not timed)
    return (start, end), line  # type: ignore[return-value]


def _not_passed(timing: Timing, hits: list[Hit], now: datetime) -> Timing:
    """A bare weekday that is today, at an hour already past, is that day next week."""
    start, end = timing
    days = [h for h in hits if h.kind in DATE_KINDS]
    if (
        isinstance(start, datetime)
        and days
        and days[0].unit == "weekday"
        and days[0].day == now.date()
        and start < now
    ):
        return start + timedelta(weeks=1), end + timedelta(weeks=1)  # type: ignore[operator]
    return timing


def _event(
    title: str,
    location: str | None,
    timing: Timing,
    reminders: tuple[int, ...] | None,
    rule: str | None,
) -> Event:
    start, end = timing
    recurrence_lines = (rule,) if rule else None
    if isinstance(start, datetime):
        return Event(
            title=title or None,
            start=start,
            end=end,  # type: ignore[arg-type]
            location=location,
            recurrence=recurrence_lines,
            reminder_minutes=reminders,
        )
    return Event(
        title=title or None,
        all_day=True,
        start_date=start,
        end_date=end,  # type: ignore[arg-type]
        location=location,
        recurrence=recurrence_lines,
        reminder_minutes=reminders,
    )


def _moved(event: Event, days: int) -> Event:
    shift = timedelta(days=days)
    if event.all_day:
        return replace(
            event,
            start_date=event.start_date + shift,  # type: ignore[operator]
            end_date=event.end_date + shift,  # type: ignore[operator]
        )
    return replace(event, start=event.start + shift, end=event.end + shift)  # type: ignore[operator]


def _timing(hits: list[Hit], now: datetime, zone: ZoneInfo, notes: list[str]) -> Timing | None:
    """Start and end of the event: aware datetimes when timed, dates when all-day."""
    days = [h for h in hits if h.kind in DATE_KINDS]
    times = [h for h in hits if h.kind in TIME_KINDS]
    rel = next((h for h in hits if h.kind == "reltime"), None)
    length = next((h for h in hits if h.kind == "duration"), None)
    day_count = next((h for h in hits if h.kind == "days"), None)
    for h in days + times:
        if h.note:
            notes.append(h.note)

    if rel is not None and not times:
        start = now.replace(second=0, microsecond=0) + timedelta(minutes=rel.minutes)
        minutes = length.minutes if length else DEFAULT_MINUTES
        return start, start + timedelta(minutes=minutes)

    if not times:
        if not days:
            return None
        first = days[0]
        assert first.day is not None
        span_end = hits_.span_end(hits, first)
        if span_end is not None:
            return first.day, span_end
        if day_count is not None:
            return first.day, first.day + timedelta(days=day_count.days)
        if first.kind == "period" and first.unit in SPAN_UNITS and first.period_end:
            return first.day, first.period_end
        return first.day, first.day + timedelta(days=1)

    first_time = times[0]
    start_day = days[0].day if days else None
    clock = clock_of(first_time)
    if clock.note:
        notes.append(clock.note)
    if start_day is None:
        start_day = now.date()
        notes.append(NO_DATE_TODAY)
    start = at(start_day, clock, zone)

    end_hit = hits_.range_partner(hits, first_time, TIME_KINDS)
    if end_hit is not None:
        end_day = hits_.day_between(hits, first_time, end_hit) or start_day
        if end_day < start_day:  # 모레 3시부터 내일 4시까지: not a range; keep the start
            end_day = start_day
        last = end_clock(clock, end_hit)
        end = at(end_day, last, zone)
        if end <= start and end_day == start_day:
            end = at(end_day, Clock(last.hour + 12, last.minute), zone)
        if end <= start:
            end = at(start_day + timedelta(days=1), last, zone)
        if end > start:
            return start, end
    minutes = length.minutes if length and length.minutes > 0 else DEFAULT_MINUTES
    if not length:
        notes.append("끝 시각이 없어 1시간으로 잡았어요")
    return start, start + timedelta(minutes=minutes)
