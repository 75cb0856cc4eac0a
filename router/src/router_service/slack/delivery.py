"""The outbound queue: every outbound Slack message is a ``slack_deliveries`` row, sent once.

A row is written in the same transaction as its message (``enqueue_post``), so a reply that
exists is a reply that will be delivered. It is a durable job of ``shared.work``: claimed
with a lease token (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), sent with no transaction
open, its outcome recorded only by the lease holder. Within a conversation rows go out in
id order; different conversations' rows are sent a few at once
(``SLACK_DELIVERY_CONCURRENCY``), their messages read for the whole round in one query,
the outcomes whose call has returned recorded together (one transaction, each guarded by
its own lease). Outcomes: ``sent``; ``failed`` (a permanent Slack error, never retried);
``pending`` again after a transient error, at Slack's ``Retry-After`` or after backoff;
``dead`` after ``max_attempts``. A 429 (Slack's rate limit) pauses the whole worker for
its ``Retry-After``: the round's rows not sent yet go back unattempted, and no round
claims anything until then.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from router_service.config import RouterSettings
from router_service.conversations.models import Message
from router_service.pending.models import ActionState
from router_service.pending.service import states_of
from router_service.slack.blocks import render
from router_service.slack.client import RATE_LIMITED_STATUS, SlackClient
from router_service.slack.exceptions import SlackApiFailed
from router_service.slack.keys import parse_conversation_key
from router_service.slack.models import (
    DELIVERY_STATES,
    OPEN_DELIVERY_STATES,
    DeliveryKind,
    DeliveryState,
    SlackDelivery,
)
from shared.db import utcnow
from shared.work.queue import Claim, Outcome, Queue
from shared.work.runner import Pause, work_claims

logger = logging.getLogger(__name__)

RECENT_POSTS = 20  # how far back earlier buttons of an action are looked for
WITH_BUTTONS = ("proposal", "choice", "result")  # a ✅ reply has [되돌리기]
PERSONAL_KINDS = ("connect", "reminder", "agenda")


def delivery_queue(settings: RouterSettings, registry: CollectorRegistry | None = None) -> Queue:
    """The deliveries as a durable queue, one conversation at a time in id order."""
    return Queue(
        name="slack_deliveries",
        model=SlackDelivery,
        states=DELIVERY_STATES,
        key="conversation_key",
        max_attempts=settings.slack_delivery_max_attempts,
        lease_seconds=settings.slack_delivery_lease_seconds,
        backoff_base=settings.slack_delivery_backoff_base_seconds,
        backoff_cap=settings.slack_delivery_backoff_cap_seconds,
        registry=registry,
    )


def enqueue_post(*, session: AsyncSession, message: Message) -> SlackDelivery:
    """Adds the delivery of an outbound message within the caller's transaction (no commit)."""
    return _add(
        session, message_id=message.id, kind=DeliveryKind.post, key=message.conversation_key
    )


async def enqueue_update(
    *, session: AsyncSession, channel_id: str, ts: str
) -> SlackDelivery | None:
    """Queues a re-render of the message posted as ``ts`` (None if we never posted it)."""
    posted = await session.scalar(
        select(SlackDelivery).where(
            SlackDelivery.channel_id == channel_id,
            SlackDelivery.ts == ts,
            SlackDelivery.kind == DeliveryKind.post,
        )
    )
    return None if posted is None else _update_of(session, posted)


def _update_of(session: AsyncSession, posted: SlackDelivery) -> SlackDelivery:
    """Adds a re-render of the message ``posted`` went out as (no commit)."""
    return _add(
        session,
        message_id=posted.message_id,
        kind=DeliveryKind.update,
        key=posted.conversation_key,
        channel_id=posted.channel_id,
        ts=posted.ts,
    )


def _add(
    session: AsyncSession,
    *,
    message_id: int,
    kind: DeliveryKind,
    key: str,
    channel_id: str | None = None,
    ts: str | None = None,
) -> SlackDelivery:
    now = utcnow()
    delivery = SlackDelivery(
        message_id=message_id,
        kind=kind,
        conversation_key=key,
        channel_id=channel_id,
        ts=ts,
        state=DeliveryState.pending,
        attempts=0,
        due_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(delivery)
    return delivery


@dataclass(frozen=True)
class Rendered:
    """A delivery's message as Slack gets it (read before the call, no transaction open)."""

    text: str
    blocks: list[dict[str, Any]]
    payload: dict[str, Any]
    action_id: int | None


async def render_all(
    *, session: AsyncSession, deliveries: Sequence[SlackDelivery]
) -> dict[int, Rendered]:
    """The messages of ``deliveries`` rendered, by message id (two queries for a round)."""
    ids = {delivery.message_id for delivery in deliveries}
    messages = (await session.scalars(select(Message).where(Message.id.in_(ids)))).all()
    action_ids = [a for message in messages if (a := _action_id(message)) is not None]
    states = await states_of(session=session, action_ids=action_ids)
    return {message.id: _rendered(message, states) for message in messages}


def _action_id(message: Message) -> int | None:
    action_id = (message.payload or {}).get("action_id")
    return action_id if isinstance(action_id, int) else None


def _rendered(message: Message, states: dict[int, ActionState]) -> Rendered:
    action_id = _action_id(message)
    text, blocks = render(message, states.get(action_id) if action_id else None)
    return Rendered(text, blocks, message.payload or {}, action_id)


async def deliver_due(
    *,
    queue: Queue,
    sessionmaker: async_sessionmaker[AsyncSession],
    client: SlackClient,
    limit: int = 50,
    concurrency: int = 1,
    pause: Pause | None = None,
    now: datetime | None = None,
) -> dict[int, enum.StrEnum]:
    """One round of the worker: claims due rows, reads their messages, sends them
    (``concurrency`` at once), records the outcomes whose call has returned together."""
    if pause is not None and pause.remaining(now or utcnow()) > 0:
        return {}
    async with sessionmaker() as session:
        claims = await queue.claim_due(session=session, now=now or utcnow(), limit=limit)
        if not claims:
            return {}
        rendered = await render_all(session=session, deliveries=[c.row for c in claims])

    async def send(claim: Claim, delivery: SlackDelivery) -> Outcome:
        return await send_rendered(client=client, delivery=delivery, rendered=rendered)

    return await work_claims(
        queue,
        sessionmaker=sessionmaker,
        claims=claims,
        handle=send,
        concurrency=concurrency,
        pause=pause,
        now=now,
    )


async def send_rendered(
    *, client: SlackClient, delivery: SlackDelivery, rendered: Mapping[int, Rendered]
) -> Outcome:
    """Makes the Slack call of one claimed row; ``rendered``: the messages read already."""
    message = rendered.get(delivery.message_id)
    if message is None:
        return Outcome.failed("message_missing")
    text, blocks = message.text, message.blocks
    kind, key = delivery.kind, delivery.conversation_key
    channel_id, ts = delivery.channel_id, delivery.ts
    try:
        if kind == DeliveryKind.update:
            await client.update_message(
                channel=channel_id or "", ts=ts or "", text=text, blocks=blocks
            )
        else:
            address = parse_conversation_key(key)
            if address is None:
                raise SlackApiFailed("conversation_key_invalid", transient=False)
            channel_id = address.channel_id
            personal = message.payload.get("kind") in PERSONAL_KINDS
            if personal and not address.is_dm and address.user_id:
                # A connect link, a reminder or an agenda is the person's own: it goes to
                # their DM, not the channel.
                channel_id = await client.open_dm(user=address.user_id)
            posted = await client.post_message(channel=channel_id, text=text, blocks=blocks)
            channel_id, ts = posted.channel, posted.ts
    except SlackApiFailed as err:
        extra = {"delivery_id": delivery.id, "slack_error": err.error, "status": err.status}
        if not err.transient:
            logger.warning("slack delivery failed permanently", extra=extra)
            return Outcome.failed(err.error)
        # Slack's rate limit is per app and method: everyone waits out its Retry-After.
        limited = err.status == RATE_LIMITED_STATUS or err.error == "ratelimited"
        return Outcome.retry(err.error, retry_after=err.retry_after, pause_all=limited)

    async def refresh(session: AsyncSession) -> None:
        if kind == DeliveryKind.post and message.action_id is not None:
            await refresh_earlier_posts(
                session=session,
                conversation_key=key,
                action_id=message.action_id,
                before_id=delivery.id,
            )

    return Outcome.done(also=refresh, channel_id=channel_id, ts=ts, sent_at=utcnow())


async def refresh_earlier_posts(
    *, session: AsyncSession, conversation_key: str, action_id: int, before_id: int
) -> int:
    """Queues updates of the earlier buttons of ``action_id`` (none if one is queued already).

    An action can end long after its buttons were pressed (a re-auth, then the grant
    event): its proposal must not keep showing "waiting for Google" once it is done.
    """
    recent = await session.execute(
        select(SlackDelivery, Message)
        .join(Message, Message.id == SlackDelivery.message_id)
        .where(
            SlackDelivery.conversation_key == conversation_key,
            SlackDelivery.kind == DeliveryKind.post,
            SlackDelivery.state == DeliveryState.sent,
            SlackDelivery.id < before_id,
        )
        .order_by(SlackDelivery.id.desc())
        .limit(RECENT_POSTS)
    )
    queued = 0
    for posted, message in recent.all():
        payload = message.payload or {}
        if payload.get("action_id") != action_id or payload.get("kind") not in WITH_BUTTONS:
            continue
        waiting = await session.scalar(
            select(SlackDelivery.id).where(
                SlackDelivery.kind == DeliveryKind.update,
                SlackDelivery.channel_id == posted.channel_id,
                SlackDelivery.ts == posted.ts,
                SlackDelivery.state.in_(list(OPEN_DELIVERY_STATES)),
            )
        )
        if waiting is None and posted.channel_id and posted.ts:
            _update_of(session, posted)  # ``posted`` is at hand: no second lookup by ts
            queued += 1
    return queued
