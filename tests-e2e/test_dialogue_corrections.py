"""Issue 18 items 1, 2, 4, 6 and 10 through the real processes, in the web chat and in Slack:
a quick correction of the waiting proposal, "응 근데 30분 늦게" creating at once, a correction
of the event just made (after a yes), a move onto another event warned about, refusals and
typed slips understood, the unclear answered with what still waits, impossible dates asked
about. Every outcome is checked in the Google emulator's state.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from harness import System, connected_user, kind_of, proposal_of
from slack_person import SlackPerson, has_button, message_text

SEOUL = ZoneInfo("Asia/Seoul")


def _day(days_ahead: int) -> date:
    return datetime.now(SEOUL).date() + timedelta(days=days_ahead)


def _starts(system: System, email: str, title: str) -> list[str]:
    return sorted(e["start"]["dateTime"] for e in system.google.live_events(email, title))


def _at(day: date, hour: int, minute: int = 0) -> str:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SEOUL).isoformat()


def test_corrections_in_the_web_chat(system: System) -> None:
    user = connected_user(system)
    tomorrow = _day(1)
    first = proposal_of(user.say("내일 오후 2시 고객 미팅"))
    assert "오후 2:00" in first["text"]

    # Item 1: "아 4시로" amends the waiting proposal (one reply, no junk event).
    [amended] = user.say("아 4시로")
    assert kind_of(amended) == "proposal" and "오후 4:00" in amended["text"], amended["text"]
    assert "「고객 미팅」" in amended["text"]
    assert amended["payload"]["action_id"] != first["payload"]["action_id"]
    # "응 근데 30분 늦게": amended and created at once.
    [done] = user.say("응 근데 30분 늦게")
    assert done["text"].startswith("✅ 등록했어요"), done["text"]
    assert _starts(system, user.email, "고객 미팅") == [_at(tomorrow, 16, 30)]
    assert [e["summary"] for e in system.google.events(user.email)] == ["고객 미팅"]

    # Item 2: a correction right after creating changes that event, after a yes
    # (item 6: the yes typed one letter off).
    [change] = user.say("아 5시로 바꿔줘")
    assert change["text"].startswith("「고객 미팅」을 바꿀까요?"), change["text"]
    assert _starts(system, user.email, "고객 미팅") == [_at(tomorrow, 16, 30)]
    [moved] = user.say("그레")
    assert moved["text"].startswith("✅ 변경했어요"), moved["text"]
    assert _starts(system, user.email, "고객 미팅") == [_at(tomorrow, 17)]

    # Item 4: moving onto another event warns before approval.
    proposal_of(user.say("내일 저녁 7시 치과"))
    assert user.say("네")[0]["text"].startswith("✅ 등록했어요")
    warned = proposal_of(user.say("내일 고객 미팅 저녁 7시로 옮겨줘"))
    assert "같은 시간에 「치과」가 있어요" in warned["text"], warned["text"]
    assert warned["payload"]["conflicts"] == 1
    # Item 6: the unclear while it waits says so; a natural refusal cancels.
    [waiting] = user.say("음 글쎄")
    assert "아직 기다리고 있어요" in waiting["text"] and kind_of(waiting) == "proposal"
    [refused] = user.say("아니 잠깐만 그냥 둬")
    assert refused["text"].startswith("취소했어요")
    assert _starts(system, user.email, "고객 미팅") == [_at(tomorrow, 17)]

    # Item 10: an impossible date is named and asked about; nothing is proposed.
    [unclear] = user.say("2월 30일 오후 3시 회의")
    assert unclear["text"].startswith("「2월 30일」은 없는 날짜예요"), unclear["text"]
    assert kind_of(unclear) is None
    [hour] = user.say("내일 99시 회의")
    assert hour["text"].startswith("「99시」는 없는 시각이에요")
    assert not system.google.live_events(user.email, "회의")


def test_a_correction_after_creating_on_sqlite(sqlite_system: System) -> None:
    user = connected_user(sqlite_system)
    proposal_of(user.say("내일 오후 3시 팀 미팅"))
    assert user.say("네")[0]["text"].startswith("✅ 등록했어요")
    change = proposal_of(user.say("모레로 미뤄줘"))
    assert change["text"].startswith("「팀 미팅」을 바꿀까요?"), change["text"]
    [done] = user.decide(change["payload"]["action_id"])
    assert done["text"].startswith("✅ 변경했어요")
    assert _starts(sqlite_system, user.email, "팀 미팅") == [_at(_day(2), 15)]


def _bot_after(person: SlackPerson, sent: dict, *needles: str) -> dict:
    return person.wait_for_bot(
        lambda m: all(n in message_text(m) for n in needles), after_ts=sent["ts"]
    )


def test_corrections_in_slack(system: System) -> None:
    person = SlackPerson.new(system)
    person.connect()
    tomorrow, after_tomorrow = _day(1), _day(2)
    sent = person.say("내일 오후 2시 고객 미팅")
    _bot_after(person, sent, "오후 2:00", "「고객 미팅」")

    sent = person.say("아 4시로")
    amended = _bot_after(person, sent, "오후 4:00", "「고객 미팅」")
    assert has_button(amended, "approve")
    sent = person.say("응 근데 30분 늦게")
    _bot_after(person, sent, "등록했어요")
    assert _starts(system, person.email, "고객 미팅") == [_at(tomorrow, 16, 30)]

    sent = person.say("모레로 미뤄줘")
    change = _bot_after(person, sent, "「고객 미팅」을 바꿀까요?")
    clicked = person.press(change, "approve")
    assert clicked["status"] == 200, clicked
    _bot_after(person, sent, "변경했어요")
    assert _starts(system, person.email, "고객 미팅") == [_at(after_tomorrow, 16, 30)]

    # nothing waits: the help, not a reminder ("ㅋㅋㅋ" is small talk, answered apart)
    sent = person.say("ㅁㄴㅇㄹ")
    help_text = _bot_after(person, sent, "예:")
    assert "기다리고" not in message_text(help_text)

    sent = person.say("2월 30일 오후 3시 회의")
    _bot_after(person, sent, "「2월 30일」은 없는 날짜예요", "언제로 할까요?")
    person.wait_settled()
    assert not system.google.live_events(person.email, "회의")


def test_unclear_and_typos_while_waiting_in_slack(system: System) -> None:
    person = SlackPerson.new(system)
    person.connect()
    sent = person.say("내일 오전 10시 스탠드업")
    _bot_after(person, sent, "「스탠드업」")
    sent = person.say("아 11시로")
    _bot_after(person, sent, "오전 11:00", "「스탠드업」")
    sent = person.say("흠")
    waiting = _bot_after(person, sent, "아직 기다리고 있어요")
    assert has_button(waiting, "approve")
    sent = person.say("넹")
    _bot_after(person, sent, "등록했어요")
    assert _starts(system, person.email, "스탠드업") == [_at(_day(1), 11)]
