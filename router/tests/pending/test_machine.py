"""The pending-action state machine: every move from every state, its commit rule, the
table in docs/dialogue.md, and the plan that a runnable action always has."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from router_service.conversations.models import Channel
from router_service.db import Base, load_models
from router_service.pending import service as pending
from router_service.pending.machine import MOVES, IllegalMove, markdown_table, reachable
from router_service.pending.models import ActionKind, ActionState, PendingAction
from shared.db import Database

pytestmark = pytest.mark.db

NOW = datetime.fromisoformat("2025-11-14T10:00:00+09:00")
PLAN = {"body": {"title": "팀 미팅", "start": "2025-11-15T15:00:00+09:00"}}
DOCS = Path(__file__).resolve().parents[3] / "docs" / "dialogue.md"


class _Plan:
    """A stand-in for a plan model (pending stores what ``model_dump`` gives)."""

    def model_dump(self, mode: str = "json") -> dict[str, Any]:
        return PLAN


# The keyword arguments each named operation needs besides session, action and now.
ARGUMENTS: dict[str, dict[str, Any]] = {
    "finish": {"result": {"status": "created"}},
    "answer_date": {"result": {"event": {"title": "치과"}}},
    "fail": {"error_code": "no_changes"},
    "reopen": {"plan": PLAN, "expires_at": NOW + timedelta(minutes=30)},
    "reopen_choice": {"candidates": [{"id": "ev1"}], "expires_at": NOW + timedelta(minutes=30)},
    "choose": {"plan": PLAN, "expires_at": NOW + timedelta(minutes=30)},
    "choose_scope": {"plan": PLAN, "expires_at": NOW + timedelta(minutes=30)},
    "choose_occurrence": {"plan": PLAN, "expires_at": NOW + timedelta(minutes=30)},
    "reopen_scope": {"plan": PLAN, "expires_at": NOW + timedelta(minutes=30)},
    "reclaim": {"before": NOW + timedelta(seconds=1)},
    "reclaim_undo": {"before": NOW + timedelta(seconds=1)},
    "give_up": {"before": NOW + timedelta(seconds=1)},
}


@pytest.fixture
async def database(database_url):
    db = Database(database_url)
    load_models()
    await db.create_all(Base.metadata)
    yield db
    await db.dispose()


async def _action_in(db: Database, state: ActionState) -> int:
    async with db.sessionmaker() as session:
        action = PendingAction(
            user_id="u1",
            channel=Channel.web,
            conversation_key="web:c1",
            kind=ActionKind.create,
            state=state,
            request={"event": PLAN["body"]},
            plan=PLAN,
            time_zone="Asia/Seoul",
            expires_at=NOW + timedelta(minutes=30),
            undo_plan=PLAN,  # stands in for an undo plan (start_undo needs one, in time)
            undo_until=NOW + timedelta(minutes=5),
            created_at=NOW - timedelta(minutes=5),
            updated_at=NOW - timedelta(minutes=5),
        )
        session.add(action)
        await session.commit()
        return action.id


async def _state(db: Database, action_id: int) -> ActionState:
    async with db.sessionmaker() as session:
        action = await session.get(PendingAction, action_id)
        return action.state


async def test_every_move_from_every_state(database):
    """Each named move from each state: it moves (and commits by its rule) or it raises."""
    for name, move in MOVES.items():
        operation = getattr(pending, name)
        for state in ActionState:
            case = f"{name} from {state}"
            action_id = await _action_in(database, state)
            async with database.sessionmaker() as session:
                action = await session.get(PendingAction, action_id)
                arguments = ARGUMENTS.get(name, {})
                if state not in move.sources:
                    with pytest.raises(IllegalMove):
                        await operation(session=session, action=action, now=NOW, **arguments)
                    assert await _state(database, action_id) == state, case
                    continue
                moved = await operation(session=session, action=action, now=NOW, **arguments)
                assert moved and action.state == move.target, case
                # The commit rule: a committing move is visible to others at once; the
                # others only with the turn's commit.
                seen = await _state(database, action_id)
                assert seen == (move.target if move.commits else state), case
                await session.commit()
            assert await _state(database, action_id) == move.target, case


async def test_of_two_concurrent_claims_one_wins(database):
    action_id = await _action_in(database, ActionState.proposed)
    read = asyncio.Event()
    readers = 0

    async def claim() -> bool:
        nonlocal readers
        async with database.sessionmaker() as session:
            action = await session.get(PendingAction, action_id)
            await session.commit()  # both have read "proposed" before either claims
            readers += 1
            if readers == 2:
                read.set()
            await read.wait()
            won = await pending.claim_approval(session=session, action=action, now=NOW)
            await session.commit()
            return won

    assert sorted(await asyncio.gather(claim(), claim())) == [False, True]


async def test_an_expired_proposal_cannot_be_claimed(database):
    action_id = await _action_in(database, ActionState.proposed)
    async with database.sessionmaker() as session:
        action = await session.get(PendingAction, action_id)
        later = NOW + timedelta(hours=1)
        assert not await pending.claim_approval(session=session, action=action, now=later)
        assert await pending.expire(session=session, action=action, now=later)


async def test_an_undo_starts_only_with_a_plan_and_in_time(database):
    action_id = await _action_in(database, ActionState.done)
    async with database.sessionmaker() as session:
        action = await session.get(PendingAction, action_id)
        later = NOW + timedelta(minutes=5)
        assert not await pending.start_undo(session=session, action=action, now=later)
        action.undo_plan = None
        await session.commit()
        assert not await pending.start_undo(session=session, action=action, now=NOW)
        assert action.state == ActionState.done


async def test_a_runnable_action_without_a_plan_cannot_be_stored(database):
    with pytest.raises(pending.PlanRequired):
        async with database.sessionmaker() as session:
            await pending.create_action(
                session=session,
                user_id="u1",
                channel=Channel.web,
                conversation_key="web:c1",
                kind=ActionKind.create,
                state=ActionState.proposed,
                request=_Plan(),
                time_zone="Asia/Seoul",
                now=NOW,
                ttl=timedelta(minutes=30),
            )
    for state in (ActionState.proposed, ActionState.approved, ActionState.executing):
        async with database.sessionmaker() as session:  # nor by writing the row by hand
            session.add(
                PendingAction(
                    user_id="u1",
                    channel=Channel.web,
                    conversation_key="web:c1",
                    kind=ActionKind.create,
                    state=state,
                    request={},
                    plan=None,
                    time_zone="Asia/Seoul",
                    expires_at=NOW,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
            with pytest.raises(IntegrityError):
                await session.commit()


def test_every_state_is_reachable_and_every_move_has_an_operation():
    assert reachable() == set(ActionState)
    for name in MOVES:
        assert callable(getattr(pending, name)), name


def test_the_table_in_the_docs_is_the_table_in_the_code():
    assert markdown_table() in DOCS.read_text(encoding="utf-8"), (
        "docs/dialogue.md must show pending.machine.markdown_table() as it is:\n" + markdown_table()
    )
