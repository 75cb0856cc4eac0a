"""Pending actions: stored, read, and moved between states only by the named moves of
``pending.machine``.

Every move is one conditional UPDATE (``WHERE state IN (sources)``): of two concurrent
approvals only one changes the row, so only one executes; the loser gets False. Asking a
move of an action whose state (as read) cannot start it raises ``IllegalMove``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from router_service.conversations.models import Channel
from router_service.pending.machine import INITIAL_STATES, MOVES, IllegalMove
from router_service.pending.models import (
    OPEN_STATES,
    PLANNED_STATES,
    ActionKind,
    ActionState,
    PendingAction,
)
from shared.db import rows_affected

# session.info key: the actions this session created, read or moved, by id, as it left them
# (``states_of`` answers for them without a read; the session's identity map is weak).
_IN_HAND = "haru.pending_actions"


def _in_hand(session: AsyncSession, *actions: PendingAction | None) -> None:
    session.info.setdefault(_IN_HAND, {}).update({a.id: a for a in actions if a is not None})


class PlanRequired(ValueError):
    """An action would be stored, or moved, into a state that runs a plan, without one."""


async def create_action(
    *,
    session: AsyncSession,
    user_id: str,
    channel: Channel,
    conversation_key: str,
    kind: ActionKind,
    state: ActionState,
    request: BaseModel,
    time_zone: str,
    now: datetime,
    ttl: timedelta,
    plan: BaseModel | None = None,
    candidates: list[dict[str, Any]] | None = None,
    assumptions: list[str] | None = None,
    approved: bool = False,
    result: dict[str, Any] | None = None,
    error_code: str | None = None,
) -> PendingAction:
    """Stores a new action with its plan (one INSERT); the database assigns its id."""
    if state not in INITIAL_STATES:
        raise ValueError(f"an action is never created {state}")
    if state in PLANNED_STATES and plan is None:
        raise PlanRequired(state)
    action = PendingAction(
        user_id=user_id,
        channel=channel,
        conversation_key=conversation_key,
        kind=kind,
        state=state,
        request=request.model_dump(mode="json"),
        plan=plan.model_dump(mode="json") if plan is not None else None,
        candidates=candidates,
        time_zone=time_zone,
        assumptions=assumptions or None,
        result=result,
        error_code=error_code,
        approved_at=now if approved else None,
        expires_at=now + ttl,
        created_at=now,
        updated_at=now,
    )
    session.add(action)
    await session.flush()
    _in_hand(session, action)
    return action


async def _move(
    session: AsyncSession,
    action: PendingAction,
    name: str,
    *,
    now: datetime,
    not_expired: bool = False,
    conditions: tuple[ColumnElement[bool], ...] = (),
    **values: Any,
) -> bool:
    """Performs move ``name`` on ``action``; True if this call moved it (False: lost a race)."""
    move = MOVES[name]
    if action.state not in move.sources:
        raise IllegalMove(move, action.state)
    if move.target in PLANNED_STATES and action.plan is None and values.get("plan") is None:
        raise PlanRequired(f"{name} needs a plan")
    for key, value in values.items():
        if isinstance(value, BaseModel):
            values[key] = value.model_dump(mode="json")
    statement = (
        update(PendingAction)
        .where(PendingAction.id == action.id, PendingAction.state.in_(list(move.sources)))
        .where(*conditions)
        .values(state=move.target, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if not_expired:
        statement = statement.where(PendingAction.expires_at > now)
    moved = rows_affected(await session.execute(statement)) == 1
    if not moved:  # someone else moved it: its state in hand is stale
        session.info.get(_IN_HAND, {}).pop(action.id, None)
        return False
    # The row changed by UPDATE; the object in hand follows without another read.
    for key, value in {"state": move.target, "updated_at": now, **values}.items():
        set_committed_value(action, key, value)
    _in_hand(session, action)
    if move.commits:
        await session.commit()
    return True


async def claim_approval(*, session: AsyncSession, action: PendingAction, now: datetime) -> bool:
    """proposed → approved, unless its deadline passed or someone answered first."""
    return await _move(
        session, action, "claim_approval", now=now, not_expired=True, approved_at=now
    )


async def resume_approved(*, session: AsyncSession, action: PendingAction, now: datetime) -> bool:
    """awaiting_auth → approved: consent is back for an action already approved."""
    return await _move(session, action, "resume_approved", now=now)


async def start_execution(
    *,
    session: AsyncSession,
    action: PendingAction,
    now: datetime,
    undo_plan: BaseModel | None = None,
) -> bool:
    """approved → executing, committed before the calendar is called (with what undoing it
    needs that only the calendar before the write can tell)."""
    extra: dict[str, Any] = {"undo_plan": undo_plan} if undo_plan is not None else {}
    return await _move(session, action, "start_execution", now=now, **extra)


async def finish(
    *,
    session: AsyncSession,
    action: PendingAction,
    now: datetime,
    result: dict[str, Any],
    undo_plan: BaseModel | None = None,
    undo_until: datetime | None = None,
) -> bool:
    """executing → done with what the calendar answered, and how (and until when) to undo it."""
    return await _move(
        session,
        action,
        "finish",
        now=now,
        result=result,
        undo_plan=undo_plan,
        undo_until=undo_until,
    )


async def fail(
    *, session: AsyncSession, action: PendingAction, now: datetime, error_code: str
) -> bool:
    """→ failed with a stable code (nothing to do, or the calendar refused)."""
    return await _move(session, action, "fail", now=now, error_code=error_code)


async def park_for_auth(*, session: AsyncSession, action: PendingAction, now: datetime) -> bool:
    """executing → awaiting_auth: Google consent is missing."""
    return await _move(session, action, "park_for_auth", now=now)


async def reopen(
    *,
    session: AsyncSession,
    action: PendingAction,
    now: datetime,
    plan: BaseModel,
    expires_at: datetime,
) -> bool:
    """awaiting_auth → proposed with its plan, in one UPDATE."""
    return await _move(session, action, "reopen", now=now, plan=plan, expires_at=expires_at)


async def reopen_choice(
    *,
    session: AsyncSession,
    action: PendingAction,
    now: datetime,
    candidates: list[dict[str, Any]],
    expires_at: datetime,
) -> bool:
    """awaiting_auth → awaiting_choice with the events to choose from."""
    return await _move(
        session, action, "reopen_choice", now=now, candidates=candidates, expires_at=expires_at
    )


async def choose(
    *,
    session: AsyncSession,
    action: PendingAction,
    now: datetime,
    plan: BaseModel,
    expires_at: datetime,
) -> bool:
    """awaiting_choice → proposed with the plan for the chosen event."""
    return await _move(session, action, "choose", now=now, plan=plan, expires_at=expires_at)


async def choose_scope(
    *,
    session: AsyncSession,
    action: PendingAction,
    now: datetime,
    plan: BaseModel,
    expires_at: datetime,
) -> bool:
    """awaiting_scope → proposed with the plan for the occurrences the person chose."""
    return await _move(session, action, "choose_scope", now=now, plan=plan, expires_at=expires_at)


async def choose_occurrence(
    *,
    session: AsyncSession,
    action: PendingAction,
    now: datetime,
    plan: BaseModel,
    expires_at: datetime,
) -> bool:
    """awaiting_choice → awaiting_scope: the chosen event is an occurrence of a series."""
    return await _move(
        session, action, "choose_occurrence", now=now, plan=plan, expires_at=expires_at
    )


async def reopen_scope(
    *,
    session: AsyncSession,
    action: PendingAction,
    now: datetime,
    plan: BaseModel,
    expires_at: datetime,
) -> bool:
    """awaiting_auth → awaiting_scope with the (scope-less) plan of the occurrence found."""
    return await _move(session, action, "reopen_scope", now=now, plan=plan, expires_at=expires_at)


async def answer_date(
    *, session: AsyncSession, action: PendingAction, now: datetime, result: dict[str, Any]
) -> bool:
    """awaiting_date → done: the day was named (``result`` says which, and the new action)."""
    return await _move(session, action, "answer_date", now=now, result=result)


async def reject(*, session: AsyncSession, action: PendingAction, now: datetime) -> bool:
    """→ rejected: the person said no."""
    return await _move(session, action, "reject", now=now)


async def expire(*, session: AsyncSession, action: PendingAction, now: datetime) -> bool:
    """→ expired: answered after its deadline."""
    return await _move(session, action, "expire", now=now)


async def supersede(*, session: AsyncSession, action: PendingAction, now: datetime) -> bool:
    """→ superseded: a newer request of the conversation replaces it."""
    return await _move(session, action, "supersede", now=now)


async def reclaim(
    *, session: AsyncSession, action: PendingAction, now: datetime, before: datetime
) -> bool:
    """A stalled approved/executing action back to approved, if untouched since ``before``."""
    move = MOVES["reclaim"]
    if action.state not in move.sources:
        raise IllegalMove(move, action.state)
    result = await session.execute(
        update(PendingAction)
        .where(
            PendingAction.id == action.id,
            PendingAction.state.in_(list(move.sources)),
            PendingAction.updated_at < before,
        )
        .values(
            state=move.target,
            updated_at=now,
            recovery_attempts=PendingAction.recovery_attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    moved = rows_affected(result) == 1
    if moved:
        set_committed_value(action, "state", move.target)
        set_committed_value(action, "updated_at", now)
        set_committed_value(action, "recovery_attempts", action.recovery_attempts + 1)
        _in_hand(session, action)
        await session.commit()
    return moved


async def give_up(
    *, session: AsyncSession, action: PendingAction, now: datetime, before: datetime
) -> bool:
    """A stalled action taken up too often → failed, if untouched since ``before``."""
    return await _move(
        session,
        action,
        "give_up",
        now=now,
        conditions=(PendingAction.updated_at < before,),
        error_code="recovery_exhausted",
    )


async def _move_all(
    session: AsyncSession, name: str, *conditions: ColumnElement[bool], now: datetime
) -> list[PendingAction]:
    """Performs move ``name`` on every action matching ``conditions`` in one UPDATE; the
    actions it moved (as they are now), oldest first."""
    move = MOVES[name]
    rows = await session.scalars(
        update(PendingAction)
        .where(PendingAction.state.in_(list(move.sources)), *conditions)
        .values(state=move.target, updated_at=now)
        .returning(PendingAction)
        .execution_options(populate_existing=True)
    )
    moved = sorted(rows.all(), key=lambda action: action.id)
    _in_hand(session, *moved)
    return moved


async def supersede_waiting(
    *, session: AsyncSession, conversation_key: str, now: datetime
) -> list[PendingAction]:
    """The move ``supersede`` for what a new request replaces: every action of the
    conversation open and not yet approved (approved ones run later). One UPDATE."""
    return await _move_all(
        session,
        "supersede",
        PendingAction.conversation_key == conversation_key,
        PendingAction.approved_at.is_(None),
        now=now,
    )


async def get_action(*, session: AsyncSession, action_id: int) -> PendingAction | None:
    """The action with ``action_id``, read fresh from the database."""
    action = await session.get(PendingAction, action_id, populate_existing=True)
    _in_hand(session, action)
    return action


async def open_action(
    *, session: AsyncSession, conversation_key: str, now: datetime
) -> PendingAction | None:
    """The newest action of a conversation that still waits for the person; those past
    their deadline unanswered are expired first (the move ``expire``, an UPDATE only when
    there is one: the read says)."""
    waiting = list(
        await session.scalars(
            select(PendingAction)
            .where(
                PendingAction.conversation_key == conversation_key,
                PendingAction.state.in_(list(OPEN_STATES)),
            )
            .order_by(PendingAction.id.desc())
            .execution_options(populate_existing=True)
        )
    )
    stale = [
        action.id
        for action in waiting
        if action.state in MOVES["expire"].sources and action.expires_at <= now
    ]
    if stale:
        expired = await _move_all(
            session,
            "expire",
            PendingAction.id.in_(stale),
            PendingAction.expires_at <= now,
            now=now,
        )
        waiting = [action for action in waiting if action not in expired]
    _in_hand(session, *waiting)
    return waiting[0] if waiting else None


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
    """The current state of each of ``action_ids``: as this session last read or moved it
    (a turn's own actions: no second read), else read."""
    in_hand: dict[int, PendingAction] = session.info.get(_IN_HAND, {})
    states: dict[int, ActionState] = {}
    for action_id in set(action_ids):
        held = in_hand.get(action_id)
        state = inspect(held).dict.get("state") if held is not None else None
        if state is not None:  # None: not in hand, or expired by a rollback (read below)
            states[action_id] = state
    missing = set(action_ids) - states.keys()
    if missing:
        rows = await session.execute(
            select(PendingAction.id, PendingAction.state).where(PendingAction.id.in_(missing))
        )
        states.update({row.id: row.state for row in rows})
    return states


async def stalled(*, session: AsyncSession, before: datetime) -> list[PendingAction]:
    """Approved or executing actions not touched since ``before``."""
    rows = await session.scalars(
        select(PendingAction)
        .where(
            PendingAction.state.in_(list(MOVES["reclaim"].sources)),
            PendingAction.updated_at < before,
        )
        .order_by(PendingAction.id)
        .execution_options(populate_existing=True)
    )
    return list(rows.all())


async def done_since(
    *, session: AsyncSession, conversation_key: str, since: datetime, limit: int = 20
) -> list[PendingAction]:
    """The conversation's actions finished (``done``) since ``since``, newest first."""
    rows = await session.scalars(
        select(PendingAction)
        .where(
            PendingAction.conversation_key == conversation_key,
            PendingAction.state == ActionState.done,
            PendingAction.updated_at >= since,
        )
        .order_by(PendingAction.id.desc())
        .limit(limit)
    )
    return list(rows.all())


# --- undo (dialogue.undo) -------------------------------------------------------------------


async def start_undo(*, session: AsyncSession, action: PendingAction, now: datetime) -> bool:
    """done → undoing, committed before the inverse write; only with an undo plan, in time."""
    return await _move(
        session,
        action,
        "start_undo",
        now=now,
        conditions=(PendingAction.undo_plan.is_not(None), PendingAction.undo_until > now),
    )


async def finish_undo(*, session: AsyncSession, action: PendingAction, now: datetime) -> bool:
    """undoing → undone: the inverse write is done."""
    return await _move(session, action, "finish_undo", now=now)


async def abandon_undo(*, session: AsyncSession, action: PendingAction, now: datetime) -> bool:
    """undoing → done: the calendar refused the inverse write (nothing changed)."""
    return await _move(session, action, "abandon_undo", now=now)


async def reclaim_undo(
    *, session: AsyncSession, action: PendingAction, now: datetime, before: datetime
) -> bool:
    """A stalled undo claimed again (committed), if untouched since ``before``."""
    return await _move(
        session, action, "reclaim_undo", now=now, conditions=(PendingAction.updated_at < before,)
    )


async def last_finished_write(
    *, session: AsyncSession, conversation_key: str
) -> PendingAction | None:
    """The create, update or delete of a conversation that finished last (undone or not)."""
    return await session.scalar(
        select(PendingAction)
        .where(
            PendingAction.conversation_key == conversation_key,
            PendingAction.undo_until.is_not(None),
        )
        .order_by(PendingAction.undo_until.desc(), PendingAction.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )


async def stalled_undos(*, session: AsyncSession, before: datetime) -> list[PendingAction]:
    """Undos a stopped process left half done (not touched since ``before``)."""
    rows = await session.scalars(
        select(PendingAction)
        .where(
            PendingAction.state.in_(list(MOVES["reclaim_undo"].sources)),
            PendingAction.updated_at < before,
        )
        .order_by(PendingAction.id)
        .execution_options(populate_existing=True)
    )
    return list(rows.all())
