"""What people read about reminders: the lead ("30분", "1시간", "하루") and the reminder."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta, tzinfo

from router_service.clients.calendar import CalendarEvent
from router_service.dialogue import formatting as fmt

DAY = 1440


def lead(minutes: int) -> str:
    """``30분``, ``1시간``, ``1시간 30분``, ``하루``, ``2일``."""
    if minutes >= DAY and minutes % DAY == 0:
        days = minutes // DAY
        return "하루" if days == 1 else f"{days}일"
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}분"
    return f"{hours}시간" + (f" {rest}분" if rest else "")


def leads(minutes: Sequence[int]) -> str:
    """``하루 전, 30분 전`` (longest first); ``시작할 때`` for 0."""
    parts = [f"{lead(m)} 전" if m else "시작할 때" for m in sorted(set(minutes), reverse=True)]
    return ", ".join(parts)


def will_remind(minutes: Sequence[int], *, all_day: bool = False) -> str:
    """The proposal's line: ``30분 전에 알려드릴게요.``; for an all-day event (``minutes``
    counted back from 00:00 of its first day, as Google counts): ``하루 전 오전 9시에``."""
    said = all_day_leads(minutes) if all_day else leads(minutes)
    return f"{said}{'' if said.endswith('때') else '에'} 알려드릴게요."


def all_day_leads(minutes: Sequence[int]) -> str:
    """``2일 전 오전 9시, 하루 전 오전 9시``: the day and the clock each reminder falls on."""
    parts = []
    for m in sorted(set(minutes), reverse=True):
        days = days_before(m)
        hour, minute = divmod(days * DAY - m, 60)
        clock = f"{'오전' if hour < 12 else '오후'} {hour % 12 or 12}시" + (
            f" {minute}분" if minute else ""
        )
        parts.append(f"{lead(days * DAY)} 전 {clock}")
    return ", ".join(parts)


def days_before(minutes: int) -> int:
    """The day a lead counted back from 00:00 falls on, in whole days before (at least 1:
    00:00 of the day itself is not a moment anyone is reminded at)."""
    return max(1, -(-minutes // DAY))


def days_ahead(days: int) -> str:
    """``오늘``, ``내일``, ``모레``, ``3일 뒤``."""
    return {0: "오늘", 1: "내일", 2: "모레"}.get(days, f"{days}일 뒤")


def reminder(event: CalendarEvent, minutes: int, zone: tzinfo) -> str:
    """``⏰ 30분 뒤에 「치과」 일정이 있어요.`` (an all-day event: ``⏰ 내일 「워크숍」
    일정이 있어요.``) and when and where."""
    title = event.title or "제목 없음"
    if event.start is None and event.start_date is not None:
        # Said at 00:00 of its first day less the lead (Google's count): days, not hours.
        said = datetime.combine(event.start_date, time(0)) - timedelta(minutes=minutes)
        ahead = days_ahead((event.start_date - said.date()).days)
        head = f"⏰ {ahead} {fmt.quoted(title)} 일정이 있어요."
    elif minutes:
        head = f"⏰ {lead(minutes)} 뒤에 {fmt.quoted(title)} 일정이 있어요."
    else:
        head = f"⏰ 지금 {fmt.quoted(title)} 일정이 시작해요."
    if event.end is not None or event.start_date is not None:
        when = fmt.event_when(event.model_dump(mode="json"), zone)
    else:  # as planned (the calendar could not be read): the start is what is known
        assert event.start is not None
        start = event.start.astimezone(zone)
        when = f"{fmt.day_label(start.date())} {fmt.clock_12(start)}"
    lines = [head, when]
    if event.location and fmt.normalise_title(event.location) != fmt.normalise_title(title):
        lines.append(f"장소: {event.location}")
    return "\n".join(lines)
