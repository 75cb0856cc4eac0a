"""From one message to one intent with its slots: the pure rule-based parser.

``parse(text, now=..., time_zone=...)`` normalises the text, finds the date and
time expressions (``grammar.scan``), decides the intent from the words left
over, and builds the slots. No I/O and no state: same input, same answer.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from router_service.nlu import hits as hits_
from router_service.nlu import lexicon
from router_service.nlu import words as words_
from router_service.nlu.clock import Clock, at, clock_of, end_clock
from router_service.nlu.grammar import Hit, scan, scan_meals, settle_holidays
from router_service.nlu.hits import DATE_KINDS, TIME_KINDS
from router_service.nlu.normalize import normalize
from router_service.nlu.queries import query
from router_service.nlu.result import Changes, Event, Parse, Target
from router_service.nlu.words import Words

DEFAULT_MINUTES = 60


def parse(text: str, *, now: datetime, time_zone: str = "Asia/Seoul") -> Parse:
    """Parses one message into a ``Parse`` (the SPEC's result, stdlib types only)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    zone = ZoneInfo(time_zone)
    local_now = now.astimezone(zone)
    norm = normalize(text)
    answer = _answer(norm)
    if answer:
        return Parse(intent=answer, confidence=0.97)

    address = words_.address(norm)
    blocked = (address.span(),) if address else ()
    hits = scan(norm, local_now.date(), blocked)
    hits = settle_holidays(norm, hits_.resolve_day_refs(norm, hits, local_now.date()))
    hits = hits_.link_ranges(norm, scan_meals(norm, hits_.drop_negated(norm, hits)))
    words = words_.leftover(norm, hits, address)
    return _decide(norm, hits, words, local_now, zone)


# ----- answers and intent ----------------------------------------------------------------


def _answer(norm: str) -> str | None:
    bare = lexicon.ANSWER_NOISE.sub("", norm).strip()
    if not bare:
        return None
    if lexicon.APPROVE.fullmatch(bare):
        return "approve"
    if lexicon.REJECT.fullmatch(bare):
        return "reject"
    return None


def _decide(norm: str, hits: list[Hit], words: Words, now: datetime, zone: ZoneInfo) -> Parse:
    has_when = any(h.kind in DATE_KINDS | TIME_KINDS | {"reltime", "invalid"} for h in hits)
    title = words_.title(words, create=False)
    if _verb_at_end(norm, lexicon.UPDATE_VERB) and (title or has_when):
        return _update(hits, words, now, zone)
    if _verb_at_end(norm, lexicon.DELETE_VERB):
        if title or has_when:
            return _delete(hits, words, now, zone)
        return Parse(intent="reject", confidence=0.8)
    create_asked = bool(lexicon.CREATE_VERB.search(norm))
    create_title = words_.title(words, create=True)
    if create_title in lexicon.KIND_WORDS:
        create_title = ""
    if (
        lexicon.WHEN_CUE.search(norm)
        and not lexicon.EVENT_NOUNS.search(norm)
        and not lexicon.CALENDAR_NOUNS.search(norm)
    ):
        return Parse(intent="other", confidence=0.8)  # 크리스마스가 언제야?: a date, not events
    about_calendar = (
        has_when
        or lexicon.CALENDAR_NOUNS.search(norm)
        or (lexicon.WHEN_CUE.search(norm) and lexicon.EVENT_NOUNS.search(norm))
    )
    if about_calendar and lexicon.QUERY_CUE.search(norm) and not (create_asked and create_title):
        return query(norm, hits, now, zone, confidence=0.92 if has_when else 0.8)
    asks_about_day = lexicon.QUESTION.search(norm) or lexicon.CALENDAR_NOUNS.search(norm)
    if has_when and not create_title and not words.location and asks_about_day:
        return query(norm, hits, now, zone, confidence=0.75)
    if lexicon.QUESTION.search(norm) and not create_asked:
        return Parse(intent="other", confidence=0.6 if has_when else 0.9)
    if has_when or create_asked:
        return _create(hits, words, now, zone, asked=create_asked)
    return Parse(intent="other", confidence=0.85)


def _verb_at_end(norm: str, verb: re.Pattern[str]) -> bool:
    """Whether ``verb`` is the message's predicate (only endings and request words follow)."""
    return any(lexicon.VERB_TAIL.match(norm, m.end()) for m in verb.finditer(norm))


# ----- slots ------------------------------------------------------------------------------


def _create(hits: list[Hit], words: Words, now: datetime, zone: ZoneInfo, *, asked: bool) -> Parse:
    notes: list[str] = []
    title = words_.title(words, create=True)
    location = words.location
    if not title and location:
        title = location
    confidence = 0.95
    if not title:
        confidence = 0.4
    timing = _timing(hits, now, zone, notes)
    invalid = [h for h in hits if h.kind == "invalid"]
    if timing is None:
        event = Event(title=title or None, location=location)
        return Parse(
            intent="create_event",
            event=event,
            confidence=0.3 if invalid else min(confidence, 0.5),
            assumptions=(invalid[0].note if invalid else "날짜와 시간이 없어요",),
        )
    if isinstance(timing[0], datetime):
        start, end = timing
        event = Event(title=title or None, start=start, end=end, location=location)
    else:
        start_date, end_date = timing
        event = Event(
            title=title or None,
            all_day=True,
            start_date=start_date,
            end_date=end_date,
            location=location,
        )
    if any("이해했어요" in n or "가정했어요" in n for n in notes):
        confidence -= 0.05
    if invalid:
        notes.append(invalid[0].note)
        confidence = 0.3
    return Parse(
        intent="create_event",
        event=event,
        confidence=confidence if asked or title else confidence - 0.1,
        assumptions=tuple(dict.fromkeys(notes)),
    )


def _timing(
    hits: list[Hit], now: datetime, zone: ZoneInfo, notes: list[str]
) -> tuple[datetime, datetime] | tuple[date, date] | None:
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
        span_end = hits_.span_end(hits, first)
        if span_end is not None:
            return first.day, span_end
        if day_count is not None:
            return first.day, first.day + timedelta(days=day_count.days)
        return first.day, first.day + timedelta(days=1)

    first_time = times[0]
    start_day = days[0].day if days else None
    clock = clock_of(first_time)
    if clock.note:
        notes.append(clock.note)
    if start_day is None:
        start_day = now.date()
        notes.append("날짜가 없어 오늘로 이해했어요")
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


def _update(hits: list[Hit], words: Words, now: datetime, zone: ZoneInfo) -> Parse:
    notes: list[str] = []
    change = hits_.change_group(hits)
    target_hits = [h for h in hits if h not in change]
    target_day, target_start = _target_when(target_hits, zone, notes)
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
    elif change_days:
        changes = Changes(date=change_days[0].day)
    else:
        changes = _shifted(hits, target_day, target_start, notes)
    confidence = 0.9 if changes and (title or target_day) else 0.5
    if any(h.kind == "period" and h.unit != "weekend" for h in change_days):
        confidence = min(confidence, 0.55)  # 다음주로: which day of that week is a guess
    return Parse(
        intent="update_event",
        target=Target(title=title or None, date=target_day, start=target_start),
        changes=changes,
        confidence=confidence,
        assumptions=tuple(dict.fromkeys(notes)),
    )


def _shifted(
    hits: list[Hit], day: date | None, start: datetime | None, notes: list[str]
) -> Changes | None:
    """``30분 늦춰줘`` / ``하루 미뤄줘``: the new value relative to the named old one."""
    shift = next((h for h in hits if h.kind == "shift"), None)
    if shift is None:
        return None
    delta = timedelta(minutes=shift.minutes)
    if start is not None:
        return Changes(start=start + delta)
    if day is not None and shift.minutes % 1440 == 0:
        return Changes(date=day + delta)
    notes.append("원래 시각을 몰라 얼마나 옮길지만 알아들었어요")
    return None


def _delete(hits: list[Hit], words: Words, now: datetime, zone: ZoneInfo) -> Parse:
    notes: list[str] = []
    target_day, target_start = _target_when(hits, zone, notes)
    title = words_.title(words, create=False)
    return Parse(
        intent="delete_event",
        target=Target(title=title or None, date=target_day, start=target_start),
        confidence=0.92 if title else 0.6,
        assumptions=tuple(dict.fromkeys(notes)),
    )


def _target_when(
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
