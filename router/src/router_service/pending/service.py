"""Pending actions: storing them and moving them between states atomically.

Every transition is one conditional UPDATE (``WHERE state IN (...)``): of two
concurrent approvals only one changes the row, so only one executes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from router_service.conversations.models import Channel
from router_service.pending.models import OPEN_STATES, ActionKind, ActionState, PendingAction
from shared.db import rows_affected


async def create_action(
    *,
    session: AsyncSession,
    user_id: str,
    channel: Channel,
    conversation_key: str,
    kind: ActionKind,
    state: ActionState,
    request: dict[str, Any],
    time_zone: str,
    now: datetime,
    ttl: timedelta,
    assumptions: list[str] | None = None,
    approved: bool = False,
) -> PendingAction:
    """Stores a new action; the database assigns its id."""
    action = PendingAction(
        user_id=user_id,
        channel=channel,
        conversation_key=conversation_key,
        kind=kind,
        state=state,
        request=request,
        time_zone=time_zone,
        assumptions=assumptions or None,
        approved_at=now if approved else None,
        expires_at=now + ttl,
        created_at=now,
        updated_at=now,
    )
    session.add(action)
    await session.flush()
    return action


async def transition(
    *,
    session: AsyncSession,
    action_id: int,
    from_states: Iterable[ActionState],
    to_state: ActionState,
    now: datetime,
    not_expired: bool = False,
    **values: Any,
) -> bool:
    """Moves the action to ``to_state`` if it is in one of ``from_states``; True if it moved."""
    statement = (
        update(PendingAction)
        .where(PendingAction.id == action_id, PendingAction.state.in_(list(from_states)))
        .values(state=to_state, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if not_expired:
        statement = statement.where(PendingAction.expires_at > now)
    result = await session.execute(statement)
    return rows_affected(result) == 1


async def get_action(*, session: AsyncSession, action_id: int) -> PendingAction | None:
    """The action with ``action_id``, read fresh from the database."""
    return await session.get(PendingAction, action_id, populate_existing=True)


async def open_action(*, session: AsyncSession, conversation_key: str) -> PendingAction | None:
    """The newest action of a conversation that still waits for the person."""
    return await session.scalar(
        select(PendingAction)
        .where(
            PendingAction.conversation_key == conversation_key,
            PendingAction.state.in_(list(OPEN_STATES)),
        )
        .order_by(PendingAction.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )


async def expire_stale(*, session: AsyncSession, conversation_key: str, now: datetime) -> int:
    """Marks the conversation's unanswered proposals past their deadline as expired."""
    result = await session.execute(
        update(PendingAction)
        .where(
            PendingAction.conversation_key == conversation_key,
            PendingAction.state.in_([ActionState.proposed, ActionState.awaiting_choice]),
            PendingAction.expires_at <= now,
        )
        .values(state=ActionState.expired, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return rows_affected(result)


async def supersede_open(*, session: AsyncSession, conversation_key: str, now: datetime) -> int:
    """A new request replaces whatever the conversation was still waiting on."""
    result = await session.execute(
        update(PendingAction)
        .where(
            PendingAction.conversation_key == conversation_key,
            PendingAction.state.in_(list(OPEN_STATES)),
        )
        .values(state=ActionState.superseded, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return rows_affected(result)


async def awaiting_auth_for_users(
    *, session: AsyncSession, user_ids: Iterable[str]
) -> list[PendingAction]:
    """Every action of these users that waits for a Google grant, oldest first."""
    rows = await session.scalars(
        select(PendingAction)
        .where(
            PendingAction.user_id.in_(list(user_ids)),
            PendingAction.state == ActionState.awaiting_auth,
        )
        .order_by(PendingAction.id)
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


async def states_of(*, session: AsyncSession, action_ids: Iterable[int]) -> dict[int, ActionState]:
    """The current state of each of ``action_ids``."""
    ids = list(set(action_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(PendingAction.id, PendingAction.state).where(PendingAction.id.in_(ids))
    )
    return {row.id: row.state for row in rows}


async def stalled(*, session: AsyncSession, before: datetime) -> list[PendingAction]:
    """Approved or executing actions not touched since ``before``."""
    rows = await session.scalars(
        select(PendingAction)
        .where(
            PendingAction.state.in_([ActionState.approved, ActionState.executing]),
            PendingAction.updated_at < before,
        )
        .order_by(PendingAction.id)
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


async def reclaim_stalled(
    *, session: AsyncSession, action_id: int, before: datetime, now: datetime
) -> bool:
    """Puts a stalled action back to approved, if it is still stalled; True if it moved."""
    result = await session.execute(
        update(PendingAction)
        .where(
            PendingAction.id == action_id,
            PendingAction.state.in_([ActionState.approved, ActionState.executing]),
            PendingAction.updated_at < before,
        )
        .values(state=ActionState.approved, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return rows_affected(result) == 1
