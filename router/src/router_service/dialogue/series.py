"""Occurrences of a recurring series: which ones a change means, and what the person reads.

A change to an occurrence says its scope: ``one`` (this occurrence), ``following`` (this
and every later one: Google's split) or ``all`` (the series). When the message does not
say, Haru asks ([이번만] [이후 전부] [전체]) and keeps the answer in the action's plan.
Pure: models, the wording, and reading the answer; ``series_flow`` does the calendar part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from router_service.clients.calendar import CalendarEvent
from router_service.dialogue import formatting as fmt
from router_service.dialogue import recurrence_words as words

if TYPE_CHECKING:  # plans uses SeriesInfo
    from router_service.dialogue.plans import NewEvent

Scope = Literal["one", "following", "all"]
SCOPES: tuple[Scope, ...] = ("one", "following", "all")
SCOPE_LABELS: dict[str, str] = {"one": "이번만", "following": "이후 전부", "all": "전체"}
REPEAT_MARK = words.REPEAT_MARK

# Typed answers to the scope question ("이번만", "이후 전부", "전체", or its number).
_ANSWERS: tuple[tuple[Scope, re.Pattern[str]], ...] = (
    ("following", re.compile(r"이후|앞으로|다음부터|부터\s*(?:전부|다|쭉)|^\s*2\s*번?\s*$")),
    (
        "all",
        re.compile(
            r"전체|전부|모두|다\s*(?:바꿔|지워|삭제|해)|반복\s*(?:일정\s*)?다|^\s*3\s*번?\s*$"
        ),
    ),
    (
        "one",
        re.compile(r"이번\s*(?:만|것만|거만|한\s*번)|이것만|이거만|그날만|하나만|^\s*1\s*번?\s*$"),
    ),
)
SHOWN_CLASHES = 3  # clashes a proposal names; the rest are counted
_MERIDIEM = re.compile(r"오전|오후|아침|저녁|밤|새벽|낮|점심|정오|자정|am|pm", re.I)
_HOUR = re.compile(r"(?<![\d:])(\d{1,2})\s*(?:시|:\d{2})")


class SeriesPart(BaseModel):
    """Another series split from the occurrence's own ("다음 주부터 8시로": Google's split
    ends the original and starts a new one): a person's "전부" means them too."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    master: CalendarEvent  # its master, written as a whole (scope ``all``)
    later: bool  # after the occurrence's own series (``following`` reaches it too)


class SeriesInfo(BaseModel):
    """The series an occurrence belongs to, as the proposal tells it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    series_id: str
    recurrence: list[str]
    first: date  # the series' first occurrence (its master's start day)
    following: int | None = None  # occurrences from this one on (None: the series never ends)
    total: int | None = None  # all occurrences (None: never ends)
    parts: list[SeriesPart] = []  # the series split from this one, earlier and later


def parts_reached(series: SeriesInfo | None, scope: str | None) -> list[SeriesPart]:
    """The split parts a scope changes too: all of them for ``all``, the later ones for
    ``following``, none for ``one``."""
    if series is None or scope not in ("following", "all"):
        return []
    return [part for part in series.parts if scope == "all" or part.later]


# --- reading ---------------------------------------------------------------------------------


def scope_answer(text: str) -> Scope | None:
    """The scope a typed answer chooses ("이번만" → one, "이후 전부" → following, "전체" →
    all, "1번"…"3번" in the order of the buttons), or None."""
    for scope, pattern in _ANSWERS:
        if pattern.search(text):
            return scope
    return None


def scope_of_choice(number: int) -> Scope | None:
    """The scope of button number ``number`` (1 이번만, 2 이후 전부, 3 전체)."""
    return SCOPES[number - 1] if 1 <= number <= len(SCOPES) else None


def said_bare_hour(text: str) -> bool:
    """Whether the new time was said as a bare hour ("8시로"), not "오후 8시"/"20시"."""
    if _MERIDIEM.search(text):
        return False
    hours = [int(m.group(1)) for m in _HOUR.finditer(text)]
    return bool(hours) and all(1 <= h <= 12 for h in hours)


def nearest_half_day(hour: int, near: int) -> int:
    """A bare hour as the NLU read it (8 → 8:00, 4 → 16:00) moved to the other half of the
    day only when that is strictly nearer ``near`` (the event's own hour): "영어 스터디
    8시로" moves a 19:00 event to 20:00 and a 9:00 one to 8:00; "4시로" a 10:00 one to 16:00."""
    other = (hour + 12) % 24
    if other < EARLIEST_BARE_HOUR:  # a bare 5시 is never 5 a.m. (the NLU's rule)
        return hour
    return other if abs(other - near) < abs(hour - near) else hour


EARLIEST_BARE_HOUR = 7
_HOUR_GUESS = re.compile(r"^(?:오전|오후|낮) \S+(?: \S+)? 이해했어요$")


def without_hour_guess(notes: list[str]) -> list[str]:
    """The NLU's notes without its am/pm guess for a bare hour (the dialogue decides it)."""
    return [note for note in notes if not _HOUR_GUESS.match(note)]


def collapse(events: list[CalendarEvent]) -> list[CalendarEvent]:
    """Matches with each series' occurrences folded into its first (the list is in time
    order): "영어 스터디 8시로" means the series' next occurrence, not a choice of five."""
    seen: set[str] = set()
    out = []
    for event in events:
        if event.recurring_event_id:
            if event.recurring_event_id in seen:
                continue
            seen.add(event.recurring_event_id)
        out.append(event)
    return out


@dataclass(frozen=True)
class Clash:
    """An occurrence of the proposed series (its day) and an event overlapping it."""

    day: date
    event: CalendarEvent


# --- wording ---------------------------------------------------------------------------------


def series_when(
    *,
    recurrence: list[str],
    start: Any,
    end: Any,
    all_day: bool,
    zone: tzinfo,
) -> str:
    """``매주 화요일 오후 7:00–8:00`` (``매년 3월 14일 종일``): the rule and the time of day."""
    if all_day:
        first = fmt.as_date(start)
        return f"{words.rule_words(recurrence, first=first, zone=zone)} 종일"
    begin, finish = fmt.as_datetime(start).astimezone(zone), fmt.as_datetime(end).astimezone(zone)
    same_period = (begin.hour < 12) == (finish.hour < 12)
    clock = f"{fmt.clock_12(begin)}–{fmt.clock_12(finish, with_period=not same_period)}"
    rule = words.rule_words(recurrence, first=begin.date(), zone=zone)
    return f"{rule} {clock}{fmt.zone_note(zone, begin)}"


def series_line(event: CalendarEvent, zone: tzinfo) -> str:
    """A series' master: ``매주 화요일 오후 7:00–8:00 「영어 스터디」 (4월 21일부터)``."""
    data = event.model_dump(mode="json")
    start = data["start_date"] if event.all_day else data["start"]
    first = fmt.as_date(start) if event.all_day else fmt.as_datetime(start).astimezone(zone).date()
    when = series_when(
        recurrence=event.recurrence or [],
        start=start,
        end=data["end_date"] if event.all_day else data["end"],
        all_day=event.all_day,
        zone=zone,
    )
    ends = words.end_words(event.recurrence or [], first=first, zone=zone)
    return f"{when} {fmt.quoted(event.title)} ({ends})"


def occurrence_day(event: CalendarEvent | NewEvent, zone: tzinfo) -> date:
    """The day an event (or a proposed one) starts on in ``zone``; an all-day one: its date."""
    if event.all_day and event.start_date is not None:
        return event.start_date
    assert event.start is not None
    return event.start.astimezone(zone).date()


def _count(n: int | None) -> str:
    return f" {n}회" if n is not None else ""


def scope_effect(
    scope: Scope, event: CalendarEvent, series: SeriesInfo, zone: tzinfo, *, deleting: bool
) -> str:
    """What a scope changes, with how many occurrences (the proposal's last line)."""
    rule = words.rule_words(series.recurrence, first=series.first, zone=zone)
    day = occurrence_day(event, zone)
    label = f"{day.month}월 {day.day}일"
    verb = "삭제돼요" if deleting else "바뀌어요"
    if scope == "one":
        return f"{REPEAT_MARK} {rule} 반복 중 {label} 하루만 {verb}. 다른 날은 그대로예요."
    if scope == "following":
        if series.following is None:
            many = f"{label}부터 이후 전부(끝나는 날 없음)"
        else:
            many = f"{label}부터 이후 전부({series.following}회)"
        text = f"{REPEAT_MARK} {rule} 반복 중 {many}가 {verb}. 그 전 일정은 그대로예요."
        return text + parts_note(parts_reached(series, scope), zone)
    whole = f"전체({series.total}회)" if series.total is not None else "전체(끝나는 날 없음)"
    text = f"{REPEAT_MARK} {rule} 반복 일정 {whole}가 {verb}."
    return text + parts_note(parts_reached(series, scope), zone)


def parts_note(parts: list[SeriesPart], zone: tzinfo) -> str:
    """`` 나뉘어 있는 반복 일정(12월 2일부터)도 함께예요.`` (nothing without parts)."""
    if not parts:
        return ""
    days = sorted(occurrence_day(part.master, zone) for part in parts)
    since = ", ".join(f"{day.month}월 {day.day}일부터" for day in days)
    return f" 나뉘어 있는 반복 일정({since})도 함께예요."


def scope_question(
    event: CalendarEvent, series: SeriesInfo, zone: tzinfo, *, deleting: bool
) -> str:
    """The question when a change to an occurrence does not say which ones."""
    rule = words.rule_words(series.recurrence, first=series.first, zone=zone)
    day = occurrence_day(event, zone)
    label = f"{day.month}월 {day.day}일"
    verb = "삭제할까요" if deleting else "바꿀까요"
    title = fmt.quoted(event.title, "은", "는")
    following = (
        f"{label}부터{_count(series.following)}"
        if series.following is not None
        else f"{label}부터 계속"
    )
    total = (
        f"반복 일정 전체{_count(series.total)}" if series.total is not None else "반복 일정 전체"
    )
    if parts_reached(series, "following"):
        following += " (나뉜 일정 포함)"
    if parts_reached(series, "all"):
        total += " (나뉜 일정 포함)"
    return "\n".join(
        [
            f"{title} {rule} 반복 일정이에요. 어느 일정을 {verb}?",
            f"• 이번만: {fmt.day_label(day)} 하나",
            f"• 이후 전부: {following}",
            f"• 전체: {total}",
        ]
    )


def clash_line(found: list[Clash]) -> str:
    """``12월 9일(화) 「치과」와 겹쳐요.``; an event repeating on many days says its first
    day and how many (``12월 2일(화)부터 8번 「요가」``), past three names a count."""
    by_title: dict[str, list[date]] = {}
    for clash in found:
        days = by_title.setdefault(clash.event.title, [])
        if clash.day not in days:
            days.append(clash.day)
    named = list(by_title.items())[:SHOWN_CLASHES]
    words = [f"{_days(days)} {fmt.quoted(title)}" for title, days in named]
    last = named[-1][0]
    rest = len(by_title) - len(named)
    if rest:
        return f"{', '.join(words)} 외 {rest}건과 겹쳐요."
    return f"{', '.join(words)}{fmt.josa(last, '과', '와')} 겹쳐요."


def _days(days: list[date]) -> str:
    if len(days) == 1:
        return fmt.day_label(days[0])
    if len(days) == 2:
        return f"{fmt.day_label(days[0])}·{fmt.day_label(days[1])}"
    return f"{fmt.day_label(days[0])}부터 {len(days)}번"


CHOOSE_A_SCOPE = "[이번만], [이후 전부], [전체] 중에서 골라 주세요."


def done_label(scope: str | None) -> str:
    """`` (이후 전부)`` after ✅ 변경했어요 for a change to occurrences ("" otherwise)."""
    return f" ({SCOPE_LABELS[scope]})" if scope in SCOPE_LABELS else ""


def scope_payload(action_id: int) -> dict[str, Any]:
    """[이번만] [이후 전부] [전체]: answered like a numbered choice (web and Slack)."""
    return {
        "kind": "scope",
        "action_id": action_id,
        "choices": [
            {"choice": n, "scope": scope, "label": SCOPE_LABELS[scope]}
            for n, scope in enumerate(SCOPES, start=1)
        ],
    }
