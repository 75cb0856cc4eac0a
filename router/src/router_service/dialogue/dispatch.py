"""What an incoming message does, given what the NLU understood and what is waiting."""

from __future__ import annotations

from router_service.conversations.models import Message
from router_service.dialogue import (
    amend,
    ask_day,
    execution,
    messages,
    plans,
    proposals,
    questions,
    series_flow,
    several,
    small_talk,
    undo,
    waiting,
)
from router_service.dialogue import series as series_
from router_service.dialogue.turn import Conversation, choice_payload
from router_service.nlu.choices import choice_number
from router_service.nlu.schemas import NluResult
from router_service.pending.models import ActionKind, ActionState, PendingAction
from router_service.preferences.flows import set_preference


async def dispatch(
    conv: Conversation, *, text: str, parsed: NluResult, action: PendingAction | None
) -> list[Message]:
    """The replies to one message; ``action`` is the newest one waiting for the person."""
    intent = parsed.intent
    if action is not None and action.state == ActionState.awaiting_choice:
        number = choice_number(text)
        if number is not None:
            return (await proposals.choose(conv, action, number))[1]
    if action is not None and action.state == ActionState.awaiting_scope:
        scope = series_.scope_answer(text)
        named = parsed.target is not None and bool(parsed.target.title)
        if scope is not None and not named:  # "이번만", "이후 전부", "전체", "2번"
            return (await series_flow.answer(conv, action, scope, said=None))[1]
    many = await several.handle(conv, text=text, parsed=parsed, action=action)
    if many is not None:
        return many
    day = await ask_day.handle(conv, text=text, parsed=parsed, action=action)
    if day is not None:
        return day
    if intent == "approve":
        return await _approve(conv, action)
    if intent == "undo":
        return await undo.by_words(conv, action)
    if intent == "reject":
        if action is None:
            return [await conv.say(messages.NOTHING_TO_REJECT)]
        return (await execution.reject(conv, action))[1]
    if parsed.refused and intent in ("update_event", "delete_event"):  # 2월 30일로 옮겨줘
        return [await conv.say(_move_unclear(parsed))]
    if amend.is_correction(parsed):
        corrected = await amend.correct(conv, action, text=text, parsed=parsed)
        if corrected is not None:
            return corrected
    assumptions = list(parsed.assumptions)
    if intent == "create_event":
        event = plans.new_event(parsed.event)
        if event is None and parsed.refused:  # 2월 30일, 99시: say what, and ask
            title = parsed.event.title if parsed.event else None
            return [await conv.say(messages.when_unclear(title, parsed.assumptions))]
        if event is None:
            return [await conv.say(messages.NEED_WHEN)]
        request = plans.CreateRequest(event=event)
        return await proposals.start(conv, ActionKind.create, request, assumptions)
    if intent == "query_events":
        return await execution.ask_question(conv, questions.request(conv, text, parsed))
    if intent in ("update_event", "delete_event"):
        return await _change(conv, action, text=text, parsed=parsed)
    if intent == "set_preference":
        return await set_preference(conv, parsed.preference)
    reply = small_talk.answer(text, now=conv.now, waiting=action is not None)
    if reply is None:  # not understood, and something waits: say what, and how to answer
        assert action is not None
        return [await waiting.still_waiting(conv, action)]
    return [await conv.say(reply)]


async def _approve(conv: Conversation, action: PendingAction | None) -> list[Message]:
    if action is None:
        return [await conv.say(messages.NOTHING_TO_APPROVE)]
    if action.state == ActionState.awaiting_choice:
        text, _ = choice_payload(action, plans.candidates_of(action), conv.zone)
        return [await conv.say(text.splitlines()[0])]
    if action.state == ActionState.awaiting_scope:
        return [await conv.say(series_.CHOOSE_A_SCOPE)]
    if action.state == ActionState.awaiting_auth:
        return await execution.approve_while_awaiting_auth(conv, action)
    return (await execution.approve(conv, action))[1]


def _move_unclear(parsed: NluResult) -> str:
    kind = ActionKind.update if parsed.intent == "update_event" else ActionKind.delete
    title = parsed.target.title if parsed.target else None
    when = kind == ActionKind.update and parsed.changes is None
    return messages.move_unclear(kind, title, parsed.assumptions, when=when)


async def _change(
    conv: Conversation, action: PendingAction | None, *, text: str, parsed: NluResult
) -> list[Message]:
    kind = ActionKind.update if parsed.intent == "update_event" else ActionKind.delete
    target = plans.target_of(parsed.target)
    changes = plans.changes_of(parsed.changes, text=text, now=conv.now, zone=conv.zone)
    assumptions = list(parsed.assumptions)
    if changes.shift_minutes is not None:
        # The parser could not know the event's time; the proposal shows before and after.
        assumptions = []
    if changes.bare_hour:  # "8시로": the event's own half of the day decides, not a guess
        assumptions = series_.without_hour_guess(assumptions)
    if not target.named:
        return [await conv.say(messages.name_the_event(kind))]
    request = plans.ChangeRequest(target=target, changes=changes)
    return await proposals.start(conv, kind, request, assumptions)
