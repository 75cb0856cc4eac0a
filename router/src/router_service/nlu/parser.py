"""From one message to one intent with its slots: the pure rule-based parser.

``parse(text, now=..., time_zone=...)`` normalises the text, decides the
whole-message intents (undo, preferences, answers, amendments), takes out the
phrases the grammar must not see (reminders, a stated place, recurrence, scope),
finds the date and time expressions (``grammar.scan``), decides the intent from
the words left over, and builds the slots. No I/O and no state.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from router_service.nlu import hits as hits_
from router_service.nlu import intents, lexicon, phrases, recurrence, several, typos, updates
from router_service.nlu import words as words_
from router_service.nlu.corrections import amend
from router_service.nlu.creates import Extras, create
from router_service.nlu.grammar import Hit, scan, scan_meals, settle_holidays
from router_service.nlu.hits import DATE_KINDS, TIME_KINDS
from router_service.nlu.normalize import normalize
from router_service.nlu.queries import NEXT, query
from router_service.nlu.result import Parse
from router_service.nlu.words import Words

ALERT = re.compile(r"알려\s*(?:줘|주세요|줄래)|알림")
OUT_OF_RANGE = "날짜를 계산할 수 없는 범위예요. 날짜를 다시 알려 주세요"


def parse(text: str, *, now: datetime, time_zone: str = "Asia/Seoul") -> Parse:
    """Parses one message into a ``Parse`` (the SPEC's result, stdlib types only)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    zone = ZoneInfo(time_zone)
    try:
        return _parse(normalize(text), now.astimezone(zone), zone)
    except (OverflowError, ValueError):
        # A day past year 9999 or before year 1 (today 9999-12-31 + 1 day): ask, never guess.
        return Parse(intent="other", confidence=0.1, assumptions=(OUT_OF_RANGE,), refused=True)


def _parse(norm: str, now: datetime, zone: ZoneInfo) -> Parse:
    if intents.is_undo(norm):
        return Parse(intent="undo", confidence=0.9)
    preference = intents.preference(norm, now.date())
    if preference is not None:
        return Parse(intent="set_preference", preference=preference, confidence=0.9)
    answer = _answer(norm)
    if answer:
        return Parse(intent=answer, confidence=0.97)
    amended = amend(norm, now, zone)
    if amended is not None:
        return amended
    norm = several.request_part(norm)
    parts = None if recurrence.mentions(norm) else several.segments(norm)
    if parts:
        found = _several(parts, now, zone)
        if found is not None:
            return found
    return _one(norm, now, zone)


def _one(norm: str, now: datetime, zone: ZoneInfo) -> Parse:
    reminders, norm = phrases.take_reminders(norm)
    place, norm = phrases.take_stated_place(norm)
    scope = repeat = None
    if not lexicon.CREATE_VERB.search(norm):
        norm = phrases.spell_out_move(norm)
    changing = _verb_at_end(norm, lexicon.UPDATE_VERB) or _verb_at_end(norm, lexicon.DELETE_VERB)
    if changing:
        scope, norm = phrases.take_scope(norm)
    elif (
        lexicon.CREATE_VERB.search(norm)
        or not lexicon.QUERY_CUE.search(norm)
        or (ALERT.search(norm) and not lexicon.CALENDAR_NOUNS.search(norm))
    ):
        # 매주 월요일 회의 일정 알려줘 is a query; 매일 10시에 약 먹기 알려줘 a reminder.
        repeat, norm = recurrence.take_repeat(norm)
    address = words_.address(norm)
    blocked = (address.span(),) if address else ()
    today = now.date()
    hits = scan(norm, today, blocked)
    hits = settle_holidays(norm, hits_.resolve_day_refs(norm, hits, today))
    hits = hits_.link_ranges(norm, scan_meals(norm, hits_.drop_negated(norm, hits)))
    hits = hits_.join_days(norm, hits)
    words = words_.leftover(norm, hits, address)
    if place:
        words = replace(words, location=place)
    extras = Extras(reminders=reminders, repeat=repeat)
    return _decide(norm, hits, words, now, zone, extras=extras, scope=scope)


def _several(parts: list[str], now: datetime, zone: ZoneInfo) -> Parse | None:
    """One event per item; an item lends its day to the next ones and its title and time
    to an item that names neither (``월요일, 수요일 3시 PT``)."""
    today = now.date()
    items: list[str] = []
    day_text = ""
    for part in parts:
        days = [h for h in scan(part, today) if h.kind in DATE_KINDS | {"dayref"}]
        if days:
            day_text = " ".join(part[h.start : h.end - len(h.particle)] for h in days)
        elif day_text:
            part = f"{day_text} {part}"
        items.append(part)
    results = [_one(item, now, zone) for item in items]
    if any(r.intent != "create_event" or r.event is None or r.needs for r in results):
        return None
    owners = [i for i, r in enumerate(results) if r.event and r.event.title]
    if not owners:
        return None
    for i, result in enumerate(results):
        if result.event and not result.event.title:
            owner = min(owners, key=lambda j: (abs(j - i), j < i))
            owner_text = items[owner]
            times = [h for h in scan(owner_text, today) if h.kind in TIME_KINDS]
            has_time = any(h.kind in TIME_KINDS for h in scan(items[i], today))
            borrowed = "" if has_time or not times else owner_text[times[0].start : times[0].end]
            title = results[owner].event.title  # type: ignore[union-attr]
            results[i] = _one(f"{items[i]} {borrowed} {title}", now, zone)
    events = tuple(e for r in results for e in (r.events or (r.event,)) if e is not None)
    return Parse(
        intent="create_event",
        event=events[0],
        events=events,
        confidence=min(r.confidence for r in results),
        assumptions=tuple(dict.fromkeys(n for r in results for n in r.assumptions)),
    )


# ----- answers and intent ----------------------------------------------------------------


def _answer(norm: str) -> str | None:
    bare = lexicon.ANSWER_NOISE.sub("", norm).strip()
    if not bare:
        return None
    if lexicon.APPROVE.fullmatch(bare):
        return "approve"
    if lexicon.REJECT.fullmatch(bare):
        return "reject"
    fixed = typos.corrected(bare)  # 그레, 조아, 아니여: one letter off an answer
    if fixed is not None and fixed != bare:
        return _answer(fixed)
    return None


def _decide(
    norm: str,
    hits: list[Hit],
    words: Words,
    now: datetime,
    zone: ZoneInfo,
    *,
    extras: Extras,
    scope: str | None,
) -> Parse:
    has_when = any(h.kind in DATE_KINDS | TIME_KINDS | {"reltime", "invalid"} for h in hits)
    title = words_.title(words, create=False)
    shifted = any(h.kind == "shift" for h in hits)
    if _verb_at_end(norm, lexicon.UPDATE_VERB) and (title or has_when or scope or shifted):
        return updates.update(hits, words, now, zone, scope=scope)
    if _verb_at_end(norm, lexicon.DELETE_VERB):
        if title or has_when:
            return updates.delete(hits, words, now, zone, scope=scope)
        return Parse(intent="reject", confidence=0.8)
    create_asked = bool(lexicon.CREATE_VERB.search(norm)) or extras.repeat is not None
    calendar_words = bool(lexicon.CALENDAR_NOUNS.search(norm) or create_asked)
    if intents.not_about_calendar(norm, calendar_words=calendar_words):
        return Parse(intent="other", confidence=0.85, refused=True)
    create_title = words_.title(words, create=True)
    if create_title in lexicon.KIND_WORDS:
        create_title = ""
    holiday_only = all(h.unit == "holiday" for h in hits if h.kind in DATE_KINDS)
    if lexicon.WHEN_CUE.search(norm) and not lexicon.CALENDAR_NOUNS.search(norm):
        if has_when and holiday_only and not lexicon.EVENT_NOUNS.search(norm):
            return Parse(intent="other", confidence=0.8)  # 크리스마스가 언제야?: a date
        if not create_title and not lexicon.EVENT_NOUNS.search(norm):
            return Parse(intent="other", confidence=0.8)
    about_calendar = (
        has_when
        or NEXT.search(norm)
        or lexicon.CALENDAR_NOUNS.search(norm)
        or (lexicon.WHEN_CUE.search(norm) and (create_title or lexicon.EVENT_NOUNS.search(norm)))
    )
    named = words_.without_question(title) if not has_when else None
    reminder_only = any(h.kind == "reltime" for h in hits) and not calendar_words
    if (
        about_calendar
        and lexicon.QUERY_CUE.search(norm)
        and not (create_asked and create_title)
        and not reminder_only  # 30분 뒤에 알려줘: a reminder to set, not a question
        and not intents.states_plan(norm, hits, create_title)
    ):
        return query(norm, hits, now, zone, named=named, confidence=0.92 if has_when else 0.8)
    asks_about_day = lexicon.QUESTION.search(norm) or lexicon.CALENDAR_NOUNS.search(norm)
    if has_when and not create_title and not words.location and asks_about_day:
        return query(norm, hits, now, zone, named=None, confidence=0.75)
    if lexicon.QUESTION.search(norm) and not create_asked:
        return Parse(intent="other", confidence=0.6 if has_when else 0.9)
    if intents.not_a_request(norm, hits, now.date(), asked=create_asked):
        return Parse(intent="other", confidence=0.7, refused=True)
    if has_when or create_asked or extras.reminders:
        return create(hits, words, now, zone, asked=create_asked, extras=extras)
    return Parse(intent="other", confidence=0.85)


def _verb_at_end(norm: str, verb: re.Pattern[str]) -> bool:
    """Whether ``verb`` is the message's predicate (only endings and request words follow)."""
    return any(lexicon.VERB_TAIL.match(norm, m.end()) for m in verb.finditer(norm))
