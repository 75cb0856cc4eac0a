"""Nothing vanishes unsaid: a replaced request is named, a waiting question is answered, and
a channel's deliveries come from its hook, not from storing a message."""

import pytest
from sqlalchemy import func, select

from router_service.conversations.models import Channel, Direction
from router_service.conversations.service import record_message, record_reply
from router_service.pending.models import ActionState, PendingAction
from router_service.slack.models import SlackDelivery

pytestmark = pytest.mark.db

TEAM_MEETING = "11월 15일 오후 3시 팀 미팅"


async def _states(app) -> list[ActionState]:
    async with app.state.database.sessionmaker() as session:
        rows = await session.scalars(select(PendingAction).order_by(PendingAction.id))
        return [a.state for a in rows.all()]


async def test_a_new_request_names_the_one_it_replaces(client, say):
    await say(client, TEAM_MEETING)
    [replaced, proposal] = await say(client, "11월 16일 오전 10시 치과")
    assert replaced["text"] == "이전 요청 「팀 미팅」 대신 새 요청으로 진행할게요."
    assert replaced["payload"] is None
    assert "「치과」를 등록할까요?" in proposal["text"]


async def test_an_amendment_replaces_its_proposal_without_a_word(app, client, say):
    await say(client, TEAM_MEETING)
    [proposal] = await say(client, "장소는 강남역")
    assert "장소: 강남역" in proposal["text"]
    assert await _states(app) == [ActionState.superseded, ActionState.proposed]


async def test_a_request_waiting_for_consent_is_named_when_replaced(client, say, fake_auth):
    user_id = (await client.get("/api/chat/session")).json()["user_id"]
    fake_auth.grant_states[user_id] = "missing"
    await say(client, TEAM_MEETING)
    [replaced, connect] = await say(client, "11월 16일 오전 10시 치과")
    assert replaced["text"] == "이전 요청 「팀 미팅」 대신 새 요청으로 진행할게요."
    assert connect["payload"]["kind"] == "connect"


async def test_a_question_asked_while_disconnected_is_answered_after_consent_and_a_newer_request(
    grant_event, app, client, say, fake_auth, fake_calendar, auth_server_headers
):
    """Was: "이번 주 일정 알려줘", another request, consent → the question silently dropped."""
    user_id = (await client.get("/api/chat/session")).json()["user_id"]
    fake_calendar.add_event(
        user_id, title="검진", start="2025-11-24T07:40:00+09:00", end="2025-11-24T12:00:00+09:00"
    )
    fake_auth.grant_states[user_id] = "missing"
    [ask] = await say(client, "11월 24일 일정 알려줘")
    assert ask["payload"]["kind"] == "connect"
    [connect] = await say(client, TEAM_MEETING)  # the question is not replaced: nothing said
    assert connect["payload"]["kind"] == "connect"
    fake_auth.grant_states[user_id] = "active"
    response = await client.post(
        "/internal/grant-events", json=grant_event(user_id), headers=auth_server_headers
    )
    assert response.json() == {"status": "accepted"}
    history = (await client.get("/api/chat/messages")).json()["messages"]
    texts = [m["text"] for m in history]
    assert "11월 24일(월) 일정:\n• 07:40 검진" in texts
    assert history[-1]["payload"]["kind"] == "proposal"
    assert await _states(app) == [ActionState.done, ActionState.proposed]


async def test_an_approved_request_waiting_for_consent_is_not_replaced(
    grant_event, app, client, say, fake_auth, fake_calendar, auth_server_headers
):
    user_id = (await client.get("/api/chat/session")).json()["user_id"]
    await say(client, TEAM_MEETING)
    fake_auth.grant_states[user_id] = "needs_reauth"
    await say(client, "네")  # approved, then consent found missing
    await say(client, "11월 16일 오전 10시 치과")
    fake_auth.grant_states[user_id] = "active"
    await client.post(
        "/internal/grant-events", json=grant_event(user_id), headers=auth_server_headers
    )
    assert [c["body"]["title"] for c in fake_calendar.create_calls] == ["팀 미팅"]
    assert await _states(app) == [ActionState.done, ActionState.proposed]


async def test_storing_a_message_sends_nothing_a_reply_goes_through_the_channel_hook(app):
    sent = []

    async def hook(session, message):
        sent.append(message.id)

    context = app.state.context
    context.channels.register(Channel.slack, on_reply=hook)
    async with context.sessionmaker() as session:
        plain = await record_message(
            session=session,
            channel=Channel.slack,
            conversation_key="slack:T1:D1",
            direction=Direction.outbound,
            text="안녕하세요",
        )
        reply = await record_reply(
            session=session,
            channels=context.channels,
            channel=Channel.slack,
            conversation_key="slack:T1:D1",
            text="안녕하세요",
        )
        web = await record_reply(
            session=session,
            channels=context.channels,
            channel=Channel.web,
            conversation_key="web:1",
            text="안녕하세요",
        )
        await session.commit()
        deliveries = await session.scalar(select(func.count()).select_from(SlackDelivery))
    assert sent == [reply.id] and plain.id not in sent and web.id not in sent
    assert deliveries == 0  # Slack is off in this app: nobody queued a delivery quietly
