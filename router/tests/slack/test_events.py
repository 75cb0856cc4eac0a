"""Events API: message.im and app_mention worked once each; bots, edits and retries not again."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from router_service.conversations.models import Direction, Message
from router_service.slack import service as slack_service
from router_service.slack.models import (
    DeliveryKind,
    DeliveryState,
    InboxKind,
    InboxState,
    SlackDelivery,
    SlackInbox,
)
from shared.db import utcnow

pytestmark = pytest.mark.db

DM = "slack:T0HARU0001:D0ALICE001"


async def expire_inbox_leases(app) -> None:
    """As if the retry delay of every inbox row had passed."""
    async with app.state.database.sessionmaker() as session:
        await session.execute(update(SlackInbox).values(due_at=utcnow() - timedelta(seconds=1)))
        await session.commit()


async def test_a_dm_is_answered_and_the_reply_is_queued_for_slack(
    sender, slack_event, slack_app, rows, conversation, fake_auth
):
    response = await sender.event(slack_event("11월 15일 오후 3시 팀 미팅"))
    assert response.status_code == 200
    assert response.json() == {"ok": True, "status": "accepted"}
    incoming, proposal = await conversation(slack_app, DM)
    assert (incoming.direction, incoming.text) == (Direction.inbound, "11월 15일 오후 3시 팀 미팅")
    assert proposal.direction == Direction.outbound
    assert proposal.payload["kind"] == "proposal"
    assert ("slack", "T0HARU0001:U0ALICE001") in fake_auth.identities
    [delivery] = await rows(slack_app, SlackDelivery)
    assert (delivery.message_id, delivery.kind, delivery.state) == (
        proposal.id,
        DeliveryKind.post,
        DeliveryState.pending,
    )
    [item] = await rows(slack_app, SlackInbox)
    assert item.state == InboxState.done
    assert item.body is None  # the person's words are not kept in the inbox once worked


async def test_a_retried_delivery_of_the_same_event_is_not_worked_twice(
    sender, slack_event, slack_app, rows, conversation
):
    envelope = slack_event("11월 15일 오후 3시 팀 미팅", event_id="Ev0RETRY001")
    first = await sender.event(envelope)
    retry = await sender.event(
        envelope, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    again = await sender.event(
        envelope, **{"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert [r.json()["status"] for r in (first, retry, again)] == [
        "accepted",
        "duplicate",
        "duplicate",
    ]
    assert len(await conversation(slack_app, DM)) == 2  # one message in, one reply
    [item] = await rows(slack_app, SlackInbox)
    assert (item.deliveries, item.attempts) == (3, 1)
    assert len(await rows(slack_app, SlackDelivery)) == 1


async def test_bot_messages_and_edits_are_ignored(sender, slack_event, slack_app, rows):
    ignored = [
        slack_event("✅ 등록했어요", user="U0HARUBOT1", bot_id="B0HARUBOT1", subtype="bot_message"),
        slack_event("에코", bot_id="B0HARUBOT1"),
        slack_event(
            "",
            subtype="message_changed",
            message={"type": "message", "user": "U0ALICE001", "text": "내일 4시 팀 미팅"},
        ),
        slack_event("", subtype="message_deleted"),
        slack_event("채널 메시지", channel="C0GENERAL1", channel_type="channel"),
    ]
    for envelope in ignored:
        response = await sender.event(envelope)
        assert response.json() == {"ok": True, "status": "ignored"}
    assert await rows(slack_app, SlackInbox) == []
    assert await rows(slack_app, Message) == []


async def test_a_mention_in_a_channel_is_answered_in_that_persons_conversation(
    sender, slack_event, slack_app, conversation, rows
):
    envelope = slack_event(
        "<@U0HARUBOT1> 11월 15일 오후 3시 팀 미팅 &amp; 회식",
        kind="app_mention",
        channel="C0GENERAL1",
        user="U0BOB00001",
    )
    assert (await sender.event(envelope)).json()["status"] == "accepted"
    key = "slack:T0HARU0001:C0GENERAL1:U0BOB00001"
    incoming, reply = await conversation(slack_app, key)
    assert incoming.text == "11월 15일 오후 3시 팀 미팅 & 회식"
    assert reply.payload["kind"] == "proposal"
    [item] = await rows(slack_app, SlackInbox)
    assert item.kind == InboxKind.message


async def test_a_bare_mention_gets_a_korean_answer(sender, slack_event, slack_app, conversation):
    envelope = slack_event("<@U0HARUBOT1>", kind="app_mention", channel="C0GENERAL1")
    assert (await sender.event(envelope)).json()["status"] == "accepted"
    [reply] = await conversation(slack_app, "slack:T0HARU0001:C0GENERAL1:U0ALICE001")
    assert reply.direction == Direction.outbound
    assert reply.text == "메시지를 입력해 주세요."


async def test_an_event_left_unworked_by_a_stopped_process_is_recovered_once(
    slack_app, slack_event, rows, conversation
):
    runtime = slack_app.state.slack
    envelope = slack_event("11월 15일 오후 3시 팀 미팅")
    async with slack_app.state.database.sessionmaker() as session:
        # Stored and acknowledged, then the process stopped before working it.
        await slack_service.store(
            session=session,
            item_id=envelope["event_id"],
            kind=InboxKind.message,
            team_id="T0HARU0001",
            body=slack_service.message_fields(envelope),
        )
        assert await runtime.recover_inbox() == 0  # too fresh: its own process may still work it
        await session.execute(update(SlackInbox).values(due_at=utcnow() - timedelta(seconds=1)))
        await session.commit()
    assert await runtime.recover_inbox() == 1
    assert await runtime.recover_inbox() == 0
    assert len(await conversation(slack_app, DM)) == 2
    [item] = await rows(slack_app, SlackInbox)
    assert item.state == InboxState.done


async def test_one_inbox_row_is_claimed_by_one_worker_only(slack_app, slack_event):
    envelope = slack_event("안녕")
    sessionmaker = slack_app.state.database.sessionmaker
    async with sessionmaker() as session:
        await slack_service.store(
            session=session, item_id="Ev0CLAIM001", kind=InboxKind.message, team_id="T", body={}
        )
        inbox = slack_app.state.slack.inbox_queue
        now = utcnow()
        first = await inbox.claim_one(session=session, job_id="Ev0CLAIM001", now=now)
        second = await inbox.claim_one(session=session, job_id="Ev0CLAIM001", now=now)
        # Once the lease has run out (its holder died), another process may take it.
        later = now + timedelta(seconds=inbox.lease_seconds + 1)
        third = await inbox.claim_one(session=session, job_id="Ev0CLAIM001", now=later)
    assert first is not None and second is None and third is not None
    assert third.token != first.token
    assert envelope["event"]["text"] == "안녕"


async def test_an_upstream_failure_is_retried_then_answered_with_an_apology(
    sender, slack_event, slack_app, fake_auth, rows, conversation
):
    fake_auth.down = True  # the identity cannot be resolved
    envelope = slack_event("11월 15일 오후 3시 팀 미팅")
    assert (await sender.event(envelope)).json()["status"] == "accepted"
    [item] = await rows(slack_app, SlackInbox)
    assert (item.state, item.attempts, item.error_code) == (
        InboxState.received,
        1,
        "router.auth_server_unavailable",
    )
    assert await conversation(slack_app, DM) == []
    fake_auth.down = False
    await expire_inbox_leases(slack_app)
    assert await slack_app.state.slack.recover_inbox() == 1
    [item] = await rows(slack_app, SlackInbox)
    assert (item.state, item.attempts) == (InboxState.done, 2)
    assert [m.direction for m in await conversation(slack_app, DM)] == [
        Direction.inbound,
        Direction.outbound,
    ]


async def test_after_three_failed_attempts_the_person_gets_an_apology_and_the_row_fails(
    sender, slack_event, slack_app, fake_auth, rows, conversation
):
    fake_auth.down = True
    assert (await sender.event(slack_event("11월 15일 오후 3시 팀 미팅"))).status_code == 200
    for _ in range(2):
        await expire_inbox_leases(slack_app)
        assert await slack_app.state.slack.recover_inbox() == 1
    [item] = await rows(slack_app, SlackInbox)
    assert (item.state, item.attempts, item.body) == (InboxState.failed, 3, None)
    [apology] = await conversation(slack_app, DM)
    assert apology.direction == Direction.outbound
    assert apology.text == "계정 서비스가 잠시 응답하지 않아요. 잠시 후 다시 시도해 주세요."
    [delivery] = await rows(slack_app, SlackDelivery)
    assert delivery.message_id == apology.id
    assert await slack_app.state.slack.recover_inbox() == 0
