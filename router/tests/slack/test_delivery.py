"""The outbound queue against the Slack emulator: Block Kit, retries, Retry-After, dead letters,
permanent errors, conversation order, leases, and workers that never send one row twice."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from router_service.conversations.models import Channel
from router_service.conversations.service import record_reply
from router_service.slack.delivery import render_all, send_rendered
from router_service.slack.models import DeliveryState, SlackDelivery
from shared.db import utcnow
from shared.testing import serve_app
from shared.work.runner import work_claimed

pytestmark = pytest.mark.db

TEAM = "T0HARU0001"


@pytest.fixture
def slack_api_url(slack_emulator):
    return slack_emulator.api_url


async def say_in(app, key: str, *texts: str) -> list[int]:
    """Stores outbound Slack messages as the dialogue does; returns their ids."""
    async with app.state.database.sessionmaker() as session:
        ids = []
        for text in texts:
            message = await record_reply(
                session=session,
                channels=app.state.context.channels,
                channel=Channel.slack,
                conversation_key=key,
                text=text,
            )
            ids.append(message.id)
        await session.commit()
    return ids


async def only_delivery(app) -> SlackDelivery:
    async with app.state.database.sessionmaker() as session:
        [row] = (await session.scalars(select(SlackDelivery))).all()
        return row


def counter(app, outcome: str) -> float:
    value = app.state.metrics.registry.get_sample_value(
        "slack_deliveries_total", {"outcome": outcome}
    )
    return value or 0.0


async def test_a_proposal_is_posted_as_block_kit_with_buttons_and_a_text_fallback(
    sender, slack_event, slack_app, slack_user, slack_emulator
):
    user, dm = slack_user("alice")
    await sender.event(slack_event("11월 15일 오후 3시 팀 미팅", user=user, channel=dm))
    outcomes = await slack_app.state.slack.deliver_round()
    assert list(outcomes.values()) == [DeliveryState.sent]
    [posted] = slack_emulator.control.messages(dm)[-1:]
    assert posted["text"].startswith("11월 15일(토) 오후 3:00–4:00 「팀 미팅」을 등록할까요?")
    section, actions = posted["blocks"]
    assert section["type"] == "section" and "팀 미팅" in section["text"]["text"]
    approve, reject = actions["elements"]
    assert (approve["action_id"], approve["text"]["text"], approve["style"]) == (
        "approve",
        "등록",
        "primary",
    )
    assert reject["action_id"] == "reject"
    assert approve["value"] == reject["value"] and approve["value"].isdigit()
    row = await only_delivery(slack_app)
    assert (row.state, row.channel_id, row.ts, row.attempts) == (
        DeliveryState.sent,
        dm,
        posted["ts"],
        1,
    )
    assert counter(slack_app, "sent") == 1


async def test_a_rate_limited_post_waits_for_retry_after_then_goes_out_once(
    slack_app, slack_user, slack_emulator
):
    _, dm = slack_user("alice")
    await say_in(slack_app, f"slack:{TEAM}:{dm}", "안녕하세요")
    slack_emulator.control.fault("chat.postMessage", error="ratelimited", retry_after=30)
    before = utcnow()
    assert list((await slack_app.state.slack.deliver_round()).values()) == [DeliveryState.pending]
    row = await only_delivery(slack_app)
    assert row.last_error == "ratelimited"
    assert row.due_at >= before + timedelta(seconds=30)
    # Not a moment earlier than Slack said ...
    early = row.due_at - timedelta(seconds=1)
    assert await slack_app.state.slack.deliver_round(now=early) == {}
    # ... and then it goes out.
    outcomes = await slack_app.state.slack.deliver_round(now=row.due_at)
    assert list(outcomes.values()) == [DeliveryState.sent]
    assert slack_emulator.control.calls()["chat.postMessage"] == 2
    assert [m["text"] for m in slack_emulator.control.messages(dm)] == ["안녕하세요"]
    assert counter(slack_app, "retry") == 1 and counter(slack_app, "sent") == 1


async def test_server_errors_are_retried_with_backoff_until_dead_lettered(
    make_slack_app, slack_user, slack_emulator, capsys
):
    app = await make_slack_app(
        slack_emulator.api_url,
        slack_delivery_max_attempts=3,
        slack_delivery_backoff_base_seconds=10,
        slack_delivery_backoff_cap_seconds=40,
    )
    _, dm = slack_user("alice")
    await say_in(app, f"slack:{TEAM}:{dm}", "안녕하세요")
    slack_emulator.control.fault("chat.postMessage", status=503, count=-1)
    runtime = app.state.slack
    seen = []
    now = utcnow()
    for _ in range(3):
        outcomes = await runtime.deliver_round(now=now)
        seen.extend(outcomes.values())
        row = await only_delivery(app)
        assert row.due_at <= utcnow() + timedelta(seconds=40)  # the backoff cap
        now = max(now, row.due_at) + timedelta(seconds=1)
    assert seen == [DeliveryState.pending, DeliveryState.pending, DeliveryState.dead]
    row = await only_delivery(app)
    assert (row.state, row.attempts, row.last_error) == (
        DeliveryState.dead,
        3,
        "service_unavailable",
    )
    assert await runtime.deliver_round(now=now + timedelta(days=1)) == {}
    assert slack_emulator.control.calls()["chat.postMessage"] == 3
    assert counter(app, "dead") == 1 and counter(app, "retry") == 2
    logged = capsys.readouterr().err
    assert "slack delivery dead-lettered after max attempts" in logged
    assert "안녕하세요" not in logged  # the message text never reaches the logs


@pytest.mark.parametrize(
    "error", ["channel_not_found", "not_in_channel", "account_inactive", "invalid_auth"]
)
async def test_a_permanent_error_is_recorded_and_never_retried(
    slack_app, slack_user, slack_emulator, error
):
    _, dm = slack_user("alice")
    await say_in(slack_app, f"slack:{TEAM}:{dm}", "안녕하세요")
    slack_emulator.control.fault("chat.postMessage", error=error)
    assert list((await slack_app.state.slack.deliver_round()).values()) == [DeliveryState.failed]
    row = await only_delivery(slack_app)
    assert (row.state, row.last_error, row.attempts) == (DeliveryState.failed, error, 1)
    later = utcnow() + timedelta(days=1)
    assert await slack_app.state.slack.deliver_round(now=later) == {}
    assert slack_emulator.control.calls()["chat.postMessage"] == 1
    assert counter(slack_app, "failed") == 1


async def test_a_connection_error_is_retried(make_slack_app, slack_user, slack_emulator):
    app = await make_slack_app()  # Slack unreachable
    await say_in(app, f"slack:{TEAM}:D0NOWHERE1", "안녕하세요")
    assert list((await app.state.slack.deliver_round()).values()) == [DeliveryState.pending]
    row = await only_delivery(app)
    assert (row.state, row.last_error) == (DeliveryState.pending, "ClientConnectorError")


async def test_a_conversations_replies_go_out_in_order_even_when_the_first_is_retried(
    slack_app, slack_user, slack_emulator
):
    _, dm = slack_user("alice")
    await say_in(slack_app, f"slack:{TEAM}:{dm}", "첫째", "둘째", "셋째")
    slack_emulator.control.fault("chat.postMessage", error="ratelimited", retry_after=5)
    runtime = slack_app.state.slack
    first = await runtime.deliver_round()
    assert list(first.values()) == [DeliveryState.pending]  # the others wait behind it
    later = utcnow() + timedelta(seconds=6)
    for _ in range(3):
        await runtime.deliver_round(now=later)
    assert [m["text"] for m in slack_emulator.control.messages(dm)] == ["첫째", "둘째", "셋째"]


async def test_a_worker_whose_lease_ran_out_does_not_send(slack_app, slack_user, slack_emulator):
    _, dm = slack_user("alice")
    await say_in(slack_app, f"slack:{TEAM}:{dm}", "안녕하세요")
    runtime = slack_app.state.slack
    sessionmaker = slack_app.state.database.sessionmaker
    lease = runtime.settings.slack_delivery_lease_seconds
    now = utcnow()
    async with sessionmaker() as session:
        [stalled] = await runtime.queue.claim_due(session=session, now=now, limit=5)
    # Its holder stalled past the lease: another worker takes the row over.
    async with sessionmaker() as session:
        later = now + timedelta(seconds=lease + 1)
        [taken] = await runtime.queue.claim_due(session=session, now=later, limit=5)
    assert taken.job_id == stalled.job_id and taken.token != stalled.token

    async def send(claim, delivery):
        async with sessionmaker() as session:
            rendered = await render_all(session=session, deliveries=[delivery])
        return await send_rendered(client=runtime.client, delivery=delivery, rendered=rendered)

    kwargs = {"sessionmaker": sessionmaker, "handle": send}
    assert await work_claimed(runtime.queue, claim=stalled, **kwargs) == DeliveryState.sending
    assert await work_claimed(runtime.queue, claim=taken, **kwargs) == DeliveryState.sent
    assert slack_emulator.control.calls()["chat.postMessage"] == 1
    row = await only_delivery(slack_app)
    assert (row.state, row.attempts) == (DeliveryState.sent, 2)


async def test_concurrent_workers_never_send_one_message_twice(
    make_slack_app, slack_user, slack_emulator
):
    # Two router processes on one database: two apps, each with its own engine and client.
    first = await make_slack_app(slack_emulator.api_url)
    second = await make_slack_app(slack_emulator.api_url)
    people = [slack_user(name) for name in ("alice", "bob", "carol", "dave")]
    expected = {}
    for user, dm in people:
        texts = [f"{user} {n}" for n in range(1, 5)]
        await say_in(first, f"slack:{TEAM}:{dm}", *texts)
        expected[dm] = texts
    slack_emulator.control.fault("chat.postMessage", delay=0.05, count=-1)

    async def worker(app) -> int:
        sent = 0
        while True:
            outcomes = await app.state.slack.deliver_round()
            if not outcomes:
                return sent
            sent += sum(1 for state in outcomes.values() if state == DeliveryState.sent)

    results = await asyncio.gather(worker(first), worker(second), worker(first), worker(second))
    assert sum(results) == 16
    assert slack_emulator.control.calls()["chat.postMessage"] == 16
    for dm, texts in expected.items():
        assert [m["text"] for m in slack_emulator.control.messages(dm)] == texts
    async with first.state.database.sessionmaker() as session:
        rows = (await session.scalars(select(SlackDelivery))).all()
    assert {(row.state, row.attempts) for row in rows} == {(DeliveryState.sent, 1)}


async def test_a_reply_stored_by_another_replica_wakes_this_worker_at_once(
    make_slack_app, slack_user, slack_emulator
):
    # This replica polls once a minute; the reply is stored by another one (here: directly).
    app = await make_slack_app(slack_emulator.api_url, slack_delivery_poll_seconds=60)
    if app.state.database.is_sqlite:
        pytest.skip("SQLite has no LISTEN/NOTIFY: the worker polls there")
    _, dm = slack_user("alice")
    async with serve_app(app):
        await asyncio.wait_for(app.state.listener.connected.wait(), timeout=10)
        await asyncio.sleep(0.2)  # the worker's first round (at start) is over
        await say_in(app, f"slack:{TEAM}:{dm}", "안녕하세요")
        async with asyncio.timeout(10):  # far sooner than the next poll
            while not slack_emulator.control.messages(dm):
                await asyncio.sleep(0.05)
    assert [m["text"] for m in slack_emulator.control.messages(dm)] == ["안녕하세요"]


async def test_a_rate_limit_pauses_every_conversation_until_retry_after(
    make_slack_app, slack_user, slack_emulator
):
    app = await make_slack_app(slack_emulator.api_url, slack_delivery_concurrency=1)
    dms = [slack_user(name)[1] for name in ("alice", "bob", "carol")]
    for dm in dms:
        await say_in(app, f"slack:{TEAM}:{dm}", f"{dm}에게")
    slack_emulator.control.fault("chat.postMessage", error="ratelimited", retry_after=30)
    now = utcnow()
    runtime = app.state.slack
    first = await runtime.deliver_round(now=now)
    # One call met the 429; the others were not sent into it, and spent no attempt.
    assert list(first.values()) == [DeliveryState.pending] * 3
    assert slack_emulator.control.calls()["chat.postMessage"] == 1
    async with app.state.database.sessionmaker() as session:
        rows = (await session.scalars(select(SlackDelivery).order_by(SlackDelivery.id))).all()
    assert [row.attempts for row in rows] == [1, 0, 0]
    assert all(row.due_at >= now + timedelta(seconds=29) for row in rows)
    assert await runtime.deliver_round(now=now + timedelta(seconds=29)) == {}  # paused
    later = now + timedelta(seconds=31)
    assert list((await runtime.deliver_round(now=later)).values()) == [DeliveryState.sent] * 3
    assert slack_emulator.control.calls()["chat.postMessage"] == 4
    for dm in dms:
        assert [m["text"] for m in slack_emulator.control.messages(dm)] == [f"{dm}에게"]


async def test_different_conversations_are_sent_at_once_up_to_the_bound(
    make_slack_app, slack_user, slack_emulator
):
    app = await make_slack_app(slack_emulator.api_url, slack_delivery_concurrency=3)
    dms = [slack_user(f"person{n}")[1] for n in range(5)]
    for dm in dms:
        await say_in(app, f"slack:{TEAM}:{dm}", "안녕하세요", "두 번째")
    runtime = app.state.slack
    post, in_flight, most = runtime.client.post_message, 0, 0
    three_at_once = asyncio.Event()

    async def counted_post(**kwargs):
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        if in_flight == 3:
            three_at_once.set()
        await asyncio.wait_for(three_at_once.wait(), timeout=10)
        try:
            return await post(**kwargs)
        finally:
            in_flight -= 1

    runtime.client.post_message = counted_post
    first = await runtime.deliver_round()
    assert list(first.values()) == [DeliveryState.sent] * 5  # one per conversation a round
    assert most == 3
    await runtime.deliver_round()
    for dm in dms:
        assert [m["text"] for m in slack_emulator.control.messages(dm)] == ["안녕하세요", "두 번째"]
