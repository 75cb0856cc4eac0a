"""Several events in one message, long chatty messages, reminders, stated places, and the
v2 title rules (request phrases, emoji, trailing punctuation, holiday words)."""

from __future__ import annotations

import pytest

from router_service.nlu.parser import parse


def _items(text, now):
    result = parse(text, now=now)
    assert result.intent == "create_event"
    events = result.events or (result.event,)
    assert result.event == events[0]
    return [
        (e.title, (e.start or e.start_date).isoformat()[:16])
        for e in events  # type: ignore[union-attr]
    ]


@pytest.mark.parametrize(
    "text, items",
    [
        (
            "내일 9시 요가, 11시 치과, 3시 미팅",
            [
                ("요가", "2025-11-15T09:00"),
                ("치과", "2025-11-15T11:00"),
                ("미팅", "2025-11-15T15:00"),
            ],
        ),
        (
            "금요일 2시 면접 그리고 5시 저녁 약속",
            [("면접", "2025-11-14T14:00"), ("저녁 약속", "2025-11-14T17:00")],
        ),
        ("월요일이랑 목요일 오후 3시 PT", [("PT", "2025-11-17T15:00"), ("PT", "2025-11-20T15:00")]),
        (
            "내일하고 모레 오전 10시 교육",
            [("교육", "2025-11-15T10:00"), ("교육", "2025-11-16T10:00")],
        ),
        ("11월 20일, 21일 워크숍", [("워크숍", "2025-11-20"), ("워크숍", "2025-11-21")]),
        (
            "12월 1일 치과\n12월 3일 오후 2시 미용실",
            [("치과", "2025-12-01"), ("미용실", "2025-12-03T14:00")],
        ),
        (
            "화요일 목요일 오후 7시 요가",
            [("요가", "2025-11-18T19:00"), ("요가", "2025-11-20T19:00")],
        ),
        (
            "내일 3시 회의하고 5시 저녁",
            [("회의", "2025-11-15T15:00"), ("저녁", "2025-11-15T17:00")],
        ),
        (
            "월요일 3시, 수요일 5시 PT",
            [("PT", "2025-11-17T15:00"), ("PT", "2025-11-19T17:00")],
        ),
        (
            "내일 10시 치과 갔다가 2시 미용실",
            [("치과", "2025-11-15T10:00"), ("미용실", "2025-11-15T14:00")],
        ),
        (
            "금요일 3시 회의 끝나고 6시 회식",
            [("회의", "2025-11-14T15:00"), ("회식", "2025-11-14T18:00")],
        ),
        (
            "다음주 화요일 3시 회의, 수요일 4시 발표",
            [("회의", "2025-11-18T15:00"), ("발표", "2025-11-19T16:00")],
        ),
    ],
)
def test_several_events(text, items, now):
    assert _items(text, now) == items


def test_one_event_has_no_events_list(now):
    assert parse("내일 오후 2시 스터디 모임, 장소는 강남역 스타벅스야", now=now).events is None


@pytest.mark.parametrize(
    "text, title, start",
    [
        (
            "어제 3시까지 일했어. 너무 힘들다. 그래도 내일 오후 2시에 치과 예약이 있어서 가야 해. "
            "캘린더에 추가해줘",
            "치과 예약",
            "2025-11-15T14:00",
        ),
        (
            "요즘 정신없네ㅠㅠ 다음 주 화요일 저녁 7시에 홍대에서 친구 생일파티가 있어. "
            "일정 잡아줘",
            "친구 생일파티",
            "2025-11-18T19:00",
        ),
    ],
)
def test_a_long_message_is_read_for_its_request(text, title, start, now):
    assert _items(text, now) == [(title, start)]


@pytest.mark.parametrize(
    "text, title, start",
    [
        (
            "이번 주 너무 바빴는데 금요일 저녁 7시에 친구랑 저녁 먹기로 했어 캘린더에 넣어줘",
            "친구랑 저녁 먹기",
            "2025-11-14T19:00",
        ),
        (
            "어제 팀장님이 말씀하셨는데 다음 주 수요일 오후 2시에 전체 회의가 있대. 일정 추가해줘",
            "전체 회의",
            "2025-11-19T14:00",
        ),
    ],
)
def test_chatter_before_the_plan_in_one_sentence_or_two(text, title, start, now):
    assert _items(text, now) == [(title, start)]


@pytest.mark.parametrize(
    "text, title, minutes",
    [
        ("내일 오후 3시 회의 10분 전에 알려줘", "회의", (10,)),
        ("모레 9시 발표 하루 전에 알림 설정해줘", "발표", (1440,)),
        ("금요일 저녁 7시 저녁 약속 1시간 전이랑 10분 전에 알려줘", "저녁 약속", (60, 10)),
        ("다음주 월요일 면접 전날 알려줘", "면접", (1440,)),
        ("내일 오전 11시 병원 2시간 전에 리마인드 해줘", "병원", (120,)),
    ],
)
def test_reminders(text, title, minutes, now):
    result = parse(text, now=now)
    assert result.intent == "create_event"
    assert (result.event.title, result.event.reminder_minutes) == (title, minutes)


@pytest.mark.parametrize(
    "text, title, location",
    [
        ("내일 오후 2시 스터디 모임, 장소는 강남역 스타벅스야", "스터디 모임", "강남역 스타벅스"),
        ("토요일 6시 동창회 장소는 종로 한정식집이에요", "동창회", "종로 한정식집"),
        ("내일 3시 킥오프 미팅 장소는 본사 7층입니다", "킥오프 미팅", "본사 7층"),
    ],
)
def test_a_stated_place(text, title, location, now):
    event = parse(text, now=now).event
    assert (event.title, event.location) == (title, location)


@pytest.mark.parametrize(
    "text, title",
    [
        ("내일 오후 4시 피아노 레슨 캘린더에 넣어줘", "피아노 레슨"),
        ("모레 워크숍 달력에 저장해줘", "워크숍"),
        ("내일 저녁 7시 생일 파티 🎉🎂", "생일 파티"),
        ("금요일 3시 축구⚽", "축구"),
        ("내일 10시 면접~~", "면접"),
        ("내일 7시 저녁 약속!!!", "저녁 약속"),
        ("크리스마스 이브 저녁 8시 연말 파티", "연말 파티"),
        ("어린이날 다음날 가족 나들이", "가족 나들이"),
        ("내일 병원 가야 돼", "병원"),
        ("내일 오전 운동하고 싶은데 일정 잡아줘", "운동"),
    ],
)
def test_titles(text, title, now):
    assert parse(text, now=now).event.title == title


def test_a_reminder_in_n_minutes_is_a_create_not_a_query(now):
    result = parse("30분 뒤에 알려줘", now=now)
    assert result.intent == "create_event"
    assert result.event.start.isoformat() == "2025-11-14T10:30:00+09:00"


def test_a_recurring_question_is_a_query(now):
    result = parse("매주 월요일 회의 일정 알려줘", now=now)
    assert result.intent == "query_events" and result.event is None


@pytest.mark.parametrize(
    "text, title, location",
    [
        ("내일 오후 7시 잠실 롯데월드타워 저녁 식사", "저녁 식사", "잠실 롯데월드타워"),
        ("강남역 2번 출구 내일 3시 친구 만나기", "친구 만나기", "강남역 2번 출구"),
        ("판교 오피스 목요일 2시 워크숍", "워크숍", "판교 오피스"),
        ("호텔 예약 내일 3시", "호텔 예약", None),
        ("모레 05:40 공항 리무진 탑승", "공항 리무진 탑승", None),
    ],
)
def test_a_place_named_first(text, title, location, now):
    event = parse(text, now=now).event
    assert (event.title, event.location) == (title, location)
