"""From one message to one intent with its slots: the pure rule-based parser.

``parse(text, now=..., time_zone=...)`` normalises the text, finds the date and
time expressions (``grammar.scan``), decides the intent from the words left
over, and builds the slots. No I/O and no state: same input, same answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from router_service.nlu import dates, lexicon
from router_service.nlu.grammar import AM_WORDS, PM_WORDS, Hit, scan, scan_meals, settle_holidays
from router_service.nlu.normalize import normalize
from router_service.nlu.result import Changes, Event, Parse, Range, Target

DEFAULT_MINUTES = 60
EDGE_PUNCTUATION = ",.!?~\"'“”‘’()[]「」『』"
WHEN_HORIZON_DAYS = 30  # 다음 회의 언제야?: how far ahead a dateless "when" looks
RANGE_CONNECTOR = re.compile(r"\s*[~\-]\s*")
FROM_PARTICLES = frozenset({"부터", "에서"})
CHANGE_PARTICLES = frozenset({"로", "으로"})
DATE_KINDS = frozenset({"date", "period"})
TIME_KINDS = frozenset({"time", "meal"})


@dataclass(frozen=True, slots=True)
class Clock:
    """A resolved time of day: hour 0–24 (24 = the end of the day) and minute."""

    hour: int
    minute: int
    note: str = ""


@dataclass(frozen=True, slots=True)
class Words:
    """What is left of the message once the date/time expressions are removed."""

    tokens: tuple[str, ...]
    location: str | None
    asked: bool  # a request word was present


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

    address = _address(norm)
    blocked = (address.span(),) if address else ()
    hits = scan(norm, local_now.date(), blocked)
    hits = settle_holidays(norm, _resolve_day_refs(norm, hits, local_now.date()))
    hits = _link_ranges(norm, scan_meals(norm, _drop_negated(norm, hits)))
    words = _leftover(norm, hits, address)
    return _decide(norm, hits, words, local_now, zone)


def _drop_negated(norm: str, hits: list[Hit]) -> list[Hit]:
    """``내일 말고 모레``: the value before 말고 is the one the user does not mean."""
    kept: list[Hit] = []
    for hit in hits:
        negated = lexicon.NEGATION.match(norm, hit.end)
        if negated:
            kept.append(replace(hit, kind="negated", end=negated.end()))
        else:
            kept.append(hit)
    return kept


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
    title = _title(words, create=False)
    if _verb_at_end(norm, lexicon.UPDATE_VERB) and (title or has_when):
        return _update(hits, words, now, zone)
    if _verb_at_end(norm, lexicon.DELETE_VERB):
        if title or has_when:
            return _delete(hits, words, now, zone)
        return Parse(intent="reject", confidence=0.8)
    create_asked = bool(lexicon.CREATE_VERB.search(norm))
    create_title = _title(words, create=True)
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
        return _query(norm, hits, now, zone, confidence=0.92 if has_when else 0.8)
    asks_about_day = lexicon.QUESTION.search(norm) or lexicon.CALENDAR_NOUNS.search(norm)
    if has_when and not create_title and not words.location and asks_about_day:
        return _query(norm, hits, now, zone, confidence=0.75)
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
    title = _title(words, create=True)
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
        span_end = _span_end(hits, first)
        if span_end is not None:
            return first.day, span_end
        if day_count is not None:
            return first.day, first.day + timedelta(days=day_count.days)
        return first.day, first.day + timedelta(days=1)

    first_time = times[0]
    start_day = days[0].day if days else None
    clock = _clock(first_time)
    if clock.note:
        notes.append(clock.note)
    if start_day is None:
        start_day = now.date()
        notes.append("날짜가 없어 오늘로 이해했어요")
    start = _at(start_day, clock, zone)

    end_hit = _range_partner(hits, first_time, TIME_KINDS)
    if end_hit is not None:
        end_day = _day_between(hits, first_time, end_hit) or start_day
        if end_day < start_day:  # 모레 3시부터 내일 4시까지: not a range; keep the start
            end_day = start_day
        end_clock = _end_clock(clock, end_hit)
        end = _at(end_day, end_clock, zone)
        if end <= start and end_day == start_day:
            end = _at(end_day, Clock(end_clock.hour + 12, end_clock.minute), zone)
        if end <= start:
            end = _at(start_day + timedelta(days=1), end_clock, zone)
        if end > start:
            return start, end
    minutes = length.minutes if length and length.minutes > 0 else DEFAULT_MINUTES
    if not length:
        notes.append("끝 시각이 없어 1시간으로 잡았어요")
    return start, start + timedelta(minutes=minutes)


def _update(hits: list[Hit], words: Words, now: datetime, zone: ZoneInfo) -> Parse:
    notes: list[str] = []
    change = _change_group(hits)
    target_hits = [h for h in hits if h not in change]
    target_day, target_start = _target_when(target_hits, zone, notes)
    title = _title(words, create=False, update=True)
    change_days = [h for h in change if h.kind in DATE_KINDS]
    change_times = [h for h in change if h.kind in TIME_KINDS]
    changes: Changes | None = None
    if change_times:
        clock = _clock(change_times[0])
        if clock.note:
            notes.append(clock.note)
        day = change_days[0].day if change_days else (target_day or now.date())
        changes = Changes(start=_at(day, clock, zone))
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
    title = _title(words, create=False)
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
        clock = _clock(times[0])
        if clock.note:
            notes.append(clock.note)
        start = _at(day, clock, zone)
    return day, start


def _query(
    norm: str, hits: list[Hit], now: datetime, zone: ZoneInfo, *, confidence: float
) -> Parse:
    periods = [h for h in hits if h.kind == "period"]
    days = [h for h in hits if h.kind == "date"]
    notes: tuple[str, ...] = ()
    if periods and (not days or periods[0].start < days[0].start):
        first, end = periods[0].day, periods[0].period_end
    elif days:
        first = days[0].day
        day_count = next((h for h in hits if h.kind == "days"), None)
        length = day_count.days if day_count and day_count.days > 0 else 1
        end = _span_end(hits, days[0]) or first + timedelta(days=length)
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
        range=Range(start=_at(first, Clock(0, 0), zone), end=_at(end, Clock(0, 0), zone)),
        confidence=confidence,
        assumptions=notes,
    )


# ----- hit helpers ---------------------------------------------------------------------------


def _resolve_day_refs(norm: str, hits: list[Hit], today: date) -> list[Hit]:
    """Turns each bare ``D일`` into a date: the month of the date before it, else the next D."""
    resolved: list[Hit] = []
    previous: date | None = None
    for hit in hits:
        if hit.kind == "dayref":
            day = None
            if previous is not None:
                day = _in_month(previous, hit.day_of_month)
                if day is not None and day < previous:
                    following = previous.replace(day=1) + timedelta(days=32)
                    day = _in_month(following, hit.day_of_month)
            else:
                day = _in_month(today, hit.day_of_month)
                if day is None or day < today:
                    day = _in_month(today.replace(day=1) + timedelta(days=32), hit.day_of_month)
            if day is None:
                continue
            hit = replace(hit, kind="date", day=day)
        elif hit.unit == "weekday" and previous is not None and hit.day is not None:
            day = dates.week_start(previous) + timedelta(days=hit.day.weekday())
            hit = replace(hit, day=day if day >= previous else day + timedelta(weeks=1))
        if (
            hit.unit == "weekday"
            and resolved
            and resolved[-1].kind == "date"
            and resolved[-1].unit != "weekday"
            and not resolved[-1].particle
            and not norm[resolved[-1].end : hit.start].strip()
        ):
            # 11월 19일 수요일: the weekday only labels the date before it.
            resolved[-1] = replace(resolved[-1], end=hit.end, particle=hit.particle)
            continue
        if hit.kind in DATE_KINDS and hit.day is not None:
            previous = hit.day
        resolved.append(hit)
    return resolved


def _in_month(anchor: date, day_of_month: int) -> date | None:
    try:
        return anchor.replace(day=day_of_month)
    except ValueError:
        return None


def _link_ranges(norm: str, hits: list[Hit]) -> list[Hit]:
    """Marks each hit that follows the previous one across a range connector (A~B, A-B)."""
    linked: list[Hit] = []
    for i, hit in enumerate(hits):
        if i and RANGE_CONNECTOR.fullmatch(norm[hits[i - 1].end : hit.start]):
            hit = replace(hit, linked=True)
        linked.append(hit)
    return linked


def _range_partner(hits: list[Hit], first: Hit, kinds: frozenset[str]) -> Hit | None:
    """The hit that ends a range starting at ``first`` (A부터 B까지, A~B, A-B), if any."""
    index = hits.index(first)
    for other in hits[index + 1 :]:
        if other.kind in kinds:
            return other if first.particle in FROM_PARTICLES or other.linked else None
        if other.kind not in DATE_KINDS or first.particle not in FROM_PARTICLES:
            return None
    return None


def _span_end(hits: list[Hit], first: Hit) -> date | None:
    """Exclusive end of a day range starting at ``first``; None when there is none or it
    would end before it starts (모레~내일 is not a range)."""
    last = _range_partner(hits, first, DATE_KINDS)
    if last is None or first.day is None:
        return None
    end = _last_day(last) + timedelta(days=1)
    return end if end > first.day else None


def _day_between(hits: list[Hit], first: Hit, last: Hit) -> date | None:
    for h in hits:
        if first.end <= h.start < last.start and h.kind in DATE_KINDS:
            return h.day
    return None


def _last_day(hit: Hit) -> date:
    assert hit.day is not None
    if hit.kind == "period" and hit.period_end is not None:
        return hit.period_end - timedelta(days=1)
    return hit.day


def _change_group(hits: list[Hit]) -> list[Hit]:
    """The date/time hits that name the new value (… 4시로, 21일로), adjacent to each other."""
    marked = [i for i, h in enumerate(hits) if h.particle in CHANGE_PARTICLES]
    if not marked:
        if any(h.kind == "shift" for h in hits):
            return []  # 30분 늦춰줘: every named day/time is the old one
        when = [i for i, h in enumerate(hits) if h.kind in DATE_KINDS | TIME_KINDS]
        if len(when) < 2:
            return []
        marked = [when[-1]]
    last = marked[-1]
    group = [hits[last]]
    for i in range(last - 1, -1, -1):
        h = hits[i]
        if h.kind in DATE_KINDS | TIME_KINDS and group[0].start - h.end <= 1 and not h.particle:
            group.insert(0, h)
        else:
            break
    return group


def _clock(hit: Hit) -> Clock:
    """Resolves a time hit to a 0–24 hour using its marker, or the SPEC's bare-hour rule."""
    hour, minute, marker = hit.hour, hit.minute, hit.meridiem
    if marker == "24h" or hour > 12 or (hour == 0):
        return Clock(hour, minute)
    if marker in AM_WORDS:
        return Clock(0 if hour == 12 else hour, minute)
    if marker in PM_WORDS:
        if hour == 12:
            return Clock(24 if marker == "밤" else 12, minute)
        return Clock(hour + 12, minute)
    # A bare hour: 1–6 afternoon, 7–11 morning, 12 noon.
    if 1 <= hour <= 6:
        return Clock(hour + 12, minute, f"오후 {_spoken(hour, minute)} 이해했어요")
    if 7 <= hour <= 11:
        return Clock(hour, minute, f"오전 {_spoken(hour, minute)} 이해했어요")
    return Clock(12, minute, f"낮 {_spoken(hour, minute)} 이해했어요")


def _end_clock(start: Clock, end_hit: Hit) -> Clock:
    """The end of a range inherits the start's half of the day unless it would end first."""
    if end_hit.meridiem or end_hit.hour > 12 or end_hit.hour == 0:
        return _clock(end_hit)
    inherited_hour = end_hit.hour % 12 + (12 if start.hour >= 12 else 0)
    if (inherited_hour, end_hit.minute) > (start.hour, start.minute):
        return Clock(inherited_hour, end_hit.minute)
    bare = _clock(end_hit)
    return Clock(bare.hour, bare.minute)


def _spoken(hour: int, minute: int) -> str:
    """``3시로``, ``3시 반으로``, ``3시 20분으로``: the time with the right 로/으로."""
    if minute == 0:
        return f"{hour}시로"
    if minute == 30:
        return f"{hour}시 반으로"
    return f"{hour}시 {minute}분으로"


def _at(day: date, clock: Clock, zone: ZoneInfo) -> datetime:
    extra, hour = divmod(clock.hour, 24)
    return datetime.combine(day + timedelta(days=extra), time(hour, clock.minute), tzinfo=zone)


# ----- words -----------------------------------------------------------------------------------


def _address(norm: str) -> re.Match[str] | None:
    for match in lexicon.ADDRESS.finditer(norm):
        if lexicon.ADDRESS_HEAD.match(match.group()):
            return match
    return None


def _leftover(norm: str, hits: list[Hit], address: re.Match[str] | None) -> Words:
    """Splits what the hits did not take into tokens and finds the location among them."""
    chars = list(norm)
    for h in hits:
        for i in range(h.start, h.end):
            chars[i] = "\x00"
    location: str | None = None
    if address is not None:
        location = address.group().strip()
        for i in range(address.start(), address.end()):
            chars[i] = "\x00"
    # Range connectors between two hits go with them.
    text = "".join(chars)
    text = re.sub(r"\x00[\s]*[~\-][\s]*\x00", "\x00 \x00", text)
    text = lexicon.KEEP_PHRASE.sub(" ", text)
    tokens = [t for t in re.split(r"[\s\x00]+", text) if t]
    tokens = [t.strip(EDGE_PUNCTUATION) for t in tokens if t.strip(EDGE_PUNCTUATION)]

    asked = exists = False
    while tokens and lexicon.REQUEST_TOKEN.fullmatch(tokens[-1]):
        exists = exists or tokens[-1].startswith("있")
        tokens.pop()
        asked = True
    # 회의 잡아줘 내일 3시: a request verb in the middle, recognisable by its ending.
    tokens = [
        t
        for t in tokens
        if t != "좀"
        and not (lexicon.REQUEST_TOKEN.fullmatch(t) and lexicon.IMPERATIVE_END.search(t))
    ]
    # 아니 4시로 바꿔줘 / 응 3시로 해줘: the answer word is no part of a title.
    while tokens and lexicon.ANSWER_TOKEN.fullmatch(tokens[0]):
        tokens.pop(0)
    if exists and tokens:
        # 회의가 있어: drop the subject particle (never from a two-syllable word: 휴가).
        tokens[-1] = lexicon.SUBJECT_PARTICLE.sub("", tokens[-1])

    if location is None:
        location, tokens = _place_with_eseo(tokens)
    if location is None:
        location, tokens = _trailing_place(tokens)
    tokens = [t for t in tokens if t not in lexicon.PARTICLE_TOKENS]
    return Words(tokens=tuple(tokens), location=location, asked=asked)


def _is_place_word(token: str) -> bool:
    if token in lexicon.NOT_PLACES or token in lexicon.NOT_BRANCHES:
        return False
    return token.endswith(lexicon.PLACE_SUFFIXES) or bool(lexicon.BRANCH.fullmatch(token))


def _place_with_eseo(tokens: list[str]) -> tuple[str | None, list[str]]:
    for i, token in enumerate(tokens):
        if token.endswith("에서") and len(token) > 2:
            place = [token[:-2]]
            j = i - 1
            while j >= 0 and (
                lexicon.PLACE_MODIFIER.fullmatch(tokens[j])
                or lexicon.PLACE_RELATION.fullmatch(tokens[j])
                or _is_place_word(tokens[j])
            ):
                place.insert(0, tokens[j])
                j -= 1
            return " ".join(place), tokens[: j + 1] + tokens[i + 1 :]
    return None, tokens


def _trailing_place(tokens: list[str]) -> tuple[str | None, list[str]]:
    if not tokens:
        return None, tokens
    last = lexicon.OBJECT_PARTICLE.sub("", tokens[-1])
    last = re.sub(r"(?:에|으로|로)$", "", last) if not _is_place_word(last) else last
    if not _is_place_word(last):
        return None, tokens
    place = [last]
    j = len(tokens) - 2
    while j >= 0 and (lexicon.PLACE_MODIFIER.fullmatch(tokens[j]) or _is_place_word(tokens[j])):
        place.insert(0, tokens[j])
        j -= 1
    return " ".join(place), tokens[: j + 1]


def _title(words: Words, *, create: bool, update: bool = False) -> str:
    tokens = [t for t in words.tokens if t not in lexicon.QUANTIFIERS]
    if create and words.asked and tokens and tokens[-1] in lexicon.KIND_WORDS:
        tokens.pop()
    if update:
        while tokens and tokens[-1] in ("시간", "시간을", "날짜", "날짜를", "시간은", "날짜는"):
            tokens.pop()
    if tokens:
        tokens[-1] = lexicon.OBJECT_PARTICLE.sub("", tokens[-1]) or tokens[-1]
    if not create and all(t in lexicon.KIND_WORDS for t in tokens):
        return ""  # 내일 3시 일정 삭제해줘: the target is named by its time alone
    return " ".join(tokens).strip()
