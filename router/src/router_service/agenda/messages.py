"""What people read in the morning agenda and about their choices."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from router_service.clients.calendar import CalendarEvent
from router_service.dialogue import formatting as fmt
from router_service.dialogue.recurrence_words import REPEAT_MARK


def _clock(agenda_time: str) -> str:
    hour, minute = (int(part) for part in agenda_time.split(":"))
    return fmt.clock_12(datetime(2000, 1, 1, hour, minute))


def agenda_on(agenda_time: str) -> str:
    return f'매일 {_clock(agenda_time)}에 그날 일정을 알려드릴게요. (그만하려면 "아침 브리핑 그만")'


AGENDA_OFF = "아침 브리핑을 그만 보낼게요."
AGENDA_ALREADY_OFF = "아침 브리핑은 이미 꺼져 있어요."


def _span(start: datetime, end: datetime) -> str:
    """``오전 9:00–9:30``, ``오전 10:00–오후 3:00``."""
    same_period = (start.hour < 12) == (end.hour < 12)
    return f"{fmt.clock_12(start)}–{fmt.clock_12(end, with_period=not same_period)}"


def agenda(
    events: list[CalendarEvent],
    day: date,
    zone: tzinfo,
    *,
    holiday: str | None,
    free: list[tuple[datetime, datetime]],
) -> str:
    """``☀️ 좋은 아침이에요! 12월 3일(목) 일정이에요.``, holiday, events, free time."""
    lines = [f"☀️ 좋은 아침이에요! {fmt.day_label(day)} 일정이에요."]
    if holiday:
        lines.append(f"오늘은 {holiday}{fmt.josa(holiday, '이에요', '예요')}.")
    if events:
        for event in events:
            item = fmt.list_item(event.model_dump(mode="json"), zone, with_day=False)
            lines.append(item + (f" {REPEAT_MARK}" if event.recurring_event_id else ""))
    else:
        lines.append("오늘은 일정이 없어요.")
    if free:
        spans = ", ".join(
            _span(start.astimezone(zone), end.astimezone(zone)) for start, end in free
        )
        lines.append(f"비어 있는 시간: {spans}")
    elif events:
        lines.append("오늘은 9시부터 6시까지 빈 시간이 없어요.")
    return "\n".join(lines)
