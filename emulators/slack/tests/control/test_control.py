"""The control API: users, the record of messages, deliveries, reset."""

import time

import httpx
from slack_sdk import WebClient


def test_users_are_validated(wired):
    bad_zone = httpx.post(wired.base_url + "/emulator/users", json={"name": "a", "tz": "Mars/Base"})
    assert bad_zone.status_code == 400
    the_bot = httpx.post(wired.base_url + "/emulator/users", json={"id": "U0HARUBOT1", "name": "x"})
    assert the_bot.status_code == 409
    bad_id = httpx.post(wired.base_url + "/emulator/users", json={"id": "D123", "name": "x"})
    assert bad_id.status_code == 422


def test_a_user_with_a_chosen_id(wired):
    user = wired.control.add_user("minji", user_id="U0MINJI001", tz="Asia/Seoul")
    assert user["id"] == "U0MINJI001"
    assert {u["id"] for u in wired.control.users()} == {"U0HARUBOT1", "U0MINJI001"}


def test_the_record_holds_the_whole_dm_in_order(wired, receiver, helpers):
    minji = wired.control.add_user("minji")
    jun = wired.control.add_user("jun")
    client = WebClient(token=helpers.BOT_TOKEN, base_url=wired.api_url)
    sent = wired.control.send_message(minji["id"], "내일 3시 회의", wait=True)
    client.chat_postMessage(channel=sent["channel"], text="등록할까요?")
    client.chat_postMessage(channel=jun["id"], text="안녕하세요")
    dm = wired.control.messages(sent["channel"])
    assert [(m["user"], m["text"]) for m in dm] == [
        (minji["id"], "내일 3시 회의"),
        ("U0HARUBOT1", "등록할까요?"),
    ]
    assert "bot_id" not in dm[0] and dm[1]["bot_id"]
    assert [m["text"] for m in wired.control.messages()] == [
        "내일 3시 회의",
        "등록할까요?",
        "안녕하세요",
    ]


def test_deliveries_are_listed(wired, receiver):
    minji = wired.control.add_user("minji")
    first = wired.control.send_message(minji["id"], "a", wait=True)
    second = wired.control.send_message(minji["id"], "b", wait=True)
    listed = {d["event_id"] for d in wired.control.all_deliveries()}
    assert {first["event_id"], second["event_id"]} <= listed
    unknown = httpx.get(wired.base_url + "/emulator/deliveries", params={"event_id": "EvNOPE"})
    assert (unknown.status_code, unknown.json()) == (404, {"error": "event_not_found"})


def test_reset_stops_pending_retries(wired, receiver, helpers):
    minji = wired.control.add_user("minji")
    receiver.reset(plan=[helpers.Step(status=500)] * 4)
    wired.control.send_message(minji["id"], "x", retry_delays_seconds=[1, 1, 1])
    helpers.wait_until(lambda: receiver.received("/events"))
    wired.control.reset()
    time.sleep(1.5)  # longer than the next retry delay: a retry would have arrived by now
    assert len(receiver.received("/events")) == 1
    assert wired.control.all_deliveries() == []
