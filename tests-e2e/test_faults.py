"""The fault matrix: each test injects one fault into the seed scenario and checks three things.

The person gets a clear Korean answer; no request is lost (it completes once the fault clears,
or the person is told to try again and then it completes); no event is created twice. Every
test records its row in the session's fault table (printed at the end of the run).
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
from harness import (
    RETRY_HINT,
    SEED,
    ChatUser,
    System,
    approve_until_done,
    connected_user,
    is_created,
    proposal_of,
    seed_events,
)


@contextmanager
def row(fault_table, system: System, fault: str, email_of: Callable[[], str]) -> Iterator[dict]:
    """Records the fault's row whatever happens; the test fills ``outcome['completed']``."""
    outcome = {"requests": 1, "completed": 0}
    try:
        yield outcome
    finally:
        try:
            events = len(seed_events(system, email_of()))
        except Exception:
            events = 0
        fault_table.record(
            fault,
            requests=outcome["requests"],
            completed=outcome["completed"],
            duplicates=max(events - outcome["completed"], 0),
            lost=outcome["requests"] - outcome["completed"],
        )


def _google_fault_case(system: System, fault_table, name: str, **fault) -> None:
    user = connected_user(system)
    with row(fault_table, system, name, lambda: user.email) as outcome:
        proposal_of(user.say(SEED))
        system.google.fault("calendar.events.insert", **fault)
        approve_until_done(user, between=system.google.clear_faults)
        outcome["completed"] = len(seed_events(system, user.email)) >= 1
    assert len(seed_events(system, user.email)) == 1


def test_google_503(system: System, fault_table) -> None:
    _google_fault_case(
        system, fault_table, "Google 503 on insert (x2)", status=503, count=2, reason="backendError"
    )


def test_google_429_with_retry_after(system: System, fault_table) -> None:
    _google_fault_case(
        system,
        fault_table,
        "Google 429 Retry-After 1 (x2)",
        status=429,
        count=2,
        retry_after=1,
        reason="rateLimitExceeded",
    )


def test_google_403_rate_limit_for_a_while(system: System, fault_table) -> None:
    _google_fault_case(
        system,
        fault_table,
        "Google 403 rateLimitExceeded (x10)",
        status=403,
        count=10,
        reason="rateLimitExceeded",
    )


def test_google_insert_response_lost(system: System, fault_table) -> None:
    """Google stores the event but the answer never arrives in time; the retry must not dup."""
    _google_fault_case(
        system, fault_table, "Google insert ok, response lost", drop_response=True, delay=30
    )


def test_auth_server_down_when_the_router_needs_it(system: System, fault_table) -> None:
    user = connected_user(system)
    with row(fault_table, system, "auth-server down at message", lambda: user.email) as outcome:
        system.kill("auth-server")
        response = user.post_message(SEED)
        assert response.status_code in (201, 503), response.text
        texts = _texts(response)
        assert any(RETRY_HINT in t for t in texts), texts
        system.restart("auth-server")
        proposal_of(user.say(SEED))
        [done] = user.say("그래")
        assert is_created(done), done["text"]
        outcome["completed"] = 1
    assert len(seed_events(system, user.email)) == 1


def test_auth_server_down_when_skill_calendar_needs_it(system: System, fault_table) -> None:
    user = connected_user(system)
    with row(fault_table, system, "auth-server down at approval", lambda: user.email) as out:
        proposal_of(user.say(SEED))
        system.kill("auth-server")
        replies = user.say("그래")
        assert any(RETRY_HINT in m["text"] for m in replies), [m["text"] for m in replies]
        system.restart("auth-server")
        proposal_of(user.say(SEED))
        [done] = user.say("그래")
        assert is_created(done), done["text"]
        out["completed"] = 1
    assert len(seed_events(system, user.email)) == 1


def test_skill_calendar_down_at_approval(system: System, fault_table) -> None:
    user = connected_user(system)
    with row(fault_table, system, "skill-calendar down at approval", lambda: user.email) as out:
        proposal_of(user.say(SEED))
        system.kill("skill-calendar")
        attempts = approve_until_done(user, between=lambda: system.restart("skill-calendar"))
        assert attempts == 2
        out["completed"] = 1
    assert len(seed_events(system, user.email)) == 1


def test_router_killed_after_the_proposal(system: System, fault_table) -> None:
    user = connected_user(system)
    with row(fault_table, system, "router SIGKILL after proposal", lambda: user.email) as out:
        proposal_of(user.say(SEED))
        system.kill("router")
        system.restart("router")
        [done] = user.say("네")
        assert is_created(done), done["text"]
        out["completed"] = 1
    assert len(seed_events(system, user.email)) == 1


def test_auth_server_killed_between_callback_and_grant_event(system: System, fault_table) -> None:
    """The grant event waits in the auth-server's outbox across a crash and arrives once."""
    user = ChatUser.new(system)
    system.google.add_account(user.email)
    with row(
        fault_table, system, "auth-server killed before grant event", lambda: user.email
    ) as out:
        [ask] = user.say(SEED)
        assert ask["payload"]["kind"] == "connect", ask["text"]
        after = user.last_id()
        system.kill("router")  # the delivery cannot happen yet
        user.connect_google(ask["payload"]["link"]["url"])
        system.kill("auth-server")  # the event is only in the outbox now
        system.restart("router")
        system.restart("auth-server")
        proposal = user.wait_for_reply(
            lambda m: (m.get("payload") or {}).get("kind") == "proposal", after_id=after
        )
        assert "검진" in proposal["text"]
        [done] = user.say("그래")
        assert is_created(done), done["text"]
        out["completed"] = 1
    assert len(seed_events(system, user.email)) == 1
    proposals = [m for m in user.history() if (m.get("payload") or {}).get("kind") == "proposal"]
    assert len(proposals) == 1


def test_grant_revoked_between_proposal_and_approval(system: System, fault_table) -> None:
    user = connected_user(system)
    with row(fault_table, system, "grant revoked before approval", lambda: user.email) as out:
        proposal_of(user.say(SEED))
        system.google.revoke(user.email)
        [ask] = user.say("그래")
        assert ask["payload"]["kind"] == "connect", ask["text"]
        after = user.last_id()
        user.connect_google(ask["payload"]["link"]["url"])
        done = user.wait_for_reply(is_created, after_id=after)
        assert is_created(done)
        out["completed"] = 1
    assert len(seed_events(system, user.email)) == 1
    # Resumed once: exactly one success message.
    assert sum(1 for m in user.history() if is_created(m)) == 1


def test_database_connections_cut(system: System, fault_table) -> None:
    if system.databases.backend != "postgresql":
        pytest.fail("this row needs PostgreSQL")
    user = connected_user(system)
    with row(fault_table, system, "PostgreSQL connections cut", lambda: user.email) as out:
        proposal_of(user.say(SEED))
        cut = sum(system.databases.terminate_connections(s) for s in system.databases.urls)
        assert cut > 0
        approve_until_done(user, between=lambda: None)
        out["completed"] = 1
    assert len(seed_events(system, user.email)) == 1


def test_concurrent_requests_with_an_expired_token_refresh_once(
    system: System, fault_table
) -> None:
    """50 callers find the token expired at the same moment: Google sees one refresh."""
    user = connected_user(system)
    system.google.expire_tokens(user.email)
    system.google.reset_calls()
    url = system.url("auth-server") + "/internal/tokens"
    headers = system.headers("skill-calendar", "auth-server")
    # What skill-calendar sends after Google said 401 to the cached token.
    body = {"user_id": user.user_id, "capability": "calendar", "force_refresh": True}

    def one(_: int) -> httpx.Response:
        return httpx.post(url, json=body, headers=headers, timeout=60)

    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        responses = list(pool.map(one, range(50)))
    ok = [r for r in responses if r.status_code == 200]
    tokens = {r.json()["access_token"] for r in ok}
    system.issued_tokens.update(tokens)
    refreshes = system.google.calls().get("token.refresh_token", 0)
    fault_table.record(
        "50 concurrent, expired token",
        requests=50,
        completed=len(ok),
        duplicates=max(refreshes - 1, 0),
        lost=50 - len(ok),
    )
    assert len(ok) == 50, [r.text[:200] for r in responses if r.status_code != 200][:3]
    assert refreshes == 1
    assert len(tokens) == 1


def _texts(response: httpx.Response) -> list[str]:
    body = response.json()
    if "messages" in body:
        return [m["text"] for m in body["messages"] if m["role"] == "assistant"]
    return [body["error"]["message"]]
