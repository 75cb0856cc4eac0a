"""The driver delivers event_callbacks like Slack: signed, retried with Slack's headers."""

import json

import httpx
from slack_sdk.signature import SignatureVerifier

from shared.processes import free_port
from slack_emulator.testing import SlackEmulatorProcess


def _events(receiver) -> list[dict]:
    return [
        {"headers": r["headers"], "raw": r["body"], "json": json.loads(r["body"])}
        for r in receiver.received("/events")
    ]


def _verify(helpers, request: dict) -> bool:
    return SignatureVerifier(helpers.SIGNING_SECRET).is_valid(
        body=request["raw"],
        timestamp=request["headers"]["x-slack-request-timestamp"],
        signature=request["headers"]["x-slack-signature"],
    )


def test_a_dm_is_delivered_as_a_signed_message_im_event(wired, receiver, helpers, minji):
    sent = wired.control.send_message(minji["id"], "11월 24일 검진 오전 10시", wait=True)
    [request] = _events(receiver)
    assert _verify(helpers, request)
    assert request["headers"]["content-type"] == "application/json"
    assert "x-slack-retry-num" not in request["headers"]
    envelope = request["json"]
    assert envelope["type"] == "event_callback"
    assert envelope["event_id"] == sent["event_id"] and sent["event_id"].startswith("Ev")
    assert envelope["team_id"] == "T0HARU0001"
    assert envelope["api_app_id"].startswith("A")
    assert envelope["authorizations"][0]["user_id"] == "U0HARUBOT1"
    assert isinstance(envelope["event_time"], int)
    event = envelope["event"]
    assert event["type"] == "message" and event["channel_type"] == "im"
    assert event["user"] == minji["id"]
    assert event["text"] == "11월 24일 검진 오전 10시"
    assert event["ts"] == event["event_ts"] == sent["ts"]
    assert event["channel"] == sent["channel"] and sent["channel"].startswith("D")
    assert event["client_msg_id"]
    assert "bot_id" not in event and "subtype" not in event
    assert sent["deliveries"] == [
        {
            "attempt": 0,
            "status": 200,
            "reason": None,
            "elapsed_ms": sent["deliveries"][0]["elapsed_ms"],
        }
    ]
    [stored] = wired.control.messages(sent["channel"])
    assert stored["user"] == minji["id"] and stored["text"] == event["text"]


def test_the_signature_fails_with_another_secret(wired, receiver, minji):
    wired.control.send_message(minji["id"], "x", wait=True)
    [request] = _events(receiver)
    assert not SignatureVerifier("another-secret").is_valid(
        body=request["raw"],
        timestamp=request["headers"]["x-slack-request-timestamp"],
        signature=request["headers"]["x-slack-signature"],
    )


def test_the_dm_is_the_one_the_bot_posts_to(sync_client, wired, receiver, minji):
    sent = wired.control.send_message(minji["id"], "안녕", wait=True)
    assert sync_client.conversations_open(users=minji["id"])["channel"]["id"] == sent["channel"]


def test_a_slow_ack_is_retried_with_the_same_event_id(wired, receiver, helpers, minji):
    receiver.reset(plan=[helpers.Step(delay=2.0), helpers.Step()])
    sent = wired.control.send_message(minji["id"], "느린 첫 배달", wait=True)
    requests = _events(receiver)
    assert [r["json"]["event_id"] for r in requests] == [sent["event_id"]] * 2
    assert requests[1]["headers"]["x-slack-retry-num"] == "1"
    assert requests[1]["headers"]["x-slack-retry-reason"] == "http_timeout"
    assert all(_verify(helpers, r) for r in requests)
    first, second = sent["deliveries"]
    assert (first["attempt"], first["status"], first["reason"]) == (0, None, "http_timeout")
    assert (second["attempt"], second["status"], second["reason"]) == (1, 200, None)
    late = helpers.wait_until(
        lambda: wired.control.deliveries(sent["event_id"])["deliveries"][0].get("late_status")
    )
    assert late == 200


def test_errors_are_retried_up_to_three_times(wired, receiver, helpers, minji):
    receiver.reset(plan=[helpers.Step(status=500)] * 5)
    sent = wired.control.send_message(minji["id"], "x", wait=True)
    requests = _events(receiver)
    assert len(requests) == 4
    assert [r["headers"].get("x-slack-retry-num") for r in requests] == [None, "1", "2", "3"]
    assert {r["headers"].get("x-slack-retry-reason") for r in requests[1:]} == {"http_error"}
    assert [d["status"] for d in sent["deliveries"]] == [500] * 4
    assert sent["done"] is True


def test_a_retry_that_succeeds_stops_the_retries(wired, receiver, helpers, minji):
    receiver.reset(plan=[helpers.Step(status=503), helpers.Step(status=201)])
    sent = wired.control.send_message(minji["id"], "x", wait=True)
    assert [d["status"] for d in sent["deliveries"]] == [503, 201]
    assert len(_events(receiver)) == 2


def test_x_slack_no_retry_turns_retries_off(wired, receiver, helpers, minji):
    receiver.reset(plan=[helpers.Step(status=500, headers={"X-Slack-No-Retry": "1"})])
    sent = wired.control.send_message(minji["id"], "x", wait=True)
    assert len(_events(receiver)) == 1
    assert [d["reason"] for d in sent["deliveries"]] == ["http_error"]


def test_retry_delays_can_be_given_per_message(wired, receiver, helpers, minji):
    receiver.reset(plan=[helpers.Step(status=500)] * 3)
    sent = wired.control.send_message(minji["id"], "x", retry_delays_seconds=[0], wait=True)
    assert len(sent["deliveries"]) == 2


def test_without_wait_the_answer_comes_before_the_deliveries_end(wired, receiver, helpers, minji):
    receiver.reset(plan=[helpers.Step(delay=0.5)])
    sent = wired.control.send_message(minji["id"], "x", ack_timeout_seconds=3)
    assert sent["done"] is False
    record = helpers.wait_until(
        lambda: (r := wired.control.deliveries(sent["event_id"]))["done"] and r
    )
    assert [d["status"] for d in record["deliveries"]] == [200]


def test_an_edit_is_a_message_changed_event(wired, receiver, minji):
    sent = wired.control.send_message(minji["id"], "내일 3시 회의", wait=True)
    edited = wired.control.edit_message(
        minji["id"], sent["channel"], sent["ts"], "내일 4시 회의", wait=True
    )
    _, request = _events(receiver)
    event = request["json"]["event"]
    assert request["json"]["event_id"] == edited["event_id"] != sent["event_id"]
    assert event["type"] == "message" and event["subtype"] == "message_changed"
    assert event["hidden"] is True
    assert event["channel"] == sent["channel"] and event["channel_type"] == "im"
    assert event["message"]["ts"] == sent["ts"]
    assert event["message"]["text"] == "내일 4시 회의"
    assert event["message"]["edited"]["user"] == minji["id"]
    assert event["previous_message"]["text"] == "내일 3시 회의"
    assert event["ts"] == event["message"]["edited"]["ts"] != sent["ts"]
    [stored] = wired.control.messages(sent["channel"])
    assert stored["text"] == "내일 4시 회의" and stored["edited"] is True


def test_editing_someone_elses_message_is_refused(wired, receiver, minji):
    other = wired.control.add_user("jun")
    sent = wired.control.send_message(minji["id"], "x", wait=True)
    answer = httpx.post(
        wired.base_url + "/emulator/driver/edit",
        json={"user": other["id"], "channel": sent["channel"], "ts": sent["ts"], "text": "y"},
    )
    assert answer.status_code == 403
    assert answer.json() == {"error": "cant_update_message"}


def test_the_bots_own_dm_posts_come_back_as_bot_message_events(
    sync_client, receiver, helpers, minji
):
    posted = sync_client.chat_postMessage(channel=minji["id"], text="안녕하세요")
    sync_client.chat_update(channel=posted["channel"], ts=posted["ts"], text="수정")
    requests = helpers.wait_until(lambda: len(_events(receiver)) == 2 and _events(receiver))
    echo, changed = (r["json"]["event"] for r in requests)
    assert echo["bot_id"] == posted["message"]["bot_id"]
    assert echo["subtype"] == "bot_message"
    assert echo["user"] == "U0HARUBOT1" and echo["channel_type"] == "im"
    assert changed["subtype"] == "message_changed"
    assert changed["message"]["bot_id"] == echo["bot_id"]
    assert all(_verify(helpers, r) for r in requests)


def test_an_app_mention_in_a_channel(wired, receiver, minji):
    sent = wired.control.send_message(
        minji["id"], "이번 주 일정", channel="C0TEAM0001", kind="app_mention", wait=True
    )
    [request] = _events(receiver)
    event = request["json"]["event"]
    assert event["type"] == "app_mention"
    assert event["text"] == "<@U0HARUBOT1> 이번 주 일정"
    assert event["channel"] == "C0TEAM0001" == sent["channel"]


def test_unknown_user_or_channel(wired, receiver, minji):
    answer = httpx.post(
        wired.base_url + "/emulator/driver/message", json={"user": "U0NOBODY01", "text": "x"}
    )
    assert (answer.status_code, answer.json()) == (404, {"error": "user_not_found"})
    answer = httpx.post(
        wired.base_url + "/emulator/driver/message",
        json={"user": minji["id"], "text": "x", "channel": "D0NOTOPEN1"},
    )
    assert (answer.status_code, answer.json()) == (404, {"error": "channel_not_found"})
    assert _events(receiver) == []


def test_no_events_url_is_a_clear_error(slack_emulator):
    user = slack_emulator.control.add_user("minji")
    answer = httpx.post(
        slack_emulator.base_url + "/emulator/driver/message", json={"user": user["id"], "text": "x"}
    )
    assert (answer.status_code, answer.json()) == (409, {"error": "events_url_not_configured"})


def test_nobody_listening_is_connection_failed():
    env = {
        "SLACK_EMULATOR_EVENTS_URL": f"http://127.0.0.1:{free_port()}/slack/events",
        "SLACK_EMULATOR_RETRY_DELAYS_SECONDS": "0,0",
    }
    with SlackEmulatorProcess(env=env) as process:
        user = process.control.add_user("minji")
        sent = process.control.send_message(user["id"], "x", wait=True)
    assert [d["reason"] for d in sent["deliveries"]] == ["connection_failed"] * 3


def test_raw_sends_exactly_what_it_is_given(wired, receiver):
    answer = wired.control.raw(
        "events", '{"type":"url_verification"}', {"X-Slack-Signature": "v0=00", "X-Test": "1"}
    )
    assert answer["status"] == 200
    [request] = receiver.received("/events")
    assert request["body"] == b'{"type":"url_verification"}'
    assert request["headers"]["x-slack-signature"] == "v0=00"
    assert "x-slack-request-timestamp" not in request["headers"]


def test_redeliver_sends_the_same_body_again(wired, receiver, helpers, minji):
    sent = wired.control.send_message(minji["id"], "두 번", wait=True)
    again = wired.control.redeliver(sent["event_id"])
    retried = wired.control.redeliver(sent["event_id"], retry_num=2, retry_reason="http_error")
    assert again["status"] == 200 and again["redelivery"] is True
    assert again["body"] == ""
    first, second, third = _events(receiver)
    assert first["raw"] == second["raw"] == third["raw"]
    assert all(_verify(helpers, r) for r in (first, second, third))
    assert "x-slack-retry-num" not in second["headers"]
    assert third["headers"]["x-slack-retry-num"] == "2"
    assert third["headers"]["x-slack-retry-reason"] == "http_error"
    assert retried["attempt"] == 2
    assert len(wired.control.deliveries(sent["event_id"])["deliveries"]) == 3


def test_an_event_can_go_to_another_url(wired, receiver, minji):
    other = receiver.url + "/interactivity"  # any URL the receiver records
    sent = wired.control.send_message(minji["id"], "다른 곳", url=other, wait=True)
    assert sent["deliveries"][0]["status"] == 200
    assert receiver.received("/events") == []
    [request] = receiver.received("/interactivity")
    assert json.loads(request["body"])["event_id"] == sent["event_id"]


def test_redeliver_unknown_event(wired):
    answer = httpx.post(wired.base_url + "/emulator/driver/redeliver", json={"event_id": "EvNOPE"})
    assert (answer.status_code, answer.json()) == (404, {"error": "event_not_found"})
