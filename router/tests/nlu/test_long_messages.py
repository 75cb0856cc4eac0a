"""A long chatty message (~900–1000 characters) ending with the request: the request's own
day and a short title, never the chatter's dates or text (issue 18 item 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from router_service.nlu.parser import parse

# A day told at length: 30분 늦었고, 오후 2시쯤, 3시부터 5시까지, 지난 토요일, 이번 달, 다음 달 …
CHATTER = (Path(__file__).parent / "data" / "chatter.txt").read_text(encoding="utf-8").strip()


@pytest.mark.parametrize(
    "request_text, title, start",
    [
        (
            "아 맞다, 다음 주 수요일 오후 4시에 정형외과 진료 예약했으니까 캘린더에 넣어줘",
            "정형외과 진료",
            "2025-11-19T16:00",
        ),
        (
            "그래서 말인데 모레 저녁 7시에 강남역에서 대학 동기 모임 잡아줘",
            "대학 동기 모임",
            "2025-11-16T19:00",
        ),
        ("참, 12월 3일 오후 2시 반에 치과 예약 있으니까 등록해줘", "치과 예약", "2025-12-03T14:30"),
        ("맞다 내일 아침 8시에 헬스장 PT 잡혔어. 캘린더에 넣어줘", "헬스장 PT", "2025-11-15T08:00"),
    ],
)
def test_a_long_message_ending_with_the_request(request_text, title, start, now):
    text = f"{CHATTER} {request_text}"
    assert 850 < len(text) < 1000
    result = parse(text, now=now)
    assert result.intent == "create_event"
    assert result.event is not None and result.events is None
    assert result.event.title == title
    assert result.event.start is not None
    assert result.event.start.isoformat().startswith(start)


@pytest.mark.parametrize(
    "text, title",
    [
        ("다음 주 수요일 오후 4시에 정형외과 진료 예약했으니까 넣어줘", "정형외과 진료"),
        ("내일 3시 미용실 예약했거든 일정 추가해줘", "미용실"),
        ("그래서 말인데 모레 7시 동기 모임 잡아줘", "동기 모임"),
        ("맞다 금요일 8시 PT 잡혔어. 넣어줘", "PT"),
        ("어쨌든 토요일 오후 1시 결혼식 등록해줘", "결혼식"),
        ("그나저나 다음 주 월요일 10시 면접 있어서 일정 잡아줘", "면접"),
    ],
)
def test_chatter_words_and_predicates_are_no_part_of_a_title(text, title, now):
    result = parse(text, now=now)
    assert result.intent == "create_event"
    assert result.event is not None and result.event.title == title
