"""Changing an occurrence of a series: find the series, ask which occurrences, answer.

An update or a delete whose event is an occurrence (``recurring_event_id``) gets a plan
that names the series; without a scope from the message, the action waits in
``awaiting_scope`` with that plan, and the answer ([이번만] [이후 전부] [전체], a typed
"이번만", or "1번") moves it to ``proposed`` with the scope in the plan (``choose_scope``).
"""

from __future__ import annotations

from datetime import date, timedelta, tzinfo
from itertools import islice
from typing import Any

from router_service.clients.calendar import CalendarEvent
from router_service.conversations.models import Message
from router_service.dialogue import messages, plans, series_rules, series_splits
from router_service.dialogue import series as series_
from router_service.dialogue.recurrence_words import is_finite
from router_service.dialogue.turn import Conversation, proposal_payload
from router_service.pending import service as pending
from router_service.pending.models import ActionKind, ActionState, PendingAction
from shared.time import start_of_day

# A finite series longer than this is counted as "no end" (its words still say its end).
MAX_COUNTED = 1000


async def series_info(conv: Conversation, event: CalendarEvent) -> series_.SeriesInfo | None:
    """The series of an occurrence and the series split from it, with how many occurrences
    there are from this one on and in all (None: some part never ends)."""
    if not event.recurring_event_id:
        return None
    master = await conv.series_of(event)
    parts = await series_splits.parts_of(conv, master)
    counts = await _counts(conv, [master, *(part.master for part in parts)])
    since = series_.occurrence_day(event, conv.zone)
    mine = counts[master.id]
    total = following = None
    later = [counts[part.master.id] for part in parts if part.later]
    if mine is not None and all(days is not None for days in later):
        following = sum(1 for day in mine if day >= since)
        following += sum(len(days or []) for days in later)
    if all(days is not None for days in counts.values()):
        total = sum(len(days or []) for days in counts.values())
    return series_.SeriesInfo(
        series_id=event.recurring_event_id,
        recurrence=list(master.recurrence or []),
        first=series_.occurrence_day(master, conv.zone),
        following=following,
        total=total,
        parts=parts,
    )


async def _counts(conv: Conversation, masters: list[CalendarEvent]) -> dict[str, list[date] | None]:
    """The days of each series' occurrences as the calendar lists them (one read over the
    ones that end; None for a series that never ends)."""
    lasts = {m.id: _last_day(m, list(m.recurrence or []), conv.zone) for m in masters}
    ending = [m for m in masters if lasts[m.id] is not None]
    days: dict[str, list[date] | None] = {m.id: None for m in masters}
    if not ending:
        return days
    start = start_of_day(min(series_.occurrence_day(m, conv.zone) for m in ending), conv.zone)
    last = max(day for day in lasts.values() if day is not None)
    end = start_of_day(last + timedelta(days=2), conv.zone)
    listed = await conv.app.calendar.list_events(user_id=conv.user_id, start=start, end=end)
    for master in ending:
        days[master.id] = [
            series_.occurrence_day(e, conv.zone)
            for e in listed
            if e.recurring_event_id == master.id
        ]
    return days


def _last_day(master: CalendarEvent, recurrence: list[str], zone: tzinfo) -> date | None:
    """The day of the series' last occurrence by its rule (None: it never ends)."""
    first = master.start_date if master.all_day else master.start
    if first is None or not is_finite(recurrence, zone=zone):
        return None
    found = list(islice(series_rules.starts(recurrence, first, zone), MAX_COUNTED + 1))
    if not found or len(found) > MAX_COUNTED:
        return None
    return found[-1].date()


def plan_for(
    kind: ActionKind,
    event: CalendarEvent,
    changes: plans.Changes,
    zone: tzinfo,
    *,
    scope: series_.Scope | None,
    series: series_.SeriesInfo | None,
) -> plans.ChangePlan | plans.DeletePlan | None:
    """The plan of a change to ``event`` with its series and scope (None: nothing changes)."""
    if kind == ActionKind.delete:
        return plans.DeletePlan(event_id=event.id, before=event, scope=scope, series=series)
    change = plans.change_plan(event, changes, zone)
    if change is None:
        return None
    return change.model_copy(update={"scope": scope, "series": series})


def question(conv: Conversation, kind: ActionKind, plan: Any) -> str:
    """The scope question of a scope-less plan."""
    return series_.scope_question(
        plan.before, plan.series, conv.zone, deleting=kind == ActionKind.delete
    )


def proposal_text(conv: Conversation, kind: ActionKind, plan: Any, assumptions: list[str]) -> str:
    """The proposal of a change to occurrences: the usual lines, then what the scope means."""
    if kind == ActionKind.delete:
        before = plan.before
        line = messages.fmt.event_line(before.model_dump(mode="json"), conv.zone)
        text = f"{line}{messages.fmt.josa(before.title, '을', '를')} 삭제할까요?"
        if plan.scope == "all":
            text = (
                f"반복 일정 {messages.fmt.quoted(plan.before.title, '을', '를')} 전부 삭제할까요?"
            )
        elif plan.scope == "following":
            day = series_.occurrence_day(plan.before, conv.zone)
            title = messages.fmt.quoted(plan.before.title, "을", "를")
            text = f"{messages.fmt.day_label(day)}부터 {title} 모두 삭제할까요?"
        lines = [text]
    else:
        lines = messages.change_proposal(plan, conv.zone, assumptions=[]).splitlines()
    lines.append(
        series_.scope_effect(
            plan.scope, plan.before, plan.series, conv.zone, deleting=kind == ActionKind.delete
        )
    )
    lines.extend(f"※ {note}" for note in assumptions)
    return "\n".join(lines)


async def answer(
    conv: Conversation, action: PendingAction, scope: series_.Scope, *, said: str | None
) -> tuple[Message | None, list[Message]]:
    """The person's answer to the scope question: proposed with the scope in the plan."""
    if action.state != ActionState.awaiting_scope:
        return None, []
    plan = plans.plan_of(action).model_copy(update={"scope": scope})
    moved = await pending.choose_scope(
        session=conv.session,
        action=action,
        now=conv.now,
        plan=plan,
        expires_at=conv.now + conv.app.ttl,
    )
    if not moved:
        return None, []
    label = series_.SCOPE_LABELS[scope] if said is not None else None
    incoming = await conv.record_answer(action, label, "choose")
    text = proposal_text(conv, action.kind, plan, list(action.assumptions or []))
    return incoming, [await conv.say(text, payload=proposal_payload(action))]
