"""Vague days (issue 18 item 9): "다음 주 중에 치과 가야 돼" / "치과 예약 잡아줘" → Haru asks
"언제로 할까요?" with the next free days as buttons; the answer completes the proposal. The
question is a pending action (awaiting_date): it survives a restart. Clock: Friday
2025-11-14 10:00, Seoul."""

import pytest

from router_service.pending.models import ActionState
from shared.testing import serve_app

pytestmark = pytest.mark.db

VAGUE = "다음 주 중에 치과 가야 돼"


async def _user(client) -> str:
    return (await client.get("/api/chat/session")).json()["user_id"]


async def test_a_vague_week_asks_when_with_its_free_days(client, say, fake_calendar):
    user = await _user(client)
    fake_calendar.add_event(
        user, title="출장", start="2025-11-18T10:00:00+09:00", end="2025-11-18T17:00:00+09:00"
    )
    [question] = await say(client, VAGUE)
    lines = question["text"].splitlines()
    assert lines[0] == "「치과」는 언제로 할까요?"
    assert lines[2:] == [
        "1. 11월 17일(월)",
        "2. 11월 19일(수)",
        "3. 11월 20일(목)",
        "4. 11월 21일(금)",
    ]
    payload = question["payload"]
    assert payload["kind"] == "choice"
    assert [c["short_label"] for c in payload["choices"]][:2] == ["11월 17일(월)", "11월 19일(수)"]
    assert question["action_state"] == "awaiting_date"
    assert fake_calendar.create_calls == []


async def test_a_day_button_completes_the_proposal(client, say, decide, fake_calendar):
    [question] = await say(client, VAGUE)
    action_id = question["payload"]["action_id"]
    response = await decide(client, action_id, "choose", choice=2)
    said, proposal = response.json()["messages"]
    assert said["text"] == "2번"
    assert proposal["text"].splitlines()[0] == "11월 18일(화) 종일 「치과」를 등록할까요?"
    assert proposal["payload"]["kind"] == "proposal"
    again = await decide(client, action_id, "choose", choice=3)
    assert again.json()["messages"] == []  # answered once
    [done] = await say(client, "네")
    assert done["text"] == "✅ 등록했어요: 11월 18일(화) 종일 「치과」"
    [call] = fake_calendar.create_calls
    assert call["body"]["start_date"] == "2025-11-18" and call["body"]["title"] == "치과"


async def test_typing_a_day_and_time_completes_it(client, say, fake_calendar):
    await say(client, VAGUE)
    [proposal] = await say(client, "화요일 오후 3시")
    assert proposal["text"].splitlines()[0] == "11월 18일(화) 오후 3:00–4:00 「치과」를 등록할까요?"
    await say(client, "네")
    [call] = fake_calendar.create_calls
    assert call["body"]["start"] == "2025-11-18T15:00:00+09:00"


async def test_typing_the_number_or_only_a_day(client, say):
    await say(client, VAGUE)
    [proposal] = await say(client, "1번")
    assert proposal["text"].startswith("11월 17일(월) 종일 「치과」를 등록할까요?")
    await say(client, VAGUE)
    *_, proposal = await say(client, "수요일로")
    assert proposal["text"].startswith("11월 19일(수) 종일 「치과」를 등록할까요?")


async def test_no_window_offers_the_next_free_days(client, say):
    [question] = await say(client, "치과 예약 잡아줘")
    lines = question["text"].splitlines()
    assert lines[0] == "「치과 예약」은 언제로 할까요?"
    assert lines[2:] == [
        "1. 11월 15일(토)",
        "2. 11월 16일(일)",
        "3. 11월 17일(월)",
        "4. 11월 18일(화)",
        "5. 11월 19일(수)",
    ]


async def test_answers_that_are_not_a_day(client, say):
    await say(client, VAGUE)
    [reply] = await say(client, "3시로")
    assert reply["text"].startswith("날짜도 함께 말씀해 주세요.")
    [reply] = await say(client, "네")
    assert reply["text"].startswith("「치과」는 오후 3:00, 어느 날로 할까요?")  # 3시 is kept
    [reply] = await say(client, "아니")
    assert reply["text"] == "취소했어요. 「치과」는 등록하지 않았어요."


async def test_another_request_replaces_the_question_and_says_so(client, say):
    await say(client, VAGUE)
    replaced, proposal = await say(client, "모레 오후 3시 팀 미팅")
    assert replaced["text"] == "이전 요청 「치과」 대신 새 요청으로 진행할게요."
    assert "「팀 미팅」을 등록할까요?" in proposal["text"]


async def test_without_google_the_question_has_no_buttons_and_the_answer_asks_to_connect(
    client, say, fake_auth
):
    user = await _user(client)
    fake_auth.grant_states[user] = "missing"
    [question] = await say(client, VAGUE)
    assert (
        question["text"] == "「치과」는 언제로 할까요? 예: '화요일 오후 3시', '11월 20일 오전 10시'"
    )
    assert question["payload"] is None
    [connect] = await say(client, "화요일 오후 3시")
    assert connect["payload"]["kind"] == "connect"


async def test_the_question_survives_a_restart(make_app, say, fake_calendar):
    first = await make_app()
    async with serve_app(first) as client:
        [question] = await say(client, VAGUE)
        cookies = client.cookies
    await first.state.database.dispose()
    second = await make_app()
    async with serve_app(second) as client:
        client.cookies = cookies
        [proposal] = await say(client, "목요일 오전 10시")
        assert proposal["text"].startswith("11월 20일(목) 오전 10:00–11:00 「치과」를 등록할까요?")
        [done] = await say(client, "네")
    assert done["text"].startswith("✅ 등록했어요")
    async with second.state.database.sessionmaker() as session:
        from router_service.pending.service import get_action

        asked = await get_action(session=session, action_id=question["payload"]["action_id"])
        assert asked.state == ActionState.done
        assert asked.result["event"]["start"] == "2025-11-20T10:00:00+09:00"


async def test_a_bare_weekday_answer_falls_in_the_asked_week(client, say):
    """Friday 11-14: "금요일" alone would be today; asked about next week, it is 11-21."""
    await say(client, VAGUE)
    [proposal] = await say(client, "금요일 오후 2시")
    assert proposal["text"].startswith("11월 21일(금) 오후 2:00–3:00 「치과」를 등록할까요?")
    await say(client, VAGUE)
    *_, proposal = await say(client, "이번 주 금요일 오후 2시")  # said outright: as said
    assert proposal["text"].startswith("11월 14일(금) 오후 2:00–3:00 「치과」를 등록할까요?")


# --- a time given with no day is kept, whatever answers the day ----------------------------

TIMED = "다음 주 중에 오후 3시 치과 가야 돼"


async def test_a_day_button_keeps_the_time_given_in_the_request(client, say, decide, fake_calendar):
    [question] = await say(client, TIMED)
    assert question["text"].splitlines()[0] == "「치과」는 오후 3:00, 어느 날로 할까요?"
    response = await decide(client, question["payload"]["action_id"], "choose", choice=2)
    _, proposal = response.json()["messages"]
    assert proposal["text"].splitlines()[0] == "11월 18일(화) 오후 3:00–4:00 「치과」를 등록할까요?"
    assert "종일" not in proposal["text"]
    await say(client, "네")
    [call] = fake_calendar.create_calls
    assert (call["body"]["start"], call["body"]["end"]) == (
        "2025-11-18T15:00:00+09:00",
        "2025-11-18T16:00:00+09:00",
    )


@pytest.mark.parametrize(
    ("answer", "when"),
    [
        ("수요일로", "11월 19일(수) 오후 2:00–4:00"),
        ("화요일", "11월 18일(화) 오후 2:00–4:00"),
        ("2번", "11월 18일(화) 오후 2:00–4:00"),
        ("수요일 3시로", "11월 19일(수) 오후 3:00–5:00"),  # a new time, the same length
    ],
)
async def test_a_time_span_and_a_typed_day_keep_the_time(client, say, answer, when):
    await say(client, "다음 주 중에 오후 2시부터 4시까지 치과")
    [proposal] = await say(client, answer)
    assert proposal["text"].startswith(f"{when} 「치과」를 등록할까요?")


async def test_a_time_answered_alone_is_kept_for_the_day_button(client, say, decide):
    [question] = await say(client, VAGUE)
    [reply] = await say(client, "3시로")
    assert reply["text"].startswith("날짜도 함께 말씀해 주세요.")
    assert "오후 3:00" in reply["text"]
    assert reply["payload"]["kind"] == "choice"  # the days again, as buttons
    response = await decide(client, reply["payload"]["action_id"], "choose", choice=1)
    _, proposal = response.json()["messages"]
    assert proposal["text"].startswith("11월 17일(월) 오후 3:00–4:00 「치과」를 등록할까요?")
    stale = await decide(client, question["payload"]["action_id"], "choose", choice=1)
    assert stale.json()["messages"] == []  # the first question was replaced


# --- everything else the request said is kept too: reminder, place -------------------------

REMINDED = "다음 주 중에 오후 3시 강남역에서 치과 30분 전에 알려줘"


async def test_a_day_button_keeps_the_reminder_and_place(client, say, decide, fake_calendar):
    [question] = await say(client, REMINDED)
    response = await decide(client, question["payload"]["action_id"], "choose", choice=2)
    _, proposal = response.json()["messages"]
    lines = proposal["text"].splitlines()
    assert lines[0] == "11월 18일(화) 오후 3:00–4:00 「치과」를 등록할까요?"
    assert "30분 전에 알려드릴게요." in lines
    await say(client, "네")
    [call] = fake_calendar.create_calls
    assert call["body"]["reminder_minutes"] == [30]
    assert call["body"]["location"] == "강남역"


@pytest.mark.parametrize(
    ("answer", "when"),
    [
        ("화요일", "11월 18일(화) 오후 3:00–4:00"),
        ("2번", "11월 18일(화) 오후 3:00–4:00"),
        ("수요일로", "11월 19일(수) 오후 3:00–4:00"),
        ("목요일 오전 10시", "11월 20일(목) 오전 10:00–11:00"),
    ],
)
async def test_a_typed_day_keeps_the_reminder_and_place(client, say, fake_calendar, answer, when):
    await say(client, REMINDED)
    [proposal] = await say(client, answer)
    lines = proposal["text"].splitlines()
    assert lines[0] == f"{when} 「치과」를 등록할까요?"
    assert "30분 전에 알려드릴게요." in lines
    await say(client, "네")
    [call] = fake_calendar.create_calls
    assert (call["body"]["reminder_minutes"], call["body"]["location"]) == ([30], "강남역")


async def test_a_reminder_said_in_the_answer_is_the_one_kept(client, say, fake_calendar):
    await say(client, REMINDED)
    await say(client, "화요일 오후 3시 1시간 전에 알려줘")
    await say(client, "네")
    [call] = fake_calendar.create_calls
    assert call["body"]["reminder_minutes"] == [60]


async def test_an_all_day_answer_keeps_a_days_lead(client, say, fake_calendar):
    """No time at all: the day is all day and "하루 전" is 09:00 the day before."""
    await say(client, "치과 예약 잡아줘 하루 전에 알려줘")
    [proposal] = await say(client, "화요일")
    assert proposal["text"].startswith("11월 18일(화) 종일 「치과 예약」을 등록할까요?")
    assert "하루 전 오전 9시에 알려드릴게요." in proposal["text"].splitlines()
    await say(client, "네")
    [call] = fake_calendar.create_calls
    assert call["body"]["reminder_minutes"] == [900]  # 09:00 the day before, as Google counts


async def test_a_time_answered_alone_keeps_the_reminder(client, say, decide, fake_calendar):
    await say(client, "다음 주 중에 치과 30분 전에 알려줘")
    [reply] = await say(client, "3시로")
    response = await decide(client, reply["payload"]["action_id"], "choose", choice=1)
    _, proposal = response.json()["messages"]
    assert "30분 전에 알려드릴게요." in proposal["text"].splitlines()
