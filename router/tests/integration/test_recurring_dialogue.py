"""Recurring events through the dialogue, the real skill-calendar and the Google emulator.

The clock is Friday 2025-11-14 10:00 in Seoul. A weekly series is proposed in Korean and
created once; its occurrences are listed with ↻; a change that names its scope goes
straight to the proposal; one that does not asks [이번만] [이후 전부] [전체], answered by
button or by typing; each outcome is checked in the emulator's calendar.
"""

import httpx
import pytest

from router_service.main import create_app
from shared.testing import serve_app

from .calendar_stack import NOW, ConnectedChat

pytestmark = pytest.mark.db


async def test_a_weekly_series_from_proposal_to_removal(
    chat: ConnectedChat, settings, fake_auth, say, decide
):
    client, week_of = chat.client, chat.week_of

    # One series, said in Korean with its first day.
    [proposal] = await say(client, "매주 화요일 저녁 7시 영어 스터디")
    assert proposal["text"].splitlines() == [
        "매주 화요일 오후 7:00–8:00 「영어 스터디」를 등록할까요? (11월 18일부터)",
        "※ 끝 시각이 없어 1시간으로 잡았어요",
    ]
    [created] = await say(client, "네")
    assert created["text"] == (
        "✅ 등록했어요: 매주 화요일 오후 7:00–8:00 「영어 스터디」 (11월 18일부터)"
    )
    [master] = await chat.live_events()
    assert master["recurrence"] == ["RRULE:FREQ=WEEKLY;BYDAY=TU"]
    assert master["summary"] == "영어 스터디"
    assert master["start"]["timeZone"] == "Asia/Seoul"

    # Occurrences are listed, marked as repeating.
    [listing] = await say(client, "다음 주 일정 알려줘")
    assert listing["text"].splitlines()[1] == "• 11월 18일(화) 19:00 영어 스터디 ↻"

    # A scope said: straight to the proposal; one occurrence cancelled.
    [cancel] = await say(client, "다음 주 영어 스터디만 취소해줘")
    assert cancel["payload"]["kind"] == "proposal"
    assert cancel["text"].splitlines() == [
        "11월 18일(화) 오후 7:00–8:00 「영어 스터디」를 삭제할까요?",
        "↻ 매주 화요일 반복 중 11월 18일 하루만 삭제돼요. 다른 날은 그대로예요.",
    ]
    [done] = await say(client, "네")
    assert done["text"].startswith("✅ 삭제했어요 (이번만): 11월 18일(화)")
    assert await week_of("2025-11-17") == []
    assert await week_of("2025-11-24") == [("2025-11-25T19:00:00+09:00", "영어 스터디")]

    # From December at 20:00: Google's split, earlier weeks unchanged, no duplicate.
    [split] = await say(client, "영어 스터디 다음 달부터 8시로")
    assert split["text"].splitlines()[1:] == [
        "전: 12월 2일(화) 오후 7:00–8:00",
        "후: 12월 2일(화) 오후 8:00–9:00",
        "↻ 매주 화요일 반복 중 12월 2일부터 이후 전부(끝나는 날 없음)가 바뀌어요. "
        "그 전 일정은 그대로예요.",
    ]
    [moved] = await say(client, "네")
    assert moved["text"].startswith("✅ 변경했어요 (이후 전부)")
    assert await week_of("2025-11-24") == [("2025-11-25T19:00:00+09:00", "영어 스터디")]
    assert await week_of("2025-12-01") == [("2025-12-02T20:00:00+09:00", "영어 스터디")]
    assert await week_of("2025-12-08") == [("2025-12-09T20:00:00+09:00", "영어 스터디")]
    masters = [e for e in await chat.live_events() if e.get("recurrence")]
    assert len(masters) == 2  # the original (now ending) and the new series

    # No scope said: Haru asks; a number among the two series, then the scope button.
    [choice] = await say(client, "영어 스터디 삭제해줘")
    assert choice["payload"]["kind"] == "choice"
    [question] = await say(client, "1번")
    assert question["payload"]["kind"] == "scope"
    assert [c["label"] for c in question["payload"]["choices"]] == [
        "이번만",
        "이후 전부",
        "전체",
    ]
    assert question["text"].splitlines()[0] == (
        "「영어 스터디」는 매주 화요일 반복 일정이에요. 어느 일정을 삭제할까요?"
    )
    assert question["text"].splitlines()[2] == "• 이후 전부: 11월 25일부터 1회"
    [wait] = await say(client, "네")  # a yes is no answer to which ones
    assert wait["text"] == "[이번만], [이후 전부], [전체] 중에서 골라 주세요."
    # The question waits in the database: a restarted router takes the answer.
    restarted = create_app(
        settings.model_copy(update={"calendar_url": chat.calendar_url}),
        transports={"auth-server": httpx.ASGITransport(app=fake_auth.app)},
    )
    restarted.state.context.clock = lambda: NOW
    async with serve_app(restarted) as again:
        again.cookies.update(client.cookies)
        action_id = question["payload"]["action_id"]
        pressed = await decide(again, action_id, "choose", choice=3)
    await restarted.state.database.dispose()
    assert pressed.status_code == 200, pressed.text
    [said, whole] = pressed.json()["messages"]
    assert said["text"] == "전체"
    assert whole["text"].startswith("반복 일정 「영어 스터디」를 전부 삭제할까요?")
    [gone] = await say(client, "네")
    assert gone["text"].startswith("✅ 삭제했어요 (전체)")
    assert await week_of("2025-11-24") == []
    assert await week_of("2025-12-01") == [("2025-12-02T20:00:00+09:00", "영어 스터디")]

    # "전부 지워줘": the remaining series, gone.
    [remove] = await say(client, "영어 스터디 전부 지워줘")
    assert remove["text"].startswith("반복 일정 「영어 스터디」를 전부 삭제할까요?")
    await say(client, "네")
    assert await week_of("2025-12-01") == []
    assert [e for e in await chat.live_events() if e.get("recurrence")] == []
