"""Series split from one another, as one thing to the person.

"영어 스터디 다음 주부터 8시로" is Google's split: the series ends (``UNTIL``) just before
next week's occurrence and a new one starts there. To the person it is still one 영어
스터디: "영어 스터디 전부 지워줘" or "영어 스터디 8시로" → [전체] means both. Two series
are one when their titles match and the earlier ends within one step of its rule from
the later's first occurrence, after its own last one (``series_rules.continues``): what
Haru's split and Google Calendar's own "이후 일정 모두" leave behind.

Found from the occurrence's series (its neighbours in the calendar, both ways), kept in
the plan (``SeriesInfo.parts``), and written after the occurrence's own write in the same
approval, each part as a whole series with its own Idempotency-Key.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime, timedelta

from router_service.clients.calendar import CalendarEvent
from router_service.clients.exceptions import CalendarEventNotFound
from router_service.dialogue import formatting as fmt
from router_service.dialogue import plans, series_rules
from router_service.dialogue import series as series_
from router_service.dialogue.turn import Conversation
from router_service.pending.models import PendingAction
from shared.time import start_of_day

logger = logging.getLogger(__name__)

CHAIN_LIMIT = 10  # splits followed each way (a series split more often is rare)


async def parts_of(conv: Conversation, master: CalendarEvent) -> list[series_.SeriesPart]:
    """The series split from ``master``'s series: earlier ones first, then later ones."""
    seen = {master.id}
    earlier: list[series_.SeriesPart] = []
    head = master
    while len(earlier) < CHAIN_LIMIT and (found := await _neighbour(conv, head, seen)) is not None:
        earlier.insert(0, series_.SeriesPart(master=found, later=False))
        seen.add(found.id)
        head = found
    later: list[series_.SeriesPart] = []
    tail = master
    while (
        len(later) < CHAIN_LIMIT
        and (found := await _neighbour(conv, tail, seen, later=True)) is not None
    ):
        later.append(series_.SeriesPart(master=found, later=True))
        seen.add(found.id)
        tail = found
    return [*earlier, *later]


async def _neighbour(
    conv: Conversation, master: CalendarEvent, seen: set[str], *, later: bool = False
) -> CalendarEvent | None:
    """The series ``master``'s continues (``later``: the one continuing it), if any."""
    rule = master.recurrence or []
    gap = series_rules.step(rule)
    first = first_moment(master, conv)
    if gap is None or first is None:
        return None
    try:
        if later:
            end = series_rules.until(rule, conv.zone)
            if end is None:
                return None
            start, stop = end - gap, end + gap + timedelta(days=1)
        else:  # the earlier one's last occurrence is within two of its steps before our first
            start, stop = first - 2 * gap, first
    except OverflowError:  # a window past the calendar's first or last day: nothing there
        return None
    listed = await conv.app.calendar.list_events(user_id=conv.user_id, start=start, end=stop)
    title = fmt.normalise_title(master.title)
    candidates = {
        e.recurring_event_id: e
        for e in listed
        if e.recurring_event_id
        and e.recurring_event_id not in seen
        and fmt.normalise_title(e.title) == title
    }
    for occurrence in candidates.values():
        other = await conv.series_of(occurrence)
        if _continues(master, other, conv) if later else _continues(other, master, conv):
            return other
    return None


def first_moment(event: CalendarEvent, conv: Conversation) -> datetime | None:
    """When a series' first occurrence starts (an all-day one: its day's start)."""
    if event.all_day and event.start_date is not None:
        return start_of_day(event.start_date, conv.zone)
    return event.start


async def fold(conv: Conversation, matches: list[CalendarEvent]) -> list[CalendarEvent]:
    """Matches (one occurrence per series, in time order) without the series split from an
    earlier match's: its occurrence names them all ("영어 스터디 8시로" after a split)."""
    names = Counter(fmt.normalise_title(e.title) for e in matches if e.recurring_event_id)
    if not any(count > 1 for count in names.values()):
        return matches
    kept: list[CalendarEvent] = []
    seen: list[CalendarEvent] = []  # the series of every recurring match so far
    for event in matches:
        if not event.recurring_event_id or names[fmt.normalise_title(event.title)] < 2:
            kept.append(event)
            continue
        master = await conv.series_of(event)
        if not any(_split_apart(other, master, conv) for other in seen):
            kept.append(event)
        seen.append(master)
    return kept


def _split_apart(a: CalendarEvent, b: CalendarEvent, conv: Conversation) -> bool:
    """Whether one of two series continues the other."""
    if fmt.normalise_title(a.title) != fmt.normalise_title(b.title):
        return False
    return _continues(a, b, conv) or _continues(b, a, conv)


def _continues(earlier: CalendarEvent, later: CalendarEvent, conv: Conversation) -> bool:
    earlier_first, later_first = first_moment(earlier, conv), first_moment(later, conv)
    if earlier_first is None or later_first is None:
        return False
    begin: datetime | date = earlier_first
    if earlier.all_day and earlier.start_date is not None:
        begin = earlier.start_date
    return series_rules.continues(earlier.recurrence or [], begin, later_first, conv.zone)


def part_patch(
    plan: plans.ChangePlan, master: CalendarEvent, conv: Conversation
) -> plans.EventPatch | None:
    """The change of ``plan``'s occurrence as a part's master takes it: the same new time
    of day or all-day (and the same move in days), the same new title or place. An
    all-day occurrence made timed (or a timed one made all-day) makes every part so."""
    patch, before, zone = plan.patch, plan.before, conv.zone
    update: dict = {"title": patch.title, "location": patch.location}
    was, first = _day_of(before, conv), _day_of(master, conv)
    if was is not None and first is not None:
        if patch.start and patch.end:
            new = patch.start.astimezone(zone)
            start = datetime.combine(first + (new.date() - was), new.time(), tzinfo=zone)
            update |= {"start": start, "end": start + (patch.end - patch.start)}
        elif patch.start_date and patch.end_date:
            day = first + (patch.start_date - was)
            update |= {"start_date": day, "end_date": day + (patch.end_date - patch.start_date)}
    result = plans.EventPatch(**update)
    return result if result.body() else None


def _day_of(event: CalendarEvent, conv: Conversation) -> date | None:
    """The day an event starts on in the person's zone (an all-day one: its date)."""
    if event.all_day or event.start is None:
        return event.start_date
    return event.start.astimezone(conv.zone).date()


async def write_parts(
    conv: Conversation, action: PendingAction, plan: plans.ChangePlan | plans.DeletePlan
) -> None:
    """After the occurrence's own write: each split part its scope reaches, as a whole."""
    calendar = conv.app.calendar
    for number, part in enumerate(series_.parts_reached(plan.series, plan.scope), start=1):
        key = f"{action.idempotency_key}-part-{number}"
        try:
            if isinstance(plan, plans.DeletePlan):
                await calendar.delete_event(
                    user_id=conv.user_id, event_id=part.master.id, scope="all", idempotency_key=key
                )
                continue
            patch = part_patch(plan, part.master, conv)
            if patch is not None:
                await calendar.update_event(
                    user_id=conv.user_id,
                    event_id=part.master.id,
                    changes=patch.body(),
                    scope="all",
                    idempotency_key=key,
                )
        except CalendarEventNotFound:  # deleted meanwhile: nothing left to write
            logger.info("a split series was gone before its write", extra={"action_id": action.id})
