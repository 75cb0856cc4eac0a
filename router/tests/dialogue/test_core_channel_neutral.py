"""The core without the web: what a Slack adapter would call, and replies in the right place."""

import uuid
from datetime import datetime

import pytest
from sqlalchemy import select

from router_service.conversations.models import Channel, Direction, Message
from router_service.dialogue.flows import handle_decision, handle_incoming
from router_service.grants.schemas import GrantEventIn
from router_service.grants.service import process_grant_event, record_grant_event
from router_service.nlu.llm import LOW_CONFIDENCE
from router_service.nlu.service import parse_message

pytestmark = pytest.mark.db

SLACK_CONVERSATION = "slack:T1:D1"
NOW = datetime.fromisoformat("2025-11-14T10:00:00+09:00")


async def test_slack_like_turns_and_resume_in_the_conversation_where_it_began(
    app, client, say, fake_auth, fake_calendar
):
    # One person, reachable from the web and from Slack (same user at auth-server).
    web = (await client.get("/api/chat/session")).json()
    user_id = web["user_id"]
    fake_auth.identities[("slack", "T1:U1")] = user_id
    fake_auth.grant_states[user_id] = "missing"
    context = app.state.context
    database = app.state.database

    async with database.sessionmaker() as session:
        turn = await handle_incoming(
            session=session,
            app=context,
            channel=Channel.slack,
            external_id="T1:U1",
            conversation_key=SLACK_CONVERSATION,
            text="11월 15일 오후 3시 팀 미팅",
        )
    assert turn.incoming.direction == Direction.inbound
    assert turn.incoming.intent == "create_event"
    assert turn.incoming.slots["event"]["title"] == "팀 미팅"
    [connect] = turn.replies
    assert connect.channel == Channel.slack and connect.payload["kind"] == "connect"
    assert fake_auth.connect_links[-1]["channel"] == "slack"

    fake_auth.grant_states[user_id] = "active"
    event = GrantEventIn(
        event_id=str(uuid.uuid4()),
        type="grant.usable",
        user_id=user_id,
        capability="calendar",
        pending_action_ref=str(connect.payload["action_id"]),
        occurred_at="2025-11-14T10:05:00+09:00",
    )
    async with database.sessionmaker() as session:
        assert await record_grant_event(session=session, event=event) == "accepted"
    async with database.sessionmaker() as session:
        assert await record_grant_event(session=session, event=event) == "duplicate"
    await process_grant_event(app=context, event_id=event.event_id)

    async with database.sessionmaker() as session:
        slack_rows = list(
            (
                await session.scalars(
                    select(Message)
                    .where(Message.conversation_key == SLACK_CONVERSATION)
                    .order_by(Message.id)
                )
            ).all()
        )
    proposal = slack_rows[-1]
    assert proposal.payload["kind"] == "proposal" and proposal.channel == Channel.slack
    # Nothing leaked into the person's web conversation.
    web_history = (await client.get("/api/chat/messages")).json()["messages"]
    assert web_history == []

    async with database.sessionmaker() as session:
        decided = await handle_decision(
            session=session,
            app=context,
            action_id=proposal.payload["action_id"],
            decision="approve",
            conversation_key=SLACK_CONVERSATION,
        )
    assert decided.incoming.text == "네"
    assert decided.replies[0].text.startswith("✅ 등록했어요")
    assert len(fake_calendar.create_calls) == 1


class _RecordingLlm:
    """An LLM fallback that records what it was asked and answers a create request."""

    timeout_seconds = 1.0

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def parse(self, *, text, now, time_zone):
        self.asked.append(text)
        return {
            "intent": "create_event",
            "event": {
                "title": "요가",
                "start": "2025-11-15T09:00:00+09:00",
                "end": "2025-11-15T10:00:00+09:00",
                "all_day": False,
                "location": None,
            },
            "range": None,
            "target": None,
            "changes": None,
            "confidence": 0.9,
        }


async def test_the_llm_fallback_is_never_asked_about_answers(app, client, say):
    llm = _RecordingLlm()
    app.state.context.llm = llm
    await say(client, "11월 15일 오후 3시 팀 미팅")
    for answer in ("1번", "장소는 강남역", "네"):
        await say(client, answer)
    assert llm.asked == []
    unsure = "4시로 바꿔줘"  # with nothing named, the rules are not sure what it means
    rules = parse_message(unsure, now=NOW)
    assert rules.confidence < LOW_CONFIDENCE
    [reply] = await say(client, unsure)
    assert llm.asked == [unsure]
    assert "「요가」를 등록할까요?" in reply["text"]
