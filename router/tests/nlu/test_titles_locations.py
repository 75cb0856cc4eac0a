"""What is left over: titles, request words, and locations."""

from __future__ import annotations

import pytest

from router_service.nlu.parser import parse


@pytest.mark.parametrize(
    "text, title",
    [
        ("내일 오전 8시에 조깅 일정 잡아줘", "조깅"),
        ("11월 17일 15:00 TDD 테스트 일정", "TDD 테스트 일정"),
        ("11월 27일 오후 5시 반에 부모님 저녁 식사 등록해 주세요", "부모님 저녁 식사"),
        ("내일 3시 팀 회의 일정 추가해줘", "팀 회의"),
        ("내일 3시 회의 좀 잡아 줘", "회의"),
        ("내일 3시에 병원 예약해줘", "병원"),
        ("내일 오후 4시 김 과장님과 점심 미팅 잡아줘", "김 과장님과 점심 미팅"),
        ("오후3시 팀미팅", "팀미팅"),
        ("2025년 12월 25일 크리스마스 파티", "크리스마스 파티"),
    ],
)
def test_titles(text, title, now):
    assert parse(text, now=now).event.title == title


@pytest.mark.parametrize(
    "text, title, location",
    [
        ("11월 24일 검진 07:40~12시 인천 연수구 갯벌로156", "검진", "인천 연수구 갯벌로156"),
        ("내일 2시 면접 서울 강남구 테헤란로 152", "면접", "서울 강남구 테헤란로 152"),
        ("서울 강남구 테헤란로 152에서 내일 2시 면접", "면접", "서울 강남구 테헤란로 152"),
        ("11월 30일 오후 2시 서울역에서 클라이언트 미팅", "클라이언트 미팅", "서울역"),
        ("11월 18일 오전 11시 사무실에서 회의", "회의", "사무실"),
        ("다음 주 화요일 오전 10시 30분 강남 사무실에서 면접", "면접", "강남 사무실"),
        ("12월 3일 오후 3시 서울역 앞 카페에서 친구 만나기", "친구 만나기", "서울역 앞 카페"),
        ("11월 25일 오후 2시 고객 미팅 본사 대회의실", "고객 미팅", "본사 대회의실"),
        ("내일 오후 2시 주간 회의 본사 3층 회의실", "주간 회의", "본사 3층 회의실"),
        ("12월 2일 오전 10시 정기 검진 서울대병원", "정기 검진", "서울대병원"),
        ("11월 23일 오후 3시 카페", "카페", "카페"),
        ("내일 3시 통역", "통역", None),
        ("내일 3시 회의실 예약", "회의실 예약", None),
    ],
)
def test_locations(text, title, location, now):
    event = parse(text, now=now).event
    assert (event.title, event.location) == (title, location)
