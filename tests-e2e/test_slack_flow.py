"""The seed scenario in a Slack DM, with Block Kit buttons; and a person not yet connected who
gets the connect link, connects Google, and sees their request resume in Slack."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from harness import SEED, SEED_TITLE, System, connect_google, seed_events
from slack_person import SlackPerson, has_button, message_text, slack_buttons
from slack_sdk import WebClient


def _is_proposal(message: dict) -> bool:
    return f"「{SEED_TITLE}」" in message_text(message) and has_button(message, "approve")


def _approve(person: SlackPerson, proposal: dict) -> None:
    """Presses 등록 and sees the proposal lose its buttons and show ✅, and the ✅ reply."""
    clicked = person.press(proposal, "approve")
    assert clicked["status"] == 200, clicked
    updated = person.wait_for_bot(
        lambda m: m["ts"] == proposal["ts"] and m["updates"] >= 1 and "✅" in message_text(m)
    )
    assert updated["edited"] is True
    assert slack_buttons(updated) == []
    assert "등록됨" in message_text(updated)
    done = person.wait_for_bot(
        lambda m: message_text(m).startswith("✅") and SEED_TITLE in m["text"],
        after_ts=proposal["ts"],
    )
    assert "등록했어요" in done["text"]


def _assert_seed_event(system: System, email: str) -> None:
    events = seed_events(system, email)
    assert len(events) == 1, events
    assert events[0]["start"]["dateTime"].endswith("T07:40:00+09:00")
    assert events[0]["end"]["dateTime"].endswith("T12:00:00+09:00")
    assert events[0]["location"] == "인천 연수구 갯벌로156"


def test_seed_in_a_dm_through_buttons(system: System) -> None:
    person = SlackPerson.new(system)
    person.connect()
    sent = person.say(SEED)
    assert sent["channel"].startswith("D")
    proposal = person.wait_for_bot(_is_proposal, after_ts=sent["ts"])
    assert "11월 24일" in proposal["text"] and "7:40" in proposal["text"]
    assert not seed_events(system, person.email)  # nothing in Google before the approval
    _approve(person, proposal)
    _assert_seed_event(system, person.email)
    # Haru's own posts came back as bot events (ECHO_BOT_MESSAGES) and were not answered:
    # the DM holds the request, the proposal (updated in place) and the ✅ reply.
    person.wait_settled()
    senders = [m["user"] == person.user_id for m in person.messages()]
    assert senders == [True, False, False], [message_text(m) for m in person.messages()]


def test_a_double_click_creates_one_event(system: System) -> None:
    person = SlackPerson.new(system)
    person.connect()
    sent = person.say(SEED)
    proposal = person.wait_for_bot(_is_proposal, after_ts=sent["ts"])
    # Two presses at once (a double click): Slack sends both while the buttons are shown.
    with ThreadPoolExecutor(2) as pool:
        presses = list(pool.map(lambda _: person.press(proposal, "approve"), [1, 2]))
    assert [p["status"] for p in presses] == [200, 200], presses
    person.wait_for_bot(lambda m: "등록했어요" in m["text"], after_ts=proposal["ts"])
    person.wait_settled()
    _assert_seed_event(system, person.email)
    replies = [m for m in person.bot_messages(after_ts=proposal["ts"]) if "등록했어요" in m["text"]]
    assert len(replies) == 1, [m["text"] for m in person.bot_messages()]
    assert slack_buttons(_current(person, proposal)) == []


def _current(person: SlackPerson, message: dict) -> dict:
    return next(m for m in person.messages() if m["ts"] == message["ts"])


def test_a_new_slack_person_connects_and_the_request_resumes(system: System) -> None:
    person = SlackPerson.new(system)
    system.google.add_account(person.email)
    sent = person.say(SEED)
    connect = person.wait_for_bot(
        lambda m: any(b.get("url") for b in slack_buttons(m)), after_ts=sent["ts"]
    )
    assert "구글 캘린더" in message_text(connect)
    [link] = [b for b in slack_buttons(connect) if b.get("url")]
    assert link["url"].startswith(system.url("auth-server"))
    assert link["text"]["text"] == "구글 캘린더 연결하기"
    assert not seed_events(system, person.email)

    done = connect_google(system, link["url"], person.email)
    assert "Slack으로 돌아가세요" in done.text  # not the web chat (issue 16)
    assert system.url("router") not in done.text

    # The request resumes by itself in the DM: the proposal, with buttons, after the link.
    proposal = person.wait_for_bot(_is_proposal, after_ts=connect["ts"])
    _approve(person, proposal)
    _assert_seed_event(system, person.email)


def test_an_edit_is_not_answered_again(system: System) -> None:
    person = SlackPerson.new(system)
    sent = person.say(SEED)
    person.wait_for_bot(lambda m: any(b.get("url") for b in slack_buttons(m)), after_ts=sent["ts"])
    edited = system.slack.edit_message(
        person.user_id, sent["channel"], sent["ts"], SEED + " 오전", wait=True
    )
    assert [d["status"] for d in edited["deliveries"]] == [200]
    person.wait_settled()
    assert len(person.bot_messages()) == 1
    rows = system.databases.query(
        "router", "SELECT id FROM slack_inbox WHERE id = :id", id=edited["event_id"]
    )
    assert rows == []


def test_a_mention_in_a_channel_sends_the_connect_link_to_the_dm(system: System) -> None:
    person = SlackPerson.new(system)
    channel = "C" + person.user_id[1:]  # a team channel only this test uses
    system.sent_texts.add(SEED)
    sent = system.slack.send_message(
        person.user_id, SEED, channel=channel, kind="app_mention", wait=True
    )
    assert [d["status"] for d in sent["deliveries"]] == [200]
    bot = WebClient(
        token=system.keys.slack_bot_token, base_url=system.url("slack-emulator") + "/api/"
    )
    person.channel = bot.conversations_open(users=person.user_id)["channel"]["id"]
    link = person.wait_for_bot(lambda m: any(b.get("url") for b in slack_buttons(m)))
    [button] = [b for b in slack_buttons(link) if b.get("url")]
    # The link is the person's own: it is in their DM, never in the shared channel.
    assert all(button["url"] not in message_text(m) for m in system.slack.messages(channel))
