import asyncio

import pytest

pytestmark = pytest.mark.db
RESOLVE = "/internal/identities/resolve"


async def test_resolve_creates_once_then_returns_the_same_user(client, service_headers):
    body = {"channel": "slack", "external_id": "T1:U1", "display_name": "민지"}
    first = await client.post("/internal/identities/resolve", json=body, headers=service_headers)
    assert first.status_code == 200
    assert first.json()["created"] is True
    assert first.json()["google_email"] is None
    again = await client.post("/internal/identities/resolve", json=body, headers=service_headers)
    assert again.json() == {**first.json(), "created": False}


async def test_concurrent_first_sight_yields_one_user(client, service_headers):
    body = {"channel": "web", "external_id": "session-abc"}
    answers = await asyncio.gather(
        *[
            client.post("/internal/identities/resolve", json=body, headers=service_headers)
            for _ in range(8)
        ]
    )
    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["user_id"] for a in answers}) == 1


async def test_link_points_an_identity_at_an_existing_user(client, service_headers):
    web = await client.post(
        "/internal/identities/resolve",
        json={"channel": "web", "external_id": "s1"},
        headers=service_headers,
    )
    user_id = web.json()["user_id"]
    linked = await client.post(
        "/internal/identities/link",
        json={"channel": "slack", "external_id": "T1:U9", "user_id": user_id},
        headers=service_headers,
    )
    assert linked.status_code == 200
    assert linked.json() == {"user_id": user_id}
    slack = await client.post(
        "/internal/identities/resolve",
        json={"channel": "slack", "external_id": "T1:U9"},
        headers=service_headers,
    )
    assert slack.json()["user_id"] == user_id
    assert slack.json()["created"] is False


async def test_link_to_unknown_user_is_404(client, service_headers):
    response = await client.post(
        "/internal/identities/link",
        json={"channel": "web", "external_id": "s2", "user_id": "nobody"},
        headers=service_headers,
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "auth.user_not_found"


async def test_unknown_channel_is_refused(client, service_headers):
    response = await client.post(
        "/internal/identities/resolve",
        json={"channel": "fax", "external_id": "1"},
        headers=service_headers,
    )
    assert response.status_code == 422


async def test_a_known_identity_is_one_statement_outside_a_transaction(
    client, service_headers, statements_sent
):
    """Every chat message resolves its sender (issue 20): the identity and the Google email
    in one SELECT, in autocommit (no BEGIN, no ROLLBACK)."""
    body = {"channel": "web", "external_id": "w-known", "display_name": "민지"}
    await client.post(RESOLVE, json=body, headers=service_headers)
    with statements_sent(client.app) as seen:
        again = await client.post(RESOLVE, json=body, headers=service_headers)
    assert again.status_code == 200 and again.json()["created"] is False
    assert seen == [("SELECT", "AUTOCOMMIT")]
