"""Slack in: events and button presses stored once each, then worked by the dialogue core.

The routes only verify, store and acknowledge (Slack wants a 2xx within 3 seconds); the
work runs after the answer. An inbox row is a durable job (``shared.work``) claimed with a
lease token, so a background task, the recovery loop and another replica never work one
row twice.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from prometheus_client import CollectorRegistry
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from router_service.context import RouterContext
from router_service.conversations.models import Channel
from router_service.conversations.service import record_reply
from router_service.dialogue.exceptions import EmptyMessage, InvalidDecision, MessageTooLong
from router_service.dialogue.flows import handle_decision, handle_incoming
from router_service.pending.exceptions import ActionNotFound
from router_service.slack.blocks import decision_of
from router_service.slack.client import SlackClient
from router_service.slack.delivery import enqueue_update
from router_service.slack.exceptions import PayloadInvalid, SlackApiFailed
from router_service.slack.keys import conversation_key, external_id
from router_service.slack.models import (
    INBOX_STATES,
    InboxKind,
    InboxState,
    SlackInbox,
    SlackUser,
)
from shared.db import MAX_ROW_ID, utcnow
from shared.text import without_lone_surrogates
from shared.work.queue import Claim, Outcome, Queue

logger = logging.getLogger(__name__)

MAX_INBOX_ATTEMPTS = 3
INBOX_BACKOFF_BASE_SECONDS = 2.0
INBOX_BACKOFF_CAP_SECONDS = 60.0
PROFILE_MAX_AGE = timedelta(days=1)  # users.info asked again after this (tz follows travel)
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class InboxItem:
    """What one Slack request asks Haru to work on (a ``slack_inbox`` row to be)."""

    id: str
    kind: InboxKind
    team_id: str
    body: dict[str, Any]


def event_item(envelope: dict[str, Any]) -> InboxItem | None:
    """The message of an ``event_callback`` to answer, or None for one Haru ignores."""
    event_id, team_id = envelope.get("event_id"), envelope.get("team_id")
    if envelope.get("type") != "event_callback" or not _short_text(event_id, 100):
        return None
    fields = message_fields(envelope)
    if fields is None:
        return None
    return InboxItem(
        id=str(event_id),
        kind=InboxKind.message,
        team_id=str(team_id) if _short_text(team_id) else "",
        body=fields,
    )


def action_item(payload: dict[str, Any]) -> InboxItem | None:
    """The press of one of our buttons in a ``block_actions`` payload, or None."""
    if payload.get("type") != "block_actions":
        return None
    fields = action_fields(payload)
    if fields is None:
        return None
    press_id = payload.get("trigger_id") or _object(_objects(payload.get("actions"))[0]).get(
        "action_ts"
    )
    if not _short_text(press_id, 100):
        raise PayloadInvalid(details={"missing": "trigger_id"})
    team_id = _object(payload.get("team")).get("id") or _object(payload.get("user")).get("team_id")
    return InboxItem(
        id=f"action:{press_id}",
        kind=InboxKind.action,
        team_id=str(team_id) if _short_text(team_id) else "",
        body=fields,
    )


def message_fields(envelope: dict[str, Any]) -> dict[str, Any] | None:
    """What to work on from an ``event_callback``, or None for events Haru does not answer.

    Answered: ``message`` in a DM (``channel_type: im``) and ``app_mention``, from a person.
    Ignored: bot posts (``bot_id``, ``subtype: bot_message``; our own replies come back so),
    edits (``message_changed``), deletions and every other subtype.
    """
    event = _object(envelope.get("event"))
    if event.get("bot_id") or event.get("subtype"):
        return None
    if event.get("type") == "message" and event.get("channel_type") == "im":
        kind = "im"
    elif event.get("type") == "app_mention":
        kind = "app_mention"
    else:
        return None
    user, channel = event.get("user"), event.get("channel")
    if not _short_text(user) or not _short_text(channel):
        return None
    return {
        "kind": kind,
        "user": user,
        "channel": channel,
        "text": without_lone_surrogates(str(event.get("text") or "")),
        "ts": event.get("ts"),
        "bot_user_ids": [a.get("user_id") for a in _objects(envelope.get("authorizations")) if a],
    }


def action_fields(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The pressed button of a ``block_actions`` payload, or None if it is not one of ours."""
    actions = [a for a in _objects(payload.get("actions")) if a]
    container = _object(payload.get("container"))
    channel = _object(payload.get("channel")).get("id") or container.get("channel_id")
    user = _object(payload.get("user")).get("id")
    if not actions or not _short_text(channel) or not _short_text(user):
        return None
    action = actions[0]
    if decision_of(str(action.get("action_id", ""))) is None:
        return None  # a link button: Slack reports the click, there is nothing to do
    return {
        "user": user,
        "channel": channel,
        "message_ts": container.get("message_ts") or _object(payload.get("message")).get("ts"),
        "action_id": action.get("action_id"),
        "value": action.get("value"),
    }


def _object(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (a signed body may be odd)."""
    return value if isinstance(value, dict) else {}


def _objects(value: Any) -> list[dict[str, Any]]:
    """The objects of a JSON list (anything else reads as empty objects), never empty."""
    items = value if isinstance(value, list) else []
    return [_object(item) for item in items] or [{}]


def _short_text(value: Any, limit: int = 32) -> bool:
    """A non-empty string that fits Slack's id columns (team, user, channel: 32)."""
    return isinstance(value, str) and 0 < len(value) <= limit


def action_id_of(value: Any) -> int | None:
    """The pending action a button's value names, if it can be one (1 … the BIGINT max)."""
    text = str(value or "")
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ROW_ID else None


def clean_text(text: str, *, bot_user_ids: list[str]) -> str:
    """The person's words: the bot's mention removed, Slack's escapes undone."""
    stripped = _MENTION.sub(
        lambda m: "" if m.group(1) in bot_user_ids or not bot_user_ids else m.group(0), text
    )
    return html.unescape(stripped).strip()


def inbox_queue(*, lease_seconds: float, registry: CollectorRegistry | None = None) -> Queue:
    """The inbox as a durable queue (oldest first)."""
    return Queue(
        name="slack_inbox",
        model=SlackInbox,
        states=INBOX_STATES,
        error_column="error_code",
        order="received_at",
        max_attempts=MAX_INBOX_ATTEMPTS,
        lease_seconds=lease_seconds,
        backoff_base=INBOX_BACKOFF_BASE_SECONDS,
        backoff_cap=INBOX_BACKOFF_CAP_SECONDS,
        registry=registry,
    )


async def store(
    *,
    session: AsyncSession,
    item_id: str,
    kind: InboxKind,
    team_id: str,
    body: dict[str, Any],
    recover_after: float = 30.0,
) -> bool:
    """Stores an inbox row; False (and a delivery counted) if Slack sent it before.

    Its own process works it at once; ``recover_after`` seconds later (its process
    stopped meanwhile) the recovery loop may take it up instead.
    """
    now = utcnow()
    session.add(
        SlackInbox(
            id=item_id,
            kind=kind,
            team_id=team_id,
            body=body,
            state=InboxState.received,
            attempts=0,
            deliveries=1,
            due_at=now + timedelta(seconds=recover_after),
            received_at=now,
        )
    )
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        await session.execute(
            update(SlackInbox)
            .where(SlackInbox.id == item_id)
            .values(deliveries=SlackInbox.deliveries + 1)
        )
        await session.commit()
        return False
    return True


async def work(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    app: RouterContext,
    client: SlackClient,
    queue: Queue,
    claim: Claim,
    item: SlackInbox,
) -> Outcome:
    """Works one claimed inbox row: done, or on its last failed attempt an apology."""
    team_id, body, kind = item.team_id, dict(item.body or {}), item.kind
    now = utcnow()  # on either outcome a person's words are not kept
    async with sessionmaker() as session:
        try:
            if kind == InboxKind.message:
                error_code = await _answer_message(
                    session, app=app, client=client, team_id=team_id, body=body
                )
            else:
                error_code = await _answer_action(session, app=app, team_id=team_id, body=body)
        except Exception as err:
            if not queue.is_last_attempt(claim):
                raise  # kept for a later attempt; the next one may succeed
            await session.rollback()
            code = str(getattr(err, "code", type(err).__name__))
            logger.error("slack inbox item failed", extra={"item_id": item.id, "error_code": code})
            await _apologise(session, app=app, team_id=team_id, body=body, kind=kind, err=err)
            return Outcome.retry(code, processed_at=now, body=None)
    return Outcome.done(error_code, processed_at=now, body=None)


async def _answer_message(
    session: AsyncSession,
    *,
    app: RouterContext,
    client: SlackClient,
    team_id: str,
    body: dict[str, Any],
) -> str | None:
    user, channel = body["user"], body["channel"]
    key = conversation_key(team_id=team_id, channel_id=channel, user_id=user)
    text = clean_text(body.get("text", ""), bot_user_ids=body.get("bot_user_ids") or [])
    person = await person_of(session, client=client, team_id=team_id, user_id=user)
    try:
        turn = await handle_incoming(
            session=session,
            app=app,
            channel=Channel.slack,
            external_id=external_id(team_id=team_id, user_id=user),
            conversation_key=key,
            text=text,
            display_name=person.display_name,
            time_zone=person.time_zone,
        )
    except (EmptyMessage, MessageTooLong) as err:
        await session.rollback()
        await record_reply(
            session=session,
            channels=app.channels,
            channel=Channel.slack,
            conversation_key=key,
            text=err.message,
        )
        await session.commit()
        return err.code
    logger.info(
        "slack message answered",
        extra={
            "inbound_id": turn.incoming.id if turn.incoming else None,
            "replies": len(turn.replies),
        },
    )
    return None


async def _answer_action(
    session: AsyncSession, *, app: RouterContext, team_id: str, body: dict[str, Any]
) -> str | None:
    decision = decision_of(str(body.get("action_id", "")))
    action_id = action_id_of(body.get("value"))
    if decision is None or action_id is None:
        return "slack.action_unknown"
    key = conversation_key(team_id=team_id, channel_id=body["channel"], user_id=body["user"])
    try:
        turn = await handle_decision(
            session=session,
            app=app,
            action_id=action_id,
            decision=decision[0],
            choice=decision[1],
            conversation_key=key,
        )
    except (ActionNotFound, InvalidDecision) as err:
        # Someone else's button in a shared channel, or a stale one: nothing to change.
        await session.rollback()
        logger.info("slack button refused", extra={"error_code": err.code})
        return err.code
    if body.get("message_ts"):
        # The pressed message shows the outcome and loses its buttons (after the replies).
        await enqueue_update(session=session, channel_id=body["channel"], ts=body["message_ts"])
        await session.commit()
    logger.info(
        "slack button answered",
        extra={"action_id": action_id, "decision": decision[0], "replies": len(turn.replies)},
    )
    return None


@dataclass(frozen=True)
class Person:
    """What Slack's profile tells the dialogue about a person."""

    display_name: str | None
    time_zone: str | None


async def person_of(
    session: AsyncSession, *, client: SlackClient, team_id: str, user_id: str
) -> Person:
    """The person's display name and time zone (users.info, kept a day in ``slack_users``).

    A day, because ``tz`` follows the person when they travel. When Slack cannot answer,
    what was kept is used, however old.
    """
    known = await session.get(SlackUser, (team_id, user_id))
    if known is not None and known.fetched_at > utcnow() - PROFILE_MAX_AGE:
        return Person(display_name=known.display_name, time_zone=known.time_zone)
    try:
        info = await client.user_info(user=user_id)
    except SlackApiFailed as err:
        logger.info("slack users.info failed", extra={"slack_error": err.error})
        if known is None:
            return Person(display_name=None, time_zone=None)
        return Person(display_name=known.display_name, time_zone=known.time_zone)
    display_name = (info.display_name or "")[:200] or None
    time_zone = info.time_zone if info.time_zone and len(info.time_zone) <= 64 else None
    if known is None:
        session.add(
            SlackUser(
                team_id=team_id,
                user_id=user_id,
                display_name=display_name,
                time_zone=time_zone,
                fetched_at=utcnow(),
            )
        )
    else:
        known.display_name, known.time_zone, known.fetched_at = display_name, time_zone, utcnow()
    try:
        await session.commit()
    except IntegrityError:  # another worker stored it first
        await session.rollback()
    return Person(display_name=display_name, time_zone=time_zone)


async def _apologise(
    session: AsyncSession,
    *,
    app: RouterContext,
    team_id: str,
    body: dict[str, Any],
    kind: InboxKind,
    err: Exception,
) -> None:
    """Tells the person their message could not be handled (a message, not a button)."""
    if kind != InboxKind.message:
        return
    message = (
        getattr(err, "message", None)
        or "지금은 요청을 처리할 수 없어요. 잠시 후 다시 시도해 주세요."
    )
    key = conversation_key(team_id=team_id, channel_id=body["channel"], user_id=body["user"])
    await record_reply(
        session=session,
        channels=app.channels,
        channel=Channel.slack,
        conversation_key=key,
        text=message,
    )
    await session.commit()
