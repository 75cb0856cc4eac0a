"""A message not understood while a proposal, a choice or a connect link waits (issue 18 item 6):
the person is told what still waits and how to answer it, with its buttons again."""

from __future__ import annotations

from router_service.conversations.models import Message
from router_service.dialogue import ask_day, messages, plans
from router_service.dialogue import formatting as fmt
from router_service.dialogue import series as series_
from router_service.dialogue.turn import Conversation, choice_payload, proposal_payload
from router_service.pending.models import ActionState, PendingAction


async def still_waiting(conv: Conversation, action: PendingAction) -> Message:
    """The reminder of what waits for the person's answer."""
    text = messages.still_waiting(
        action.kind,
        plans.title_of(action),
        choosing=action.state == ActionState.awaiting_choice,
        connecting=action.state == ActionState.awaiting_auth,
    )
    if action.state == ActionState.awaiting_choice:
        listing, payload = choice_payload(action, plans.candidates_of(action), conv.zone)
        numbered = "\n".join(listing.splitlines()[1:])
        return await conv.say(f"{text}\n{numbered}", payload=payload)
    if action.state == ActionState.awaiting_scope:
        title = plans.title_of(action)
        what = f"{fmt.quoted(title)}: " if title else ""
        text = f"{what}{series_.CHOOSE_A_SCOPE} 그만두려면 '아니요'라고 답해 주세요."
        return await conv.say(text, payload=series_.scope_payload(action.id))
    if action.state == ActionState.awaiting_date:  # "언제로 할까요?" asked again
        return await ask_day.remind(conv, action)
    if action.state == ActionState.proposed:
        return await conv.say(text, payload=proposal_payload(action))
    return await conv.say(text)
