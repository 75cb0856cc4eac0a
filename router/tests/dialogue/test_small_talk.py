"""Greetings, thanks, chit-chat and English get short natural answers; nonsense gets the
help text with two examples (issue 18 item 7)."""

import pytest

from router_service.dialogue import small_talk

pytestmark = pytest.mark.db


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("안녕하세요", "안녕하세요! 하루예요."),
        ("안녕~", "안녕하세요! 하루예요."),
        ("하이", "안녕하세요! 하루예요."),
        ("좋은 아침이에요!", "안녕하세요! 하루예요."),
        ("고마워", "천만에요!"),
        ("감사합니다 ㅎㅎ", "천만에요!"),
        ("땡큐!!", "천만에요!"),
        ("잘 지내?", "저는 잘 지내요!"),
        ("너 누구야?", "저는 하루예요."),
        ("뭐 할 수 있어?", "저는 하루예요."),
        ("최고야 👍", "감사해요!"),
        ("미안 잘못 보냈어", "괜찮아요!"),
        ("오늘 너무 피곤하다", "오늘 고생 많으셨어요."),
        ("내일 날씨 알려줘", "날씨는 알려 드릴 수 없어요."),
        ("저녁 메뉴 추천해줘", "그건 도와드릴 수 없어요."),
        ("수고했어", "네, 좋은 하루 보내세요!"),
        ("ㅋㅋㅋ", "😄"),
    ],
)
async def test_short_natural_answers(client, say, text, start):
    [reply] = await say(client, text)
    assert reply["text"].startswith(start), reply["text"]
    assert reply["payload"] is None


@pytest.mark.parametrize(
    "text", ["Hello!", "Can you add a meeting tomorrow at 3pm?", "what's on my calendar today"]
)
async def test_english_gets_a_korean_answer_with_an_example(client, say, text):
    [reply] = await say(client, text)
    first = reply["text"].splitlines()[0]
    assert "한국어" in first and "'내일 오후 3시 팀 미팅'" in first


@pytest.mark.parametrize("text", ["ㅁㄴㅇㄹ", "냠냠 쿵쿵 빵빵", "가나다라마바사"])
async def test_nonsense_gets_the_help_text_with_two_examples(client, say, text):
    [reply] = await say(client, text)
    assert reply["text"] == small_talk.NOT_UNDERSTOOD
    examples = reply["text"].splitlines()[-1]
    assert examples == "예: '내일 오후 3시 팀 미팅', '이번 주 일정 알려줘'"


async def test_a_goodbye_late_at_night_wishes_a_good_night():
    from datetime import datetime

    late = datetime.fromisoformat("2025-11-14T23:10:00+09:00")
    assert small_talk.answer("잘 자", now=late).startswith("편안한 밤 보내세요!")
