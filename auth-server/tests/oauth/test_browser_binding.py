"""Issue 22 item 1 at auth-server: a link and its trip to Google complete only in one browser,
the pages name the Haru identity being connected, and a Google account is never merged."""

import json
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select

from auth_server.events.models import GrantEvent
from auth_server.grants.models import GoogleAccount
from auth_server.identities.models import Identity
from shared.db import utcnow

from ..conftest import local_path

pytestmark = pytest.mark.db


async def _account(client, user_id):
    async with client.app.state.database.sessionmaker() as session:
        return await session.scalar(select(GoogleAccount).where(GoogleAccount.user_id == user_id))


async def _events(client) -> list[dict]:
    async with client.app.state.database.sessionmaker() as session:
        rows = (await session.scalars(select(GrantEvent).order_by(GrantEvent.created_at))).all()
    return [json.loads(row.payload) for row in rows]


async def _web_link(flow, user_id: str, external_id: str):
    """POST /internal/connect-links for a web identity, as the router makes it."""
    return await flow.client.post(
        "/internal/connect-links",
        json={
            "user_id": user_id,
            "capability": "calendar",
            "channel": "web",
            "external_id": external_id,
        },
        headers={"Authorization": "Bearer test-router-token"},
    )


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def _confirm(flow, link: str, external_id: str = "web-1", browser=None) -> httpx.Response:
    """A web link's round trip: the page sends the browser to the router, which vouches for
    its chat session (``external_id``) with the proof; the browser comes back."""
    browser = browser or flow.client
    bounce = await browser.get(local_path(link))
    assert bounce.status_code == 303, bounce.text
    assert bounce.headers["location"].startswith("http://127.0.0.1:8000/connect/confirm?")
    proof = _query(bounce.headers["location"])
    confirmed = await flow.client.post(
        "/internal/connect-links/confirm",
        json={**proof, "external_id": external_id},
        headers={"Authorization": "Bearer test-router-token"},
    )
    assert confirmed.status_code == 200, confirmed.text
    return await browser.get(local_path(confirmed.json()["url"]))


async def test_a_web_link_needs_the_routers_word_for_the_chat_session_in_the_same_browser(flow):
    user_id = await flow.user()
    await flow.user("web-2")
    link = local_path(await flow.link(user_id, channel="web", external_id="web-1"))
    bounce = await flow.client.get(link)
    assert bounce.status_code == 303
    proof = _query(bounce.headers["location"])
    assert set(proof) == {"ticket", "proof"}
    assert (await flow.client.post(link)).status_code == 403  # not confirmed yet
    router = {"Authorization": "Bearer test-router-token"}
    for wrong in (
        {**proof, "external_id": "web-2"},  # another chat session
        {**proof, "proof": "x" * 43, "external_id": "web-1"},  # not the bound browser's proof
    ):
        refused = await flow.client.post(
            "/internal/connect-links/confirm", json=wrong, headers=router
        )
        assert refused.status_code == 404, refused.text
        assert refused.json()["error"]["code"] == "auth.link_not_confirmable"
    confirmed = await flow.client.post(
        "/internal/connect-links/confirm", json={**proof, "external_id": "web-1"}, headers=router
    )
    assert confirmed.status_code == 200, confirmed.text
    assert local_path(confirmed.json()["url"]) == link
    page = await flow.client.get(link)
    assert page.status_code == 200
    assert "하루 웹 채팅" in page.text
    assert (await flow.client.post(link)).status_code == 303
    # The proof is spent.
    again = await flow.client.post(
        "/internal/connect-links/confirm", json={**proof, "external_id": "web-1"}, headers=router
    )
    assert again.status_code == 404


async def test_a_link_opened_in_one_browser_is_refused_in_another(flow):
    user_id = await flow.user()
    link = local_path(await flow.link(user_id, channel="web", external_id="web-1"))
    assert (await _confirm(flow, link)).status_code == 200
    async with flow.other_browser() as other:
        for response in (await other.get(link), await other.post(link)):
            assert response.status_code == 403, response.text
            assert "다른 브라우저" in response.text
            assert "location" not in response.headers
    # The browser that opened it first goes on to Google.
    assert (await flow.client.post(link)).status_code == 303


async def test_the_callback_in_another_browser_stores_nothing_and_burns_the_state(flow):
    user_id = await flow.user()
    link = await flow.link(user_id, channel="web", external_id="web-1")
    await _confirm(flow, link)
    google_url = await flow.to_google(link)
    # A forwards Google's page to V; V consents with V's own account in V's browser.
    redirect = await flow.consent(google_url, "victim@example.com")
    async with flow.other_browser() as victim:
        page = await victim.get(local_path(redirect))
    assert page.status_code == 403, page.text
    assert "이 브라우저에서 시작한 연결이 아닙니다" in page.text
    assert "아무것도 저장하지 않았습니다" in page.text
    assert await _account(flow.client, user_id) is None
    assert await _events(flow.client) == []
    # Sent back to A, the same answer is spent: A's browser cannot finish it either.
    again = await flow.back(redirect)
    assert again.status_code == 400
    assert await _account(flow.client, user_id) is None


async def test_the_callback_without_the_browsers_cookie_is_refused(flow):
    user_id = await flow.user()
    google_url = await flow.to_google(await flow.link(user_id))
    redirect = await flow.consent(google_url, "minji@example.com")
    flow.client.cookies.clear()
    assert (await flow.back(redirect)).status_code == 403
    assert await _account(flow.client, user_id) is None


async def test_a_web_link_lives_minutes_and_names_the_web_chat(flow):
    user_id = await flow.user()
    response = await _web_link(flow, user_id, "web-1")
    assert response.status_code == 201
    expires = datetime.fromisoformat(response.json()["expires_at"])
    assert expires - utcnow() <= timedelta(minutes=2)
    page = await _confirm(flow, response.json()["url"])
    assert "하루 웹 채팅" in page.text


async def test_a_slack_link_names_the_slack_person_and_success_sends_them_back_to_slack(flow):
    user_id = await flow.user("T0TEAM:U0MINJI", channel="slack", display_name="minji")
    link = await flow.link(user_id, channel="slack")
    page = await flow.client.get(local_path(link))
    assert "Slack @minji" in page.text
    assert "본인이 아니라면" in page.text
    google_url = await flow.to_google(link)
    done = await flow.back(await flow.consent(google_url, "minji@example.com"))
    assert done.status_code == 200, done.text
    assert "Slack @minji" in done.text
    assert "Slack으로 돌아가세요" in done.text
    assert 'href="slack://open?team=T0TEAM"' in done.text
    assert "127.0.0.1:8000" not in done.text  # not the web chat


async def test_the_web_success_page_names_the_web_chat_and_links_back_to_it(flow):
    user_id = await flow.user()
    link = await flow.link(user_id, channel="web", external_id="web-1")
    await _confirm(flow, link)
    done = await flow.back(await flow.consent(await flow.to_google(link), "minji@example.com"))
    assert "하루 웹 채팅" in done.text
    assert 'href="http://127.0.0.1:8000/"' in done.text


async def test_a_link_for_an_identity_of_another_user_is_refused(flow):
    user_id = await flow.user()
    await flow.user("web-2")
    response = await _web_link(flow, user_id, "web-2")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "auth.identity_not_found"


async def test_a_google_account_of_another_haru_user_is_refused_not_merged(flow):
    slack_user = await flow.user("T1:U1", channel="slack")
    assert (await flow.connect(slack_user, "minji@example.com")).status_code == 200
    before = await _events(flow.client)
    web_user = await flow.user("web-9")
    page = await flow.connect(web_user, "minji@example.com", ref="pa-9")
    assert page.status_code == 409, page.text
    assert "이미 다른 하루 사용자에게 연결된 Google 계정" in page.text
    assert "아무것도 저장하지 않았습니다" in page.text
    assert await _account(flow.client, web_user) is None
    async with flow.client.app.state.database.sessionmaker() as session:
        identity = await session.scalar(select(Identity).where(Identity.external_id == "web-9"))
    assert identity.user_id == web_user  # not re-pointed
    assert (await _account(flow.client, slack_user)).email == "minji@example.com"
    assert await _events(flow.client) == before


async def test_a_link_always_shows_googles_consent_screen(flow):
    user_id = await flow.user()
    await flow.connect(user_id, "minji@example.com")
    assert (await _account(flow.client, user_id)).refresh_token
    google_url = await flow.to_google(await flow.link(user_id))
    assert "prompt=consent" in google_url


async def test_an_account_page_opened_in_one_browser_is_refused_in_another(flow):
    user_id = await flow.user()
    response = await flow.client.post(
        "/internal/account-links",
        json={"user_id": user_id},
        headers={"Authorization": "Bearer test-router-token"},
    )
    page = local_path(response.json()["url"])
    assert (await flow.client.get(page)).status_code == 200
    async with flow.other_browser() as other:
        refused = await other.get(page)
        assert refused.status_code == 403
        assert "다른 브라우저" in refused.text
        post = await other.post(f"{page}/disconnect", data={"form_token": "x"})
        assert post.status_code == 403


async def test_a_web_chats_account_page_needs_the_routers_word_too(flow):
    """The account page can connect Google: a web chat's account link is confirmed by the
    router in the browser it is bound to, like a connect link."""
    user_id = await flow.user()
    router = {"Authorization": "Bearer test-router-token"}
    made = await flow.client.post(
        "/internal/account-links",
        json={"user_id": user_id, "channel": "web", "external_id": "web-1"},
        headers=router,
    )
    assert made.status_code == 201, made.text
    page = local_path(made.json()["url"])
    async with flow.other_browser() as victim:  # forwarded before its owner opened it
        bounce = await victim.get(page)
        assert bounce.status_code == 303
        proof = _query(bounce.headers["location"])
        refused = await victim.post(f"{page}/connect", data={"capability": "calendar"})
        assert refused.status_code == 403
        # The router, asked in V's browser, vouches for V's session: not this link's.
        wrong = await flow.client.post(
            "/internal/connect-links/confirm",
            json={**proof, "external_id": "web-victim"},
            headers=router,
        )
        assert wrong.status_code == 404
    # Opened by V first, the link is V's browser's and useless to both; a fresh one works in
    # the owner's browser after the router's word.
    assert (await flow.client.get(page)).status_code == 403
    fresh = await flow.client.post(
        "/internal/account-links",
        json={"user_id": user_id, "channel": "web", "external_id": "web-1"},
        headers=router,
    )
    shown = await _confirm(flow, fresh.json()["url"])
    assert shown.status_code == 200, shown.text
    assert "내 Google 연결" in shown.text
