"""Short answers and amendments to a waiting proposal (nlu.amendments)."""

import pytest

from router_service.nlu import amendments


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("장소는 강남역", "강남역"),
        ("장소는 강남역으로 바꿔줘", "강남역"),
        ("장소는 테헤란로", "테헤란로"),
        ("위치 본사 3층 회의실로 변경해 주세요", "본사 3층 회의실"),
        ("장소는 강남역이에요", "강남역"),
    ],
)
def test_location_amendments(text, value):
    assert amendments.new_location(text) == value


@pytest.mark.parametrize(
    ("text", "number"), [("1번", 1), ("2", 2), (" 3번이요", 3), ("내일 3시", None), ("2번요", 2)]
)
def test_choice_numbers(text, number):
    assert amendments.choice_number(text) == number


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("30분 늦춰줘", 30),
        ("1시간 앞당겨줘", -60),
        ("한 시간 미뤄 줘", 60),
        ("반시간 일찍", -30),
        ("0분 늦춰줘", None),
        ("4시로 바꿔줘", None),
    ],
)
def test_shift_minutes(text, minutes):
    assert amendments.shift_minutes(text) == minutes


def test_title_amendment_and_answers():
    assert amendments.new_title("제목은 주간 회의로 바꿔줘") == "주간 회의"
    assert amendments.is_answer("2번") and amendments.is_answer("장소는 강남역")
    assert not amendments.is_answer("내일 오후 3시 팀 미팅")
    assert amendments.names_a_date("내일 4시로") and not amendments.names_a_date("4시로")
