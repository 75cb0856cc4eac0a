"""Update and delete: find the target loosely, choose among several, propose, approve."""

import pytest

pytestmark = pytest.mark.db


async def _user(client) -> str:
    return (await client.get("/api/chat/session")).json()["user_id"]


def _checkup(fake_calendar, user_id, title="검진", start="07:40", end="12:00", day="24"):
    return fake_calendar.add_event(
        user_id,
        title=title,
        start=f"2025-11-{day}T{start}:00+09:00",
        end=f"2025-11-{day}T{end}:00+09:00",
    )


async def test_delete_single_match_is_proposed_then_deleted(client, say, fake_calendar):
    user_id = await _user(client)
    event = _checkup(fake_calendar, user_id, title="검진 일정")  # trailing 일정 is ignored
    [proposal] = await say(client, "11월 24일 검진 삭제해줘")
    assert proposal["text"] == "11월 24일(월) 오전 7:40–낮 12:00 「검진 일정」을 삭제할까요?"
    assert proposal["payload"]["buttons"][0]["label"] == "삭제"
    assert fake_calendar.delete_calls == []  # nothing happens before approval
    [done] = await say(client, "네")
    assert done["text"].startswith("✅ 삭제했어요: 11월 24일(월)")
    assert fake_calendar.delete_calls == [event["id"]]


async def test_delete_with_no_match_says_so(client, say, fake_calendar):
    user_id = await _user(client)
    _checkup(fake_calendar, user_id, title="치과")
    [reply] = await say(client, "11월 24일 검진 삭제해줘")
    assert reply["text"] == "11월 24일에 「검진」 일정을 찾지 못했어요."
    assert reply["payload"] is None


async def test_several_matches_get_a_numbered_choice(app, client, say, decide, fake_calendar):
    user_id = await _user(client)
    _checkup(fake_calendar, user_id, start="07:40", end="08:40")
    second = _checkup(fake_calendar, user_id, title="검 진", start="15:00", end="16:00")
    [choice] = await say(client, "11월 24일 검진 삭제해줘")
    lines = choice["text"].splitlines()
    assert lines[0].startswith("일정이 2개 있어요")
    assert lines[1] == "1. 11월 24일(월) 오전 7:40–8:40 「검진」"
    assert lines[2] == "2. 11월 24일(월) 오후 3:00–4:00 「검 진」"
    assert choice["payload"]["kind"] == "choice"
    assert [c["choice"] for c in choice["payload"]["choices"]] == [1, 2]
    [out_of_range] = await say(client, "3번")
    assert out_of_range["text"] == "1번부터 2번 중에서 골라 주세요."
    [proposal] = await say(client, "2번")
    assert proposal["text"] == "11월 24일(월) 오후 3:00–4:00 「검 진」을 삭제할까요?"
    response = await decide(client, proposal["payload"]["action_id"], "approve")
    assert response.json()["messages"][-1]["text"].startswith("✅ 삭제했어요")
    assert fake_calendar.delete_calls == [second["id"]]


async def test_choice_button(client, say, decide, fake_calendar):
    user_id = await _user(client)
    first = _checkup(fake_calendar, user_id, start="07:40", end="08:40")
    _checkup(fake_calendar, user_id, start="15:00", end="16:00")
    [choice] = await say(client, "11월 24일 검진 삭제해줘")
    response = await decide(client, choice["payload"]["action_id"], "choose", choice=1)
    [pressed, proposal] = response.json()["messages"]
    assert pressed["text"] == "1번"
    assert proposal["text"].endswith("「검진」을 삭제할까요?")
    await say(client, "네")
    assert fake_calendar.delete_calls == [first["id"]]


async def test_update_moves_the_event_keeping_its_length(client, say, fake_calendar):
    user_id = await _user(client)
    event = _checkup(fake_calendar, user_id, start="10:00", end="11:30")
    [proposal] = await say(client, "11월 24일 검진 4시로 바꿔줘")
    assert proposal["text"].splitlines()[:3] == [
        "「검진」을 바꿀까요?",
        "전: 11월 24일(월) 오전 10:00–11:30",
        "후: 11월 24일(월) 오후 4:00–5:30",
    ]
    assert fake_calendar.patch_calls == []
    [done] = await say(client, "네")
    assert done["text"].startswith("✅ 변경했어요: 11월 24일(월) 오후 4:00–5:30 「검진」")
    assert fake_calendar.patch_calls == [
        {
            "event_id": event["id"],
            "body": {"start": "2025-11-24T16:00:00+09:00", "end": "2025-11-24T17:30:00+09:00"},
        }
    ]


async def test_a_change_without_a_named_event_asks_which(client, say, fake_calendar):
    user_id = await _user(client)
    _checkup(fake_calendar, user_id)
    [reply] = await say(client, "4시로 바꿔줘")
    assert reply["text"].startswith("어떤 일정을 바꿀지 알려 주세요.")
    assert reply["payload"] is None


async def test_a_new_time_while_a_change_waits_amends_that_change(client, say, fake_calendar):
    user_id = await _user(client)
    event = _checkup(fake_calendar, user_id, start="10:00", end="11:00")
    await say(client, "11월 24일 검진 4시로 바꿔줘")
    [reply] = await say(client, "5시로 바꿔줘")
    assert reply["text"].splitlines()[2] == "후: 11월 24일(월) 오후 5:00–6:00"
    await say(client, "네")
    assert fake_calendar.patch_calls == [
        {
            "event_id": event["id"],
            "body": {"start": "2025-11-24T17:00:00+09:00", "end": "2025-11-24T18:00:00+09:00"},
        }
    ]


async def test_a_time_alone_keeps_the_events_day(client, say, fake_calendar):
    user_id = await _user(client)
    _checkup(fake_calendar, user_id, start="10:00", end="11:00")
    [reply] = await say(client, "검진 4시로 바꿔줘")  # no day named: search ahead, keep its day
    assert reply["text"].splitlines()[2] == "후: 11월 24일(월) 오후 4:00–5:00"


@pytest.mark.parametrize(
    ("text", "start", "end", "after"),
    [
        ("11월 24일 검진 30분 늦춰줘", "10:30", "11:30", "오전 10:30–11:30"),
        ("11월 24일 검진 1시간 앞당겨줘", "09:00", "10:00", "오전 9:00–10:00"),
        ("11월 24일 검진 한 시간 미뤄 줘", "11:00", "12:00", "오전 11:00–낮 12:00"),
    ],
)
async def test_relative_moves(client, say, fake_calendar, text, start, end, after):
    user_id = await _user(client)
    _checkup(fake_calendar, user_id, start="10:00", end="11:00")
    [proposal] = await say(client, text)
    lines = proposal["text"].splitlines()
    assert lines == [
        "「검진」을 바꿀까요?",
        "전: 11월 24일(월) 오전 10:00–11:00",
        f"후: 11월 24일(월) {after}",
    ]
    await say(client, "네")
    [call] = fake_calendar.patch_calls
    assert call["body"] == {
        "start": f"2025-11-24T{start}:00+09:00",
        "end": f"2025-11-24T{end}:00+09:00",
    }
