"""The chat page in Debian's Chromium: type, approve, reload, and a late reply over SSE.

The router is served by uvicorn on a free port; the fake auth-server and
skill-calendar apps run on free ports of their own.
"""

import contextlib
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from router_service.db import Base, load_models
from router_service.main import create_app

pytestmark = [pytest.mark.browser, pytest.mark.db]

SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
TIMEOUT_MS = 10_000


@contextlib.asynccontextmanager
async def _stack(settings, fake_auth, fake_calendar, serve_http, clock):
    async with (
        serve_http(fake_auth.app) as auth_url,
        serve_http(fake_calendar.app) as calendar_url,
    ):
        router_settings = settings.model_copy(
            update={"auth_server_url": auth_url, "calendar_url": calendar_url}
        )
        app = create_app(router_settings)
        app.state.dialogue.clock = clock
        load_models()
        await app.state.database.create_all(Base.metadata)
        async with serve_http(app) as base_url:
            yield base_url


async def test_chat_page_propose_approve_reload_and_late_reply(
    settings, fake_auth, fake_calendar, serve_http, auth_server_headers, chromium, grant_event
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    clock = _clock()
    browser = chromium
    async with _stack(settings, fake_auth, fake_calendar, serve_http, clock) as base_url:
        page = await browser.new_page(
            viewport={"width": 1280, "height": 860}, locale="ko-KR", timezone_id="Asia/Seoul"
        )
        page.set_default_timeout(TIMEOUT_MS)
        await page.goto(base_url)
        await page.get_by_text("안녕하세요!").wait_for()

        box = page.get_by_label("메시지")
        await box.fill("11월 15일 오후 3시 팀 미팅")
        await box.press("Enter")
        proposal = page.locator(".row.assistant").filter(has_text="등록할까요?")
        await proposal.wait_for()
        assert "11월 15일(토) 오후 3:00–4:00 「팀 미팅」을 등록할까요?" in (
            await proposal.inner_text()
        )
        await page.screenshot(path=str(SCREENSHOTS / "chat-desktop-proposal.png"))

        await proposal.get_by_role("button", name="등록").click()
        await page.locator(".row.assistant").filter(has_text="✅ 등록했어요").wait_for()
        assert await proposal.get_by_role("button", name="등록").is_disabled()
        assert len(fake_calendar.create_calls) == 1
        link = page.get_by_role("link", name="캘린더에서 보기")
        assert (await link.get_attribute("href")).startswith("https://calendar.test/")
        await page.screenshot(path=str(SCREENSHOTS / "chat-desktop-done.png"))

        # History survives a reload; the answered proposal stays closed.
        await page.reload()
        await page.locator(".row.assistant").filter(has_text="✅ 등록했어요").wait_for()
        reloaded = page.locator(".row.assistant").filter(has_text="등록할까요?")
        assert await reloaded.get_by_role("button", name="등록").is_disabled()

        # Re-auth: the reply carries the connect link; after the grant event the proposal
        # appears by itself (SSE), without a reload.
        cookies = await page.context.cookies()
        session_cookie = next(c for c in cookies if c["name"] == "haru_session")
        assert session_cookie["httpOnly"] and session_cookie["sameSite"] == "Lax"
        user_id = next(iter(fake_auth.identities.values()))
        fake_auth.grant_states[user_id] = "missing"
        await box.fill("11월 24일 검진 07:40~12시 인천 연수구 갯벌로156")
        await box.press("Enter")
        connect = page.get_by_role("link", name="구글 캘린더 연결하기")
        await connect.wait_for()
        fake_auth.grant_states[user_id] = "active"
        # The link is the router's /connect naming the action (a ticket is made on the click).
        href = await connect.get_attribute("href")
        assert urlsplit(href).path == "/connect"
        event = grant_event(user_id, ref=parse_qs(urlsplit(href).query)["action_id"][0])
        async with httpx.AsyncClient(base_url=base_url) as internal:
            response = await internal.post(
                "/internal/grant-events", json=event, headers=auth_server_headers
            )
            assert response.json() == {"status": "accepted"}
        late = page.locator(".row.assistant").filter(has_text="「검진」을 등록할까요?")
        await late.wait_for()
        await late.get_by_role("button", name="등록").click()
        await page.locator(".row.assistant").filter(has_text="✅ 등록했어요: 11월 24일").wait_for()

        # Several matches: numbered choice buttons, then the delete proposal.
        fake_calendar.add_event(
            user_id,
            title="검진",
            start="2025-11-24T15:00:00+09:00",
            end="2025-11-24T16:00:00+09:00",
        )
        await box.fill("11월 24일 검진 삭제해줘")
        await box.press("Enter")
        choice = page.locator(".row.assistant").filter(has_text="일정이 2개 있어요")
        await choice.wait_for()
        await page.screenshot(path=str(SCREENSHOTS / "chat-desktop-choice.png"))
        await choice.get_by_role("button", name="2. 11월 24일(월) 오후 3:00–4:00 「검진」").click()
        delete = page.locator(".row.assistant").filter(has_text="「검진」을 삭제할까요?")
        await delete.wait_for()
        assert await choice.get_by_role("button").first.is_disabled()
        await delete.get_by_role("button", name="삭제").click()
        await page.locator(".row.assistant").filter(has_text="✅ 삭제했어요").wait_for()
        checkups = [e["start"] for e in fake_calendar.user_events(user_id) if e["title"] == "검진"]
        assert checkups == ["2025-11-24T07:40:00+09:00"]

        # Bad input gets a clear Korean error.
        await box.fill("가" * 2001)
        await box.press("Enter")
        await page.get_by_role("alert").filter(has_text="2000자").wait_for()

        # Mobile width.
        mobile = await browser.new_context(
            viewport={"width": 390, "height": 844},
            locale="ko-KR",
            timezone_id="Asia/Seoul",
            is_mobile=True,
        )
        await mobile.add_cookies([session_cookie])
        phone = await mobile.new_page()
        phone.set_default_timeout(TIMEOUT_MS)
        await phone.goto(base_url)
        await phone.locator(".row.assistant").filter(has_text="✅ 등록했어요: 11월 24일").wait_for()
        width = await phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390  # nothing overflows sideways
        await phone.screenshot(path=str(SCREENSHOTS / "chat-mobile.png"))
        await mobile.close()

        fresh = await browser.new_page(
            viewport={"width": 390, "height": 844}, locale="ko-KR", timezone_id="Asia/Seoul"
        )
        await fresh.goto(base_url)
        await fresh.get_by_text("안녕하세요!").wait_for()
        await fresh.screenshot(path=str(SCREENSHOTS / "chat-mobile-welcome.png"))


async def test_a_browser_in_new_york_gets_new_york_time(
    settings, fake_auth, fake_calendar, serve_http, chromium
):
    async with _stack(settings, fake_auth, fake_calendar, serve_http, _clock()) as base_url:
        page = await chromium.new_page(locale="ko-KR", timezone_id="America/New_York")
        page.set_default_timeout(TIMEOUT_MS)
        await page.goto(base_url)
        await page.get_by_text("안녕하세요!").wait_for()
        box = page.get_by_label("메시지")
        await box.fill("내일 오후 3시 팀 미팅")
        await box.press("Enter")
        proposal = page.locator(".row.assistant").filter(has_text="등록할까요?")
        await proposal.wait_for()
        # 10:00 on Friday in Seoul is Thursday evening in New York: "내일" is Friday there.
        assert "11월 14일(금) 오후 3:00–4:00 (뉴욕 시간) 「팀 미팅」을 등록할까요?" in (
            await proposal.inner_text()
        )
        await proposal.get_by_role("button", name="등록").click()
        await page.locator(".row.assistant").filter(has_text="✅ 등록했어요").wait_for()
        [call] = fake_calendar.create_calls
        assert call["body"]["start"] == "2025-11-14T15:00:00-05:00"


def _clock():
    now = datetime.fromisoformat("2025-11-14T10:00:00+09:00")
    return lambda: now
