"""The seed scenario through the whole system, as real processes and the Google emulator.

A person who never connected Google writes "11월 24일 검진 07:40~12시 인천 연수구 갯벌로156",
gets the connect link, consents at the emulator over HTTP, sees the request resume by itself
as a proposal, says "그래", and the event is in Google at 07:40–12:00 +09:00 with the place.
Then "11월 24일 일정 알려줘" lists it, "11월 24일 검진 삭제해줘" → "네" removes it. Once on
PostgreSQL (the session's system) and once on SQLite.
"""

from __future__ import annotations

import re

from harness import (
    SEED,
    SEED_TITLE,
    ChatUser,
    System,
    is_created,
    kind_of,
    proposal_of,
    seed_events,
)

PLACE = "인천 연수구 갯벌로156"


def _seed_scenario(system: System) -> None:
    user = ChatUser.new(system)
    system.google.add_account(user.email)

    # Never connected: the request waits, and the answer carries the connect link.
    [ask] = user.say(SEED)
    assert kind_of(ask) == "connect", ask["text"]
    assert ask["action_state"] == "awaiting_auth"
    assert "구글 캘린더 연결" in ask["text"]
    # The chat's link is the router's: it works only in this person's browser (session).
    assert ask["payload"]["link"]["url"].startswith(system.url("router") + "/connect?")
    assert seed_events(system, user.email) == []

    # Consent at Google; the grant event reaches the router and the request resumes by itself.
    after = user.last_id()
    done_page = user.connect_google(ask["payload"]["link"]["url"])
    assert "「하루 웹 채팅」에" in done_page.text
    assert "이제 채팅으로 돌아가세요" in done_page.text
    proposal = user.wait_for_reply(lambda m: kind_of(m) == "proposal", after_id=after)
    assert f"「{SEED_TITLE}」을 등록할까요?" in proposal["text"]
    assert "11월 24일" in proposal["text"]
    assert "7:40" in proposal["text"] and "12:00" in proposal["text"]
    assert PLACE in proposal["text"]
    assert seed_events(system, user.email) == []  # nothing without a yes

    [done] = user.say("그래")
    assert is_created(done), done["text"]
    [event] = seed_events(system, user.email)
    assert event["start"]["dateTime"].endswith("-11-24T07:40:00+09:00"), event["start"]
    assert event["end"]["dateTime"].endswith("-11-24T12:00:00+09:00"), event["end"]
    assert event["location"] == PLACE
    assert done["payload"]["link"]["url"] == event["htmlLink"]

    # A second "그래" has nothing left to approve and creates nothing.
    [again] = user.say("그래")
    assert "기다리는 요청이 없어요" in again["text"]
    assert len(seed_events(system, user.email)) == 1

    # The listing shows it, with the time and the place.
    [listing] = user.say("11월 24일 일정 알려줘")
    # The next 11월 24일 may be in another year: then the year is said too.
    assert re.match(r"(\d{4}년 )?11월 24일\(", listing["text"]), listing["text"]
    assert f"• 07:40 {SEED_TITLE} ({PLACE})" in listing["text"]

    # Deleting it needs a yes too; then it is gone from Google.
    delete = proposal_of(user.say(f"11월 24일 {SEED_TITLE} 삭제해줘"))
    assert "삭제할까요?" in delete["text"]
    assert len(seed_events(system, user.email)) == 1
    [deleted] = user.say("네")
    assert deleted["text"].startswith("✅ 삭제했어요"), deleted["text"]
    assert seed_events(system, user.email) == []
    [empty] = user.say("11월 24일 일정 알려줘")
    assert "일정이 없어요" in empty["text"], empty["text"]

    # One proposal per request, whatever the grant event's deliveries did.
    proposals = [m for m in user.history() if kind_of(m) == "proposal"]
    assert len(proposals) == 2, [m["text"] for m in proposals]
    created = [m for m in user.history() if m["text"].startswith("✅ 등록했어요")]
    assert len(created) == 1


def test_seed_scenario(system: System) -> None:
    """On the session's system: PostgreSQL (SQLite only where no PostgreSQL answers)."""
    _seed_scenario(system)


def test_seed_scenario_on_sqlite(sqlite_system: System) -> None:
    assert sqlite_system.databases.backend == "sqlite"
    _seed_scenario(sqlite_system)
