"""A person in Chromium asks for a vague day ("다음 주 중에 치과 가야 돼"): the page shows the
offered days as buttons, a click completes the proposal, and the answered question's
buttons are disabled; several events are one proposal with one 등록 button."""

from __future__ import annotations

import pytest
from browser import connected_page
from harness import System

pytestmark = pytest.mark.browser


async def test_a_vague_day_is_answered_with_a_day_button(system: System, chromium) -> None:
    context, page, email = await connected_page(system, chromium)
    box = page.get_by_label("메시지")
    await box.fill("다음 주 중에 치과 가야 돼")
    await box.press("Enter")
    question = page.locator(".row.assistant").filter(has_text="「치과」는 언제로 할까요?")
    await question.wait_for()
    days = question.locator("button.choice")
    assert await days.count() >= 1
    first = await days.first.text_content()
    assert first is not None and "월 " in first and first.endswith(")")  # 11월 17일(월)
    assert await days.first.is_enabled()
    await days.first.click()
    proposal = page.locator(".row.assistant").filter(has_text="종일 「치과」를 등록할까요?")
    await proposal.wait_for()
    assert first in (await proposal.text_content() or "")
    assert not await days.first.is_enabled()  # answered: the day buttons are off
    await proposal.get_by_role("button", name="등록").click()
    await page.locator(".row.assistant").filter(has_text="✅ 등록했어요").wait_for()
    live = system.google.live_events(email)
    assert [e["summary"] for e in live] == ["치과"] and "date" in live[0]["start"]

    await box.fill("내일 오전 9시 스탠드업, 모레 오후 3시 회의")
    await box.press("Enter")
    many = page.locator(".row.assistant").filter(has_text="일정 2개를 등록할까요?")
    await many.wait_for()
    await many.get_by_role("button", name="등록").click()
    await page.locator(".row.assistant").filter(has_text="✅ 2개 등록했어요").wait_for()
    await context.close()
