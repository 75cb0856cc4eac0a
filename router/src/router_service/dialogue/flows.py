"""The dialogue's entry points: a message, a decision, consent given back, recovery.

A channel (web chat, Slack) calls :func:`handle_incoming` for every message and
:func:`handle_decision` for every button; both store what came in and what Haru answers
as rows of ``messages``, commit, and return them. :func:`resume_after_grant` and
:func:`recover_stalled` run in the background. Each entry point owns its transactions;
the steps below it (``dispatch``, ``proposals``, ``execution``) only flush, except the
moves that ``pending.machine`` marks as committing at once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic_core import PydanticCustomError
from sqlalchemy.ext.asyncio import AsyncSession

from router_service.clients.exceptions import (
    AuthServerRequestFailed,
    AuthServerUnavailable,
    CalendarRequestFailed,
    CalendarUnavailable,
)
from router_service.context import RouterContext
from router_service.conversations.models import Channel, Direction, Message
from router_service.conversations.service import record_message
from router_service.dialogue import ask_day, execution, messages, proposals, undo
from router_service.dialogue.dispatch import dispatch
from router_service.dialogue.exceptions import (
    MAX_MESSAGE_CHARS,
    EmptyMessage,
    InvalidDecision,
    MessageTooLong,
)
from router_service.dialogue.turn import Conversation, Turn
from router_service.nlu.choices import choice_number
from router_service.nlu.schemas import NluResult
from router_service.nlu.service import parse_message, parse_with_fallback
from router_service.pending import service as pending
from router_service.pending.exceptions import ActionNotFound
from router_service.pending.models import ActionState, PendingAction
from shared.time import zone_or_error

logger = logging.getLogger(__name__)

UPSTREAM_ERRORS = (
    AuthServerUnavailable,
    AuthServerRequestFailed,
    CalendarUnavailable,
    CalendarRequestFailed,
)
DECISIONS = ("approve", "reject", "choose", "undo")
DECISION_WORDS = {"approve": "네", "reject": "아니요", "undo": "되돌리기"}
# An approved action untouched this long belonged to a process that stopped mid-way.
STALLED_AFTER = timedelta(minutes=2)
MAX_ZONE_NAME_CHARS = 64  # pending_actions.time_zone


def validate_text(text: str) -> str:
    """The message text, or a clear error when it is empty or too long."""
    if not text or not text.strip():
        raise EmptyMessage()
    if len(text) > MAX_MESSAGE_CHARS:
        raise MessageTooLong(details={"max_chars": MAX_MESSAGE_CHARS, "chars": len(text)})
    return text.strip()


def person_zone(time_zone: str | None, *, default: str) -> str:
    """``time_zone`` when it names an IANA zone, else ``default``."""
    if not time_zone or len(time_zone) > MAX_ZONE_NAME_CHARS:
        return default
    try:
        zone_or_error(time_zone)
    except PydanticCustomError:
        logger.info("unknown time zone from the channel; default used")
        return default
    return time_zone


async def handle_incoming(
    *,
    session: AsyncSession,
    app: RouterContext,
    channel: Channel,
    external_id: str,
    conversation_key: str,
    text: str,
    display_name: str | None = None,
    time_zone: str | None = None,
    user_id: str | None = None,
) -> Turn:
    """Stores one incoming message, acts on it and returns the stored replies.

    ``user_id`` is the sender's user when the channel keeps it (a web session, after
    auth-server's first answer); without it the identity is resolved at auth-server.

    ``time_zone`` is the person's IANA zone as the channel knows it (Slack's profile, the
    browser); the message is read, proposed and kept in it. Absent or unknown: the default.
    """
    text = validate_text(text)
    if user_id is None:
        identity = await app.auth.resolve_identity(
            channel=str(channel), external_id=external_id, display_name=display_name
        )
        user_id = identity.user_id
    zone_name = person_zone(time_zone, default=app.settings.default_time_zone)
    conv = Conversation(
        session=session,
        app=app,
        user_id=user_id,
        channel=channel,
        conversation_key=conversation_key,
        zone_name=zone_name,
        now=app.clock().astimezone(ZoneInfo(zone_name)),
    )
    parsed = await _parse(app, text, now=conv.now, time_zone=zone_name)
    incoming = await record_message(
        session=session,
        channel=channel,
        conversation_key=conversation_key,
        direction=Direction.inbound,
        text=text,
        user_id=conv.user_id,
        intent=parsed.intent,
        slots=parsed.model_dump(mode="json"),
    )
    logger.info(
        "message in",
        extra={"message_id": incoming.id, "intent": parsed.intent, "chars": len(text)},
    )
    action = await pending.open_action(
        session=session, conversation_key=conversation_key, now=conv.now
    )
    # Kept before acting on it: no word the person wrote is lost if the turn fails later,
    # and no connection is held while the neighbours answer (see release_idle_connection).
    await session.commit()
    try:
        replies = await dispatch(conv, text=text, parsed=parsed, action=action)
    except UPSTREAM_ERRORS as err:
        logger.warning("upstream failed during a turn", extra={"error_code": err.code})
        replies = [await conv.say(messages.CALENDAR_DOWN)]
    await session.commit()
    return Turn(incoming=incoming, replies=replies)


async def handle_decision(
    *,
    session: AsyncSession,
    app: RouterContext,
    action_id: int,
    decision: str,
    conversation_key: str,
    choice: int | None = None,
) -> Turn:
    """Applies a button decision (approve, reject, choose) to an action of the conversation."""
    if decision not in DECISIONS:
        raise InvalidDecision(details={"decision": decision})
    action = await pending.get_action(session=session, action_id=action_id)
    if action is None or action.conversation_key != conversation_key:
        raise ActionNotFound()
    if decision == "choose" and choice is None:
        raise InvalidDecision("번호를 골라 주세요.", details={"choice": None})
    conv = Conversation.of_action(session, app, action)
    said = DECISION_WORDS.get(decision, f"{choice}번")
    try:
        if decision == "approve":
            incoming, replies = await execution.approve(conv, action, said=said)
        elif decision == "reject":
            incoming, replies = await execution.reject(conv, action, said=said)
        elif decision == "undo":
            incoming, replies = await undo.by_button(conv, action, said=said)
        elif action.state == ActionState.awaiting_date:  # a day offered by "언제로 할까요?"
            assert choice is not None
            incoming, replies = await ask_day.choose(conv, action, choice, said=said)
        else:
            assert choice is not None
            incoming, replies = await proposals.choose(conv, action, choice, said=said)
    except UPSTREAM_ERRORS as err:
        logger.warning("upstream failed during a decision", extra={"error_code": err.code})
        incoming, replies = None, [await conv.say(messages.CALENDAR_DOWN)]
    await session.commit()
    return Turn(incoming=incoming, replies=replies)


async def resume_after_grant(
    *, session: AsyncSession, app: RouterContext, user_id: str
) -> list[Message]:
    """Continues every action of ``user_id`` that waited for Google consent, each once.

    Each action is its own transaction; one that fails is logged and left waiting (the
    next grant event, or the person's "네", takes it up) and never stops the others.
    """
    replies: list[Message] = []
    waiting = await pending.awaiting_auth_for_users(session=session, user_ids=[user_id])
    for action_id in [action.id for action in waiting]:
        try:
            action = await pending.get_action(session=session, action_id=action_id)
            if action is None or action.state != ActionState.awaiting_auth:
                continue  # another process resumed it meanwhile
            conv = Conversation.of_action(session, app, action)
            try:
                replies.extend(await execution.resume(conv, action))
            except UPSTREAM_ERRORS as err:
                logger.warning("upstream failed while resuming", extra={"error_code": err.code})
                replies.append(await conv.say(messages.CALENDAR_DOWN))
            await session.commit()
        except Exception:
            await session.rollback()
            logger.exception("resuming an action failed", extra={"action_id": action_id})
    return replies


async def recover_stalled(
    *, session: AsyncSession, app: RouterContext, stalled_for: timedelta = STALLED_AFTER
) -> list[Message]:
    """Runs again the approved actions a stopped process left unfinished (each once).

    Safe because skill-calendar sees the same ``Idempotency-Key`` again and replays. A
    failure of one action is logged and never keeps the others from their turn.
    """
    now: datetime = app.clock()
    replies: list[Message] = []
    stalled = await pending.stalled(session=session, before=now - stalled_for)
    for action_id in [action.id for action in stalled]:
        try:
            action = await pending.get_action(session=session, action_id=action_id)
            if action is None or action.state not in (ActionState.approved, ActionState.executing):
                continue
            if action.recovery_attempts >= app.settings.recovery_max_attempts:
                replies.extend(await _give_up(session, app, action, before=now - stalled_for))
                continue
            if not await pending.reclaim(
                session=session, action=action, now=now, before=now - stalled_for
            ):
                continue
            logger.info("resuming a stalled action", extra={"action_id": action_id})
            conv = Conversation.of_action(session, app, action)
            try:
                replies.extend(await execution.execute(conv, action))
            except UPSTREAM_ERRORS as err:
                logger.warning("upstream failed while recovering", extra={"error_code": err.code})
            await session.commit()
        except Exception:
            await session.rollback()
            logger.exception("recovering an action failed", extra={"action_id": action_id})
    replies.extend(await undo.recover(session=session, app=app, now=now, stalled_for=stalled_for))
    return replies


async def _give_up(
    session: AsyncSession, app: RouterContext, action: PendingAction, *, before: datetime
) -> list[Message]:
    """Fails an action stopped mid-way too often (its write may kill the process each time)
    and tells the person; nothing if another process took it meanwhile."""
    if not await pending.give_up(session=session, action=action, now=app.clock(), before=before):
        await session.rollback()
        return []
    logger.warning(
        "a stalled action failed after its recovery attempts",
        extra={"action_id": action.id, "attempts": action.recovery_attempts},
    )
    reply = await Conversation.of_action(session, app, action).say(
        messages.write_failed(action.kind)
    )
    await session.commit()
    return [reply]


async def _parse(app: RouterContext, text: str, *, now: datetime, time_zone: str) -> NluResult:
    """The rules' reading of ``text``; the LLM fallback only for open-ended requests."""
    try:
        if app.llm is None or choice_number(text) is not None:
            return parse_message(text, now=now, time_zone=time_zone)
        return await parse_with_fallback(text, now=now, time_zone=time_zone, llm=app.llm)
    except Exception as err:  # a reading the rules cannot make is "not understood", never a 500
        logger.warning("nlu failed on a message", extra={"error_type": type(err).__name__})
        return NluResult(intent="other", confidence=0.0)
