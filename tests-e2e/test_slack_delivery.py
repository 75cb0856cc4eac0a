"""Slack's delivery semantics against the real router: duplicates and Slack's retries are worked
once; the router's own posts survive a rate limit (after Retry-After) and record a permanent
error without retrying; two router replicas share one queue without sending anything twice."""

from __future__ import annotations

from datetime import datetime

from harness import SEED, SEED_TITLE, HarnessError, System, start_router_replica
from slack_person import SlackPerson, message_text, slack_buttons


def _inbox(system: System, event_id: str) -> dict:
    rows = system.databases.query(
        "router", "SELECT state, deliveries FROM slack_inbox WHERE id = :id", id=event_id
    )
    if len(rows) != 1:
        raise HarnessError(f"inbox rows for {event_id}: {rows}")
    return rows[0]


def _posts(system: System) -> int:
    return system.slack.calls().get("chat.postMessage", 0)


def _is_proposal(message: dict) -> bool:
    return f"「{SEED_TITLE}」" in message_text(message) and bool(slack_buttons(message))


def _is_connect_link(message: dict) -> bool:
    return any(b.get("url") for b in slack_buttons(message))


def test_a_duplicate_delivery_is_processed_once(system: System) -> None:
    person = SlackPerson.new(system)
    person.connect()
    sent = person.say(SEED, wait=True)
    assert [d["status"] for d in sent["deliveries"]] == [200]
    # Slack sometimes delivers an event twice, and retries carry the same event_id.
    again = system.slack.redeliver(sent["event_id"])
    retried = system.slack.redeliver(sent["event_id"], retry_num=1, retry_reason="http_timeout")
    assert again["status"] == 200 and retried["status"] == 200
    assert '"duplicate"' in again["body"] and '"duplicate"' in retried["body"]
    person.wait_for_bot(_is_proposal, after_ts=sent["ts"])
    person.wait_settled()
    assert _inbox(system, sent["event_id"]) == {"state": "done", "deliveries": 3}
    replies = person.bot_messages(after_ts=sent["ts"])
    assert len(replies) == 1, [message_text(m) for m in replies]


def test_a_slow_first_delivery_is_processed_once(system: System) -> None:
    person = SlackPerson.new(system)
    person.connect()
    # An acknowledgement window far shorter than any answer: Slack retries at once, three times.
    sent = person.say(SEED, ack_timeout_seconds=0.001, retry_delays_seconds=[0, 0, 0], wait=True)
    attempts = sent["deliveries"]
    assert [d["attempt"] for d in attempts] == [0, 1, 2, 3]
    assert {d["reason"] for d in attempts} == {"http_timeout"}
    person.wait_for_bot(_is_proposal, after_ts=sent["ts"])
    person.wait_settled()
    record = system.slack.deliveries(sent["event_id"])
    # Every attempt did reach the router and was answered, only too late for Slack.
    assert all(d.get("late_status") == 200 for d in record["deliveries"]), record
    assert _inbox(system, sent["event_id"]) == {"state": "done", "deliveries": 4}
    replies = person.bot_messages(after_ts=sent["ts"])
    assert len(replies) == 1, [message_text(m) for m in replies]


def test_a_rate_limited_post_is_delivered_after_retry_after(system: System) -> None:
    person = SlackPerson.new(system)
    before = _posts(system)
    system.slack.fault("chat.postMessage", error="ratelimited", retry_after=3)
    sent = person.say(SEED, wait=True)
    reply = person.wait_for_bot(_is_connect_link, after_ts=sent["ts"], timeout=60)
    person.wait_settled()
    assert system.slack.faults() == []
    assert _posts(system) - before == 2  # the refused post and the one after Retry-After
    [row] = person.deliveries()
    assert (row["state"], row["attempts"], row["ts"]) == ("sent", 2, reply["ts"])
    asked = datetime.fromisoformat(person.messages()[0]["posted_at"])
    answered = datetime.fromisoformat(reply["posted_at"])
    assert (answered - asked).total_seconds() >= 3, (asked, answered)
    assert len(person.bot_messages()) == 1


def test_a_permanent_error_is_not_retried_and_recorded(system: System) -> None:
    person = SlackPerson.new(system)
    before = _posts(system)
    system.slack.fault("chat.postMessage", error="channel_not_found")
    sent = person.say(SEED, wait=True)
    person.wait_settled()
    [row] = person.deliveries()
    assert (row["state"], row["last_error"], row["attempts"]) == ("failed", "channel_not_found", 1)
    assert person.bot_messages() == []
    # The conversation is not stuck behind the failed post; and that post is never tried again.
    again = person.say(SEED, wait=True)
    person.wait_for_bot(_is_connect_link, after_ts=again["ts"])
    person.wait_settled()
    # Sent: the notice that the new request replaces the first one, then its link.
    assert [r["state"] for r in person.deliveries()] == ["failed", "sent", "sent"]
    assert _posts(system) - before == 3
    assert float(again["ts"]) > float(sent["ts"])


def test_two_routers_share_the_queue_without_double_sends(system: System) -> None:
    replica = start_router_replica(system)
    try:
        urls = [system.url("router") + "/slack/events", replica + "/slack/events"]
        before = _posts(system)
        people = [SlackPerson.new(system) for _ in range(6)]
        sent = []
        for index, person in enumerate(people):
            # Behind Slack's load balancer: each event reaches one replica, and its duplicate
            # (a Slack retry) the other one.
            first = person.say(SEED, url=urls[index % 2])
            system.slack.redeliver(first["event_id"], url=urls[(index + 1) % 2], retry_num=1)
            sent.append(first)
        for person, first in zip(people, sent, strict=True):
            person.wait_for_bot(_is_connect_link, after_ts=first["ts"], timeout=60)
        for person, first in zip(people, sent, strict=True):
            person.wait_settled()
            assert len(person.bot_messages()) == 1, [message_text(m) for m in person.messages()]
            assert [(r["state"], r["attempts"]) for r in person.deliveries()] == [("sent", 1)]
            assert _inbox(system, first["event_id"]) == {"state": "done", "deliveries": 2}
        assert _posts(system) - before == len(people)
        replica_log = system.logs_of("router-2")
        assert "slack event received" in replica_log  # the replica did take events
    finally:
        system.kill("router-2")
