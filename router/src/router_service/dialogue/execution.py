"""From a yes to a calendar write: approve, execute once, resume after consent, reject.

``start_execution`` is committed before skill-calendar is called, so a second click, a
second replica or the recovery loop finds nothing to run; skill-calendar sees
``Idempotency-Key: pending-action-<id>``, so a run repeated after a crash replays.
"""

from __future__ import annotations

import logging
from typing import Any

from router_service.clients.auth_server import GrantState
from router_service.clients.calendar import CalendarEvent
from router_service.clients.exceptions import (
    CalendarEventNotFound,
    CalendarReauthRequired,
    CalendarRequestFailed,
    CalendarUnavailable,
)
from router_service.conversations.models import Message
from router_service.dialogue import (
    messages,
    plans,
    proposals,
    questions,
    series_splits,
    several,
    undo_capture,
)
from router_service.dialogue.turn import Conversation, result_payload
from router_service.dialogue.undo_plans import Written
from router_service.pending import service as pending
from router_service.pending.models import ActionKind, ActionState, PendingAction
from router_service.reminders.hooks import reminders_follow

logger = logging.getLogger(__name__)


async def ask_question(conv: Conversation, request: plans.QueryRequest) -> list[Message]:
    """A question about a range: answered now, or after consent (it needs no approval).

    No grant question first, as for proposals: the calendar is read at once, and
    skill-calendar's 409 says why the grant is unusable. The action is then stored once,
    answered (or waiting for consent), after the read, so no write holds the connection.
    """
    plan = plans.QueryPlan(range=request.range, free=request.free, title=request.title)

    async def store(state: ActionState, **outcome: Any) -> PendingAction:
        return await proposals.create(
            conv, ActionKind.query, request, [], state, plan, approved=True, **outcome
        )

    try:
        text, result = await _answer(conv, plan)
    except CalendarReauthRequired as refused:
        replies = await proposals.supersede_waiting(conv, announce=True)
        action = await store(ActionState.awaiting_auth)
        grant = GrantState.of_refusal(refused.details)
        return [*replies, await proposals.ask_for_auth(conv, action, grant)]
    except (CalendarUnavailable, CalendarRequestFailed) as err:
        await proposals.supersede_waiting(conv, announce=True)
        await store(ActionState.failed, error_code=err.code)
        raise  # the turn says the calendar is unreachable
    replies = await proposals.supersede_waiting(conv, announce=True)
    action = await store(ActionState.done, result=result)
    logger.info("action done", extra={"action_id": action.id, "kind": str(action.kind)})
    return [*replies, await conv.say(text)]


async def approve(
    conv: Conversation, action: PendingAction, *, said: str | None = None
) -> tuple[Message | None, list[Message]]:
    """The person's yes to a proposal: claimed once, then run."""
    if action.state != ActionState.proposed:
        return None, []  # already answered (another tab, a double click): nothing twice
    if not await pending.claim_approval(session=conv.session, action=action, now=conv.now):
        fresh = await pending.get_action(session=conv.session, action_id=action.id)
        if fresh is not None and fresh.state == ActionState.proposed:  # past its deadline
            await pending.expire(session=conv.session, action=fresh, now=conv.now)
            incoming = await conv.record_answer(action, said, "approve")
            return incoming, [await conv.say(messages.EXPIRED)]
        return None, []
    incoming = await conv.record_answer(action, said, "approve")
    return incoming, await execute(conv, action)


async def approve_while_awaiting_auth(conv: Conversation, action: PendingAction) -> list[Message]:
    """'네' while consent is missing: resume if the grant is back, else send the link again."""
    grant = await conv.app.auth.grant_state(user_id=conv.user_id)
    if grant.usable:
        return await resume(conv, action)
    return [await proposals.ask_for_auth(conv, action, grant)]


async def reject(
    conv: Conversation, action: PendingAction, *, said: str | None = None
) -> tuple[Message | None, list[Message]]:
    """The person's no to whatever still waits."""
    if action.state not in pending.MOVES["reject"].sources:
        return None, []
    if not await pending.reject(session=conv.session, action=action, now=conv.now):
        return None, []
    incoming = await conv.record_answer(action, said, "reject")
    return incoming, [await conv.say(messages.rejected(action.kind, plans.title_of(action)))]


async def resume(conv: Conversation, action: PendingAction) -> list[Message]:
    """Continues an action after consent: run it if approved, else propose it again."""
    if action.approved_at is None:
        return await proposals.reprepare(conv, action)
    if not await pending.resume_approved(session=conv.session, action=action, now=conv.now):
        return []
    return await execute(conv, action)


async def execute(conv: Conversation, action: PendingAction) -> list[Message]:
    """Runs an approved action once: approved → executing (committed) → the call → done."""
    before = await undo_capture.before_write(conv, action)  # the event, for its undo
    if not await pending.start_execution(
        session=conv.session, action=action, now=conv.now, undo_plan=before
    ):
        return []
    return await run(conv, action)


async def run(conv: Conversation, action: PendingAction) -> list[Message]:
    """The calendar call of an executing action, and its outcome."""
    try:
        plan = plans.plan_of(action)
    except plans.PlanMissing:
        # Only a row written before plans and states were stored together can lack one.
        await pending.fail(session=conv.session, action=action, now=conv.now, error_code="no_plan")
        return [await conv.say(messages.LOST_PLAN)]
    try:
        text, result, payload, answer = await _call(conv, action, plan)
    except CalendarReauthRequired:
        await pending.park_for_auth(session=conv.session, action=action, now=conv.now)
        return [await proposals.ask_for_auth(conv, action, None)]
    except CalendarEventNotFound:
        await pending.fail(
            session=conv.session, action=action, now=conv.now, error_code="event_not_found"
        )
        return [await conv.say(messages.EVENT_GONE)]
    except (CalendarUnavailable, CalendarRequestFailed) as err:
        await pending.fail(session=conv.session, action=action, now=conv.now, error_code=err.code)
        if action.kind == ActionKind.query:
            raise  # the turn says the calendar is unreachable
        return [await conv.say(messages.write_failed(action.kind))]
    undo = undo_capture.after_write(
        action, answer=answer, created_status=result.get("status"), now=conv.now
    )
    if not await pending.finish(
        session=conv.session, action=action, now=conv.now, result=result, **undo
    ):
        return []  # a recovery run finished it first: it has said so already
    await reminders_follow(conv, plan, result)
    logger.info("action done", extra={"action_id": action.id, "kind": str(action.kind)})
    return [await conv.say(text, payload=undo_capture.with_button(payload, action))]


async def _call(
    conv: Conversation, action: PendingAction, plan: Any
) -> tuple[str, dict[str, Any], dict[str, Any] | None, Written]:
    """The one calendar call of ``plan``: (reply, stored result, reply payload, the event
    as the calendar answered; several events: those it made)."""
    calendar = conv.app.calendar
    if isinstance(plan, plans.QueryPlan):  # a question answered after consent
        return (*await _answer(conv, plan), None, None)
    if isinstance(plan, plans.CreateManyPlan):
        return await several.run(conv, action, plan)  # its undo deletes every event it made
    if isinstance(plan, plans.CreatePlan):
        created = await calendar.create_event(
            user_id=conv.user_id,
            event=plans.calendar_body(plan.body),
            idempotency_key=action.idempotency_key,
        )
        event = created.event
        result: dict[str, Any] = {"status": created.status, "event": _json(event)}
        if created.status == "duplicate":  # it appeared after the proposal was shown
            text = messages.already_there(event, conv.zone)
        else:
            text = messages.done(action.kind, event, conv.zone)
        return text, result, result_payload(action, event, link=True), event
    # A change to occurrences of a series names its scope; skill-calendar's split is then
    # made once even when this call is repeated (same Idempotency-Key).
    key = action.idempotency_key if getattr(plan, "scope", None) else None
    if isinstance(plan, plans.ChangePlan):
        updated = await calendar.update_event(
            user_id=conv.user_id,
            event_id=plan.event_id,
            changes=plan.patch.body(),
            scope=plan.scope,
            idempotency_key=key,
        )
        event = updated.event
        await series_splits.write_parts(conv, action, plan)
        text = messages.done(action.kind, event, conv.zone, scope=plan.scope)
        return text, {"event": _json(event)}, result_payload(action, event, link=True), event
    assert isinstance(plan, plans.DeletePlan)
    deleted = await calendar.delete_event(
        user_id=conv.user_id, event_id=plan.event_id, scope=plan.scope, idempotency_key=key
    )
    await series_splits.write_parts(conv, action, plan)
    result = {"deleted": deleted.deleted, "already_deleted": deleted.already_deleted}
    text = messages.done(action.kind, plan.before, conv.zone, scope=plan.scope)
    return text, result, result_payload(action, plan.before, link=False), None


async def _answer(conv: Conversation, plan: plans.QueryPlan) -> tuple[str, dict[str, Any]]:
    """The reply to a question, and what is stored of it (how many events it read)."""
    if plan.free or plan.title:
        text, count = await questions.answer(conv, plan)
        return text, {"count": count}
    span = plan.range
    events = await conv.app.calendar.list_events(
        user_id=conv.user_id, start=span.start, end=span.end
    )
    if span.limit is not None:
        events = events[: span.limit]
        text = messages.next_events(events, conv.zone)
    else:
        text = messages.agenda(events, span.start, span.end, conv.zone)
    return text, {"count": len(events)}


def _json(event: CalendarEvent) -> dict[str, Any]:
    return event.model_dump(mode="json")
