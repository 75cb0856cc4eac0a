"""Block Kit rendering of stored messages, with the live state of their actions."""

from router_service.conversations.models import Channel, Direction, Message
from router_service.pending.models import ActionState
from router_service.slack.blocks import decision_of, render

PROPOSAL = {
    "kind": "proposal",
    "action_id": 7,
    "buttons": [
        {"decision": "approve", "label": "삭제", "style": "primary"},
        {"decision": "reject", "label": "취소"},
    ],
}


def message(text: str, payload: dict | None = None) -> Message:
    return Message(
        channel=Channel.slack,
        conversation_key="slack:T:D",
        direction=Direction.outbound,
        text=text,
        payload=payload,
    )


def kinds(blocks):
    return [b["type"] for b in blocks]


def test_an_open_proposal_has_its_buttons_valued_with_the_action_id():
    text, blocks = render(message("「회의」를 삭제할까요?", PROPOSAL), ActionState.proposed)
    assert text == "「회의」를 삭제할까요?"
    assert kinds(blocks) == ["section", "actions"]
    approve, reject = blocks[1]["elements"]
    assert approve == {
        "type": "button",
        "action_id": "approve",
        "text": {"type": "plain_text", "text": "삭제"},
        "value": "7",
        "style": "primary",
    }
    assert (reject["action_id"], reject["value"], "style" in reject) == ("reject", "7", False)


def test_an_answered_proposal_shows_the_outcome_and_no_buttons():
    outcomes = {
        ActionState.done: "✅ 삭제됨",
        ActionState.rejected: "취소했어요",
        ActionState.expired: "⌛ 확인 시간이 지나 만료됐어요",
        ActionState.executing: "⏳ 처리하고 있어요",
    }
    for state, label in outcomes.items():
        _, blocks = render(message("「회의」를 삭제할까요?", PROPOSAL), state)
        assert kinds(blocks) == ["section", "context"]
        assert blocks[1]["elements"][0]["text"] == label


def test_choices_become_numbered_buttons_until_one_is_chosen():
    payload = {
        "kind": "choice",
        "action_id": 3,
        "choices": [{"choice": 1, "label": "10:00 회의"}, {"choice": 2, "label": "15:00 회의"}],
    }
    _, blocks = render(message("어느 것을 삭제할까요?", payload), ActionState.awaiting_choice)
    assert [(e["action_id"], e["text"]["text"], e["value"]) for e in blocks[1]["elements"]] == [
        ("choose_1", "1번", "3"),
        ("choose_2", "2번", "3"),
    ]
    _, chosen = render(message("어느 것을 삭제할까요?", payload), ActionState.proposed)
    assert kinds(chosen) == ["section", "context"]


def test_a_connect_link_is_a_url_button_and_part_of_the_fallback_text():
    payload = {
        "kind": "connect",
        "action_id": 1,
        "link": {"url": "http://a.test/c/1", "label": "연결하기"},
    }
    text, blocks = render(message("연결해 주세요.", payload), ActionState.awaiting_auth)
    assert text == "연결해 주세요.\n<http://a.test/c/1|연결하기>"
    [button] = blocks[-1]["elements"]
    assert (button["url"], button["style"], "value" in button) == (
        "http://a.test/c/1",
        "primary",
        False,
    )


def test_text_is_escaped_and_long_text_split_into_sections():
    text, blocks = render(message("A&B <script> " + "가" * 3500), None)
    assert text.startswith("A&amp;B &lt;script&gt; ")
    assert kinds(blocks) == ["section", "section"]
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks)


def test_only_our_buttons_are_decisions():
    assert decision_of("approve") == ("approve", None)
    assert decision_of("reject") == ("reject", None)
    assert decision_of("choose_12") == ("choose", 12)
    assert decision_of("choose_x") is None
    assert decision_of("open_link") is None


def test_a_scope_question_is_three_labelled_buttons_until_answered():
    from router_service.dialogue.series import scope_payload

    payload = scope_payload(9)
    question = message(
        "「영어 스터디」는 매주 화요일 반복 일정이에요. 어느 일정을 삭제할까요?", payload
    )
    _, blocks = render(question, ActionState.awaiting_scope)
    assert kinds(blocks) == ["section", "actions"]
    assert [(e["action_id"], e["text"]["text"], e["value"]) for e in blocks[1]["elements"]] == [
        ("choose_1", "이번만", "9"),
        ("choose_2", "이후 전부", "9"),
        ("choose_3", "전체", "9"),
    ]
    assert [decision_of(e["action_id"]) for e in blocks[1]["elements"]] == [
        ("choose", 1),
        ("choose", 2),
        ("choose", 3),
    ]
    _, answered = render(question, ActionState.proposed)
    assert kinds(answered) == ["section", "context"]
    _, dropped = render(question, ActionState.superseded)
    assert dropped[1]["elements"][0]["text"] == "다른 요청으로 바뀌었어요"


def test_occurrences_in_a_listing_carry_the_repeat_mark():
    text, blocks = render(message("11월 18일(화) 일정:\n• 19:00 영어 스터디 ↻"), None)
    assert "영어 스터디 ↻" in text and "↻" in blocks[0]["text"]["text"]
