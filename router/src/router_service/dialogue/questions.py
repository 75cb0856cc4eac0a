"""Everyday questions beyond "what is on that day": free time ("금요일 오후에 시간 비어?")
and when a named thing is ("검진 언제였지?", "다음 검진 언제야?").

``request`` reads what the question asks from the NLU's labels and the message's words;
``answer`` reads the calendar and words the reply. The agenda of a range stays in
``execution`` (``messages.agenda``).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, tzinfo

from router_service.clients.calendar import CalendarEvent
from router_service.dialogue import formatting as fmt
from router_service.dialogue import plans
from router_service.dialogue.turn import Conversation
from router_service.nlu.schemas import NluResult
from shared.time import start_of_day

# 시간 비어? / 한가해? / 빈 시간 있어? / 오후에 시간 돼?: a question about free time.
FREE_CUE = re.compile(
    r"비어|비었|비니|비나|빈\s*(?:시간|데|때|날)|한가|여유|틈|"
    r"시간\s*(?:이\s*)?(?:있|돼|되|괜찮|나|없|어때)"
)
# A whole day's free time is read between these hours (nobody books 3 a.m.).
DAY_HOURS = (9, 21)
MIN_FREE = timedelta(minutes=30)
SLOT_STEP = 30  # minutes: a window that starts now starts at the next half hour
MAX_DAYS_LISTED = 14
MAX_NAMED_SHOWN = 5


def request(conv: Conversation, text: str, parsed: NluResult) -> plans.QueryRequest:
    """What a question asks: a range's events, its free time, or when a named thing is."""
    span = plans.query_span(parsed.range, now=conv.now, zone=conv.zone)
    title = (parsed.target.title or "").strip() if parsed.target else ""
    if title:
        return plans.QueryRequest(range=span, title=title)
    free = span.limit is None and bool(FREE_CUE.search(text))
    return plans.QueryRequest(range=span, free=free)


async def answer(conv: Conversation, plan: plans.QueryPlan) -> tuple[str, int]:
    """The reply to a free-time or a named-thing question, and how many events it read."""
    if plan.title:
        return await _when(conv, plan, plan.title)
    return await _free(conv, plan.range)


# --- free time ----------------------------------------------------------------------------


async def _free(conv: Conversation, span: plans.Span) -> tuple[str, int]:
    zone = conv.zone
    listed = await conv.app.calendar.list_events(
        user_id=conv.user_id, start=span.start, end=span.end
    )
    timed = [e for e in listed if not e.all_day and e.start is not None and e.end is not None]
    windows = _windows(span.start, span.end, now=conv.now, zone=zone)
    note = fmt.zone_note(zone, span.start)
    if not windows:
        return "이미 지난 시간이에요. 앞으로의 시간을 물어봐 주세요.", len(listed)
    if len(windows) == 1:
        return _one_window(windows[0], timed, zone, note), len(listed)
    lines = [f"{fmt.range_label(span.start, span.end, zone)} 빈 시간이에요{note}:"]
    for day, start, end, _whole in windows[:MAX_DAYS_LISTED]:
        busy = _busy(timed, start, end)
        free = _gaps(busy, start, end)
        if not busy:
            lines.append(f"• {fmt.day_label(day)} 일정 없음")
        elif not free:
            lines.append(f"• {fmt.day_label(day)} 빈 시간 없음")
        else:
            slots = ", ".join(fmt.clock_span(a, b) for a, b in free)
            lines.append(f"• {fmt.day_label(day)} {slots}")
    if any(whole for *_, whole in windows):
        lines.append(f"(각 날 {_hours_label()} 기준)")
    return "\n".join(lines), len(listed)


def _one_window(
    window: tuple[date, datetime, datetime, bool],
    timed: list[CalendarEvent],
    zone: tzinfo,
    note: str,
) -> str:
    day, start, end, whole = window
    label = fmt.day_label(day) if whole else f"{fmt.day_label(day)} {fmt.clock_span(start, end)}"
    busy = _busy(timed, start, end)
    if not busy:
        if whole:
            return f"{label}{fmt.josa(label, '은', '는')} 일정이 없어 종일 비어 있어요{note}."
        return f"{label}{fmt.josa(label, '은', '는')} 비어 있어요{note}."
    free = _gaps(busy, start, end)
    inside = [e for e in timed if e.start < end and e.end > start]  # type: ignore[operator]
    events = [f"• {fmt.event_line(e.model_dump(mode='json'), zone)}" for e in inside]
    scope = f" ({_hours_label()} 중)" if whole else ""
    if not free:
        return "\n".join([f"{label}에는 빈 시간이 없어요{note}{scope}:", *events])
    slots = [f"• {fmt.clock_span(a, b)}" for a, b in free]
    return "\n".join(
        [f"{label}에 비어 있는 시간이에요{note}{scope}:", *slots, "그 사이 일정:", *events]
    )


def _hours_label() -> str:
    low, high = DAY_HOURS
    day = datetime(2000, 1, 1)
    return fmt.clock_span(day.replace(hour=low), day.replace(hour=high))


def _windows(
    start: datetime, end: datetime, *, now: datetime, zone: tzinfo
) -> list[tuple[date, datetime, datetime, bool]]:
    """Per day of ``[start, end)``: (day, from, to, whole day?), from now on only."""
    found = []
    day = start.astimezone(zone).date()
    last = (end.astimezone(zone) - timedelta(microseconds=1)).date()
    soon = _next_slot(now)
    while day <= last:
        day_start, day_end = start_of_day(day, zone), start_of_day(day + timedelta(days=1), zone)
        low, high = max(start, day_start), min(end, day_end)
        whole = low == day_start and high == day_end
        if whole:
            low = day_start.replace(hour=DAY_HOURS[0])
            high = day_start.replace(hour=DAY_HOURS[1])
        low = max(low, soon)
        if low < high:
            found.append((day, low.astimezone(zone), high.astimezone(zone), whole))
        day += timedelta(days=1)
    return found


def _next_slot(now: datetime) -> datetime:
    minutes = (-now.minute) % SLOT_STEP
    rounded = now.replace(second=0, microsecond=0) + timedelta(minutes=minutes)
    return rounded if rounded >= now else rounded + timedelta(minutes=SLOT_STEP)


def _busy(
    events: list[CalendarEvent], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The busy intervals inside ``[start, end)``, merged."""
    spans = sorted(
        (max(e.start, start), min(e.end, end))
        for e in events
        if e.start is not None and e.end is not None and e.start < end and e.end > start
    )
    merged: list[tuple[datetime, datetime]] = []
    for low, high in spans:
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _gaps(
    busy: list[tuple[datetime, datetime]], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The free intervals of at least MIN_FREE between the busy ones."""
    gaps, cursor = [], start
    for low, high in busy:
        if low - cursor >= MIN_FREE:
            gaps.append((cursor, low))
        cursor = max(cursor, high)
    if end - cursor >= MIN_FREE:
        gaps.append((cursor, end))
    return gaps


# --- when is it ---------------------------------------------------------------------------


async def _when(conv: Conversation, plan: plans.QueryPlan, title: str) -> tuple[str, int]:
    span, zone, now = plan.range, conv.zone, conv.now
    listed = await conv.app.calendar.list_events(
        user_id=conv.user_id, start=span.start, end=span.end, q=title
    )
    target = plans.Target(title=title)
    ahead = plans.match_targets([e for e in listed if _end_of(e, zone) > now], target)
    behind = plans.match_targets([e for e in reversed(listed) if _end_of(e, zone) <= now], target)
    if span.limit is not None:  # 다음 검진 언제야: only what is ahead
        ahead, behind = ahead[: span.limit], []
    if not ahead and not behind:
        where = "앞으로 1년 안에" if span.limit is not None else "앞뒤 1년 안에"
        return f"{where} {fmt.quoted(title)} 일정을 찾지 못했어요.", len(listed)
    if len(ahead) + len(behind) == 1:
        event, past = (ahead[0], False) if ahead else (behind[0], True)
        return _sentence(event, zone, past=past), len(listed)
    shown_behind = list(reversed(behind[:2]))
    shown_ahead = ahead[: MAX_NAMED_SHOWN - len(shown_behind)]
    lines = [f"{fmt.quoted(title)} 일정이에요{fmt.zone_note(zone, now)}:"]
    if shown_behind:
        lines.append("지난 일정")
        lines.extend(_item(e, zone) for e in shown_behind)
    if shown_ahead:
        lines.append("다가오는 일정")
        lines.extend(_item(e, zone) for e in shown_ahead)
    return "\n".join(lines), len(listed)


def _sentence(event: CalendarEvent, zone: tzinfo, *, past: bool) -> str:
    when = fmt.event_when(event.model_dump(mode="json"), zone)
    copula = fmt.josa(when, "이었어요", "였어요") if past else fmt.josa(when, "이에요", "예요")
    return f"{fmt.quoted(event.title, '은', '는')} {when}{copula}."


def _item(event: CalendarEvent, zone: tzinfo) -> str:
    return fmt.list_item(event.model_dump(mode="json"), zone, with_day=True)


def _end_of(event: CalendarEvent, zone: tzinfo) -> datetime:
    if event.end is not None:
        return event.end
    last = event.end_date or event.start_date
    assert last is not None
    return start_of_day(last, zone)
