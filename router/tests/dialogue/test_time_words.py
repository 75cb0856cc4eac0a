"""Clear time words in replies (issue 18): noon is 낮 12:00, midnight 자정, another year is
named, and a place equal to the title is not said twice."""

from datetime import date, datetime

import pytest

from router_service.dialogue import formatting as fmt
from shared.time import SEOUL


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025-11-15T12:00+09:00", "2025-11-15T13:00+09:00", "11월 15일(토) 낮 12:00–오후 1:00"),
        ("2025-11-15T11:00+09:00", "2025-11-15T12:00+09:00", "11월 15일(토) 오전 11:00–낮 12:00"),
        ("2025-11-15T12:30+09:00", "2025-11-15T13:30+09:00", "11월 15일(토) 오후 12:30–1:30"),
        # Midnight closes the day before, as "내일 자정" is read.
        ("2025-11-15T23:00+09:00", "2025-11-16T00:00+09:00", "11월 15일(토) 오후 11:00–자정"),
        (
            "2025-11-16T00:00+09:00",
            "2025-11-16T01:00+09:00",
            "11월 15일(토) 자정 – 11월 16일(일) 오전 1:00",
        ),
    ],
)
def test_noon_and_midnight_have_their_own_words(start, end, expected):
    assert fmt.timed_span(at(start), at(end), SEOUL) == expected


def test_a_date_in_another_year_shows_the_year():
    with fmt.this_year(2025):
        assert fmt.day_label(date(2025, 12, 31)) == "12월 31일(수)"
        assert fmt.day_label(date(2026, 1, 5)) == "2026년 1월 5일(월)"
        assert fmt.day_label(date(2024, 11, 24)) == "2024년 11월 24일(일)"
    assert fmt.day_label(date(2026, 1, 5)) == "1월 5일(월)"  # no year known: none said


def test_a_place_equal_to_the_title_is_said_once():
    assert not fmt.place_to_say("교회", "교회")
    assert not fmt.place_to_say("강남 역", "강남역")
    assert fmt.place_to_say("팀 미팅", "강남역")
    assert not fmt.place_to_say("팀 미팅", None)
    item = {"title": "교회", "location": "교회", "start": "2025-11-16T11:00:00+09:00"}
    assert fmt.list_item(item, SEOUL, with_day=False) == "• 11:00 교회"


# --- in the dialogue ---------------------------------------------------------------------


@pytest.mark.db
async def test_noon_in_a_proposal_and_its_result(client, say):
    [reply] = await say(client, "내일 정오 점심 약속")
    assert (
        reply["text"].splitlines()[0]
        == "11월 15일(토) 낮 12:00–오후 1:00 「점심 약속」을 등록할까요?"
    )
    [done] = await say(client, "네")
    assert done["text"] == "✅ 등록했어요: 11월 15일(토) 낮 12:00–오후 1:00 「점심 약속」"


@pytest.mark.db
async def test_midnight_in_a_proposal(client, say):
    [reply] = await say(client, "내일 밤 11시부터 자정까지 배포")
    assert reply["text"].splitlines()[0] == "11월 15일(토) 오후 11:00–자정 「배포」를 등록할까요?"


@pytest.mark.db
async def test_next_year_is_named_and_this_year_is_not(client, say):
    [reply] = await say(client, "내년 1월 5일 오후 3시 회의")
    assert (
        reply["text"].splitlines()[0] == "2026년 1월 5일(월) 오후 3:00–4:00 「회의」를 등록할까요?"
    )
    *_, reply = await say(client, "12월 5일 오후 3시 회의")
    assert reply["text"].splitlines()[0] == "12월 5일(금) 오후 3:00–4:00 「회의」를 등록할까요?"


@pytest.mark.db
async def test_a_place_that_is_the_title_is_not_repeated(client, say):
    [reply] = await say(client, "일요일 오전 11시 교회")
    assert (
        reply["text"].splitlines()[0] == "11월 16일(일) 오전 11:00–낮 12:00 「교회」를 등록할까요?"
    )
    assert "장소" not in reply["text"]
    [done] = await say(client, "네")
    assert "장소" not in done["text"]
    [reply] = await say(client, "일요일 오후 2시 강남역에서 팀 미팅")
    assert "장소: 강남역" in reply["text"]
