"""The e2e harness in Chromium (Playwright): a person's browser in Seoul, Google's consent
page, a chat page whose calendar is connected."""

from __future__ import annotations

import uuid
from typing import Any

from harness import System

BROWSER_TIMEOUT_MS = 20_000


async def seoul_browser(chromium: Any) -> Any:
    """A desktop browser context (Playwright) of a person in Seoul: Korean locale and zone;
    every wait gives up after ``BROWSER_TIMEOUT_MS``."""
    context = await chromium.new_context(
        viewport={"width": 1280, "height": 860}, locale="ko-KR", timezone_id="Asia/Seoul"
    )
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    return context


async def consent_at_google(page: Any, email: str) -> None:
    """On the auth-server's connect page: on to Google, consent as ``email``, and wait for
    the page that sends the person back to the chat."""
    await page.get_by_role("button", name="Google에서 계속하기").click()
    await page.get_by_label("이메일 / E-mail").fill(email)
    await page.get_by_role("button", name="허용 / Allow").click()
    await page.get_by_text("이제 채팅으로 돌아가세요").wait_for()


async def connected_page(system: System, chromium: Any) -> tuple[Any, Any, str]:
    """A chat page whose session has its Google calendar connected, in the same browser:
    (the browser context, the chat page, the Google account's email)."""
    email = f"browser-{uuid.uuid4().hex[:8]}@example.com"
    context = await seoul_browser(chromium)
    page = await context.new_page()
    # /connect needs the chat's session cookie, which the page gets after it loads.
    async with page.expect_response(lambda r: r.url.endswith("/api/chat/session")) as started:
        await page.goto(system.url("router") + "/")
    assert (await started.value).ok
    await page.get_by_label("메시지").wait_for()
    consent = await context.new_page()
    await consent.goto(system.url("router") + "/connect")
    await consent_at_google(consent, email)
    await consent.close()
    return context, page, email
