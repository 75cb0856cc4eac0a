"""Issue 18's everyday conversation through the whole system (real processes, the Google and
Slack emulators): several events in one message, questions, small talk, a long message,
vague days and clear time words — in the web chat and in a Slack DM, checked in Google's
state. Dates are computed from the real clock in Seoul, as the router reads them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from harness import ChatUser, System, connected_user, kind_of, proposal_of
from slack_person import SlackPerson, message_text, slack_buttons

SEOUL = ZoneInfo("Asia/Seoul")
CHATTER = (
    Path(__file__).resolve().parents[1] / "router" / "tests" / "nlu" / "data" / "chatter.txt"
).read_text("utf-8")


def _today() -> date:
    return datetime.now(SEOUL).date()


def _by_title(system: System, email: str) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for event in system.google.live_events(email):
        found.setdefault(event["summary"], []).append(event)
    return found


def _choose(user: ChatUser, action_id: int, choice: int) -> list[dict]:
    response = user.http.post(
        f"/api/chat/actions/{action_id}/decision", json={"decision": "choose", "choice": choice}
    )
    response.raise_for_status()
    return [m for m in response.json()["messages"] if m["role"] == "assistant"]


def test_several_events_in_one_message_in_the_web_chat(system: System) -> None:
    user = connected_user(system)
    proposal = proposal_of(
        user.say("내일 오전 9시 스탠드업\n모레 오후 3시 치과\n글피 저녁 7시 요가")
    )
    assert proposal["text"].startswith("일정 3개를 등록할까요?"), proposal["text"]
    assert system.google.live_events(user.email) == []
    dropped, smaller = user.say("3번은 빼줘")
    assert dropped["text"] == "3번 「요가」는 뺐어요."
    assert smaller["text"].startswith("일정 2개를 등록할까요?")
    [done] = user.decide(smaller["payload"]["action_id"], "approve")
    assert done["text"].startswith("✅ 2개 등록했어요:"), done["text"]
    events = _by_title(system, user.email)
    assert sorted(events) == ["스탠드업", "치과"]
    tomorrow, after = _today() + timedelta(days=1), _today() + timedelta(days=2)
    assert events["스탠드업"][0]["start"]["dateTime"].startswith(f"{tomorrow}T09:00:00")
    assert events["치과"][0]["start"]["dateTime"].startswith(f"{after}T15:00:00")
    assert all(len(v) == 1 for v in events.values())  # each written once
    [again] = user.say("네")
    assert "기다리는 요청이 없어요" in again["text"]
    assert len(system.google.live_events(user.email)) == 2


def test_questions_small_talk_and_time_words_in_the_web_chat(system: System) -> None:
    user = connected_user(system)
    # Noon has its own word; the event then answers the questions below.
    proposal = proposal_of(user.say("내일 정오 점심 약속"))
    assert "낮 12:00–오후 1:00 「점심 약속」" in proposal["text"], proposal["text"]
    [done] = user.say("네")
    assert "낮 12:00" in done["text"]
    proposal_of(user.say("내일 오후 3시 팀 미팅"))
    user.say("네")

    [agenda] = user.say("내일 일정은?")
    assert "• 12:00 점심 약속" in agenda["text"] and "• 15:00 팀 미팅" in agenda["text"]
    [free] = user.say("내일 오후에 시간 비어?")
    lines = free["text"].splitlines()
    assert lines[0].endswith("낮 12:00–오후 6:00에 비어 있는 시간이에요:"), free["text"]
    assert lines[1:3] == ["• 오후 1:00–3:00", "• 오후 4:00–6:00"]
    [when] = user.say("팀 미팅 언제야?")
    assert when["text"].startswith("「팀 미팅」은 ") and when["text"].endswith(
        "오후 3:00–4:00이에요."
    )
    [next_one] = user.say("다음 일정 뭐야?")
    assert next_one["text"].startswith("다음 일정이에요:") and "점심 약속" in next_one["text"]

    # Small talk in a chat of its own (a chat session may send 10 messages in a burst).
    user = connected_user(system)
    [hello] = user.say("안녕하세요")
    assert hello["text"].startswith("안녕하세요! 하루예요.")
    [thanks] = user.say("고마워!")
    assert thanks["text"].startswith("천만에요!")
    [english] = user.say("Can you add a meeting tomorrow?")
    assert "한국어" in english["text"] and "'내일 오후 3시 팀 미팅'" in english["text"]
    [nonsense] = user.say("ㅁㄴㅇㄹ")
    assert nonsense["text"].endswith("예: '내일 오후 3시 팀 미팅', '이번 주 일정 알려줘'")
    assert system.google.live_events(user.email) == []


def test_a_long_message_and_a_vague_day_in_the_web_chat(system: System) -> None:
    user = connected_user(system)
    request = "아 맞다, 다음 주 수요일 오후 4시에 정형외과 진료 예약했으니까 캘린더에 넣어줘"
    text = f"{CHATTER.strip()} 들어줘서 정말 고마워. {request}"
    assert len(text) > 900
    proposal = proposal_of(user.say(text))
    assert "오후 4:00–5:00 「정형외과 진료」를 등록할까요?" in proposal["text"], proposal["text"]
    user.say("네")
    wednesday = _today() - timedelta(days=_today().weekday()) + timedelta(days=9)
    [event] = system.google.live_events(user.email)
    assert event["summary"] == "정형외과 진료"
    assert event["start"]["dateTime"].startswith(f"{wednesday}T16:00:00")

    [question] = user.say("치과 예약 잡아줘")
    assert question["text"].startswith("「치과 예약」은 언제로 할까요?"), question["text"]
    assert kind_of(question) == "choice" and question["action_state"] == "awaiting_date"
    choices = question["payload"]["choices"]
    assert len(choices) == 5
    [day_proposal] = _choose(user, question["payload"]["action_id"], 1)
    assert f"{choices[0]['label']} 종일 「치과 예약」을 등록할까요?" in day_proposal["text"]
    user.say("네")
    dentist = [e for e in system.google.live_events(user.email) if e["summary"] == "치과 예약"]
    assert len(dentist) == 1 and "date" in dentist[0]["start"]

    [question] = user.say("다음 주 중에 치과 가야 돼")
    assert question["text"].startswith("「치과」는 언제로 할까요?")
    typed = proposal_of(user.say("목요일 오전 10시"))
    assert "오전 10:00–11:00 「치과」를 등록할까요?" in typed["text"], typed["text"]


def test_several_events_small_talk_and_a_vague_day_in_slack(system: System) -> None:
    person = SlackPerson.new(system)
    person.connect()
    sent = person.say("내일 오전 9시 스탠드업\n모레 오후 3시 치과")
    proposal = person.wait_for_bot(
        lambda m: "일정 2개를 등록할까요?" in message_text(m) and slack_buttons(m),
        after_ts=sent["ts"],
    )
    assert person.press(proposal, "approve")["status"] == 200
    person.wait_for_bot(
        lambda m: message_text(m).startswith("✅ 2개 등록했어요"), after_ts=sent["ts"]
    )
    assert sorted(_by_title(system, person.email)) == ["스탠드업", "치과"]

    sent = person.say("고마워")
    person.wait_for_bot(lambda m: m["text"].startswith("천만에요!"), after_ts=sent["ts"])

    sent = person.say("다음 주 중에 치과 가야 돼")
    question = person.wait_for_bot(
        lambda m: "언제로 할까요?" in message_text(m) and slack_buttons(m), after_ts=sent["ts"]
    )
    buttons = slack_buttons(question)
    labels = [b["text"]["text"] for b in buttons]
    assert all("월 " in label and label.endswith(")") for label in labels), labels  # 11월 17일(월)
    first = buttons[0]
    assert person.click(question, first["action_id"], value=first["value"])["status"] == 200
    day_proposal = person.wait_for_bot(
        lambda m: "종일 「치과」를 등록할까요?" in message_text(m) and slack_buttons(m),
        after_ts=question["ts"],
    )
    assert labels[0] in message_text(day_proposal)
    person.press(day_proposal, "approve")
    person.wait_for_bot(
        lambda m: m["text"].startswith("✅ 등록했어요") and "치과" in m["text"],
        after_ts=day_proposal["ts"],
    )
    dentists = _by_title(system, person.email)["치과"]
    assert len(dentists) == 2 and any("date" in e["start"] for e in dentists)
