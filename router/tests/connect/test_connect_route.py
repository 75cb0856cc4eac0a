"""GET /connect: a web connect link works only in the browser holding the chat it was made for.

The chat's link names the router; the router checks the session cookie and only then asks
auth-server for a one-time, short-lived connect ticket and sends the browser on to it.
"""

import re

import pytest
from sqlalchemy import select

from router_service.pending.models import PendingAction
from shared.testing import serve_app

pytestmark = pytest.mark.db

TEAM_MEETING = "11월 15일 오후 3시 팀 미팅"
HANGUL = re.compile(r"[가-힣]")


async def _ask_for_connect(client, say, fake_auth) -> tuple[dict, dict]:
    session = (await client.get("/api/chat/session")).json()
    fake_auth.grant_states[session["user_id"]] = "missing"
    [reply] = await say(client, TEAM_MEETING)
    assert reply["payload"]["kind"] == "connect"
    return session, reply


async def _action_id(app) -> int:
    async with app.state.database.sessionmaker() as session:
        return (await session.scalars(select(PendingAction.id))).one()


def _refused(response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert HANGUL.search(response.text)
    assert "location" not in response.headers
    assert response.headers["cache-control"] == "no-store"


async def test_the_chat_link_names_the_router_and_no_ticket_exists_before_the_click(
    app, client, say, fake_auth, settings
):
    _session, reply = await _ask_for_connect(client, say, fake_auth)
    action_id = await _action_id(app)
    assert reply["payload"]["link"]["url"] == (
        f"{settings.public_base_url}/connect?action_id={action_id}"
    )
    assert fake_auth.connect_links == []


async def test_the_session_owning_the_action_is_sent_on_to_a_fresh_ticket(
    app, client, say, fake_auth
):
    session, _reply = await _ask_for_connect(client, say, fake_auth)
    action_id = await _action_id(app)
    response = await client.get(f"/connect?action_id={action_id}")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "http://auth.test/connect/ticket-1"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    [made] = fake_auth.connect_links
    assert made == {
        "user_id": session["user_id"],
        "capability": "calendar",
        "pending_action_ref": str(action_id),
        "channel": "web",
        "external_id": session["conversation_key"].removeprefix("web:"),
    }


async def test_another_browsers_session_is_refused_and_gets_no_ticket(app, client, say, fake_auth):
    await _ask_for_connect(client, say, fake_auth)
    action_id = await _action_id(app)
    async with serve_app(app) as other:
        await other.get("/api/chat/session")  # V has a chat session of their own
        _refused(await other.get(f"/connect?action_id={action_id}"), 403)
    assert fake_auth.connect_links == []


async def test_a_browser_without_a_session_is_refused_and_gets_none(app, client, say, fake_auth):
    await _ask_for_connect(client, say, fake_auth)
    action_id = await _action_id(app)
    async with serve_app(app) as stranger:
        response = await stranger.get(f"/connect?action_id={action_id}")
        _refused(response, 403)
        assert "set-cookie" not in response.headers
    assert fake_auth.connect_links == []


@pytest.mark.parametrize("action_id", ["999999", "abc", "9" * 40, "-1", ""])
async def test_unknown_or_malformed_actions_are_refused(client, fake_auth, action_id):
    await client.get("/api/chat/session")
    _refused(await client.get(f"/connect?action_id={action_id}"), 403)
    assert fake_auth.connect_links == []


async def test_connecting_ahead_of_any_request_binds_the_session_user(client, fake_auth):
    session = (await client.get("/api/chat/session")).json()
    response = await client.get("/connect")
    assert response.status_code == 303
    [made] = fake_auth.connect_links
    assert made["user_id"] == session["user_id"]
    assert made["channel"] == "web"
    assert "pending_action_ref" not in made


async def test_auth_server_down_is_a_korean_503_page(client, fake_auth):
    await client.get("/api/chat/session")
    fake_auth.down = True
    response = await client.get("/connect")
    _refused(response, 503)
    assert response.headers["retry-after"]


async def test_the_confirmation_vouches_for_this_browsers_session_and_sends_it_back(
    client, fake_auth
):
    session = (await client.get("/api/chat/session")).json()
    await client.get("/connect")  # the ticket (ticket-1) for this session's web identity
    response = await client.get("/connect/confirm?ticket=ticket-1&proof=proof-ok")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "http://auth.test/connect/ticket-1"
    assert response.headers["referrer-policy"] == "no-referrer"
    [confirmation] = fake_auth.confirmations
    assert confirmation == {
        "ticket": "ticket-1",
        "proof": "proof-ok",
        "external_id": session["conversation_key"].removeprefix("web:"),
    }


async def test_the_confirmation_in_another_browser_is_refused(app, client, fake_auth):
    await client.get("/api/chat/session")
    await client.get("/connect")
    async with serve_app(app) as victim:
        await victim.get("/api/chat/session")  # V's own chat, in V's browser
        _refused(await victim.get("/connect/confirm?ticket=ticket-1&proof=proof-ok"), 403)
    async with serve_app(app) as stranger:  # no chat session at all: not even asked
        _refused(await stranger.get("/connect/confirm?ticket=ticket-1&proof=proof-ok"), 403)
    assert len(fake_auth.confirmations) == 1  # only V's, which auth-server refused


async def test_a_confirmation_without_its_proof_is_refused(client, fake_auth):
    await client.get("/api/chat/session")
    _refused(await client.get("/connect/confirm"), 403)
    _refused(await client.get("/connect/confirm?ticket=t&proof=" + "x" * 500), 403)
    assert fake_auth.confirmations == []
