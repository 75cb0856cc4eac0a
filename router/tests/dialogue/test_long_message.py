"""A long chatty message (issue 18 item 8): the proposal has the request's own day and a
short title; whatever the NLU returns, a proposal never carries a title over 100
characters."""

from pathlib import Path

import pytest

from router_service.dialogue import plans

pytestmark = pytest.mark.db

CHATTER = (Path(__file__).parents[1] / "nlu" / "data" / "chatter.txt").read_text("utf-8").strip()
REQUEST = "아 맞다, 다음 주 수요일 오후 4시에 정형외과 진료 예약했으니까 캘린더에 넣어줘"


async def test_a_970_character_message_proposes_the_request(client, say, fake_calendar):
    text = f"{CHATTER} 그리고 이건 진짜 중요한 건데 잊어버리면 안 되니까 꼭 좀 부탁할게. {REQUEST}"
    assert 950 <= len(text) <= 1000
    [proposal] = await say(client, text)
    first = proposal["text"].splitlines()[0]
    assert first == "11월 19일(수) 오후 4:00–5:00 「정형외과 진료」를 등록할까요?"
    await say(client, "네")
    [call] = fake_calendar.create_calls
    assert call["body"]["title"] == "정형외과 진료"


async def test_a_proposal_never_carries_a_title_over_100_characters(client, say, fake_calendar):
    words = " ".join(["아주아주 길고 긴 제목"] * 20)
    [proposal] = await say(client, f"내일 오후 3시 {words}")
    title = proposal["text"].split("「", 1)[1].split("」", 1)[0]
    assert len(title) <= plans.MAX_TITLE_CHARS and title.endswith("…")
    await say(client, "네")
    [call] = fake_calendar.create_calls
    assert call["body"]["title"] == title


def test_short_title_cuts_at_a_word():
    assert plans.short_title("짧은 제목") == "짧은 제목"
    long = "회의 " * 60
    cut = plans.short_title(long)
    assert len(cut) <= 100 and cut.endswith("회의…")
    assert plans.NewEvent(title="가" * 300).title == "가" * 99 + "…"
