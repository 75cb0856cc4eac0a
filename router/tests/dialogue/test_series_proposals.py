"""A proposed series: checked against the calendar on each occurrence (not only the first),
and corrected as a rule ("아 수요일로" moves the weekday of the rule with the first day).

The clock is Friday 2025-11-14 10:00 in Seoul; "매주 화요일" starts on 11월 18일.
"""

import pytest

pytestmark = pytest.mark.db

WEEKLY = "매주 화요일 저녁 7시 영어 스터디"


async def _user(client) -> str:
    return (await client.get("/api/chat/session")).json()["user_id"]


def _event(fake_calendar, user_id, title, day, start="19:30", end="20:30"):
    return fake_calendar.add_event(
        user_id, title=title, start=f"{day}T{start}:00+09:00", end=f"{day}T{end}:00+09:00"
    )


async def test_a_weekly_series_clashes_with_next_tuesdays_dentist(client, say, fake_calendar):
    user_id = await _user(client)
    _event(fake_calendar, user_id, "치과", "2025-11-25")  # the second occurrence
    [proposal] = await say(client, WEEKLY)
    assert proposal["text"].splitlines()[:2] == [
        "매주 화요일 오후 7:00–8:00 「영어 스터디」 (11월 18일부터)",
        "11월 25일(화) 「치과」와 겹쳐요. 그래도 등록할까요?",
    ]
    assert proposal["payload"]["conflicts"] == 1


async def test_clashes_are_named_by_day_and_counted_past_three(client, say, fake_calendar):
    user_id = await _user(client)
    _event(fake_calendar, user_id, "치과", "2025-12-09", "18:30", "19:30")
    _event(fake_calendar, user_id, "회식", "2025-12-02", "18:00", "22:00")
    for day in ("2025-11-18", "2025-12-16", "2025-12-23"):
        _event(fake_calendar, user_id, "요가", day)
    _event(fake_calendar, user_id, "송년회", "2025-12-30")
    [proposal] = await say(client, WEEKLY)
    assert proposal["text"].splitlines()[1] == (
        "11월 18일(화)부터 3번 「요가」, 12월 2일(화) 「회식」, 12월 9일(화) 「치과」 외 1건과 "
        "겹쳐요. 그래도 등록할까요?"
    )
    assert proposal["payload"]["conflicts"] == 6


async def test_the_check_stops_at_the_horizon_and_at_the_series_end(client, say, fake_calendar):
    user_id = await _user(client)
    _event(fake_calendar, user_id, "치과", "2026-01-20")  # the 10th week: past 8 weeks
    _event(fake_calendar, user_id, "세미나", "2025-12-09")  # the 4th: after a 3-week series
    [endless] = await say(client, WEEKLY)
    assert endless["text"].splitlines()[1] == "12월 9일(화) 「세미나」와 겹쳐요. 그래도 등록할까요?"
    *_, short = await say(client, "매주 화요일 저녁 7시 영어 스터디 3주 동안")
    assert "겹쳐요" not in short["text"]
    assert short["text"].startswith("매주 화요일 오후 7:00–8:00 「영어 스터디」를 등록할까요?")


async def test_an_event_on_another_day_or_time_is_no_clash(client, say, fake_calendar):
    user_id = await _user(client)
    _event(fake_calendar, user_id, "치과", "2025-11-26")  # a Wednesday
    _event(fake_calendar, user_id, "회의", "2025-11-25", "09:00", "10:00")
    [proposal] = await say(client, WEEKLY)
    assert proposal["text"].splitlines()[0] == (
        "매주 화요일 오후 7:00–8:00 「영어 스터디」를 등록할까요? (11월 18일부터)"
    )
    assert "conflicts" not in proposal["payload"]


@pytest.mark.parametrize(
    ("request_text", "correction", "first_line", "rule"),
    [
        (
            WEEKLY,
            "아 수요일로",
            "매주 수요일 오후 7:00–8:00 「영어 스터디」를 등록할까요? (11월 19일부터)",
            ["RRULE:FREQ=WEEKLY;BYDAY=WE"],
        ),
        (
            # A series from December: Wednesday of its first week, not the coming one.
            "12월 2일부터 매주 화요일 저녁 7시 영어 스터디",
            "아니 수요일로 해줘",
            "매주 수요일 오후 7:00–8:00 「영어 스터디」를 등록할까요? (12월 3일부터)",
            ["RRULE:FREQ=WEEKLY;BYDAY=WE"],
        ),
        (
            "매주 화요일 저녁 7시 영어 스터디 3주 동안",
            "아 목요일로",
            "매주 목요일 오후 7:00–8:00 「영어 스터디」를 등록할까요? (11월 20일부터 3회)",
            ["RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=3"],
        ),
        (
            WEEKLY,
            "아 8시로",  # a time alone: the rule stays
            "매주 화요일 오후 8:00–9:00 「영어 스터디」를 등록할까요? (11월 18일부터)",
            ["RRULE:FREQ=WEEKLY;BYDAY=TU"],
        ),
    ],
)
async def test_a_weekday_correction_moves_the_rule_with_the_first_day(
    client, say, fake_calendar, request_text, correction, first_line, rule
):
    await say(client, request_text)
    [amended] = await say(client, correction)
    assert amended["text"].splitlines()[0] == first_line
    [done] = await say(client, "네")
    assert done["text"].startswith("✅ 등록했어요"), done["text"]
    [call] = fake_calendar.create_calls
    assert call["body"]["recurrence"] == rule
