"""One turn of a conversation: who, where, when, and how replies are stored.

Replies carry a channel-neutral ``payload`` (proposal buttons, numbered choices, links)
that each channel renders; storing one hands it to its channel's hook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from router_service.clients.calendar import CalendarEvent
from router_service.context import RouterContext
from router_service.conversations.models import Channel, Direction, Message
from router_service.conversations.service import record_message, record_reply
from router_service.dialogue import formatting, messages
from router_service.pending.models import PendingAction


@dataclass
class Turn:
    """One exchange: what came in (None when a decision changed nothing) and the replies."""

    incoming: Message | None
    replies: list[Message]


@dataclass
class Conversation:
    """The conversation a turn happens in, as the person's zone sees it."""

    session: AsyncSession
    app: RouterContext
    user_id: str
    channel: Channel
    conversation_key: str
    zone_name: str
    now: datetime
    # The series masters this turn has read, by series id: folding a split, its parts and
    # the occurrence's own series read each one once (a turn reads before it writes).
    masters: dict[str, CalendarEvent] = field(default_factory=dict)

    def __post_init__(self) -> None:
        formatting.set_this_year(self.now.year)  # a date of another year will say its year

    @property
    def zone(self) -> tzinfo:
        return ZoneInfo(self.zone_name)

    @classmethod
    def of_action(
        cls, session: AsyncSession, app: RouterContext, action: PendingAction
    ) -> Conversation:
        """The conversation where ``action`` began, in the zone it was asked in."""
        return cls(
            session=session,
            app=app,
            user_id=action.user_id,
            channel=action.channel,
            conversation_key=action.conversation_key,
            zone_name=action.time_zone,
            now=app.clock().astimezone(ZoneInfo(action.time_zone)),
        )

    async def series_of(self, occurrence: CalendarEvent) -> CalendarEvent:
        """The series (its master) of an occurrence, read from the calendar once a turn."""
        series_id = occurrence.recurring_event_id or occurrence.id
        if series_id not in self.masters:
            self.masters[series_id] = await self.app.calendar.series_of(
                user_id=self.user_id, event_id=occurrence.id
            )
        return self.masters[series_id]

    async def say(self, text: str, *, payload: dict[str, Any] | None = None) -> Message:
        """Stores a reply (handed to the channel's hook in the same transaction)."""
        return await record_reply(
            session=self.session,
            channels=self.app.channels,
            channel=self.channel,
            conversation_key=self.conversation_key,
            text=text,
            user_id=self.user_id,
            payload=payload,
        )

    async def record_answer(
        self, action: PendingAction, said: str | None, decision: str
    ) -> Message | None:
        """A button press is part of the conversation too (stored like a message)."""
        if said is None:
            return None
        return await record_message(
            session=self.session,
            channel=self.channel,
            conversation_key=self.conversation_key,
            direction=Direction.inbound,
            text=said,
            user_id=self.user_id,
            intent=decision,
            slots={"action_id": action.id, "via": "button"},
        )


def proposal_payload(action: PendingAction, **extra: Any) -> dict[str, Any]:
    """Approve / reject buttons for ``action`` (plus counts such as ``conflicts``)."""
    payload: dict[str, Any] = {
        "kind": "proposal",
        "action_id": action.id,
        "buttons": [
            {"decision": "approve", "label": messages.VERB[action.kind], "style": "primary"},
            {"decision": "reject", "label": messages.BUTTON_REJECT},
        ],
    }
    payload.update({k: v for k, v in extra.items() if v})
    return payload


def choice_payload(
    action: PendingAction, candidates: list[CalendarEvent], zone: tzinfo
) -> tuple[str, dict[str, Any]]:
    """The numbered list of candidates and its buttons."""
    lines = [messages.choose_prompt(len(candidates), action.kind)]
    choices = []
    for number, event in enumerate(candidates, start=1):
        label = messages.event_line(event, zone)
        lines.append(f"{number}. {label}")
        choices.append({"choice": number, "label": label})
    return "\n".join(lines), {"kind": "choice", "action_id": action.id, "choices": choices}


def connect_payload(action: PendingAction, url: str) -> dict[str, Any]:
    return {
        "kind": "connect",
        "action_id": action.id,
        "link": {"url": url, "label": messages.CONNECT_LABEL},
    }


def result_payload(action: PendingAction, event: CalendarEvent, *, link: bool) -> dict[str, Any]:
    payload: dict[str, Any] = {"kind": "result", "action_id": action.id}
    if link and event.html_link:
        payload["link"] = {"url": event.html_link, "label": messages.OPEN_IN_CALENDAR}
    return payload
