"""Questions about a day: a readable list, or none."""

import pytest

pytestmark = pytest.mark.db


async def test_query_lists_the_days_events_in_order(client, say, fake_calendar):
    user_id = (await client.get("/api/chat/session")).json()["user_id"]
    fake_calendar.add_event(
        user_id,
        title="TDD 테스트 일정",
        start="2025-11-17T15:00:00+09:00",
        end="2025-11-17T16:00:00+09:00",
    )
    fake_calendar.add_event(
        user_id,
        title="조깅",
        start="2025-11-17T07:00:00+09:00",
        end="2025-11-17T08:00:00+09:00",
        location="한강",
    )
    fake_calendar.add_event(
        user_id,
        title="다른 날",
        start="2025-11-18T07:00:00+09:00",
        end="2025-11-18T08:00:00+09:00",
    )
    [reply] = await say(client, "11월 17일 일정 알려줘")
    assert reply["text"] == "11월 17일(월) 일정:\n• 07:00 조깅 (한강)\n• 15:00 TDD 테스트 일정"


async def test_query_with_no_events_says_none(client, say):
    [reply] = await say(client, "11월 17일 일정 알려줘")
    assert reply["text"] == "11월 17일(월)에는 일정이 없어요."


async def test_the_next_event_is_the_first_one_ahead_not_a_crash(client, say, fake_calendar):
    """'다음 일정 뭐야?' reads as an open range with a limit (NLU v2); the dialogue once
    required an end and could not answer it."""
    user_id = (await client.get("/api/chat/session")).json()["user_id"]
    fake_calendar.add_event(
        user_id,
        title="치과",
        start="2025-11-20T10:00:00+09:00",
        end="2025-11-20T11:00:00+09:00",
    )
    fake_calendar.add_event(
        user_id,
        title="그다음 일",
        start="2025-11-25T10:00:00+09:00",
        end="2025-11-25T11:00:00+09:00",
    )
    [reply] = await say(client, "다음 일정 뭐야?")
    assert reply["text"].startswith("다음 일정이에요:")
    assert "치과" in reply["text"] and "그다음 일" not in reply["text"]


async def test_no_next_event_says_so(client, say):
    [reply] = await say(client, "다음 일정 뭐야?")
    assert reply["text"] == "앞으로 1년 안에 잡힌 일정이 없어요."
