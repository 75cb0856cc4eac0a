"""From a request to a proposal: read the calendar, build the plan, store the action with it.

Preparing reads only; the action's row is then written once, with its state and its plan
together (a new action: one INSERT; an action resumed after consent: one UPDATE), so no
crash can leave an action that could be approved without a plan.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from router_service.clients.auth_server import GrantState
from router_service.clients.calendar import CalendarEvent
from router_service.clients.exceptions import (
    CalendarEventNotFound,
    CalendarReauthRequired,
    CalendarRequestFailed,
    CalendarUnavailable,
)
from router_service.connect.service import web_connect_url
from router_service.conversations.models import Channel, Message
from router_service.dialogue import (
    messages,
    plans,
    series_check,
    series_flow,
    series_splits,
    several,
)
from router_service.dialogue import series as series_
from router_service.dialogue.turn import (
    Conversation,
    choice_payload,
    connect_payload,
    proposal_payload,
)
from router_service.pending import service as pending
from router_service.pending.models import ActionKind, ActionState, PendingAction

logger = logging.getLogger(__name__)


@dataclass
class Prepared:
    """What preparing found: a plan to propose, events to choose among, or why not."""

    state: ActionState
    text: str = ""
    plan: BaseModel | None = None
    candidates: list[CalendarEvent] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    error_code: str | None = None


async def start(
    conv: Conversation,
    kind: ActionKind,
    request: BaseModel,
    assumptions: list[str],
    *,
    announce: bool = True,
) -> list[Message]:
    """A new create, update or delete: replaces what waited for the person, proposes (or,
    when Google access is missing, sends the connect link)."""
    # No grant question first: preparing reads the calendar, and skill-calendar's 409 says
    # why the grant is unusable (one service round trip less per proposal). What waited is
    # replaced after the read, so no write holds the connection across it.
    try:
        prepared = await prepare(conv, kind, request, assumptions)
    except CalendarReauthRequired as refused:
        replies = await supersede_waiting(conv, announce=announce)
        action = await create(conv, kind, request, assumptions, ActionState.awaiting_auth, None)
        grant = GrantState.of_refusal(refused.details)
        return [*replies, await ask_for_auth(conv, action, grant)]
    except (CalendarUnavailable, CalendarRequestFailed) as err:
        await supersede_waiting(conv, announce=announce)
        await create(conv, kind, request, assumptions, ActionState.failed, None, err.code)
        raise
    replies = await supersede_waiting(conv, announce=announce)
    action = await create(
        conv,
        kind,
        request,
        assumptions,
        prepared.state,
        prepared.plan,
        prepared.error_code,
        [c.model_dump(mode="json") for c in prepared.candidates] or None,
    )
    return [*replies, *await _present(conv, action, prepared)]


async def supersede_waiting(conv: Conversation, *, announce: bool) -> list[Message]:
    """Replaces what still waits for the person; says so, unless it is being amended."""
    replaced = await pending.supersede_waiting(
        session=conv.session, conversation_key=conv.conversation_key, now=conv.now
    )
    if not announce:
        return []
    return [await conv.say(messages.replaced(plans.title_of(action))) for action in replaced]


async def restart_change(
    conv: Conversation, action: PendingAction, changes: plans.Changes, assumptions: list[str]
) -> list[Message]:
    """A new proposal for the event of a waiting change, with new ``changes``."""
    old = plans.plan_of(action)
    before = old.before
    request = plans.request_of(action).model_copy(update={"changes": changes})
    await supersede_waiting(conv, announce=False)
    if old.series is not None:  # an occurrence: the same series and scope, the new time
        prepared = _occurrence(
            conv,
            ActionKind.update,
            before,
            changes,
            assumptions,
            scope=old.scope,
            series=old.series,
        )
    else:
        prepared = await propose_change(conv, ActionKind.update, before, changes, assumptions)
    replacement = await create(
        conv,
        ActionKind.update,
        request,
        assumptions,
        prepared.state,
        prepared.plan,
        prepared.error_code,
    )
    return await _present(conv, replacement, prepared)


async def prepare(
    conv: Conversation, kind: ActionKind, request: BaseModel, assumptions: list[str]
) -> Prepared:
    """Reads the calendar and builds the proposal of a create, update or delete."""
    if isinstance(request, plans.CreateRequest):
        return await _prepare_create(conv, request.event, assumptions)
    if isinstance(request, plans.CreateManyRequest):
        return await several.prepare(conv, request, assumptions)
    assert isinstance(request, plans.ChangeRequest)
    target = request.target
    if target.event_id is not None:  # the event this conversation just made (a correction)
        try:
            event = await conv.app.calendar.get_event(
                user_id=conv.user_id, event_id=target.event_id
            )
        except CalendarEventNotFound:
            return Prepared(ActionState.failed, messages.EVENT_GONE, error_code="target_not_found")
        return await propose_event(conv, kind, event, request, assumptions)
    start, end, day = plans.target_window(target, now=conv.now, zone=conv.zone)
    listed = await conv.app.calendar.list_events(user_id=conv.user_id, start=start, end=end)
    matches = series_.collapse(plans.match_targets(listed, target))
    if len(matches) > 1:  # series split from one another are one (series_splits)
        matches = await series_splits.fold(conv, matches)
    if not matches:
        return Prepared(
            ActionState.failed, messages.not_found(target, day), error_code="target_not_found"
        )
    if len(matches) > 1:
        return Prepared(ActionState.awaiting_choice, candidates=matches)
    return await propose_event(conv, kind, matches[0], request, assumptions)


async def propose_event(
    conv: Conversation,
    kind: ActionKind,
    event: CalendarEvent,
    request: plans.ChangeRequest,
    assumptions: list[str],
) -> Prepared:
    """The plan of a change to ``event``; an occurrence of a series carries its series and
    asks which occurrences unless the message said (``target.scope``)."""
    if not event.recurring_event_id:
        return await propose_change(conv, kind, event, request.changes, assumptions)
    info = await series_flow.series_info(conv, event)
    return _occurrence(
        conv, kind, event, request.changes, assumptions, scope=request.target.scope, series=info
    )


def _occurrence(
    conv: Conversation,
    kind: ActionKind,
    event: CalendarEvent,
    changes: plans.Changes,
    assumptions: list[str],
    *,
    scope: series_.Scope | None,
    series: series_.SeriesInfo | None,
) -> Prepared:
    """An occurrence's plan (its scope maybe still unsaid) as a question or a proposal."""
    plan = series_flow.plan_for(kind, event, changes, conv.zone, scope=scope, series=series)
    if plan is None:
        return Prepared(ActionState.failed, messages.no_change(event), error_code="no_changes")
    if plan.scope is None:
        return Prepared(ActionState.awaiting_scope, series_flow.question(conv, kind, plan), plan)
    text = series_flow.proposal_text(conv, kind, plan, assumptions)
    return Prepared(ActionState.proposed, text, plan)


async def _prepare_create(
    conv: Conversation, body: plans.NewEvent, assumptions: list[str]
) -> Prepared:
    clashes: list[series_.Clash] = []
    if body.recurrence:  # every occurrence within a horizon, not only the first
        duplicates, clashes = await series_check.already_there(conv, body)
        conflicts = list({c.event.id: c.event for c in clashes}.values())
    else:
        start, end = plans.span_of(body, conv.zone)
        listed = await conv.app.calendar.list_events(user_id=conv.user_id, start=start, end=end)
        duplicates, conflicts = plans.duplicates_and_conflicts(listed, body)
    body = body.model_copy(update={"allow_duplicate": bool(duplicates)})
    text = messages.create_proposal(
        body,
        conv.zone,
        duplicates=duplicates,
        conflicts=conflicts,
        assumptions=assumptions,
        clashes=clashes,
    )
    extras = {"duplicates": len(duplicates), "conflicts": len(conflicts)}
    return Prepared(ActionState.proposed, text, plans.CreatePlan(body=body), extras=extras)


async def propose_change(
    conv: Conversation,
    kind: ActionKind,
    event: CalendarEvent,
    changes: plans.Changes,
    assumptions: list[str],
) -> Prepared:
    """The plan of an update or a delete of ``event``; a move is checked, like a create, for
    what is already at the new time."""
    if kind == ActionKind.delete:
        deletion = plans.DeletePlan(event_id=event.id, before=event)
        return Prepared(ActionState.proposed, messages.delete_proposal(event, conv.zone), deletion)
    change = plans.change_plan(event, changes, conv.zone)
    if change is None:
        return Prepared(ActionState.failed, messages.no_change(event), error_code="no_changes")
    duplicates, conflicts = await _already_there(conv, change)
    text = messages.change_proposal(
        change, conv.zone, assumptions=assumptions, duplicates=duplicates, conflicts=conflicts
    )
    extras = {"duplicates": len(duplicates), "conflicts": len(conflicts)}
    return Prepared(ActionState.proposed, text, change, extras=extras)


async def _already_there(
    conv: Conversation, change: plans.ChangePlan
) -> tuple[list[CalendarEvent], list[CalendarEvent]]:
    """Events equal to the moved event, and others overlapping it, at its new time."""
    if change.patch.start is None and change.patch.start_date is None:
        return [], []  # a new title or place only: the time is as it was
    after = plans.NewEvent.model_validate(change.after.model_dump())
    start, end = plans.span_of(after, conv.zone)
    listed = await conv.app.calendar.list_events(user_id=conv.user_id, start=start, end=end)
    others = [e for e in listed if e.id != change.event_id]
    return plans.duplicates_and_conflicts(others, after)


async def reprepare(conv: Conversation, action: PendingAction) -> list[Message]:
    """After consent, an action never approved is proposed again (state and plan at once)."""
    request = plans.request_of(action)
    try:
        prepared = await prepare(conv, action.kind, request, list(action.assumptions or []))
    except CalendarReauthRequired:
        return [await ask_for_auth(conv, action, None)]
    expires_at = conv.now + conv.app.ttl
    if prepared.state == ActionState.proposed:
        assert prepared.plan is not None
        moved = await pending.reopen(
            session=conv.session,
            action=action,
            now=conv.now,
            plan=prepared.plan,
            expires_at=expires_at,
        )
    elif prepared.state == ActionState.awaiting_scope:
        assert prepared.plan is not None
        moved = await pending.reopen_scope(
            session=conv.session,
            action=action,
            now=conv.now,
            plan=prepared.plan,
            expires_at=expires_at,
        )
    elif prepared.state == ActionState.awaiting_choice:
        moved = await pending.reopen_choice(
            session=conv.session,
            action=action,
            now=conv.now,
            candidates=[c.model_dump(mode="json") for c in prepared.candidates],
            expires_at=expires_at,
        )
    else:
        moved = await pending.fail(
            session=conv.session,
            action=action,
            now=conv.now,
            error_code=prepared.error_code or "failed",
        )
    if not moved:  # another process resumed it first and has said so
        return []
    return await _present(conv, action, prepared)


async def choose(
    conv: Conversation, action: PendingAction, number: int, *, said: str | None = None
) -> tuple[Message | None, list[Message]]:
    """The person's pick among the candidates: (the answer as stored, the replies); nothing
    when another answer came first."""
    if action.state == ActionState.awaiting_scope:  # [이번만] [이후 전부] [전체]
        scope = series_.scope_of_choice(number)
        if scope is None:
            incoming = await conv.record_answer(action, said, "choose")
            return incoming, [await conv.say(series_.CHOOSE_A_SCOPE)]
        return await series_flow.answer(conv, action, scope, said=said)
    candidates = plans.candidates_of(action)
    if action.state != ActionState.awaiting_choice:
        return None, []
    if not 1 <= number <= len(candidates):
        incoming = await conv.record_answer(action, said, "choose")
        return incoming, [await conv.say(messages.choose_in_range(len(candidates)))]
    request = plans.request_of(action)
    assumptions = list(action.assumptions or [])
    event = candidates[number - 1]
    prepared = await propose_event(conv, action.kind, event, request, assumptions)
    if prepared.state == ActionState.awaiting_scope:
        assert prepared.plan is not None
        moved = await pending.choose_occurrence(
            session=conv.session,
            action=action,
            now=conv.now,
            plan=prepared.plan,
            expires_at=conv.now + conv.app.ttl,
        )
    elif prepared.state == ActionState.proposed:
        assert prepared.plan is not None
        moved = await pending.choose(
            session=conv.session,
            action=action,
            now=conv.now,
            plan=prepared.plan,
            expires_at=conv.now + conv.app.ttl,
        )
    else:
        moved = await pending.fail(
            session=conv.session, action=action, now=conv.now, error_code=prepared.error_code or ""
        )
    if not moved:
        return None, []
    incoming = await conv.record_answer(action, said, "choose")
    return incoming, await _present(conv, action, prepared)


async def ask_for_auth(
    conv: Conversation, action: PendingAction, grant: GrantState | None
) -> Message:
    """The connect link, bound to the action, with what will happen once connected."""
    if conv.channel == Channel.web:
        # The router's own link: a ticket is made only for the browser holding this chat.
        url = web_connect_url(
            public_base_url=conv.app.settings.public_base_url, action_id=action.id
        )
    else:
        link = await conv.app.auth.create_connect_link(
            user_id=conv.user_id, pending_action_ref=str(action.id), channel=str(conv.channel)
        )
        url = link.url
    text = messages.connect(action.kind, plans.title_of(action), grant)
    return await conv.say(text, payload=connect_payload(action, url))


async def _present(conv: Conversation, action: PendingAction, prepared: Prepared) -> list[Message]:
    if prepared.state == ActionState.awaiting_choice:
        text, payload = choice_payload(action, prepared.candidates, conv.zone)
        return [await conv.say(text, payload=payload)]
    if prepared.state == ActionState.awaiting_scope:
        return [await conv.say(prepared.text, payload=series_.scope_payload(action.id))]
    if prepared.state == ActionState.proposed:
        payload = proposal_payload(action, **prepared.extras)
        return [await conv.say(prepared.text, payload=payload)]
    return [await conv.say(prepared.text)]


async def create(
    conv: Conversation,
    kind: ActionKind,
    request: BaseModel,
    assumptions: list[str],
    state: ActionState,
    plan: BaseModel | None,
    error_code: str | None = None,
    candidates: list[dict[str, Any]] | None = None,
    *,
    approved: bool = False,
    result: dict[str, Any] | None = None,
) -> PendingAction:
    """Stores a new action of the conversation with its plan (one INSERT)."""
    return await pending.create_action(
        session=conv.session,
        user_id=conv.user_id,
        channel=conv.channel,
        conversation_key=conv.conversation_key,
        kind=kind,
        state=state,
        request=request,
        plan=plan,
        candidates=candidates,
        time_zone=conv.zone_name,
        now=conv.now,
        ttl=conv.app.ttl,
        assumptions=assumptions,
        error_code=error_code,
        approved=approved,
        result=result,
    )
