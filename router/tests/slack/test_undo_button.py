"""[되돌리기] in Slack: a Block Kit button under the ✅ reply; pressed, the event is taken
back, the ✅ message loses its button and says so, and a second press does nothing."""

import pytest

from router_service.conversations.models import Channel, Direction, Message
from router_service.pending.models import ActionState, PendingAction
from router_service.slack.blocks import decision_of, render

pytestmark = pytest.mark.db


def buttons(message) -> dict[str, dict]:
    return {
        element["action_id"]: element
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    }


def context(message) -> list[str]:
    return [
        element["text"]
        for block in message["blocks"]
        if block["type"] == "context"
        for element in block["elements"]
    ]


RESULT = {
    "kind": "result",
    "action_id": 9,
    "link": {"url": "https://calendar.test/event?eid=ev1", "label": "캘린더에서 보기"},
    "undo": {"decision": "undo", "label": "되돌리기", "until": "2025-11-14T10:10:00+09:00"},
}


@pytest.fixture
def slack_api_url(slack_emulator):
    return slack_emulator.api_url


def _message(payload: dict) -> Message:
    return Message(
        channel=Channel.slack,
        conversation_key="slack:T:D",
        direction=Direction.outbound,
        text="✅ 등록했어요: 11월 15일(토) 오후 3:00–4:00 「팀 미팅」",
        payload=payload,
    )


def test_a_done_result_has_the_undo_button_and_then_says_what_became_of_it():
    _, blocks = render(_message(RESULT), ActionState.done)
    undo = blocks[1]["elements"][0]
    assert (undo["action_id"], undo["value"], undo["text"]["text"]) == ("undo", "9", "되돌리기")
    assert decision_of("undo") == ("undo", None)
    for state, label in (
        (ActionState.undoing, "⏳ 되돌리고 있어요"),
        (ActionState.undone, "↩️ 되돌렸어요"),
    ):
        _, blocks = render(_message(RESULT), state)
        assert [b["type"] for b in blocks] == ["section", "context", "actions"]
        assert blocks[1]["elements"][0]["text"] == label
        assert blocks[2]["elements"][0]["action_id"] == "open_link"
    _, blocks = render(_message({k: v for k, v in RESULT.items() if k != "undo"}), ActionState.done)
    assert [b["type"] for b in blocks] == ["section", "actions"]  # the link only


async def test_undo_button_deletes_the_event_and_updates_the_result(
    drain,
    sender,
    slack_event,
    slack_app,
    slack_user,
    slack_emulator,
    press_payload,
    fake_calendar,
    rows,
):
    user, dm = slack_user("alice")
    await sender.event(slack_event("11월 15일 오후 3시 팀 미팅", user=user, channel=dm))
    await drain(slack_app)
    proposal = slack_emulator.control.messages(dm)[-1]
    approve = buttons(proposal)["approve"]
    await sender.press(
        press_payload(
            action_id="approve",
            value=approve["value"],
            message_ts=proposal["ts"],
            channel=dm,
            user=user,
        )
    )
    await drain(slack_app)
    result = slack_emulator.control.messages(dm)[-1]
    assert result["text"].startswith("✅ 등록했어요")
    undo = buttons(result)["undo"]
    assert undo["text"]["text"] == "되돌리기"

    for _ in range(2):  # a double click: the second finds it undone and says nothing
        payload = press_payload(
            action_id="undo", value=undo["value"], message_ts=result["ts"], channel=dm, user=user
        )
        assert (await sender.press(payload)).status_code == 200
        await drain(slack_app)
    assert [e for events in fake_calendar.events.values() for e in events.values()] == []
    assert len(fake_calendar.delete_calls) == 1
    messages = slack_emulator.control.messages(dm)
    shown = next(m for m in messages if m["ts"] == result["ts"])
    assert "undo" not in buttons(shown) and context(shown) == ["↩️ 되돌렸어요"]
    undone = messages[-1]
    assert undone["text"] == "↩️ 되돌렸어요. 11월 15일(토) 오후 3:00–4:00 「팀 미팅」을 삭제했어요."
    assert [m["text"] for m in messages].count(undone["text"]) == 1
    [action] = await rows(slack_app, PendingAction)
    assert action.state == ActionState.undone


async def test_undo_button_takes_back_several_events_made_by_one_approval(
    drain, sender, slack_event, slack_app, slack_user, slack_emulator, press_payload, fake_calendar
):
    user, dm = slack_user("alice")
    await sender.event(
        slack_event("내일 오전 9시 스탠드업\n모레 오후 3시 치과", user=user, channel=dm)
    )
    await drain(slack_app)
    proposal = slack_emulator.control.messages(dm)[-1]
    assert proposal["text"].startswith("일정 2개를 등록할까요?")

    async def press(message, action_id: str) -> None:
        value = buttons(message)[action_id]["value"]
        payload = press_payload(
            action_id=action_id, value=value, message_ts=message["ts"], channel=dm, user=user
        )
        assert (await sender.press(payload)).status_code == 200
        await drain(slack_app)

    await press(proposal, "approve")
    result = slack_emulator.control.messages(dm)[-1]
    assert result["text"].startswith("✅ 2개 등록했어요")
    assert len([e for events in fake_calendar.events.values() for e in events.values()]) == 2
    await press(result, "undo")
    assert [e for events in fake_calendar.events.values() for e in events.values()] == []
    undone = slack_emulator.control.messages(dm)[-1]
    assert undone["text"].startswith("↩️ 되돌렸어요. 일정 2개를 삭제했어요")
    shown = next(m for m in slack_emulator.control.messages(dm) if m["ts"] == result["ts"])
    assert "undo" not in buttons(shown) and context(shown) == ["↩️ 되돌렸어요"]
