"""Corrections (issue 18): "아 4시로", "장소는 강남역", "응 근데 30분 늦게", "모레로 미뤄줘".

A correction names no event. It changes, in this order:
1. the proposal waiting for an answer: a create or a change is proposed again, corrected (the
   same request, so nothing is announced as replaced); with a yes in the same message
   (``approve``) a corrected create runs at once, unless the calendar has something to warn
   about at the new time;
2. else the event this conversation last created or changed, within ``LAST_EVENT_WINDOW``:
   a change of that event, proposed for approval like every other change.
The memory of the last event is the conversation's finished actions (``pending_actions``,
``done``, with the calendar's answer): durable, shared by every replica.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel

from router_service.clients.calendar import CalendarEvent
from router_service.conversations.models import Message
from router_service.dialogue import execution, messages, plans, proposals, series_rules
from router_service.dialogue import series as series_
from router_service.dialogue.turn import Conversation
from router_service.nlu.schemas import NluResult
from router_service.pending import service as pending
from router_service.pending.models import ActionKind, ActionState, PendingAction

LAST_EVENT_WINDOW = timedelta(minutes=30)
# A proposal, or a request waiting for Google consent, is corrected in place.
AMENDABLE = (ActionState.proposed, ActionState.awaiting_auth)


def is_correction(parsed: NluResult) -> bool:
    """An ``amend``, or an update that names no event ("4시로 바꿔줘", "모레로 미뤄줘")."""
    if parsed.intent == "amend":
        return True
    target = parsed.target
    named = target is not None and bool(target.title or target.date or target.start)
    return parsed.intent == "update_event" and not named and parsed.changes is not None


async def correct(
    conv: Conversation, action: PendingAction | None, *, text: str, parsed: NluResult
) -> list[Message] | None:
    """The replies to a correction, or None when ``parsed`` changes nothing."""
    changes = plans.changes_of(parsed.changes, text=text, now=conv.now, zone=conv.zone)
    if changes == plans.Changes():
        return None
    # The parser could not know the event's time: before and after say what a shift does,
    # and the event's own half of the day what a bare hour means.
    notes = [] if changes.shift_minutes else list(parsed.assumptions)
    if changes.bare_hour:
        notes = series_.without_hour_guess(notes)
    if _amendable(action, ActionKind.create):
        assert action is not None
        return await _amend_create(conv, action, changes, notes, approve=parsed.approve)
    if _amendable(action, ActionKind.update) and action is not None and action.plan is not None:
        return await _amend_change(conv, action, changes, notes, approve=parsed.approve)
    return await _change_last_event(conv, changes, notes)


def _amendable(action: PendingAction | None, kind: ActionKind) -> bool:
    """Whether ``action`` is a ``kind`` the person has not said yes to yet."""
    return (
        action is not None
        and action.kind == kind
        and action.state in AMENDABLE
        and action.approved_at is None
    )


async def _amend_create(
    conv: Conversation,
    action: PendingAction,
    changes: plans.Changes,
    notes: list[str],
    *,
    approve: bool,
) -> list[Message]:
    body: plans.NewEvent = plans.request_of(action).event
    patch = plans.patch_for(body, changes, conv.zone)
    event = apply(body, patch) if patch is not None else body
    if body.recurrence and changes.date is not None:
        event = _series_moved(body, event, conv.zone)
    kept = list(action.assumptions or [])
    notes = [*kept, *(n for n in notes if n not in kept)]
    request = plans.CreateRequest(event=event)
    if approve:
        done = await _at_once(conv, ActionKind.create, request, notes)
        if done is not None:
            return done
    # The same request, changed: it replaces the proposal without a word about it.
    return await proposals.start(conv, ActionKind.create, request, notes, announce=False)


async def _at_once(
    conv: Conversation, kind: ActionKind, request: BaseModel, notes: list[str]
) -> list[Message] | None:
    """Proposed and approved in one turn ("응 근데 30분 늦게") when nothing needs a warning
    (a conflict or a duplicate at the new time is shown first); None otherwise."""
    grant = await conv.app.auth.grant_state(user_id=conv.user_id)
    if not grant.usable:
        return None
    prepared = await proposals.prepare(conv, kind, request, notes)
    if prepared.state != ActionState.proposed or any(prepared.extras.values()):
        return None
    await proposals.supersede_waiting(conv, announce=False)
    created = await proposals.create(conv, kind, request, notes, prepared.state, prepared.plan)
    return (await execution.approve(conv, created))[1]


async def _amend_change(
    conv: Conversation,
    action: PendingAction,
    changes: plans.Changes,
    notes: list[str],
    *,
    approve: bool,
) -> list[Message]:
    """A correction of a waiting change: applied to the event as the change would leave it."""
    plan: plans.ChangePlan = plans.plan_of(action)
    request: plans.ChangeRequest = plans.request_of(action)
    merged = merge(request.changes, plan.after, changes, conv.zone)
    if approve:
        # The event as it was read: the same one, whatever its title says now.
        pinned = plans.ChangeRequest(target=plans.Target(event_id=plan.event_id), changes=merged)
        done = await _at_once(conv, ActionKind.update, pinned, notes)
        if done is not None:
            return done
    return await proposals.restart_change(conv, action, merged, notes)


def merge(
    asked: plans.Changes, after: CalendarEvent, correction: plans.Changes, zone
) -> plans.Changes:
    """The change asked before, corrected: a new time is taken from the event as the change
    would leave it ("4시로" then "30분 늦게" is 4:30), the rest kept unless said again."""
    update = {
        "duration_minutes": correction.duration_minutes or asked.duration_minutes,
        "title": correction.title or asked.title,
        "location": correction.location or asked.location,
    }
    if not correction.moves:
        return asked.model_copy(update=update)
    patch = plans.patch_for(after, correction.model_copy(update={"duration_minutes": None}), zone)
    if patch is not None and patch.start is not None:
        return plans.Changes(start=patch.start, **update)
    if patch is not None and patch.start_date is not None:
        return plans.Changes(date=patch.start_date, **update)
    return asked.model_copy(update=update)


async def _change_last_event(
    conv: Conversation, changes: plans.Changes, notes: list[str]
) -> list[Message]:
    event_id = await last_event_id(conv)
    if event_id is None:
        return [await conv.say(messages.name_the_event(ActionKind.update))]
    request = plans.ChangeRequest(target=plans.Target(event_id=event_id), changes=changes)
    return await proposals.start(conv, ActionKind.update, request, notes)


async def last_event_id(conv: Conversation) -> str | None:
    """The event this conversation last created or changed within ``LAST_EVENT_WINDOW``
    (None when there is none, or when the conversation deleted it since)."""
    deleted: set[str] = set()
    for done in await pending.done_since(
        session=conv.session,
        conversation_key=conv.conversation_key,
        since=conv.now - LAST_EVENT_WINDOW,
    ):
        event_id = _event_id_of(done)
        if event_id is None:
            continue
        if done.kind == ActionKind.delete:
            deleted.add(event_id)
        elif done.kind in (ActionKind.create, ActionKind.update) and event_id not in deleted:
            return event_id
    return None


def _event_id_of(action: PendingAction) -> str | None:
    if action.kind == ActionKind.delete and action.plan is not None:
        return plans.plan_of(action).event_id
    event = (action.result or {}).get("event")
    return event.get("id") if isinstance(event, dict) else None


def _series_moved(before: plans.NewEvent, after: plans.NewEvent, zone) -> plans.NewEvent:
    """A proposed series moved to another day ("아 수요일로"): its rule moves with its first
    day (매주 화요일 → 매주 수요일), the weekday said in the series' first week."""
    old, new = series_.occurrence_day(before, zone), series_.occurrence_day(after, zone)
    day = series_rules.first_day_moved(old, new)
    if day != new:
        after = apply(
            after, plans.patch_for(after, plans.Changes(date=day), zone) or plans.EventPatch()
        )
    recurrence = series_rules.moved(before.recurrence or [], old=old, new=day)
    return after.model_copy(update={"recurrence": recurrence})


def apply(body: plans.NewEvent, patch: plans.EventPatch) -> plans.NewEvent:
    """``body`` with ``patch`` applied (a timed patch makes it timed)."""
    update: dict = {}
    if patch.start is not None:
        update = {"start": patch.start, "end": patch.end, "all_day": False}
        update |= {"start_date": None, "end_date": None}
    elif patch.start_date is not None:
        update = {"start_date": patch.start_date, "end_date": patch.end_date}
    if patch.title is not None:
        update["title"] = patch.title
    if patch.location is not None:
        update["location"] = patch.location
    return body.model_copy(update=update)
