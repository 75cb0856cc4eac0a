"""The outbound queue: every outbound Slack message is a ``slack_deliveries`` row, sent once.

A row is written in the same transaction as its message (``enqueue_post``), so a reply that
exists is a reply that will be delivered. Workers claim due rows with one UPDATE over a
``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite serialises writers), which sets a
lease and a lease token: two workers never hold one row, and only the lease holder records
the outcome. Within a conversation rows go out in id order: a row waits while an earlier one
is pending or sending. Outcomes: ``sent``; ``failed`` (a permanent Slack error, never
retried); ``pending`` again after a transient error, with exponential backoff or Slack's
``Retry-After``; ``dead`` after ``max_attempts``.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from router_service.config import RouterSettings
from router_service.conversations.models import Message
from router_service.pending.service import states_of
from router_service.slack.blocks import render
from router_service.slack.client import SlackClient
from router_service.slack.exceptions import SlackApiFailed
from router_service.slack.keys import parse_conversation_key
from router_service.slack.models import (
    OPEN_DELIVERY_STATES,
    DeliveryKind,
    DeliveryState,
    SlackDelivery,
)
from shared.db import rows_affected, utcnow
from shared.http import backoff_delay

logger = logging.getLogger(__name__)

RECENT_POSTS = 20  # how far back earlier buttons of an action are looked for
WITH_BUTTONS = ("proposal", "choice")


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    lease_token: str


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
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(delivery)
    return delivery


async def claim_due(
    *, session: AsyncSession, now: datetime, limit: int, lease_seconds: float
) -> list[Claim]:
    """Reserves up to ``limit`` due rows (the first open row of each conversation) and commits."""
    earlier = aliased(SlackDelivery)
    blocked = exists().where(
        earlier.conversation_key == SlackDelivery.conversation_key,
        earlier.id < SlackDelivery.id,
        earlier.state.in_(list(OPEN_DELIVERY_STATES)),
    )
    due = (
        (SlackDelivery.state == DeliveryState.pending) & (SlackDelivery.next_attempt_at <= now)
    ) | ((SlackDelivery.state == DeliveryState.sending) & (SlackDelivery.lease_until < now))
    candidates = (
        select(SlackDelivery.id)
        .where(due, ~blocked)
        .order_by(SlackDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=SlackDelivery)
        # A CTE with FOR UPDATE is evaluated once (PostgreSQL does not inline it), so the
        # UPDATE takes exactly the rows this statement locked, never more than ``limit``.
        .cte("due")
    )
    token = secrets.token_hex(8)
    result = await session.execute(
        update(SlackDelivery)
        .where(SlackDelivery.id.in_(select(candidates.c.id)))
        .values(
            state=DeliveryState.sending,
            lease_until=now + timedelta(seconds=lease_seconds),
            lease_token=token,
            attempts=SlackDelivery.attempts + 1,
            updated_at=now,
        )
        .returning(SlackDelivery.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(result.scalars().all())
    await session.commit()
    return [Claim(delivery_id=i, lease_token=token) for i in ids]


async def deliver_due(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    client: SlackClient,
    settings: RouterSettings,
    limit: int = 20,
    now: datetime | None = None,
) -> dict[int, DeliveryState]:
    """One round of the worker: claims due rows, sends them, records each outcome."""
    async with sessionmaker() as session:
        claims = await claim_due(
            session=session,
            now=now or utcnow(),
            limit=limit,
            lease_seconds=settings.slack_delivery_lease_seconds,
        )
    outcomes: dict[int, DeliveryState] = {}
    for claim in claims:
        outcomes[claim.delivery_id] = await deliver_one(
            sessionmaker=sessionmaker, client=client, settings=settings, claim=claim
        )
    return outcomes


async def deliver_one(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    client: SlackClient,
    settings: RouterSettings,
    claim: Claim,
) -> DeliveryState:
    """Sends one claimed row (no database transaction is held while Slack answers)."""
    async with sessionmaker() as session:
        delivery = await session.get(SlackDelivery, claim.delivery_id)
        if delivery is None or delivery.lease_token != claim.lease_token:
            # Our lease ran out and another worker holds the row now: it sends, not us.
            logger.warning("slack delivery lease lost", extra={"delivery_id": claim.delivery_id})
            return DeliveryState.sending
        message = await session.get(Message, delivery.message_id)
        if message is None:
            return DeliveryState.failed
        payload = message.payload or {}
        action_id = payload.get("action_id")
        action_id = action_id if isinstance(action_id, int) else None
        states = await states_of(session=session, action_ids=[action_id] if action_id else [])
        text, blocks = render(message, states.get(action_id) if action_id else None)
        kind, key, attempts = delivery.kind, delivery.conversation_key, delivery.attempts
        channel_id, ts = delivery.channel_id, delivery.ts
        connect = payload.get("kind") == "connect"
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
            if connect and not address.is_dm and address.user_id:
                # A connect link is the person's own: it goes to their DM, not the channel.
                channel_id = await client.open_dm(user=address.user_id)
            posted = await client.post_message(channel=channel_id, text=text, blocks=blocks)
            channel_id, ts = posted.channel, posted.ts
    except SlackApiFailed as err:
        return await _record_failure(
            sessionmaker, claim=claim, settings=settings, attempts=attempts, err=err
        )
    values = {"state": DeliveryState.sent, "channel_id": channel_id, "ts": ts}
    if await _record(sessionmaker, claim, sent_at=utcnow(), last_error=None, **values):
        logger.info(
            "slack delivery sent",
            extra={"delivery_id": claim.delivery_id, "kind": str(kind), "attempts": attempts},
        )
        if kind == DeliveryKind.post and action_id is not None:
            async with sessionmaker() as session:
                await refresh_earlier_posts(
                    session=session,
                    conversation_key=key,
                    action_id=action_id,
                    before_id=claim.delivery_id,
                )
                await session.commit()
    return DeliveryState.sent


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


async def _record_failure(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    claim: Claim,
    settings: RouterSettings,
    attempts: int,
    err: SlackApiFailed,
) -> DeliveryState:
    extra = {
        "delivery_id": claim.delivery_id,
        "attempts": attempts,
        "slack_error": err.error,
        "status": err.status,
    }
    if not err.transient:
        await _record(sessionmaker, claim, state=DeliveryState.failed, last_error=err.error)
        logger.warning("slack delivery failed permanently", extra=extra)
        return DeliveryState.failed
    if attempts >= settings.slack_delivery_max_attempts:
        await _record(sessionmaker, claim, state=DeliveryState.dead, last_error=err.error)
        logger.error("slack delivery dead-lettered after max attempts", extra=extra)
        return DeliveryState.dead
    delay = backoff_delay(
        attempts,
        base=settings.slack_delivery_backoff_base_seconds,
        cap=settings.slack_delivery_backoff_cap_seconds,
    )
    if err.retry_after is not None:
        delay = max(delay, err.retry_after)  # Slack said when: never earlier
    await _record(
        sessionmaker,
        claim,
        state=DeliveryState.pending,
        last_error=err.error,
        next_attempt_at=utcnow() + timedelta(seconds=delay),
    )
    logger.info("slack delivery will be retried", extra={**extra, "delay_seconds": round(delay, 3)})
    return DeliveryState.pending


async def _record(
    sessionmaker: async_sessionmaker[AsyncSession], claim: Claim, **values: object
) -> bool:
    """Writes an outcome if the lease is still ours (True), else leaves the row alone."""
    async with sessionmaker() as session:
        result = await session.execute(
            update(SlackDelivery)
            .where(
                SlackDelivery.id == claim.delivery_id,
                SlackDelivery.lease_token == claim.lease_token,
                SlackDelivery.state == DeliveryState.sending,
            )
            .values(lease_until=None, lease_token=None, updated_at=utcnow(), **values)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
    if rows_affected(result) != 1:
        logger.warning("slack delivery lease lost", extra={"delivery_id": claim.delivery_id})
        return False
    return True
