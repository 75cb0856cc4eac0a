"""Undo of recurring series through the dialogue, the real skill-calendar and the Google
emulator: a series created, moved as a whole, deleted as a whole — each undone as a whole;
one cancelled occurrence is not offered.
"""

import pytest

from .calendar_stack import ConnectedChat

pytestmark = pytest.mark.db

WEEKLY = ["RRULE:FREQ=WEEKLY;BYDAY=TU"]


async def test_series_changes_are_undone_as_a_whole(chat: ConnectedChat, say, decide):
    client, week_of = chat.client, chat.week_of

    async def masters() -> list[dict]:
        return [e for e in await chat.live_events() if e.get("recurrence")]

    # A series created, then undone: the whole series is gone.
    await say(client, "매주 화요일 저녁 7시 영어 스터디")
    [created] = await say(client, "네")
    assert created["payload"]["undo"]["label"] == "되돌리기"
    assert len(await masters()) == 1
    [undone] = await say(client, "되돌려줘")
    assert undone["text"].startswith("↩️ 되돌렸어요.")
    assert await masters() == []

    # Made again, moved as a whole to 20:00, undone: every week back at 19:00.
    await say(client, "매주 화요일 저녁 7시 영어 스터디")
    await say(client, "네")
    [asked] = await say(client, "영어 스터디 8시로 바꿔줘")
    if asked["payload"]["kind"] == "choice":
        [asked] = await say(client, "1번")
    assert asked["payload"]["kind"] == "scope", asked["text"]
    pressed = await decide(client, asked["payload"]["action_id"], "choose", choice=3)
    assert pressed.json()["messages"][-1]["payload"]["kind"] == "proposal"
    [moved] = await say(client, "네")
    assert moved["text"].startswith("✅ 변경했어요 (전체)"), moved["text"]
    assert await week_of("2025-11-24") == [("2025-11-25T20:00:00+09:00", "영어 스터디")]
    response = await decide(client, moved["payload"]["action_id"], "undo")
    assert response.json()["messages"][-1]["text"].startswith("↩️ 되돌렸어요.")
    assert await week_of("2025-11-17") == [("2025-11-18T19:00:00+09:00", "영어 스터디")]
    assert await week_of("2025-11-24") == [("2025-11-25T19:00:00+09:00", "영어 스터디")]
    [master] = await masters()
    assert master["recurrence"] == WEEKLY

    # Deleted as a whole, undone: the series again, with its rule, in its zone.
    await say(client, "영어 스터디 전부 지워줘")
    [gone] = await say(client, "네")
    assert gone["text"].startswith("✅ 삭제했어요 (전체)")
    assert await masters() == []
    [back] = await say(client, "되돌려줘")
    assert back["text"].startswith("↩️ 되돌렸어요. 다시 등록했어요")
    [again] = await masters()
    assert again["recurrence"] == WEEKLY and again["id"] != master["id"]
    assert again["start"]["timeZone"] == "Asia/Seoul"
    assert await week_of("2025-12-01") == [("2025-12-02T19:00:00+09:00", "영어 스터디")]

    # One occurrence cancelled: not made again as a lone event, and said so.
    await say(client, "다음 주 영어 스터디만 취소해줘")
    [one] = await say(client, "네")
    assert one["text"].startswith("✅ 삭제했어요 (이번만)")
    assert "undo" not in one["payload"]
    [refused] = await say(client, "되돌려줘")
    assert refused["text"].startswith("이 작업은 되돌릴 수 없어요.")
    assert await week_of("2025-11-17") == []
