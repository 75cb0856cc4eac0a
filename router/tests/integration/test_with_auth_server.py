"""The router against the real auth-server app (its own database, real HTTP on free ports).

skill-calendar is still the contract fake here; the full stack test lives beside this one.
"""

from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import SecretStr

from auth_server.config import AuthSettings
from auth_server.crypto import generate_key
from auth_server.db import Base as AuthBase
from auth_server.db import load_models as load_auth_models
from auth_server.main import create_app as create_auth_app
from router_service.db import Base, load_models
from router_service.main import create_app

pytestmark = pytest.mark.db

ROUTER_AT_AUTH = "it-router-at-auth"


async def _confirmed(browser, auth_browser, link: str) -> httpx.Response:
    """Opens a web chat's link: auth-server binds it to the browser and asks the router to
    vouch for the chat session of that same browser (one browser: two clients here)."""
    bounce = await auth_browser.get(urlsplit(link).path)
    assert bounce.status_code == 303, bounce.text
    confirm = urlsplit(bounce.headers["location"])
    assert confirm.netloc == "chat.invalid" and confirm.path == "/connect/confirm"
    back = await browser.get(f"{confirm.path}?{confirm.query}")
    assert back.status_code == 303, back.text
    assert back.headers["location"] == link
    return await auth_browser.get(urlsplit(link).path)


async def test_web_identity_missing_grant_connect_link_and_account_page(
    settings, other_database_url, fake_calendar, serve_http
):
    auth_settings = AuthSettings(
        database_url=other_database_url("auth"),
        environment="test",
        service_tokens={"router": ROUTER_AT_AUTH},
        encryption_keys=generate_key(),
        public_base_url="http://auth.invalid",
        chat_url="http://chat.invalid/",
        router_url="",
    )
    auth_app = create_auth_app(auth_settings)
    load_auth_models()
    await auth_app.state.database.create_all(AuthBase.metadata)
    # The calendar double answers as skill-calendar does for a user the auth-server has no
    # Google account for: 409 calendar.reauth_required, reason not_connected.
    fake_calendar.auth.default_grant_state = "missing"

    async with serve_http(auth_app) as auth_url, serve_http(fake_calendar.app) as calendar_url:
        router_settings = settings.model_copy(
            update={
                "auth_server_url": auth_url,
                "auth_server_token": SecretStr(ROUTER_AT_AUTH),
                "calendar_url": calendar_url,
            }
        )
        router_app = create_app(router_settings)
        load_models()
        await router_app.state.database.create_all(Base.metadata)
        async with (
            serve_http(router_app) as router_url,
            httpx.AsyncClient(base_url=router_url) as browser,
            httpx.AsyncClient(base_url=auth_url) as auth_browser,
        ):
            session = (await browser.get("/api/chat/session")).json()
            assert session["google_email"] is None

            sent = await browser.post(
                "/api/chat/messages",
                json={"text": "11월 24일 검진 07:40~12시 인천 연수구 갯벌로156"},
            )
            assert sent.status_code == 201, sent.text
            reply = sent.json()["messages"][-1]
            assert reply["payload"]["kind"] == "connect"
            assert reply["action_state"] == "awaiting_auth"
            chat_link = reply["payload"]["link"]["url"]
            assert urlsplit(chat_link).path == "/connect"  # the router's, checked per session
            handed = await browser.get(urlsplit(chat_link).path + "?" + urlsplit(chat_link).query)
            assert handed.status_code == 303, handed.text
            connect_url = handed.headers["location"]
            assert connect_url.startswith("http://auth.invalid/connect/")
            page = await _confirmed(browser, auth_browser, connect_url)
            assert page.status_code == 200
            assert "text/html" in page.headers["content-type"]

            link = await browser.get("/api/chat/account-link")
            assert link.status_code == 200, link.text
            account_url = link.json()["url"]
            account = await _confirmed(browser, auth_browser, account_url)
            assert account.status_code == 200
    assert fake_calendar.create_calls == []
