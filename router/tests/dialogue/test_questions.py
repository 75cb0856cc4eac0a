"""Everyday questions (issue 18 item 5): a day, a week, free time, when a named thing is,
the next event. The clock is Friday 2025-11-14 10:00 in Seoul."""

import pytest

pytestmark = pytest.mark.db


async def _user(client) -> str:
    return (await client.get("/api/chat/session")).json()["user_id"]


def _add(fake_calendar, user_id, title, start, end, **fields):
    return fake_calendar.add_event(user_id, title=title, start=start, end=end, **fields)


async def test_tomorrows_events(client, say, fake_calendar):
    user = await _user(client)
    _add(fake_calendar, user, "요가", "2025-11-15T08:00:00+09:00", "2025-11-15T09:00:00+09:00")
    [reply] = await say(client, "내일 일정은?")
    assert reply["text"] == "11월 15일(토) 일정:\n• 08:00 요가"


async def test_next_week_in_short(client, say, fake_calendar):
    user = await _user(client)
    _add(fake_calendar, user, "주간회의", "2025-11-17T10:00:00+09:00", "2025-11-17T11:00:00+09:00")
    [reply] = await say(client, "다음 주는?")
    assert reply["text"] == "11월 17일(월)–11월 23일(일) 일정:\n• 11월 17일(월) 10:00 주간회의"


async def test_free_slots_in_the_afternoon(client, say, fake_calendar):
    user = await _user(client)
    _add(fake_calendar, user, "팀 미팅", "2025-11-14T14:00:00+09:00", "2025-11-14T15:00:00+09:00")
    _add(fake_calendar, user, "고객 통화", "2025-11-14T17:30:00+09:00", "2025-11-14T18:00:00+09:00")
    [reply] = await say(client, "금요일 오후에 시간 비어?")
    assert reply["text"].splitlines() == [
        "11월 14일(금) 낮 12:00–오후 6:00에 비어 있는 시간이에요:",
        "• 낮 12:00–오후 2:00",
        "• 오후 3:00–5:30",
        "그 사이 일정:",
        "• 11월 14일(금) 오후 2:00–3:00 「팀 미팅」",
        "• 11월 14일(금) 오후 5:30–6:00 「고객 통화」",
    ]


async def test_a_free_window_says_it_is_free(client, say):
    [reply] = await say(client, "금요일 오후에 시간 비어?")
    assert reply["text"] == "11월 14일(금) 낮 12:00–오후 6:00은 비어 있어요."


async def test_a_full_window_says_there_is_no_free_time(client, say, fake_calendar):
    user = await _user(client)
    _add(fake_calendar, user, "워크숍", "2025-11-14T11:00:00+09:00", "2025-11-14T18:30:00+09:00")
    [reply] = await say(client, "오늘 오후에 빈 시간 있어?")
    assert reply["text"].splitlines()[0] == "11월 14일(금) 낮 12:00–오후 6:00에는 빈 시간이 없어요:"


async def test_a_whole_free_day(client, say):
    [reply] = await say(client, "내일 시간 있어?")
    assert reply["text"] == "11월 15일(토)는 일정이 없어 종일 비어 있어요."


async def test_free_time_today_starts_now(client, say, fake_calendar):
    user = await _user(client)
    _add(fake_calendar, user, "점심", "2025-11-14T12:00:00+09:00", "2025-11-14T13:00:00+09:00")
    [reply] = await say(client, "오늘 언제 비어?")
    lines = reply["text"].splitlines()
    assert lines[0] == "11월 14일(금)에 비어 있는 시간이에요 (오전 9:00–오후 9:00 중):"
    assert lines[1:3] == ["• 오전 10:00–낮 12:00", "• 오후 1:00–9:00"]


async def test_free_time_over_a_week_is_told_per_day(client, say, fake_calendar):
    user = await _user(client)
    _add(fake_calendar, user, "치과", "2025-11-18T09:00:00+09:00", "2025-11-18T21:00:00+09:00")
    _add(fake_calendar, user, "회의", "2025-11-19T10:00:00+09:00", "2025-11-19T11:00:00+09:00")
    [reply] = await say(client, "다음 주에 시간 비어?")
    lines = reply["text"].splitlines()
    assert lines[0] == "11월 17일(월)–11월 23일(일) 빈 시간이에요:"
    assert lines[1] == "• 11월 17일(월) 일정 없음"
    assert lines[2] == "• 11월 18일(화) 빈 시간 없음"
    assert lines[3] == "• 11월 19일(수) 오전 9:00–10:00, 오전 11:00–오후 9:00"
    assert lines[-1] == "(각 날 오전 9:00–오후 9:00 기준)"


async def test_when_was_it_searches_the_past_year(client, say, fake_calendar):
    user = await _user(client)
    _add(fake_calendar, user, "검진", "2025-05-10T09:00:00+09:00", "2025-05-10T10:00:00+09:00")
    [reply] = await say(client, "검진 언제였지?")
    assert reply["text"] == "「검진」은 5월 10일(토) 오전 9:00–10:00이었어요."


async def test_when_is_it_in_another_year_says_the_year(client, say, fake_calendar):
    user = await _user(client)
    _add(fake_calendar, user, "건강 검진", "2026-03-02T08:00:00+09:00", "2026-03-02T12:00:00+09:00")
    [reply] = await say(client, "검진 날짜가 언제였더라?")
    assert reply["text"] == "「건강 검진」은 2026년 3월 2일(월) 오전 8:00–낮 12:00이에요."


async def test_when_with_past_and_coming_ones_lists_both(client, say, fake_calendar):
    user = await _user(client)
    _add(fake_calendar, user, "검진", "2025-05-10T09:00:00+09:00", "2025-05-10T10:00:00+09:00")
    _add(fake_calendar, user, "검진", "2025-11-24T07:40:00+09:00", "2025-11-24T12:00:00+09:00")
    _add(fake_calendar, user, "팀 회식", "2025-11-20T19:00:00+09:00", "2025-11-20T21:00:00+09:00")
    [reply] = await say(client, "검진 언제야?")
    assert reply["text"].splitlines() == [
        "「검진」 일정이에요:",
        "지난 일정",
        "• 5월 10일(토) 09:00 검진",
        "다가오는 일정",
        "• 11월 24일(월) 07:40 검진",
    ]
    [reply] = await say(client, "다음 검진 언제야?")
    assert reply["text"] == "「검진」은 11월 24일(월) 오전 7:40–낮 12:00이에요."


async def test_when_finds_nothing(client, say):
    [reply] = await say(client, "검진 언제였지?")
    assert reply["text"] == "앞뒤 1년 안에 「검진」 일정을 찾지 못했어요."


async def test_the_next_event(client, say, fake_calendar):
    user = await _user(client)
    _add(fake_calendar, user, "치과", "2025-11-20T10:00:00+09:00", "2025-11-20T11:00:00+09:00")
    [reply] = await say(client, "다음 일정 뭐야?")
    assert reply["text"] == "다음 일정이에요:\n• 11월 20일(목) 10:00 치과"
