"""Undo end to end: [되돌리기] in the web chat and in Slack, and "되돌려줘", through the real
router, auth-server and skill-calendar, each checked in the Google emulator's state.

A create is deleted, an update patched back (location and description untouched), a delete
made again with the same details; a second click, even at the same moment, writes nothing
more.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from harness import ChatUser, System, connected_user, proposal_of, start_router_replica
from slack_person import SlackPerson, has_button, message_text, slack_button

SEOUL = ZoneInfo("Asia/Seoul")


def _day(days: int) -> tuple[datetime, str]:
    """Midnight in Seoul ``days`` from today, and how a person names that day."""
    day = datetime.now(SEOUL).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, tzinfo=SEOUL), f"{day.month}월 {day.day}일"


def _approve(user: ChatUser, text: str) -> dict:
    """Says ``text``, presses the proposal's button; the ✅ reply."""
    proposal = proposal_of(user.say(text))
    replies = user.decide(proposal["payload"]["action_id"])
    [done] = [m for m in replies if m["text"].startswith("✅")]
    assert done["payload"]["undo"]["label"] == "되돌리기", done
    return done


def _instant(google_time: dict) -> datetime:
    return datetime.fromisoformat(google_time["dateTime"])


@pytest.mark.parametrize("stack", ["system", "sqlite_system"])
def test_web_chat_undo_of_a_create_an_update_and_a_delete(request, stack: str) -> None:
    system: System = request.getfixturevalue(stack)
    if stack == "system":
        system.ensure_running()
    user = connected_user(system)
    midnight, day = _day(5)

    # A create, undone by its button: the event is gone; a second click does nothing.
    done = _approve(user, f"{day} 오후 3시 팀 회고")
    assert len(system.google.live_events(user.email, "팀 회고")) == 1
    action_id = done["payload"]["action_id"]
    [undone] = user.decide(action_id, "undo")
    assert undone["text"].startswith("↩️ 되돌렸어요.") and "「팀 회고」" in undone["text"]
    assert system.google.live_events(user.email, "팀 회고") == []
    assert user.decide(action_id, "undo") == []

    # Another person (each chat session may send ten messages at once, then one per 2 s).
    user = connected_user(system)
    # An event with details only Google holds (made through skill-calendar directly).
    start = midnight + timedelta(hours=15)
    with httpx.Client(
        base_url=system.url("skill-calendar"),
        headers=system.headers("router", "skill-calendar"),
        timeout=30,
    ) as calendar:
        made = calendar.post(
            f"/v1/users/{user.user_id}/events",
            json={
                "title": "치과",
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=30)).isoformat(),
                "location": "강남역 3번 출구",
                "description": "스케일링, 보험증 지참",
            },
            headers={"Idempotency-Key": f"undo-e2e-{user.user_id}"},
        )
    assert made.status_code == 201, made.text

    # An update, undone by words: back at 15:00–15:30, the rest untouched.
    _approve(user, f"{day} 치과 5시로 바꿔줘")
    [moved] = system.google.live_events(user.email, "치과")
    assert _instant(moved["start"]) == start + timedelta(hours=2)
    [undone] = user.say("되돌려줘")
    assert undone["text"].startswith("↩️ 되돌렸어요. 원래대로 돌려놓았어요")
    [back] = system.google.live_events(user.email, "치과")
    assert (_instant(back["start"]), _instant(back["end"])) == (
        start,
        start + timedelta(minutes=30),
    )
    assert (back["location"], back["description"]) == ("강남역 3번 출구", "스케일링, 보험증 지참")

    # A delete, undone by two clicks at once: one event again, with the same details.
    done = _approve(user, f"{day} 치과 삭제해줘")
    assert system.google.live_events(user.email, "치과") == []
    with ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(lambda _: user.decide(done["payload"]["action_id"], "undo"), [1, 2])
        )
    said = [m["text"] for replies in answers for m in replies]
    assert len([t for t in said if t.startswith("↩️ 되돌렸어요. 다시 등록했어요")]) == 1, said
    [again] = system.google.live_events(user.email, "치과")
    assert (_instant(again["start"]), _instant(again["end"])) == (
        start,
        start + timedelta(minutes=30),
    )
    assert (again["location"], again["description"]) == ("강남역 3번 출구", "스케일링, 보험증 지참")
    assert again["id"] != back["id"]

    # An undo is not undone: "되돌려줘" now says so and changes nothing.
    [reply] = user.say("되돌려줘")
    assert reply["text"] == "이미 되돌렸어요."
    assert len(system.google.live_events(user.email, "치과")) == 1


def test_two_router_replicas_undo_a_delete_once(system: System) -> None:
    """The same [되돌리기] pressed at once in two tabs that reach two replicas: the deleted
    event is made again once, and one reply says so."""
    user = connected_user(system)
    _, day = _day(7)
    _approve(user, f"{day} 오전 11시 강남역에서 고객 미팅")
    done = _approve(user, f"{day} 고객 미팅 삭제해줘")
    assert system.google.live_events(user.email, "고객 미팅") == []
    replica = start_router_replica(system, "router-undo")
    try:
        # The second tab: the same chat session (cookie), through the other replica.
        with httpx.Client(base_url=replica, cookies=user.http.cookies, timeout=60) as other:
            url = f"/api/chat/actions/{done['payload']['action_id']}/decision"
            with ThreadPoolExecutor(2) as pool:
                answers = list(
                    pool.map(
                        lambda client: client.post(url, json={"decision": "undo"}),
                        [user.http, other],
                    )
                )
    finally:
        system.kill("router-undo")
    assert [a.status_code for a in answers] == [200, 200]
    said = [m["text"] for a in answers for m in a.json()["messages"] if m["role"] == "assistant"]
    assert len([t for t in said if t.startswith("↩️ 되돌렸어요. 다시 등록했어요")]) == 1, said
    [again] = system.google.live_events(user.email, "고객 미팅")
    assert again["location"] == "강남역"


def test_slack_undo_button_and_words(system: System) -> None:
    person = SlackPerson.new(system)
    person.connect()
    _, day = _day(6)

    def approve(text: str) -> dict:
        sent = person.say(text)
        proposal = person.wait_for_bot(
            lambda m: has_button(m, "approve"),
            after_ts=sent["ts"],
        )
        assert person.press(proposal, "approve")["status"] == 200
        return person.wait_for_bot(
            lambda m: m["text"].startswith("✅ 등록했어요"), after_ts=proposal["ts"]
        )

    done = approve(f"{day} 오후 4시 주간 회의")
    assert len(system.google.live_events(person.email, "주간 회의")) == 1
    assert slack_button(done, "undo")["text"]["text"] == "되돌리기"
    assert person.press(done, "undo")["status"] == 200
    reply = person.wait_for_bot(
        lambda m: m["text"].startswith("↩️ 되돌렸어요."), after_ts=done["ts"]
    )
    assert "「주간 회의」" in reply["text"]
    assert system.google.live_events(person.email, "주간 회의") == []
    # The ✅ message loses its button and says what became of it.
    shown = person.wait_for_bot(
        lambda m: m["ts"] == done["ts"] and "↩️ 되돌렸어요" in message_text(m)
    )
    assert not has_button(shown, "undo")

    # Typed, in Slack: "방금 거 취소해줘" takes the newest create back.
    done = approve(f"{day} 오후 6시 저녁 약속")
    assert len(system.google.live_events(person.email, "저녁 약속")) == 1
    sent = person.say("방금 거 취소해줘")
    person.wait_for_bot(lambda m: m["text"].startswith("↩️ 되돌렸어요."), after_ts=sent["ts"])
    assert system.google.live_events(person.email, "저녁 약속") == []
    assert len(system.google.live_events(person.email, "주간 회의")) == 0
