"""Access tokens: refresh ahead of expiry, single flight, invalid_grant, transient failures."""

import asyncio
import json
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select, update

from auth_server.crypto import TokenCipher, generate_key
from auth_server.db import Base, load_models
from auth_server.events.models import GrantEvent
from auth_server.grants.models import GoogleAccount
from auth_server.keys import rotate_keys
from auth_server.main import create_app
from shared.db import utcnow
from shared.testing import serve_app

pytestmark = pytest.mark.db


async def expire_access_token(client, user_id, *, issued_days_ago: float | None = None):
    values = {"access_token_expires_at": utcnow() - timedelta(seconds=5)}
    if issued_days_ago is not None:
        values["refresh_token_issued_at"] = utcnow() - timedelta(days=issued_days_ago)
    async with client.app.state.database.sessionmaker() as session, session.begin():
        await session.execute(
            update(GoogleAccount).where(GoogleAccount.user_id == user_id).values(**values)
        )


async def account_of(client, user_id) -> GoogleAccount:
    async with client.app.state.database.sessionmaker() as session:
        return await session.scalar(select(GoogleAccount).where(GoogleAccount.user_id == user_id))


async def event_types(client) -> list[tuple[str, str, str | None]]:
    async with client.app.state.database.sessionmaker() as session:
        rows = (await session.scalars(select(GrantEvent).order_by(GrantEvent.created_at))).all()
    return [
        (p["type"], p["capability"], p["reason"]) for p in (json.loads(r.payload) for r in rows)
    ]


async def connected(flow, email="minji@example.com") -> str:
    user_id = await flow.user()
    page = await flow.connect(user_id, email)
    assert page.status_code == 200, page.text
    return user_id


async def test_fresh_token_is_served_without_calling_google(flow, google_emulator):
    user_id = await connected(flow)
    before = google_emulator.control.calls().get("token.refresh_token", 0)
    first = (await flow.token(user_id)).json()
    second = (await flow.token(user_id)).json()
    assert first == second
    assert google_emulator.control.calls().get("token.refresh_token", 0) == before


async def test_fifty_concurrent_requests_for_an_expired_token_refresh_once(flow, google_emulator):
    user_id = await connected(flow)
    old = (await flow.token(user_id)).json()["access_token"]
    await expire_access_token(flow.client, user_id)
    answers = await asyncio.gather(*[flow.token(user_id) for _ in range(50)])
    assert {a.status_code for a in answers} == {200}
    tokens = {a.json()["access_token"] for a in answers}
    assert len(tokens) == 1
    assert tokens != {old}
    assert google_emulator.control.calls()["token.refresh_token"] == 1


async def test_two_processes_racing_refresh_once(flow, google_emulator, google_settings):
    """Two app instances (own pools, own in-process locks) share only the database row lock."""
    user_id = await connected(flow)
    await expire_access_token(flow.client, user_id)
    other = create_app(google_settings)
    async with serve_app(other, base_url="http://127.0.0.1:8001") as second:

        async def ask(client):
            return await client.post(
                "/internal/tokens",
                json={"user_id": user_id, "capability": "calendar"},
                headers={"Authorization": "Bearer test-calendar-token"},
            )

        answers = await asyncio.gather(
            *[ask(flow.client) for _ in range(25)], *[ask(second) for _ in range(25)]
        )
    if flow.client.app.state.database.is_sqlite:
        pytest.skip("row locks need PostgreSQL")
    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["access_token"] for a in answers}) == 1
    assert google_emulator.control.calls()["token.refresh_token"] == 1


async def test_force_refresh_gets_a_new_token(flow, google_emulator):
    user_id = await connected(flow)
    old = (await flow.token(user_id)).json()["access_token"]
    forced = await flow.token(user_id, force=True)
    assert forced.status_code == 200
    assert forced.json()["access_token"] != old
    assert google_emulator.control.calls()["token.refresh_token"] == 1
    account = await account_of(flow.client, user_id)
    assert account.version == 2


async def test_fifty_forced_refreshes_naming_the_refused_token_refresh_once(flow, google_emulator):
    user_id = await connected(flow)
    refused = (await flow.token(user_id)).json()["access_token"]
    answers = await asyncio.gather(
        *[flow.token(user_id, force=True, refused=refused) for _ in range(50)]
    )
    assert {a.status_code for a in answers} == {200}
    tokens = {a.json()["access_token"] for a in answers}
    assert len(tokens) == 1
    assert tokens != {refused}
    assert google_emulator.control.calls()["token.refresh_token"] == 1
    assert (await account_of(flow.client, user_id)).version == 2


async def test_two_processes_forced_refreshes_naming_the_refused_token_refresh_once(
    flow, google_emulator, google_settings
):
    """Like two auth-server replicas: their in-process locks differ, the row lock is shared."""
    if flow.client.app.state.database.is_sqlite:
        pytest.skip("row locks across processes need PostgreSQL")
    user_id = await connected(flow)
    refused = (await flow.token(user_id)).json()["access_token"]
    other = create_app(google_settings)
    async with serve_app(other, base_url="http://127.0.0.1:8001") as second:
        answers = await asyncio.gather(
            *[
                flow.token(user_id, force=True, refused=refused, client=client)
                for client in (flow.client, second) * 25
            ]
        )
    assert {a.status_code for a in answers} == {200}
    tokens = {a.json()["access_token"] for a in answers}
    assert len(tokens) == 1
    assert tokens != {refused}
    assert google_emulator.control.calls()["token.refresh_token"] == 1


async def test_forced_refresh_naming_an_older_token_serves_the_current_one(flow, google_emulator):
    user_id = await connected(flow)
    older = (await flow.token(user_id)).json()["access_token"]
    current = (await flow.token(user_id, force=True, refused=older)).json()["access_token"]
    assert current != older
    assert google_emulator.control.calls()["token.refresh_token"] == 1
    # A caller that saw Google refuse the older token gets the current one, no refresh.
    late = await flow.token(user_id, force=True, refused=older)
    assert late.status_code == 200
    assert late.json()["access_token"] == current
    assert google_emulator.control.calls()["token.refresh_token"] == 1
    assert (await account_of(flow.client, user_id)).version == 2


async def test_forced_refresh_naming_the_current_token_refreshes_once(flow, google_emulator):
    user_id = await connected(flow)
    current = (await flow.token(user_id)).json()["access_token"]
    # The fingerprint alone means the caller saw a 401: force_refresh is implied.
    refreshed = await flow.token(user_id, refused=current)
    assert refreshed.status_code == 200
    assert refreshed.json()["access_token"] != current
    assert google_emulator.control.calls()["token.refresh_token"] == 1
    assert (await flow.token(user_id)).json() == refreshed.json()
    assert google_emulator.control.calls()["token.refresh_token"] == 1


async def test_forced_refresh_naming_an_older_token_refreshes_a_token_about_to_expire(
    flow, google_emulator
):
    user_id = await connected(flow)
    older = (await flow.token(user_id)).json()["access_token"]
    current = (await flow.token(user_id, force=True, refused=older)).json()["access_token"]
    await expire_access_token(flow.client, user_id)
    answer = await flow.token(user_id, force=True, refused=older)
    assert answer.status_code == 200
    assert answer.json()["access_token"] not in (older, current)
    assert google_emulator.control.calls()["token.refresh_token"] == 2


async def test_forced_refresh_of_the_refused_token_fails_with_503_when_google_does(
    flow, google_emulator
):
    user_id = await connected(flow)
    current = (await flow.token(user_id)).json()["access_token"]
    google_emulator.control.fault("token.refresh_token", status=500, count=20)
    answer = await flow.token(user_id, force=True, refused=current)
    assert answer.status_code == 503  # never the token Google just refused
    assert answer.json()["error"]["code"] == "auth.upstream_unavailable"


async def test_malformed_refused_token_fingerprint_is_rejected(flow, google_emulator):
    user_id = await connected(flow)
    answer = await flow.client.post(
        "/internal/tokens",
        json={
            "user_id": user_id,
            "capability": "calendar",
            "force_refresh": True,
            "refused_token_sha256": "not-a-fingerprint",
        },
        headers={"Authorization": "Bearer test-calendar-token"},
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "request.validation_failed"
    assert google_emulator.control.calls().get("token.refresh_token", 0) == 0


async def test_invalid_grant_needs_reauth_then_reconnect_makes_it_usable(flow, google_emulator):
    user_id = await connected(flow)
    google_emulator.control.revoke("minji@example.com")
    await expire_access_token(flow.client, user_id, issued_days_ago=1)
    refused = await flow.token(user_id)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "auth.reauth_required"
    assert error["details"]["reason"] == "revoked"
    assert error["details"]["capability"] == "calendar"
    # No link for skill-calendar to pass on: the router makes links, bound to the person.
    assert "connect_url" not in error["details"]
    grant = await flow.grant(user_id)
    assert grant["state"] == "needs_reauth"
    assert grant["reason"] == "revoked"
    assert grant["reason_text"] == "재연결 필요: 권한이 취소됨"
    assert ("grant.unusable", "calendar", "revoked") in await event_types(flow.client)
    # Asking again does not hammer Google.
    calls = google_emulator.control.calls()["token.refresh_token"]
    assert (await flow.token(user_id)).status_code == 409
    assert google_emulator.control.calls()["token.refresh_token"] == calls

    google_url = await flow.to_google(await flow.link(user_id))
    assert "prompt=consent" in google_url  # the dead refresh token does not count
    page = await flow.back(await flow.consent(google_url, "minji@example.com"))
    assert "연결되었습니다" in page.text
    assert (await flow.grant(user_id))["state"] == "active"
    assert (await flow.token(user_id)).status_code == 200
    assert (await event_types(flow.client))[-1] == ("grant.usable", "calendar", None)


async def test_invalid_grant_at_seven_days_suspects_testing_mode(flow, google_emulator):
    user_id = await connected(flow)
    google_emulator.control.revoke("minji@example.com")
    await expire_access_token(flow.client, user_id, issued_days_ago=7)
    refused = await flow.token(user_id)
    assert refused.json()["error"]["details"]["reason"] == "testing_expiry_suspected"
    grant = await flow.grant(user_id)
    assert grant["reason_text"] == "재연결 필요: 테스트 모드 토큰 만료 의심"


async def test_transient_google_failure_is_503_and_the_grant_survives(flow, google_emulator):
    user_id = await connected(flow)
    await expire_access_token(flow.client, user_id)
    google_emulator.control.fault("token.refresh_token", status=503, count=20, retry_after=7)
    failed = await flow.token(user_id)
    assert failed.status_code == 503
    assert failed.json()["error"]["code"] == "auth.upstream_unavailable"
    assert int(failed.headers["retry-after"]) >= 1
    grant = await flow.grant(user_id)
    assert grant["state"] == "degraded"
    assert not [e for e in await event_types(flow.client) if e[0] == "grant.unusable"]

    google_emulator.control.clear_faults()
    recovered = await flow.token(user_id)
    assert recovered.status_code == 200
    assert (await flow.grant(user_id))["state"] == "active"


async def test_network_failure_is_503_never_needs_reauth(flow, google_settings):
    user_id = await connected(flow)
    await expire_access_token(flow.client, user_id)
    # A Google that cannot be reached at all.
    unreachable = google_settings.model_copy(
        update={"google_token_uri": "http://127.0.0.1:9/token", "google_retries": 0}
    )
    app = create_app(unreachable)
    async with serve_app(app, base_url="http://127.0.0.1:8001") as other:
        answer = await other.post(
            "/internal/tokens",
            json={"user_id": user_id, "capability": "calendar"},
            headers={"Authorization": "Bearer test-calendar-token"},
        )
    assert answer.status_code == 503
    assert (await flow.grant(user_id))["state"] == "degraded"


async def test_key_rotation_reencrypts_every_token(flow, google_settings):
    user_id = await connected(flow)
    token = (await flow.token(user_id)).json()["access_token"]
    old_key = google_settings.encryption_keys.get_secret_value()
    new_key = generate_key()
    both = TokenCipher.from_setting(f"{new_key},{old_key}")
    report = await rotate_keys(
        sessionmaker=flow.client.app.state.database.sessionmaker, cipher=both
    )
    assert report.values >= 2
    account = await account_of(flow.client, user_id)
    new_kid = new_key.split(":")[0]
    assert both.key_id(account.refresh_token) == new_kid
    assert both.key_id(account.access_token) == new_kid
    again = await rotate_keys(sessionmaker=flow.client.app.state.database.sessionmaker, cipher=both)
    assert again.values == 0
    # An auth-server that only knows the new key serves the same token.
    only_new_settings = google_settings.model_copy(update={"encryption_keys": SecretStr(new_key)})
    only_new = create_app(only_new_settings)
    async with serve_app(only_new, base_url="http://127.0.0.1:8001") as other:
        answer = await other.post(
            "/internal/tokens",
            json={"user_id": user_id, "capability": "calendar"},
            headers={"Authorization": "Bearer test-calendar-token"},
        )
    assert answer.json()["access_token"] == token


async def test_rotation_command_runs_against_the_database(google_settings, monkeypatch):
    from auth_server import keys

    app = create_app(google_settings)
    load_models()
    await app.state.database.create_all(Base.metadata)
    await app.state.database.dispose()
    monkeypatch.setenv("AUTH_DATABASE_URL", google_settings.database_url)
    monkeypatch.setenv(
        "AUTH_ENCRYPTION_KEYS",
        f"{generate_key()},{google_settings.encryption_keys.get_secret_value()}",
    )
    assert await asyncio.to_thread(keys.main, ["rotate"]) == 0


async def test_failed_early_refresh_still_serves_the_valid_token(flow, google_emulator):
    user_id = await connected(flow)
    token = (await flow.token(user_id)).json()["access_token"]
    async with flow.client.app.state.database.sessionmaker() as session, session.begin():
        await session.execute(
            update(GoogleAccount)
            .where(GoogleAccount.user_id == user_id)
            .values(access_token_expires_at=utcnow() + timedelta(seconds=60))
        )
    google_emulator.control.fault("token.refresh_token", status=500, count=20)
    answer = await flow.token(user_id)
    assert answer.status_code == 200
    assert answer.json()["access_token"] == token
    forced = await flow.token(user_id, force=True)
    assert forced.status_code == 503


async def test_a_token_held_is_one_statement_outside_a_transaction(
    flow, google_emulator, statements_sent
):
    """The hot path (issue 20): one SELECT, in autocommit (no BEGIN, no ROLLBACK)."""
    user_id = await connected(flow)
    with statements_sent(flow.client.app) as seen:
        response = await flow.token(user_id)
    assert response.status_code == 200
    assert seen == [("SELECT", "AUTOCOMMIT")]
