"""A person in Chromium presses the buttons that change what happened: [되돌리기] under a ✅
reply (one event, and several events made by one 등록), and the scope buttons [이번만]
[이후 전부] [전체] of a recurring event. Each result is checked in the Google emulator."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from browser import connected_page
from harness import System

pytestmark = pytest.mark.browser

SEOUL = ZoneInfo("Asia/Seoul")
WEEKDAYS = "월화수목금토일"
# What the proposal after each scope button says it changes.
EFFECT = {"이번만": "하루만", "이후 전부": "부터 이후 전부", "전체": "반복 일정 전체("}


def _row(page: Any, *texts: str) -> Any:
    """The assistant's reply holding every one of ``texts``."""
    row = page.locator(".row.assistant")
    for text in texts:
        row = row.filter(has_text=text)
    return row


async def _say(page: Any, text: str) -> None:
    box = page.get_by_label("메시지")
    await box.fill(text)
    await box.press("Enter")


async def _press(row: Any, label: str) -> None:
    await row.wait_for()
    await row.get_by_role("button", name=label).click()


async def test_the_undo_button_takes_back_one_event_and_several(system: System, chromium) -> None:
    context, page, email = await connected_page(system, chromium)
    await _say(page, "내일 오후 3시 팀 미팅")
    await _press(_row(page, "「팀 미팅」을 등록할까요?"), "등록")
    done = _row(page, "✅ 등록했어요", "「팀 미팅」")
    await done.wait_for()
    assert len(system.google.live_events(email, "팀 미팅")) == 1
    await _press(done, "되돌리기")
    await _row(page, "↩️ 되돌렸어요.", "「팀 미팅」을 삭제했어요").wait_for()
    assert system.google.live_events(email, "팀 미팅") == []
    assert not await done.get_by_role("button", name="되돌리기").is_enabled()  # undone: off

    await _say(page, "내일 오전 9시 스탠드업, 모레 오후 3시 회의")
    await _press(_row(page, "일정 2개를 등록할까요?"), "등록")
    many = _row(page, "✅ 2개 등록했어요")
    await many.wait_for()
    assert (
        len(system.google.live_events(email, "스탠드업"))
        == len(system.google.live_events(email, "회의"))
        == 1
    )
    await _press(many, "되돌리기")
    await _row(page, "↩️ 되돌렸어요. 일정 2개를 삭제했어요").wait_for()
    assert (
        system.google.live_events(email, "스탠드업")
        == system.google.live_events(email, "회의")
        == []
    )
    await context.close()


def _said(day: date) -> str:
    return f"{day.month}월 {day.day}일"


async def _weekly(page: Any, title: str, weekday: str) -> None:
    """Makes the weekly series ``title`` through the page."""
    await _say(page, f"매주 {weekday}요일 저녁 7시 {title}")
    await _press(_row(page, f"「{title}」", "등록할까요?"), "등록")
    await _row(page, "✅ 등록했어요", f"「{title}」").wait_for()


async def _answer_scope(page: Any, title: str, scope: str, approve: str) -> None:
    """Presses ``scope`` under the scope question about ``title``, then approves."""
    question = _row(page, f"「{title}」", "반복 일정이에요. 어느 일정을")
    await question.wait_for()
    labels = await question.locator("button.choice").all_text_contents()
    assert labels == ["이번만", "이후 전부", "전체"], labels
    await question.get_by_role("button", name=scope, exact=True).click()
    await _press(_row(page, f"「{title}」", "까요?", EFFECT[scope]), approve)
    await _row(page, f"✅ {approve}했어요", f"「{title}」").wait_for()
    assert not await question.get_by_role("button", name=scope, exact=True).is_enabled()


def _weeks() -> tuple[date, date, str]:
    """The series' first occurrence (always ahead), its second, and their weekday."""
    first = datetime.now(SEOUL).date() + timedelta(days=2)
    return first, first + timedelta(weeks=1), WEEKDAYS[first.weekday()]


async def _scope_pressed(
    system: System, chromium: Any, title: str, asked: str, scope: str, approve: str
) -> tuple[Any, str]:
    """In a new chat session (a person presses a few buttons a minute: the chat's limit):
    the weekly series ``title``, then ``asked``, its ``scope`` button and ``approve``."""
    context, page, email = await connected_page(system, chromium)
    await _weekly(page, title, _weeks()[2])
    assert len(system.google.live_events(email, title)) == 1
    await _say(page, asked)
    await _answer_scope(page, title, scope, approve)
    return context, email


async def test_this_one_cancels_one_occurrence(system: System, chromium) -> None:
    _, second, _ = _weeks()
    context, email = await _scope_pressed(
        system, chromium, "영어 스터디", f"{_said(second)} 영어 스터디 삭제해줘", "이번만", "삭제"
    )
    [series] = system.google.live_events(email, "영어 스터디")  # the series stays
    cancelled = [
        e
        for e in system.google.events(email)
        if e.get("recurringEventId") == series["id"] and e.get("status") == "cancelled"
    ]
    assert [e["originalStartTime"]["dateTime"][:10] for e in cancelled] == [second.isoformat()]
    await context.close()


async def test_this_and_following_splits_the_series(system: System, chromium) -> None:
    first, second, _ = _weeks()
    context, email = await _scope_pressed(
        system,
        chromium,
        "독서 모임",
        f"{_said(second)} 독서 모임 8시로 바꿔줘",
        "이후 전부",
        "변경",
    )
    halves = system.google.live_events(email, "독서 모임")  # Google's split: two series
    starts = sorted(e["start"]["dateTime"] for e in halves)
    assert len(starts) == 2, halves
    assert starts[0].startswith(f"{first.isoformat()}T19:00")
    assert starts[1].startswith(f"{second.isoformat()}T20:00")
    await context.close()


async def test_all_deletes_the_whole_series(system: System, chromium) -> None:
    context, email = await _scope_pressed(system, chromium, "요가", "요가 삭제해줘", "전체", "삭제")
    assert system.google.live_events(email, "요가") == []
    await context.close()
