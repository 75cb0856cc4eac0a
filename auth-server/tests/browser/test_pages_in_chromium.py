"""Walks the connect and account pages in Debian's Chromium (no JavaScript needed)."""

from collections.abc import AsyncIterator

import httpx
import pytest

from auth_server.db import Base, load_models
from auth_server.main import create_app

pytestmark = [pytest.mark.db, pytest.mark.browser]

HEADERS = {"Authorization": "Bearer test-router-token"}


@pytest.fixture
def browser(chromium):
    return chromium


@pytest.fixture
async def live_auth(google_settings, live, reserve) -> AsyncIterator[str]:
    sock = reserve()
    host, port = sock.getsockname()[:2]
    base = f"http://{host}:{port}"
    app = create_app(google_settings.model_copy(update={"public_base_url": base}))
    load_models()
    await app.state.database.create_all(Base.metadata)
    async with live(app, sock) as url:
        yield url


async def consent_at_emulator(page, email: str) -> None:
    """Fills the emulator's consent page the way a person would."""
    await page.locator("input[name=email]").fill(email)
    await page.locator("button[type=submit][name=allow], button[value=allow]").first.click()


async def test_connect_then_account_page_without_javascript(browser, live_auth):
    async with httpx.AsyncClient(base_url=live_auth, headers=HEADERS) as api:
        user = await api.post(
            "/internal/identities/resolve", json={"channel": "web", "external_id": "b1"}
        )
        user_id = user.json()["user_id"]
        link = await api.post(
            "/internal/connect-links",
            json={"user_id": user_id, "capability": "calendar", "pending_action_ref": "pa-1"},
        )
        connect_url = link.json()["url"]
        account = await api.post("/internal/account-links", json={"user_id": user_id})
        account_url = account.json()["url"]

    context = await browser.new_context(java_script_enabled=False, locale="ko-KR")
    page = await context.new_page()
    await page.goto(connect_url)
    assert "구글 캘린더" in await page.content()
    await page.get_by_role("button", name="Google에서 계속하기").click()
    await consent_at_emulator(page, "minji@example.com")
    await page.wait_for_url(f"{live_auth}/oauth/google/callback*")
    body = await page.text_content("body")
    assert "이제 채팅으로 돌아가세요; 요청하신 일정은 자동으로 처리됩니다" in body
    assert await page.get_attribute("#back-to-chat", "href") == "http://127.0.0.1:8000/"

    # The link was used up.
    await page.goto(connect_url)
    assert "이미 사용된 링크" in await page.text_content("body")

    # Account page: add Gmail reading, then disconnect.
    await page.goto(account_url)
    assert await page.text_content("#google-email") == "minji@example.com"
    assert "허용됨 · 정상" in await page.text_content("#cap-calendar")
    await page.locator("#cap-gmail-read button").click()
    await consent_at_emulator(page, "minji@example.com")
    await page.wait_for_url(f"{live_auth}/oauth/google/callback*")
    assert "연결되었습니다" in await page.text_content("body")
    await page.goto(account_url)
    assert "허용됨 · 정상" in await page.text_content("#cap-gmail-read")
    await page.locator("#disconnect").click()
    await page.wait_for_url(f"{account_url}?done=disconnected")
    assert "연결을 해제했습니다" in await page.text_content("#notice")
    assert "허용 안 됨" in await page.text_content("#cap-calendar")
    await context.close()


async def test_denied_consent_in_the_browser_offers_retry(browser, live_auth):
    async with httpx.AsyncClient(base_url=live_auth, headers=HEADERS) as api:
        user = await api.post(
            "/internal/identities/resolve", json={"channel": "web", "external_id": "b2"}
        )
        link = await api.post(
            "/internal/connect-links",
            json={"user_id": user.json()["user_id"], "capability": "calendar"},
        )
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    await page.goto(link.json()["url"])
    await page.get_by_role("button", name="Google에서 계속하기").click()
    await page.locator("input[name=email]").fill("minji@example.com")
    await page.locator("button[value=deny], button[name=deny]").first.click()
    await page.wait_for_url(f"{live_auth}/oauth/google/callback*")
    assert "연결이 취소되었습니다" in await page.text_content("h1")
    await page.locator("#retry").click()
    assert "Google에서 계속하기" in await page.content()
    await context.close()
