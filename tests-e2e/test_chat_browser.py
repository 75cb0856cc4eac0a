"""A person in Chromium: writes the seed message, follows the connect link through the Google
emulator's consent page, comes back and sees the request resume, approves, and the event is
in Google. Screenshots of the page at desktop and mobile width land in var/screenshots/."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from browser import consent_at_google, seoul_browser
from harness import SEED, SEED_TITLE, System, seed_events

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"


async def test_connect_resume_and_approve_in_the_browser(system: System, chromium) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    email = f"browser-{uuid.uuid4().hex[:8]}@example.com"
    # The page sends the browser's zone with each message: a person in Seoul.
    context = await seoul_browser(chromium)
    page = await context.new_page()
    await page.goto(system.url("router") + "/")

    box = page.get_by_label("메시지")
    await box.fill(SEED)
    await box.press("Enter")
    connect = page.get_by_role("link", name="구글 캘린더 연결하기")
    await connect.wait_for()

    # The link opens the auth-server's page in a new tab, which sends the person to Google.
    async with context.expect_page() as opened:
        await connect.click()
    consent_tab = await opened.value
    await consent_at_google(consent_tab, email)
    await consent_tab.close()

    # Back in the chat, without a reload: the request resumed by itself as a proposal.
    proposal = page.locator(".row.assistant").filter(has_text=f"「{SEED_TITLE}」을 등록할까요?")
    await proposal.wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "e2e-chat-desktop.png"), full_page=True)
    await proposal.get_by_role("button", name="등록").click()
    await page.locator(".row.assistant").filter(has_text="✅ 등록했어요").wait_for()

    events = seed_events(system, email)
    assert len(events) == 1
    assert events[0]["start"]["dateTime"].endswith("T07:40:00+09:00")
    assert events[0]["end"]["dateTime"].endswith("T12:00:00+09:00")
    assert events[0]["location"] == "인천 연수구 갯벌로156"

    # The same conversation at phone width, history restored from the server.
    cookies = await context.cookies()
    phone = await chromium.new_context(
        viewport={"width": 390, "height": 844}, locale="ko-KR", timezone_id="Asia/Seoul"
    )
    await phone.add_cookies(cookies)
    mobile = await phone.new_page()
    await mobile.goto(system.url("router") + "/")
    await mobile.locator(".row.assistant").filter(has_text="✅ 등록했어요").wait_for()
    await mobile.screenshot(path=str(SCREENSHOTS / "e2e-chat-mobile.png"), full_page=True)
    await phone.close()
    await context.close()
