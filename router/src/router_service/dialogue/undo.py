"""Undo: a done create, update or delete taken back once, within ten minutes.

The ✅ reply of every write that can be undone carries a [되돌리기] button (``decision``
``undo``); "되돌려줘", "방금 거 취소해줘", "실행 취소" (the NLU's ``undo``) mean the same
for the conversation's last finished write. Exactly once, like the write itself:

- ``start_undo`` (done → undoing) is one conditional UPDATE, committed before the
  calendar is called, only with an undo plan and before ``undo_until``: of two clicks,
  two replicas or a click and a typed "되돌려줘", one wins and the others say nothing;
- skill-calendar sees ``Idempotency-Key: undo-pending-action-<id>``, so the inverse
  write repeated after a crash replays instead of writing twice;
- an undo a stopped process left in ``undoing`` is taken up again by the recovery round
  (``recover``), past the window too (the person asked in time), and only the run that
  moves it to ``undone`` answers.

Before claiming, the event is read: if it changed since Haru's write (or is gone), the
person is told and nothing is written. An undone action is final: an undo is not undone.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from router_service.clients.calendar import CalendarEvent
from router_service.clients.exceptions import (
    CalendarEventNotFound,
    CalendarReauthRequired,
    CalendarRequestFailed,
    CalendarUnavailable,
)
from router_service.context import RouterContext
from router_service.conversations.models import Message
from router_service.dialogue import execution, messages
from router_service.dialogue import undo_messages as say
from router_service.dialogue.turn import Conversation
from router_service.dialogue.undo_plans import (
    AnyUndoPlan,
    DeleteCreated,
    DeleteCreatedMany,
    EventDetails,
    PatchBack,
    Recreate,
    undo_plan_of,
)
from router_service.pending import service as pending
from router_service.pending.models import OPEN_STATES, ActionState, PendingAction

logger = logging.getLogger(__name__)

CALENDAR_FAILURES = (CalendarUnavailable, CalendarRequestFailed)


async def by_button(
    conv: Conversation, action: PendingAction, *, said: str | None
) -> tuple[Message | None, list[Message]]:
    """[되돌리기] on a ✅ reply: (the press as stored, the replies); a second press of an
    undo already under way or done says nothing."""
    if action.state in (ActionState.undoing, ActionState.undone):
        return None, []
    incoming = await conv.record_answer(action, said, "undo")
    return incoming, await undo(conv, action)


async def by_words(conv: Conversation, waiting: PendingAction | None) -> list[Message]:
    """ "되돌려줘": a proposal still waiting is withdrawn; else the last write is undone."""
    if waiting is not None and waiting.state in OPEN_STATES:
        return (await execution.reject(conv, waiting))[1]
    last = await pending.last_finished_write(
        session=conv.session, conversation_key=conv.conversation_key
    )
    if last is None:
        return [await conv.say(say.NOTHING_TO_UNDO)]
    if last.state == ActionState.undone:
        return [await conv.say(say.ALREADY_UNDONE)]
    if last.state == ActionState.undoing:
        return [await conv.say(say.UNDOING)]
    return await undo(conv, last)


async def undo(conv: Conversation, action: PendingAction) -> list[Message]:
    """Undoes ``action`` if it can be, now, and its event is still as Haru left it."""
    if action.state == ActionState.undone:
        return [await conv.say(say.ALREADY_UNDONE)]
    if action.state == ActionState.undoing:
        return [await conv.say(say.UNDOING)]
    plan = undo_plan_of(action) if action.state == ActionState.done else None
    if plan is None:
        return [await conv.say(say.NOT_UNDOABLE)]
    if action.undo_until is None or conv.now >= action.undo_until:
        return [await conv.say(say.EXPIRED)]
    problem = await _changed_since(conv, plan)
    if problem is not None:
        return [await conv.say(problem)]
    if not await pending.start_undo(session=conv.session, action=action, now=conv.now):
        fresh = await pending.get_action(session=conv.session, action_id=action.id)
        if fresh is not None and fresh.state == ActionState.done:  # the window closed
            return [await conv.say(say.EXPIRED)]
        return []  # another click or replica undid it, and says so
    return await run(conv, action)


async def run(conv: Conversation, action: PendingAction) -> list[Message]:
    """The inverse write of an undoing action, and its outcome."""
    plan = undo_plan_of(action)
    assert plan is not None  # start_undo moves only an action with one
    try:
        text, payload = await _inverse(conv, action, plan)
    except CalendarReauthRequired:
        await pending.abandon_undo(session=conv.session, action=action, now=conv.now)
        return [await conv.say(say.RECONNECT)]
    except CalendarEventNotFound:
        await pending.abandon_undo(session=conv.session, action=action, now=conv.now)
        return [await conv.say(say.gone(*_titles(plan)))]
    except CALENDAR_FAILURES as err:
        logger.warning("undo refused by the calendar", extra={"error_code": err.code})
        await pending.abandon_undo(session=conv.session, action=action, now=conv.now)
        return [await conv.say(say.FAILED)]
    if not await pending.finish_undo(session=conv.session, action=action, now=conv.now):
        return []  # a recovery run finished it first: it has said so already
    logger.info("action undone", extra={"action_id": action.id, "kind": str(action.kind)})
    return [await conv.say(text, payload=payload)]


async def recover(
    *, session: AsyncSession, app: RouterContext, now: datetime, stalled_for: timedelta
) -> list[Message]:
    """Runs again the undos a stopped process left in ``undoing`` (each once, same key)."""
    replies: list[Message] = []
    before = now - stalled_for
    for action_id in [a.id for a in await pending.stalled_undos(session=session, before=before)]:
        try:
            action = await pending.get_action(session=session, action_id=action_id)
            if action is None or action.state != ActionState.undoing:
                continue
            if not await pending.reclaim_undo(
                session=session, action=action, now=now, before=before
            ):
                continue
            logger.info("resuming a stalled undo", extra={"action_id": action_id})
            replies.extend(await run(Conversation.of_action(session, app, action), action))
            await session.commit()
        except Exception:
            await session.rollback()
            logger.exception("recovering an undo failed", extra={"action_id": action_id})
    return replies


# --- the calendar ---------------------------------------------------------------------------


async def _changed_since(conv: Conversation, plan: AnyUndoPlan) -> str | None:
    """Why the undo must not run (the event changed or went since Haru's write), or None."""
    if isinstance(plan, Recreate):
        return None  # nothing left to compare: a copy made by hand meanwhile is a duplicate
    if isinstance(plan, DeleteCreatedMany):
        return await _many_changed_since(conv, plan)
    left = plan.left
    assert left is not None  # an update's plan is complete once it is done
    try:
        current = await conv.app.calendar.get_event(user_id=conv.user_id, event_id=plan.event_id)
    except CalendarEventNotFound:
        return say.gone(left.title)
    except CalendarReauthRequired:
        return say.RECONNECT
    now = EventDetails.of(current)
    if isinstance(plan, PatchBack) and now == plan.before:
        return None  # an earlier try got through unseen: the same key replays it
    if now != left:
        return say.changed_since(left.title)
    return None


async def _many_changed_since(conv: Conversation, plan: DeleteCreatedMany) -> str | None:
    """Several events made by one yes: one gone since is fine (all gone: nothing to undo);
    one changed since keeps them all, as a single event would be kept."""
    gone = 0
    for item in plan.items:
        try:
            current = await conv.app.calendar.get_event(
                user_id=conv.user_id, event_id=item.event_id
            )
        except CalendarEventNotFound:
            gone += 1
            continue
        except CalendarReauthRequired:
            return say.RECONNECT
        if EventDetails.of(current) != item.left:
            return say.changed_since(item.left.title)
    return say.gone(*plan.titles) if gone == len(plan.items) else None


async def _delete_many(
    conv: Conversation, action: PendingAction, plan: DeleteCreatedMany
) -> tuple[str, dict | None]:
    """Each event the yes made, deleted under its own key (one already gone is fine)."""
    deleted: list[EventDetails] = []
    gone: list[EventDetails] = []
    for number, item in enumerate(plan.items, start=1):
        try:
            answer = await conv.app.calendar.delete_event(
                user_id=conv.user_id,
                event_id=item.event_id,
                idempotency_key=f"{action.undo_idempotency_key}-{number}",
            )
        except CalendarEventNotFound:
            gone.append(item.left)
            continue
        (gone if answer.already_deleted else deleted).append(item.left)
    return say.undid_many(deleted, gone, conv.zone), _payload(action, None)


async def _inverse(
    conv: Conversation, action: PendingAction, plan: AnyUndoPlan
) -> tuple[str, dict | None]:
    """The one calendar write that takes ``action`` back: (reply, reply payload)."""
    calendar, key = conv.app.calendar, action.undo_idempotency_key
    if isinstance(plan, DeleteCreatedMany):
        return await _delete_many(conv, action, plan)
    if isinstance(plan, DeleteCreated):
        await calendar.delete_event(
            user_id=conv.user_id, event_id=plan.event_id, idempotency_key=key
        )
        return say.undid_create(plan.left, conv.zone), _payload(action, None)
    if isinstance(plan, PatchBack):
        updated = await calendar.update_event(
            user_id=conv.user_id,
            event_id=plan.event_id,
            changes=plan.patch(),
            scope=plan.scope,
            idempotency_key=key,
        )
        return say.undid_update(plan.before, conv.zone), _payload(action, updated.event)
    created = await calendar.create_event(
        user_id=conv.user_id, event=plan.before.create_body(), idempotency_key=key
    )
    text = say.undid_delete(plan.before, conv.zone, already_there=created.status == "duplicate")
    return text, _payload(action, created.event)


def _payload(action: PendingAction, event: CalendarEvent | None) -> dict:
    payload: dict = {"kind": "undone", "action_id": action.id}
    if event is not None and event.html_link:
        payload["link"] = {"url": event.html_link, "label": messages.OPEN_IN_CALENDAR}
    return payload


def _titles(plan: AnyUndoPlan) -> list[str]:
    if isinstance(plan, DeleteCreatedMany):
        return plan.titles
    return [plan.before.title if isinstance(plan, PatchBack | Recreate) else plan.left.title]
