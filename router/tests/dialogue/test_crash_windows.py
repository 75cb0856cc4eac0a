"""Crashes between steps: nothing is left that a later "그래" or the recovery trips over.

A crash is simulated by an exception no handler of the router catches (``Killed``, a
BaseException), raised by skill-calendar's fake in the middle of a step: what was
committed stays, what was not is rolled back, as when the process dies.
"""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from router_service.dialogue.flows import recover_stalled
from router_service.grants.models import GrantEvent
from router_service.grants.schemas import GrantEventIn
from router_service.grants.service import (
    process_grant_event,
    record_grant_event,
    recover_grant_events,
)
from router_service.pending.models import PLANNED_STATES, ActionState, PendingAction
from shared.db import utcnow
from shared.testing import serve_app

pytestmark = pytest.mark.db

TEAM_MEETING = "11월 15일 오후 3시 팀 미팅"


class Killed(BaseException):
    """The process died here."""


async def _killed_listing(**_: object) -> None:
    raise Killed()


def _was_killed(err: BaseException) -> bool:
    if isinstance(err, Killed):
        return True
    if isinstance(err, BaseExceptionGroup):
        return any(_was_killed(inner) for inner in err.exceptions)
    return isinstance(err.__cause__ or err.__context__, Killed)


async def _survive(call) -> None:
    """Awaits ``call``; the simulated kill (perhaps wrapped by middleware) ends it quietly."""
    try:
        await call
    except BaseException as err:
        if not _was_killed(err):
            raise


async def _actions(app) -> list[PendingAction]:
    async with app.state.database.sessionmaker() as session:
        return list((await session.scalars(select(PendingAction).order_by(PendingAction.id))).all())


async def test_a_kill_while_resuming_leaves_no_planless_action_and_the_proposal_comes_after_restart(
    grant_event, make_app, say, fake_auth, fake_calendar, auth_server_headers
):
    """The reproduced defect: killed while the day's events were listed for the proposal."""
    first = await make_app()
    async with serve_app(first) as client:
        session = (await client.get("/api/chat/session")).json()
        user_id = session["user_id"]
        fake_auth.grant_states[user_id] = "missing"
        [ask] = await say(client, TEAM_MEETING)
        assert ask["payload"]["kind"] == "connect"
        fake_auth.grant_states[user_id] = "active"
        # The router dies while it lists the day's events for the proposal.
        first.state.context.calendar.list_events = _killed_listing
        event = grant_event(user_id, ref=str(ask["payload"]["action_id"]))
        await _survive(
            client.post("/internal/grant-events", json=event, headers=auth_server_headers)
        )
        cookies = client.cookies
    for action in await _actions(first):
        assert action.state not in PLANNED_STATES or action.plan is not None
    # auth-server's retry finds the event recorded.
    await first.state.database.dispose()

    restarted = await make_app(recovery_interval_seconds=0.05)
    async with serve_app(restarted) as client:
        client.cookies = cookies
        again = await client.post("/internal/grant-events", json=event, headers=auth_server_headers)
        assert again.json() == {"status": "duplicate"}
        for _ in range(200):
            history = (await client.get("/api/chat/messages")).json()["messages"]
            if (history[-1].get("payload") or {}).get("kind") == "proposal":
                break
            await asyncio.sleep(0.02)
        assert history[-1]["text"].startswith(
            "11월 15일(토) 오후 3:00–4:00 「팀 미팅」을 등록할까요?"
        )
        [done] = await say(client, "그래")
    assert done["text"].startswith("✅ 등록했어요")
    assert len(fake_calendar.create_calls) == 1
    assert len(fake_calendar.user_events(user_id)) == 1


async def test_a_grant_event_is_recorded_first_and_processed_after(
    grant_event, app, client, say, fake_auth
):
    user_id = (await client.get("/api/chat/session")).json()["user_id"]
    fake_auth.grant_states[user_id] = "missing"
    await say(client, TEAM_MEETING)
    fake_auth.grant_states[user_id] = "active"
    event = GrantEventIn.model_validate(grant_event(user_id))
    context = app.state.context
    async with context.sessionmaker() as session:
        assert await record_grant_event(session=session, event=event) == "accepted"
    [action] = await _actions(app)
    assert action.state == ActionState.awaiting_auth  # nothing ran before the answer
    async with context.sessionmaker() as session:
        row = await session.get(GrantEvent, event.event_id)
        assert row.processed_at is None

    # Not young enough to be someone else's: the recovery takes it up, once.
    assert await recover_grant_events(app=context, received_before=utcnow() - timedelta(1)) == 0
    assert await recover_grant_events(app=context, received_before=utcnow()) == 1
    [action] = await _actions(app)
    assert action.state == ActionState.proposed and action.plan is not None
    async with context.sessionmaker() as session:
        row = await session.get(GrantEvent, event.event_id, populate_existing=True)
        assert row.processed_at is not None
    assert await recover_grant_events(app=context, received_before=utcnow()) == 0
    await process_grant_event(app=context, event_id=event.event_id)  # again: nothing happens
    history = (await client.get("/api/chat/messages")).json()["messages"]
    assert sum(1 for m in history if (m["payload"] or {}).get("kind") == "proposal") == 1


async def test_a_failing_resume_is_left_unprocessed_and_retried(
    grant_event, app, client, say, fake_auth, fake_calendar
):
    user_id = (await client.get("/api/chat/session")).json()["user_id"]
    fake_auth.grant_states[user_id] = "missing"
    await say(client, TEAM_MEETING)
    fake_auth.grant_states[user_id] = "active"
    event = GrantEventIn.model_validate(grant_event(user_id))
    context = app.state.context
    async with context.sessionmaker() as session:
        await record_grant_event(session=session, event=event)
    fake_calendar.down = True  # the resume says "try later"; the action keeps waiting
    await process_grant_event(app=context, event_id=event.event_id)
    [action] = await _actions(app)
    assert action.state == ActionState.awaiting_auth
    fake_calendar.down = False
    [reply] = await say(client, "네")  # the person's yes takes it up
    assert reply["payload"]["kind"] == "proposal"


async def test_one_failing_stalled_action_never_stops_the_others(
    app, client, say, fake_calendar, stall
):
    [first] = await say(client, TEAM_MEETING)
    [_, second] = await say(client, "11월 16일 오후 3시 치과")
    ids = [first["payload"]["action_id"], second["payload"]["action_id"]]
    await stall(app, ids)
    calendar = app.state.context.calendar
    real_create = calendar.create_event

    async def create_with_a_bug(*, idempotency_key: str, **kwargs):
        if idempotency_key == f"pending-action-{ids[0]}":
            raise RuntimeError("a bug in one action")
        return await real_create(idempotency_key=idempotency_key, **kwargs)

    calendar.create_event = create_with_a_bug
    async with app.state.database.sessionmaker() as session:
        replies = await recover_stalled(session=session, app=app.state.context)
    assert [r.text.split(" 11")[0] for r in replies] == ["✅ 등록했어요:"]
    states = {a.id: a.state for a in await _actions(app)}
    assert states[ids[1]] == ActionState.done
    assert states[ids[0]] == ActionState.executing  # left for a later round


async def test_a_stalled_action_that_keeps_failing_ends_failed_and_the_person_is_told(
    app, client, say, fake_calendar, stall
):
    [proposal] = await say(client, TEAM_MEETING)
    action_id = proposal["payload"]["action_id"]
    context = app.state.context
    old = context.clock() - timedelta(minutes=10)

    async def create_that_crashes(**_: object) -> None:
        raise RuntimeError("the write dies every time")

    context.calendar.create_event = create_that_crashes
    attempts = context.settings.recovery_max_attempts
    for _ in range(attempts):
        await stall(app, [action_id])
        async with app.state.database.sessionmaker() as session:
            assert await recover_stalled(session=session, app=context) == []
        [action] = await _actions(app)
        assert action.state != ActionState.failed  # reclaimed, then the round failed

    await stall(app, [action_id])
    async with app.state.database.sessionmaker() as session:
        [reply] = await recover_stalled(session=session, app=context)
    assert reply.text == "일정을 등록하지 못했어요. 잠시 후 다시 시도해 주세요."
    [action] = await _actions(app)
    assert action.state == ActionState.failed
    assert action.error_code == "recovery_exhausted"
    history = (await client.get("/api/chat/messages")).json()["messages"]
    assert history[-1]["text"] == reply.text
    async with app.state.database.sessionmaker() as session:  # never taken up again
        await session.execute(
            update(PendingAction).where(PendingAction.id == action_id).values(updated_at=old)
        )
        await session.commit()
    async with app.state.database.sessionmaker() as session:
        assert await recover_stalled(session=session, app=context) == []
