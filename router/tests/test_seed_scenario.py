"""The seed scenario, end to end through the chat API (fake auth-server and calendar)."""

import pytest

pytestmark = pytest.mark.db


async def test_seed_scenario(client, say, fake_calendar):
    user_id = (await client.get("/api/chat/session")).json()["user_id"]

    [proposal] = await say(client, "11월 24일 검진 07:40~12시 인천 연수구 갯벌로156")
    assert proposal["text"].splitlines()[:2] == [
        "11월 24일(월) 오전 7:40–낮 12:00 「검진」을 등록할까요?",
        "장소: 인천 연수구 갯벌로156",
    ]
    [created] = await say(client, "그래")
    assert created["text"].startswith("✅ 등록했어요: 11월 24일(월) 오전 7:40–낮 12:00 「검진」")
    [call] = fake_calendar.create_calls
    assert call["body"]["start"] == "2025-11-24T07:40:00+09:00"
    assert call["body"]["end"] == "2025-11-24T12:00:00+09:00"
    assert call["body"]["location"] == "인천 연수구 갯벌로156"

    [listing] = await say(client, "11월 24일 일정 알려줘")
    assert listing["text"] == "11월 24일(월) 일정:\n• 07:40 검진 (인천 연수구 갯벌로156)"

    [delete] = await say(client, "11월 24일 검진 삭제해줘")
    assert delete["text"] == "11월 24일(월) 오전 7:40–낮 12:00 「검진」을 삭제할까요?"
    [deleted] = await say(client, "네")
    assert deleted["text"].startswith("✅ 삭제했어요")
    assert fake_calendar.user_events(user_id) == []
    [empty] = await say(client, "11월 24일 일정 알려줘")
    assert empty["text"] == "11월 24일(월)에는 일정이 없어요."
