"""A create with no day ("다음 주 중에 치과 가야 돼", "치과 예약 잡아줘"): Haru asks
"언제로 할까요?", offering the next free days as buttons, and the answer completes it.

The question is a pending action in state ``awaiting_date`` whose request is a
``DayQuestion`` (the event without its day, the time of day if one was given, and the days
offered). The answer — a button, "2번", "화요일 오후 3시", "수요일로" — ends it with the move
``answer_date`` and proposes the completed event as a new create, exactly as if it had been
said in one message. A time given with no day ("다음 주 중에 오후 3시", or "3시로" as the
answer) is kept: a day button then proposes that day at that time, not all day. So is all
else the request said: its place, its reminder ("30분 전에 알려줘"), its repetition.
"""

from __future__ import annotations

import datetime as dt
import re
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from router_service.clients.exceptions import (
    CalendarReauthRequired,
    CalendarRequestFailed,
    CalendarUnavailable,
)
from router_service.conversations.models import Message
from router_service.dialogue import formatting as fmt
from router_service.dialogue import plans, proposals
from router_service.dialogue.turn import Conversation
from router_service.nlu.choices import choice_number
from router_service.nlu.schemas import EventSlots, NluResult, TimeOfDay
from router_service.pending import service as pending
from router_service.pending.models import ActionKind, ActionState, PendingAction
from shared.time import start_of_day

MAX_OPTIONS = 5
LOOK_AHEAD_DAYS = 14  # no window named: the next two weeks
BUSY_FROM, BUSY_TO = 9, 18  # a day is "free" when nothing is booked in these hours
EXAMPLES = "예: '화요일 오후 3시', '11월 20일 오전 10시'"
# The window a vague day names (SPEC: 다음 주 중에, 이번 주 안에, 월초, 다음 달 초).
NEXT_NEXT_WEEK = re.compile(r"다다음\s*주")
NEXT_WEEK = re.compile(r"다음\s*주|담\s*주")
THIS_WEEK = re.compile(r"이번\s*주|금주|이번주")
NEXT_MONTH_START = re.compile(r"다음\s*달\s*초|담달\s*초|다음\s*달\s*월초")
MONTH_START = re.compile(r"월초|이번\s*달\s*초")
NEXT_MONTH = re.compile(r"다음\s*달|담달")
THIS_MONTH = re.compile(r"이번\s*달")
WEEKDAY = re.compile(r"[월화수목금토일](?:요일|욜)")
# An answer that fixes its own day: it is taken as said.
FIXED_DAY = re.compile(
    r"이번\s*주|다음\s*주|담\s*주|다다음|지난|저번|오늘|내일|모레|글피|\d+\s*일|\d+/\d+"
)


class DayQuestion(BaseModel):
    """The request of an ``awaiting_date`` action: the event without a day, and the days
    offered as buttons (choice n is ``options[n-1]``)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event: plans.NewEvent
    time_of_day: TimeOfDay | None = None  # "다음 주 중에 오후 3시": the day is what is asked
    options: list[dt.date] = []
    first: dt.date | None = None  # the window the request named ("다음 주 중에")
    last: dt.date | None = None


async def handle(
    conv: Conversation, *, text: str, parsed: NluResult, action: PendingAction | None
) -> list[Message] | None:
    """The replies when the message is, or answers, a create with no day; else None."""
    if action is not None and action.state == ActionState.awaiting_date and not parsed.refused:
        answered = await _answer(conv, action, text=text, parsed=parsed)
        if answered is not None:
            return answered
    if parsed.refused:  # 2월 30일, 99시: no vague day but an impossible one (said elsewhere)
        return None
    if parsed.intent == "create_event" and parsed.needs and "date" in parsed.needs:
        return await ask(conv, text=text, parsed=parsed)
    return None


async def ask(conv: Conversation, *, text: str, parsed: NluResult) -> list[Message]:
    """Stores the question (durable, like any pending action) and asks it."""
    replies = await proposals.supersede_waiting(conv, announce=True)
    event = _undated(parsed.event or EventSlots())
    first, last = window(text, conv.now)
    options = await _free_days(conv, first, last)
    question = DayQuestion(
        event=event, time_of_day=parsed.time_of_day, options=options, first=first, last=last
    )
    action = await proposals.create(
        conv, ActionKind.create, question, [], ActionState.awaiting_date, None
    )
    return [*replies, await _say_question(conv, action, question)]


def _undated(slots: EventSlots) -> plans.NewEvent:
    """The event the request described, all but its day: what it said besides the day
    (place, reminder, repetition) is proposed whatever answers the question."""
    return plans.NewEvent(
        title=(slots.title or "").strip() or plans.NO_TITLE,
        location=(slots.location or "").strip() or None,
        reminder_minutes=tuple(slots.reminder_minutes) if slots.reminder_minutes else None,
        recurrence=list(slots.recurrence) if slots.recurrence else None,
    )


async def _keep_time(
    conv: Conversation, action: PendingAction, question: DayQuestion, time: dt.time
) -> list[Message]:
    """ "3시로" while the day is asked: the same question, now with that time (a new
    action replaces it silently), so a day button keeps it."""
    if not await pending.supersede(session=conv.session, action=action, now=conv.now):
        return []
    minutes = question.time_of_day.minutes if question.time_of_day else 60  # its length stays
    timed = question.model_copy(update={"time_of_day": TimeOfDay(start=time, minutes=minutes)})
    fresh = await proposals.create(
        conv, ActionKind.create, timed, [], ActionState.awaiting_date, None
    )
    return [await _say_question(conv, fresh, timed, lead="날짜도 함께 말씀해 주세요.")]


async def choose(
    conv: Conversation, action: PendingAction, number: int, *, said: str | None = None
) -> tuple[Message | None, list[Message]]:
    """A day button (or "2번"): the offered day, all day; a time can be added after."""
    if action.state != ActionState.awaiting_date:
        return None, []
    question = DayQuestion.model_validate(action.request)
    incoming = await conv.record_answer(action, said, "choose")
    if not 1 <= number <= len(question.options):
        count = len(question.options)
        text = f"1번부터 {count}번 중에서 골라 주세요." if count else "날짜를 말씀해 주세요."
        return incoming, [await conv.say(f"{text} {EXAMPLES}")]
    event = _on_day(question.event, question.options[number - 1], question.time_of_day, conv)
    return incoming, await _complete(conv, action, event)


def _on_day(
    event: plans.NewEvent, day: dt.date, time_of_day: TimeOfDay | None, conv: Conversation
) -> plans.NewEvent:
    """``event`` on ``day``: at the time given before, else all day."""
    if time_of_day is None:
        return event.model_copy(
            update={"all_day": True, "start_date": day, "end_date": day + timedelta(days=1)}
        )
    start = datetime.combine(day, time_of_day.start, conv.zone)
    end = start + timedelta(minutes=time_of_day.minutes)
    return event.model_copy(
        update={"all_day": False, "start": start, "end": end, "start_date": None, "end_date": None}
    )


def window(text: str, now: datetime) -> tuple[dt.date, dt.date]:
    """The days ``[first, last]`` a vague day names; else the next two weeks from tomorrow."""
    today = now.date()
    monday = today - timedelta(days=today.weekday())
    month_first = today.replace(day=1)
    next_month = (month_first + timedelta(days=32)).replace(day=1)
    tomorrow = today + timedelta(days=1)
    if NEXT_NEXT_WEEK.search(text):
        return monday + timedelta(days=14), monday + timedelta(days=18)
    if NEXT_WEEK.search(text):
        return monday + timedelta(days=7), monday + timedelta(days=11)
    if THIS_WEEK.search(text):
        return tomorrow, max(tomorrow, monday + timedelta(days=6))
    if NEXT_MONTH_START.search(text):
        return next_month, next_month + timedelta(days=9)
    if MONTH_START.search(text):
        start = max(tomorrow, month_first) if today.day <= 10 else next_month
        return start, max(start, start.replace(day=10))
    if NEXT_MONTH.search(text):
        following = (next_month + timedelta(days=32)).replace(day=1)
        return next_month, following - timedelta(days=1)
    if THIS_MONTH.search(text):
        return tomorrow, max(tomorrow, next_month - timedelta(days=1))
    return tomorrow, today + timedelta(days=LOOK_AHEAD_DAYS)


async def _answer(
    conv: Conversation, action: PendingAction, *, text: str, parsed: NluResult
) -> list[Message] | None:
    """The person's answer to "언제로 할까요?", or None when the message is something else."""
    question = DayQuestion.model_validate(action.request)
    number = choice_number(text)
    if number is not None:
        return (await choose(conv, action, number))[1]
    if parsed.intent == "approve":
        return [await conv.say(f"{_asking(question)} {EXAMPLES}")]
    if parsed.intent == "create_event" and parsed.needs:
        return None  # another vague request: asked anew
    changes = parsed.changes
    if parsed.intent == "amend" and changes and changes.time and not changes.date:
        return await _keep_time(conv, action, question, dt.time.fromisoformat(changes.time))
    event = _completed(question, parsed, conv)
    if event is None:
        return None
    return await _complete(conv, action, _into_window(event, question, text, conv))


def _completed(
    question: DayQuestion, parsed: NluResult, conv: Conversation
) -> plans.NewEvent | None:
    """The event on the day (and time) the answer names, or None if it names none; a day
    alone keeps the time given before."""
    event = question.event
    if parsed.intent == "create_event" and parsed.event is not None:
        own = fmt.normalise_title(parsed.event.title)
        if own and own != fmt.normalise_title(event.title):
            return None  # a request of its own ("모레 3시 회의"): not this answer
        dated = plans.new_event(parsed.event)
        if dated is None:
            return None
        kept = {  # what the request said stays, unless the answer says it anew
            "title": event.title,
            "location": dated.location or event.location,
            "reminder_minutes": dated.reminder_minutes or event.reminder_minutes,
            "recurrence": dated.recurrence or event.recurrence,
        }
        dated = dated.model_copy(update=kept)
        day = dated.start_date
        one_day = day is not None and dated.end_date == day + timedelta(days=1)
        if dated.all_day and question.time_of_day and one_day:
            assert day is not None
            return _on_day(dated, day, question.time_of_day, conv)
        return dated
    if parsed.intent in ("amend", "update_event") and parsed.changes is not None:
        changes = parsed.changes
        if changes.start is not None:  # a length said before stays
            start, given = changes.start, question.time_of_day
            length = timedelta(minutes=given.minutes) if given else plans.DEFAULT_LENGTH
            return event.model_copy(update={"start": start, "end": start + length})
        if changes.date is not None:
            return _on_day(event, changes.date, question.time_of_day, conv)
    return None


def _into_window(
    event: plans.NewEvent, question: DayQuestion, text: str, conv: Conversation
) -> plans.NewEvent:
    """A bare weekday answering "다음 주 중에 …" means that week's day ("금요일" → next Friday)."""
    first, last = question.first, question.last
    if first is None or last is None or not WEEKDAY.search(text) or FIXED_DAY.search(text):
        return event
    day = event.start_date if event.all_day else event.start.astimezone(conv.zone).date()  # type: ignore[union-attr]
    if day is None or day >= first:
        return event
    shift = timedelta(days=-(-(first - day).days // 7) * 7)
    if day + shift > last:
        return event
    if event.all_day:
        assert event.start_date is not None and event.end_date is not None
        return event.model_copy(
            update={"start_date": event.start_date + shift, "end_date": event.end_date + shift}
        )
    assert event.start is not None and event.end is not None
    return event.model_copy(update={"start": event.start + shift, "end": event.end + shift})


async def _complete(
    conv: Conversation, action: PendingAction, event: plans.NewEvent
) -> list[Message]:
    """Ends the question and proposes the event it completed (a new create)."""
    result: dict[str, Any] = {"event": event.model_dump(mode="json")}
    if not await pending.answer_date(
        session=conv.session, action=action, now=conv.now, result=result
    ):
        return []  # answered elsewhere first (another tab, a double click)
    request = plans.CreateRequest(event=event)
    notes = ["시간이 없어 종일 일정으로 잡았어요"] if event.all_day else []
    return await proposals.start(conv, ActionKind.create, request, notes, announce=False)


async def _free_days(conv: Conversation, first: dt.date, last: dt.date) -> list[dt.date]:
    """Up to MAX_OPTIONS days of ``[first, last]`` with nothing booked in working hours."""
    grant = await conv.app.auth.grant_state(user_id=conv.user_id)
    if not grant.usable:
        return []
    zone = conv.zone
    try:
        listed = await conv.app.calendar.list_events(
            user_id=conv.user_id,
            start=start_of_day(first, zone),
            end=start_of_day(last + timedelta(days=1), zone),
        )
    except (CalendarReauthRequired, CalendarUnavailable, CalendarRequestFailed):
        return []  # the question still helps without suggestions
    free: list[dt.date] = []
    day = first
    while day <= last and len(free) < MAX_OPTIONS:
        low = start_of_day(day, zone).replace(hour=BUSY_FROM)
        high = start_of_day(day, zone).replace(hour=BUSY_TO)
        busy = any(
            e.start is not None and e.end is not None and e.start < high and e.end > low
            for e in listed
            if not e.all_day  # birthdays and holidays leave a day free
        )
        if not busy:
            free.append(day)
        day += timedelta(days=1)
    return free


async def remind(conv: Conversation, action: PendingAction) -> Message:
    """The question again, with its day buttons (a message not understood meanwhile)."""
    return await _say_question(conv, action, DayQuestion.model_validate(action.request))


def _asking(question: DayQuestion) -> str:
    event, time_of_day = question.event, question.time_of_day
    what = "" if event.title == plans.NO_TITLE else f"{fmt.quoted(event.title, '은', '는')} "
    if time_of_day is None:
        return f"{what}언제로 할까요?"
    clock = fmt.clock_12(datetime.combine(dt.date.min, time_of_day.start))
    return f"{what}{clock}, 어느 날로 할까요?"


async def _say_question(
    conv: Conversation, action: PendingAction, question: DayQuestion, *, lead: str = ""
) -> Message:
    asking = f"{lead} {_asking(question)}".strip()
    if not question.options:
        return await conv.say(f"{asking} {EXAMPLES}")
    text = "\n".join(
        [
            asking,
            "일정이 비어 있는 날이에요. 고르시거나 날짜와 시간을 말씀해 주세요.",
            *(f"{n}. {fmt.day_label(day)}" for n, day in enumerate(question.options, start=1)),
        ]
    )
    choices = [
        {"choice": n, "label": fmt.day_label(day), "short_label": fmt.day_label(day)}
        for n, day in enumerate(question.options, start=1)
    ]
    payload = {"kind": "choice", "action_id": action.id, "choices": choices}
    return await conv.say(text, payload=payload)
