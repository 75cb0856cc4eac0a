"""Two approvals at once run once; a restarted router still knows every proposal."""

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from router_service.conversations.models import Message
from router_service.dialogue.flows import recover_stalled
from router_service.pending.models import ActionState, PendingAction
from shared.testing import serve_app

pytestmark = pytest.mark.db


async def test_two_concurrent_approvals_execute_once(app, client, say, fake_calendar):
    [proposal] = await say(client, "11월 15일 오후 3시 팀 미팅")
    action_id = proposal["payload"]["action_id"]
    fake_calendar.create_delay = 0.05  # widen the window in which both could run
    # A second tab: same cookie, own connection.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", cookies=client.cookies
    ) as tab:
        body = {"decision": "approve"}
        url = f"/api/chat/actions/{action_id}/decision"
        first, second, third = await asyncio.gather(
            client.post(url, json=body), tab.post(url, json=body), tab.post(url, json=body)
        )
    assert {first.status_code, second.status_code, third.status_code} == {200}
    confirmations = [
        m
        for r in (first, second, third)
        for m in r.json()["messages"]
        if m["text"].startswith("✅")
    ]
    assert len(confirmations) == 1
    assert len(fake_calendar.create_calls) == 1


async def test_approval_after_a_restart_on_the_same_database(make_app, say, fake_calendar):
    first_app = await make_app()
    async with serve_app(first_app) as client:
        [proposal] = await say(client, "11월 15일 오후 3시 팀 미팅")
        cookies = client.cookies
    await first_app.state.database.dispose()

    second_app = await make_app()
    async with serve_app(second_app) as client:
        client.cookies = cookies
        history = (await client.get("/api/chat/messages")).json()["messages"]
        assert history[-1]["id"] == proposal["id"]
        [done] = await say(client, "네")
    assert done["text"].startswith("✅ 등록했어요")
    assert len(fake_calendar.create_calls) == 1


async def test_an_action_left_executing_by_a_stopped_process_runs_again_once(
    app, client, say, fake_calendar, stall
):
    [proposal] = await say(client, "11월 15일 오후 3시 팀 미팅")
    action_id = proposal["payload"]["action_id"]
    database = app.state.database
    # The process approved and claimed it, then stopped before it wrote anything back.
    await stall(app, [action_id])

    async with database.sessionmaker() as session:
        fresh = await recover_stalled(
            session=session, app=app.state.context, stalled_for=timedelta(minutes=20)
        )
    assert fresh == []  # not stalled long enough yet: maybe still running somewhere
    async with database.sessionmaker() as session:
        [reply] = await recover_stalled(session=session, app=app.state.context)
    assert reply.text.startswith("✅ 등록했어요")
    async with database.sessionmaker() as session:
        assert await recover_stalled(session=session, app=app.state.context) == []
        action = await session.get(PendingAction, action_id)
        assert action.state == ActionState.done
        rows = (await session.scalars(select(Message).order_by(Message.id))).all()
    assert rows[-1].conversation_key == proposal_conversation(rows)
    [call] = fake_calendar.create_calls
    assert call["key"] == f"pending-action-{action_id}"


def proposal_conversation(rows) -> str:
    return next(r.conversation_key for r in rows if (r.payload or {}).get("kind") == "proposal")


async def test_the_router_resumes_stalled_actions_by_itself(
    app, make_app, client, say, fake_calendar, stall
):
    [proposal] = await say(client, "11월 15일 오후 3시 팀 미팅")
    action_id = proposal["payload"]["action_id"]
    await stall(app, [action_id], ActionState.approved)

    restarted = await make_app(recovery_interval_seconds=0.05)
    async with serve_app(restarted):
        for _ in range(500):
            async with app.state.database.sessionmaker() as session:
                action = await session.get(PendingAction, action_id)
            if action.state == ActionState.done:
                break
            await asyncio.sleep(0.02)
    assert action.state == ActionState.done
    assert len(fake_calendar.create_calls) == 1
