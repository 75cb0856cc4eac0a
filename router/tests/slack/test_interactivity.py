"""Interactivity: proposal buttons decide through the dialogue core; the pressed message is
updated (outcome shown, buttons gone) and the replies are posted through the queue."""

import pytest

from router_service.pending.models import ActionState, PendingAction
from router_service.slack.models import InboxState, SlackInbox

pytestmark = pytest.mark.db

TEAM = "T0HARU0001"


@pytest.fixture
def slack_api_url(slack_emulator):
    return slack_emulator.api_url


@pytest.fixture
def dm_proposal(drain, sender, slack_event, slack_app, slack_user, slack_emulator):
    """A person's DM with Haru's proposal posted: ``await dm_proposal(text)``."""

    async def make(text: str = "11월 15일 오후 3시 팀 미팅", name: str = "alice"):
        user, dm = slack_user(name)
        response = await sender.event(slack_event(text, user=user, channel=dm))
        assert response.json()["status"] == "accepted"
        await drain(slack_app)
        posted = slack_emulator.control.messages(dm)[-1]
        return user, dm, posted

    return make


def press(press_payload, message, action_id: str, *, dm: str, user: str) -> dict:
    """The block_actions payload of pressing ``action_id`` under ``message``."""
    value = buttons(message)[action_id]["value"]
    return press_payload(
        action_id=action_id, value=value, message_ts=message["ts"], channel=dm, user=user
    )


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


async def test_approve_registers_the_event_updates_the_proposal_and_posts_the_result(
    drain, dm_proposal, sender, press_payload, slack_app, slack_emulator, fake_calendar, rows
):
    user, dm, proposal = await dm_proposal()
    response = await sender.press(press(press_payload, proposal, "approve", dm=dm, user=user))
    assert response.status_code == 200
    assert response.json() == {"ok": True, "status": "accepted"}
    [created] = [e for events in fake_calendar.events.values() for e in events.values()]
    assert created["title"] == "팀 미팅"
    await drain(slack_app)
    updated, result = slack_emulator.control.messages(dm)
    assert updated["ts"] == proposal["ts"] and updated["updates"] == 1
    assert buttons(updated) == {}
    assert context(updated) == ["✅ 등록됨"]
    assert result["text"].startswith("✅ 등록했어요: 11월 15일(토) 오후 3:00–4:00 「팀 미팅」")
    assert buttons(result)["open_link"]["url"] == created["html_link"]
    [action] = await rows(slack_app, PendingAction)
    assert action.state == ActionState.done


async def test_reject_cancels_and_says_so(
    drain, dm_proposal, sender, press_payload, slack_app, slack_emulator, fake_calendar
):
    user, dm, proposal = await dm_proposal()
    value = buttons(proposal)["reject"]["value"]
    await sender.press(
        press_payload(
            action_id="reject", value=value, message_ts=proposal["ts"], channel=dm, user=user
        )
    )
    await drain(slack_app)
    updated, reply = slack_emulator.control.messages(dm)
    assert context(updated) == ["취소했어요"] and buttons(updated) == {}
    assert reply["text"] == "취소했어요. 「팀 미팅」은 등록하지 않았어요."
    assert fake_calendar.create_calls == []


async def test_a_second_press_changes_nothing_and_writes_once(
    drain, dm_proposal, sender, press_payload, slack_app, slack_emulator, fake_calendar
):
    user, dm, proposal = await dm_proposal()
    value = buttons(proposal)["approve"]["value"]
    for _ in range(2):  # a double click: two interactions, two trigger ids
        payload = press_payload(
            action_id="approve", value=value, message_ts=proposal["ts"], channel=dm, user=user
        )
        assert (await sender.press(payload)).status_code == 200
    await drain(slack_app)
    texts = [m["text"] for m in slack_emulator.control.messages(dm)]
    assert len(texts) == 2 and texts[1].startswith("✅ 등록했어요")
    assert len(fake_calendar.create_calls) == 1


async def test_the_same_interaction_delivered_twice_is_worked_once(
    dm_proposal, sender, press_payload, slack_app, rows
):
    user, dm, proposal = await dm_proposal()
    value = buttons(proposal)["approve"]["value"]
    payload = press_payload(
        action_id="approve", value=value, message_ts=proposal["ts"], channel=dm, user=user
    )
    first, second = await sender.press(payload), await sender.press(payload)
    assert (first.json()["status"], second.json()["status"]) == ("accepted", "duplicate")
    [item] = [i for i in await rows(slack_app, SlackInbox) if i.id.startswith("action:")]
    assert (item.state, item.deliveries) == (InboxState.done, 2)


async def test_choice_buttons_pick_the_event_and_a_proposal_follows(
    drain,
    sender,
    slack_event,
    slack_app,
    slack_user,
    slack_emulator,
    fake_auth,
    fake_calendar,
    press_payload,
):
    user, dm = slack_user("alice")
    await sender.event(slack_event("안녕", user=user, channel=dm))  # creates the identity
    user_id = fake_auth.identities[("slack", f"{TEAM}:{user}")]
    for hour in (10, 15):
        fake_calendar.add_event(
            user_id,
            title="회의",
            start=f"2025-11-21T{hour}:00:00+09:00",
            end=f"2025-11-21T{hour + 1}:00:00+09:00",
        )
    await sender.event(slack_event("11월 21일 회의 삭제해줘", user=user, channel=dm))
    await drain(slack_app)
    choice = slack_emulator.control.messages(dm)[-1]
    assert set(buttons(choice)) == {"choose_1", "choose_2"}
    assert buttons(choice)["choose_2"]["text"]["text"] == "2번"
    value = buttons(choice)["choose_2"]["value"]
    await sender.press(
        press_payload(
            action_id="choose_2", value=value, message_ts=choice["ts"], channel=dm, user=user
        )
    )
    await drain(slack_app)
    *_, updated_choice, proposal = slack_emulator.control.messages(dm)
    assert updated_choice["ts"] == choice["ts"] and buttons(updated_choice) == {}
    assert "오후 3:00" in proposal["text"] and proposal["text"].endswith("삭제할까요?")
    assert set(buttons(proposal)) == {"approve", "reject"}


async def test_someone_elses_button_in_a_shared_channel_does_nothing(
    sender,
    slack_event,
    slack_app,
    slack_user,
    slack_emulator,
    press_payload,
    fake_calendar,
    rows,
):
    alice, _ = slack_user("alice")
    bob, _ = slack_user("bob")
    channel = "C0GENERAL1"
    envelope = slack_event(
        "<@U0HARUBOT1> 11월 15일 오후 3시 팀 미팅", kind="app_mention", user=alice, channel=channel
    )
    await sender.event(envelope)
    [action] = await rows(slack_app, PendingAction)
    payload = press_payload(
        action_id="approve",
        value=str(action.id),
        message_ts="1733000000.000001",
        channel=channel,
        user=bob,
    )
    assert (await sender.press(payload)).status_code == 200
    [action] = await rows(slack_app, PendingAction)
    assert action.state == ActionState.proposed
    assert fake_calendar.create_calls == []
    [item] = [i for i in await rows(slack_app, SlackInbox) if i.id.startswith("action:")]
    assert item.error_code == "dialogue.action_not_found"


async def test_a_link_button_click_is_acknowledged_and_ignored(
    sender, press_payload, slack_app, rows
):
    payload = press_payload(action_id="open_link", value="", message_ts="1733000000.000001")
    response = await sender.press(payload)
    assert response.json() == {"ok": True, "status": "ignored"}
    assert await rows(slack_app, SlackInbox) == []


async def test_an_approval_that_needed_reauth_ends_with_the_proposal_showing_done(
    drain,
    dm_proposal,
    sender,
    press_payload,
    slack_app,
    slack_emulator,
    fake_auth,
    auth_server_headers,
    grant_event,
):
    user, dm, proposal = await dm_proposal()
    user_id = fake_auth.identities[("slack", f"{TEAM}:{user}")]
    fake_auth.grant_states[user_id] = "needs_reauth"  # revoked between proposal and approval
    value = buttons(proposal)["approve"]["value"]
    payload = press_payload(
        action_id="approve", value=value, message_ts=proposal["ts"], channel=dm, user=user
    )
    await sender.press(payload)
    await drain(slack_app)
    waiting, connect = slack_emulator.control.messages(dm)
    assert context(waiting) == ["🔑 구글 캘린더 연결을 기다리고 있어요"]
    assert buttons(connect)["open_link"]["url"].startswith("http://auth.test/connect/")

    fake_auth.grant_states[user_id] = "active"
    event = grant_event(user_id, ref=value)
    response = await sender.client.post(
        "/internal/grant-events", json=event, headers=auth_server_headers
    )
    assert response.json() == {"status": "accepted"}
    await drain(slack_app)
    done, _, result = slack_emulator.control.messages(dm)
    assert result["text"].startswith("✅ 등록했어요")
    assert (done["ts"], done["updates"]) == (proposal["ts"], 2)
    assert context(done) == ["✅ 등록됨"]


async def test_a_day_button_keeps_the_time_of_the_request(
    dm_proposal, sender, slack_app, slack_emulator, press_payload, drain, fake_calendar
):
    """ "다음 주 중에 오후 3시 치과": the day button in Slack proposes 3 pm, not all day."""
    user, dm, question = await dm_proposal("다음 주 중에 오후 3시 치과 가야 돼")
    assert question["text"].startswith("「치과」는 오후 3:00, 어느 날로 할까요?")
    await sender.press(press(press_payload, question, "choose_2", dm=dm, user=user))
    await drain(slack_app)
    proposal = slack_emulator.control.messages(dm)[-1]
    assert proposal["text"].startswith("11월 18일(화) 오후 3:00–4:00 「치과」를 등록할까요?")
    await sender.press(press(press_payload, proposal, "approve", dm=dm, user=user))
    await drain(slack_app)
    [call] = fake_calendar.create_calls
    assert call["body"]["start"] == "2025-11-18T15:00:00+09:00"


async def test_a_day_button_keeps_the_reminder_of_the_request(
    dm_proposal, sender, slack_app, slack_emulator, press_payload, drain, fake_calendar
):
    """ "… 30분 전에 알려줘" asked with no day: the day button's proposal still reminds."""
    user, dm, question = await dm_proposal("다음 주 중에 오후 3시 치과 30분 전에 알려줘")
    await sender.press(press(press_payload, question, "choose_2", dm=dm, user=user))
    await drain(slack_app)
    proposal = slack_emulator.control.messages(dm)[-1]
    assert "30분 전에 알려드릴게요." in proposal["text"].splitlines()
    await sender.press(press(press_payload, proposal, "approve", dm=dm, user=user))
    await drain(slack_app)
    [call] = fake_calendar.create_calls
    assert call["body"]["reminder_minutes"] == [30]
