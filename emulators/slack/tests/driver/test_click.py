"""Button clicks: a signed block_actions payload built from the stored message's blocks."""

import json
from urllib.parse import parse_qs

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier

PROPOSAL = [
    {
        "type": "section",
        "block_id": "proposal",
        "text": {"type": "mrkdwn", "text": "11월 24일(월) 10:00–11:00 「검진」을 등록할까요?"},
    },
    {
        "type": "actions",
        "block_id": "decide",
        "elements": [
            {
                "type": "button",
                "action_id": "approve",
                "value": "action-42",
                "style": "primary",
                "text": {"type": "plain_text", "text": "등록"},
            },
            {
                "type": "button",
                "action_id": "reject",
                "value": "action-42",
                "text": {"type": "plain_text", "text": "취소"},
            },
        ],
    },
]


@pytest.fixture
def proposal(sync_client, minji) -> dict:
    return sync_client.chat_postMessage(
        channel=minji["id"], text="등록할까요?", blocks=PROPOSAL
    ).data


def _payloads(receiver) -> list[tuple[dict, dict]]:
    found = []
    for request in receiver.received("/interactivity"):
        form = parse_qs(request["body"].decode())
        found.append((request, json.loads(form["payload"][0])))
    return found


def test_a_click_posts_a_signed_block_actions_payload(wired, receiver, helpers, minji, proposal):
    answer = wired.control.click(minji["id"], proposal["channel"], proposal["ts"], "approve")
    assert answer["status"] == 200
    [(request, payload)] = _payloads(receiver)
    headers = request["headers"]
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    assert SignatureVerifier(helpers.SIGNING_SECRET).is_valid(
        body=request["body"],
        timestamp=headers["x-slack-request-timestamp"],
        signature=headers["x-slack-signature"],
    )
    assert payload["type"] == "block_actions"
    assert payload["user"]["id"] == minji["id"] and payload["user"]["team_id"] == "T0HARU0001"
    assert payload["team"]["id"] == "T0HARU0001"
    assert payload["container"] == {
        "type": "message",
        "message_ts": proposal["ts"],
        "channel_id": proposal["channel"],
        "is_ephemeral": False,
    }
    assert payload["channel"]["id"] == proposal["channel"]
    assert payload["message"]["ts"] == proposal["ts"]
    assert payload["message"]["blocks"] == proposal["message"]["blocks"]
    assert payload["trigger_id"] and payload["response_url"].startswith(wired.base_url)
    [action] = payload["actions"]
    assert action["action_id"] == "approve" and action["value"] == "action-42"
    assert action["block_id"] == "decide" and action["type"] == "button"
    assert action["text"] == {"type": "plain_text", "text": "등록"}
    assert float(action["action_ts"]) > 0


def test_a_click_is_never_retried(wired, receiver, helpers, minji, proposal):
    receiver.reset(plan=[helpers.Step(status=500)], path="/interactivity")
    answer = wired.control.click(minji["id"], proposal["channel"], proposal["ts"], "reject")
    assert answer["status"] == 500
    assert len(_payloads(receiver)) == 1


def test_a_slow_click_answer_is_a_timeout(wired, receiver, helpers, minji, proposal):
    receiver.reset(plan=[helpers.Step(delay=1.0)], path="/interactivity")
    answer = wired.control.click(
        minji["id"], proposal["channel"], proposal["ts"], "approve", ack_timeout_seconds=0.2
    )
    assert answer["status"] is None and answer["error"] == "http_timeout"


def test_the_value_picks_among_buttons(wired, receiver, minji, proposal):
    answer = wired.control.click(
        minji["id"], proposal["channel"], proposal["ts"], "approve", value="action-42"
    )
    assert answer["status"] == 200
    [(_, payload)] = _payloads(receiver)
    assert payload["actions"][0]["action_id"] == "approve"


@pytest.mark.parametrize(("action_id", "value"), [("delete", None), ("approve", "action-43")])
def test_no_such_button(wired, receiver, minji, proposal, action_id, value):
    body = {
        "user": minji["id"],
        "channel": proposal["channel"],
        "ts": proposal["ts"],
        "action_id": action_id,
    }
    if value:
        body["value"] = value
    answer = httpx.post(wired.base_url + "/emulator/driver/click", json=body)
    assert (answer.status_code, answer.json()) == (409, {"error": "no_such_button"})
    assert _payloads(receiver) == []


def test_a_button_removed_by_chat_update_cannot_be_clicked(sync_client, wired, minji, proposal):
    sync_client.chat_update(channel=proposal["channel"], ts=proposal["ts"], text="✅ 등록됨")
    answer = httpx.post(
        wired.base_url + "/emulator/driver/click",
        json={
            "user": minji["id"],
            "channel": proposal["channel"],
            "ts": proposal["ts"],
            "action_id": "approve",
        },
    )
    assert answer.status_code == 409


def test_unknown_message(wired, minji, proposal):
    answer = httpx.post(
        wired.base_url + "/emulator/driver/click",
        json={"user": minji["id"], "channel": proposal["channel"], "ts": "1.1", "action_id": "a"},
    )
    assert (answer.status_code, answer.json()) == (404, {"error": "message_not_found"})


def test_an_accessory_button_is_found(sync_client, wired, receiver, minji):
    blocks = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "구글 캘린더를 연결해 주세요"},
            "accessory": {
                "type": "button",
                "action_id": "connect",
                "text": {"type": "plain_text", "text": "연결"},
            },
        }
    ]
    posted = sync_client.chat_postMessage(channel=minji["id"], text="연결", blocks=blocks)
    answer = wired.control.click(minji["id"], posted["channel"], posted["ts"], "connect")
    assert answer["status"] == 200
    [(_, payload)] = _payloads(receiver)
    assert payload["actions"][0]["block_id"] == posted["message"]["blocks"][0]["block_id"]


def test_response_url_replaces_the_original(wired, receiver, minji, proposal):
    wired.control.click(minji["id"], proposal["channel"], proposal["ts"], "approve")
    [(_, payload)] = _payloads(receiver)
    answer = httpx.post(
        payload["response_url"], json={"replace_original": True, "text": "✅ 등록됨"}
    )
    assert answer.json() == {"ok": True}
    [stored] = wired.control.messages(proposal["channel"])
    assert stored["text"] == "✅ 등록됨" and stored["blocks"] == []
    assert wired.control.calls()["response_url"] == 1
