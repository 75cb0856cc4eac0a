"""The fault matrix: each test injects one fault into the seed scenario and checks three things.

The person gets a clear Korean answer; no request is lost (it completes once the fault clears,
or the person is told to try again and then it completes); no event is created twice (the
events are counted in the Google emulator). Every test records its row in the session's fault
table, printed at the end of the run.
"""

from __future__ import annotations

import concurrent.futures
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import httpx
import pytest
from harness import (
    RETRY_HINT,
    SEED,
    ChatUser,
    System,
    approve_until_done,
    connected_user,
    following_user,
    is_created,
    kind_of,
    open_connect_link,
    proposal_of,
    seed_events,
    wait_until,
)

HANGUL = re.compile(r"[가-힣]")


@contextmanager
def row(fault_table, system: System, fault: str, email_of: Callable[[], str]) -> Iterator[dict]:
    """Records the fault's row whatever happens; the test sets ``outcome['completed']``.

    Duplicates are the seed events in Google beyond one per completed request; lost is what
    was asked and never completed.
    """
    outcome = {"requests": 1, "completed": 0}
    try:
        yield outcome
    finally:
        try:
            events = len(seed_events(system, email_of()))
        except Exception:  # the emulator itself is what failed: the row still gets written
            events = 0
        fault_table.record(
            fault,
            requests=outcome["requests"],
            completed=outcome["completed"],
            duplicates=max(events - max(outcome["completed"], 1), 0),
            lost=outcome["requests"] - outcome["completed"],
        )


def _texts(response: httpx.Response) -> list[str]:
    body = response.json()
    if "messages" in body:
        return [m["text"] for m in body["messages"] if m["role"] == "assistant"]
    return [body["error"]["message"]]


def _told_to_retry(texts: list[str]) -> bool:
    return any(RETRY_HINT in t and HANGUL.search(t) for t in texts)


def _refused_clearly(user: ChatUser, text: str) -> None:
    """``text`` gets a Korean "try again" (as a reply, or as the error of a 503)."""
    response = user.post_message(text)
    assert response.status_code in (201, 503), response.text[:300]
    assert _told_to_retry(_texts(response)), _texts(response)


def _approved(user: ChatUser, word: str = "그래") -> dict:
    """Says ``word`` to the waiting proposal; the one reply is the success."""
    [done] = user.say(word)
    assert is_created(done), done["text"]
    return done


def _created_messages(user: ChatUser) -> int:
    return sum(1 for m in user.history() if is_created(m))


# --------------------------------------------------------------------------- Google faults


def _google_fault_on_insert(
    system: System, fault_table, name: str, *, inserts: Callable[[int], bool], **fault
) -> int:
    """Proposal, then the fault on events.insert, then "그래" until done; returns attempts.

    ``inserts`` checks how many events.insert calls Google saw (that the fault was met).
    """
    user = connected_user(system)
    with row(fault_table, system, name, lambda: user.email) as outcome:
        proposal_of(user.say(SEED))
        system.google.reset_calls()
        system.google.fault("calendar.events.insert", **fault)
        attempts = approve_until_done(user, between=system.google.clear_faults)
        calls = system.google.calls()
        assert inserts(calls.get("calendar.events.insert", 0)), calls
        outcome["completed"] = 1
    assert len(seed_events(system, user.email)) == 1
    assert _created_messages(user) == 1
    return attempts


def test_google_503(system: System, fault_table) -> None:
    """Two 503s: skill-calendar's backoff rides them out, the person sees only the success."""
    attempts = _google_fault_on_insert(
        system,
        fault_table,
        "Google 503 on insert (x2)",
        inserts=lambda n: n == 3,
        status=503,
        count=2,
        reason="backendError",
    )
    assert attempts == 1


def test_google_429_with_retry_after(system: System, fault_table) -> None:
    attempts = _google_fault_on_insert(
        system,
        fault_table,
        "Google 429 Retry-After 1 (x2)",
        inserts=lambda n: n == 3,
        status=429,
        count=2,
        retry_after=1,
        reason="rateLimitExceeded",
    )
    assert attempts == 1


def test_google_403_rate_limit_for_a_while(system: System, fault_table) -> None:
    """Longer than one retry budget: the person is told to retry, and the retry completes."""
    _google_fault_on_insert(
        system,
        fault_table,
        "Google 403 rateLimitExceeded (x40)",
        inserts=lambda n: n >= 2,
        status=403,
        count=40,
        reason="rateLimitExceeded",
    )


def test_google_insert_response_lost(system: System, fault_table) -> None:
    """Google stores the event, its answer never arrives.

    skill-calendar's attempt times out inside its retry budget; its own retry sends the same
    event id, Google answers 409 for it, and the stored event is the answer: two inserts seen
    at Google, one event, and no retry by the router.
    """
    attempts = _google_fault_on_insert(
        system,
        fault_table,
        "Google insert ok, response lost",
        inserts=lambda n: n == 2,
        drop_response=True,
        delay=30,
    )
    assert attempts == 1


def test_google_insert_response_lost_for_the_whole_retry_budget(
    system: System, fault_table
) -> None:
    """Google stores the event and every answer (the 409s of the retries too) is lost.

    When the retry budget is spent skill-calendar looks its own event id up before calling
    the create failed: the person sees the success, and asking again makes no second event.
    """
    user = connected_user(system)
    with row(
        fault_table, system, "Google insert ok, every answer lost", lambda: user.email
    ) as outcome:
        proposal_of(user.say(SEED))
        system.google.reset_calls()
        system.google.fault("calendar.events.insert", drop_response=True, count=1000)
        attempts = approve_until_done(user, between=system.google.clear_faults)
        calls = system.google.calls()
        system.google.clear_faults()
        assert calls.get("calendar.events.insert", 0) >= 2, calls
        assert calls.get("calendar.events.get", 0) >= 1, calls
        outcome["completed"] = 1
        # The person asks once more: the router sees it is there, nothing is added.
        user.say(SEED)
    assert attempts == 1
    assert len(seed_events(system, user.email)) == 1
    assert _created_messages(user) == 1


# --------------------------------------------------------------------------- processes down


def test_auth_server_down_when_the_router_needs_it(system: System, fault_table) -> None:
    user = connected_user(system)
    with row(fault_table, system, "auth-server down at message", lambda: user.email) as outcome:
        system.kill("auth-server")
        _refused_clearly(user, SEED)
        system.restart("auth-server")
        proposal_of(user.say(SEED))
        _approved(user)
        outcome["completed"] = 1
    assert len(seed_events(system, user.email)) == 1


def test_auth_server_down_at_the_typed_approval(system: System, fault_table) -> None:
    """Typed "그래" while the auth-server is away: done at once, once.

    The chat session knows its user (no identity question) and skill-calendar still holds
    the person's token, so nothing on the way needs the auth-server. (When skill-calendar
    does need it, the next test: refused clearly.)
    """
    user = connected_user(system)
    with row(
        fault_table, system, "auth-server down at typed approval", lambda: user.email
    ) as outcome:
        proposal = proposal_of(user.say(SEED))
        system.kill("auth-server")
        done = _approved(user)
        assert done["payload"]["action_id"] == proposal["payload"]["action_id"]
        outcome["completed"] = 1
        system.restart("auth-server")
    assert len(seed_events(system, user.email)) == 1


def test_auth_server_down_when_skill_calendar_needs_it(system: System, fault_table) -> None:
    """The approve button while the auth-server is away and skill-calendar holds no token.

    (skill-calendar restarted, so its token cache is empty; the button needs no auth-server
    on the router's side, so the first to need it is skill-calendar.)
    """
    user = connected_user(system)
    with row(fault_table, system, "auth-server down at button approval", lambda: user.email) as out:
        proposal = proposal_of(user.say(SEED))
        system.kill("auth-server")
        system.restart("skill-calendar")
        replies = user.decide(proposal["payload"]["action_id"])
        assert _told_to_retry([m["text"] for m in replies]), [m["text"] for m in replies]
        assert seed_events(system, user.email) == []
        system.restart("auth-server")
        proposal_of(user.say(SEED))
        _approved(user)
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
    """SIGKILL after the proposal; after the restart "네" finds the same waiting request."""
    user = connected_user(system)
    with row(fault_table, system, "router SIGKILL after proposal", lambda: user.email) as out:
        proposal = proposal_of(user.say(SEED))
        system.kill("router")
        system.restart("router")
        done = _approved(user, "네")
        assert done["payload"]["action_id"] == proposal["payload"]["action_id"]
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
        # The chat's link goes through the router (it checks the session) to the auth-server.
        page_url = open_connect_link(system, user.http, ask["payload"]["link"]["url"])
        system.kill("router")  # the delivery cannot happen yet
        user.connect_google(page_url)
        system.kill("auth-server")  # the event is only in the outbox now
        outbox = [r for r in system.databases.rows_as_text()["auth-server"] if user.user_id in r]
        assert any(r.startswith("grant_events:") for r in outbox), outbox
        system.restart("router")
        system.restart("auth-server")
        proposal = user.wait_for_reply(lambda m: kind_of(m) == "proposal", after_id=after)
        assert "검진" in proposal["text"]
        _approved(user)
        out["completed"] = 1
    assert len(seed_events(system, user.email)) == 1
    proposals = [m for m in user.history() if kind_of(m) == "proposal"]
    assert len(proposals) == 1


def test_router_killed_while_preparing_the_proposal_after_consent(
    system: System, fault_table
) -> None:
    """SIGKILL while the router lists the day's events for the proposal after consent.

    Was: the action was already ``proposed`` without its plan; auth-server's retry was
    "duplicate", no proposal came, and "그래" answered 500. Now the grant event is recorded
    unprocessed and the action untouched until its plan exists: after the restart the
    recovery proposes it, and "그래" creates exactly one event.
    """
    user = ChatUser.new(system)
    system.google.add_account(user.email)
    with row(
        fault_table, system, "router SIGKILL while preparing after consent", lambda: user.email
    ) as out:
        [ask] = user.say(SEED)
        assert ask["payload"]["kind"] == "connect", ask["text"]
        after = user.last_id()
        system.google.reset_calls()
        # The resume's listing of the day hangs at Google long enough to kill the router.
        system.google.fault("calendar.events.list", delay=6)
        user.connect_google(ask["payload"]["link"]["url"])
        wait_until(
            "the router started preparing",
            lambda: system.google.calls().get("calendar.events.list", 0) >= 1,
            30,
        )
        system.kill("router")
        system.restart("router")
        proposal = user.wait_for_reply(lambda m: kind_of(m) == "proposal", after_id=after)
        assert "검진" in proposal["text"]
        done = _approved(user)
        assert done["payload"]["action_id"] == ask["payload"]["action_id"]
        out["completed"] = 1
    assert len(seed_events(system, user.email)) == 1
    proposals = [m for m in user.history() if kind_of(m) == "proposal"]
    assert len(proposals) == 1


def test_grant_revoked_between_proposal_and_approval(system: System, fault_table) -> None:
    """invalid_grant at the insert → the connect link → consent → the approved action runs once."""
    user = connected_user(system)
    with row(fault_table, system, "grant revoked before approval", lambda: user.email) as out:
        proposal_of(user.say(SEED))
        system.google.revoke(user.email)
        [ask] = user.say("그래")
        assert ask["payload"]["kind"] == "connect", ask["text"]
        assert "연결" in ask["text"]
        assert seed_events(system, user.email) == []
        after = user.last_id()
        user.connect_google(ask["payload"]["link"]["url"])
        done = user.wait_for_reply(is_created, after_id=after)
        assert done["payload"]["action_id"] == ask["payload"]["action_id"]
        out["completed"] = 1
    assert len(seed_events(system, user.email)) == 1
    assert _created_messages(user) == 1  # resumed once, said once
    # Already approved: after the consent it ran without asking again.
    proposals = [m for m in user.history() if kind_of(m) == "proposal"]
    assert len(proposals) == 1


def test_database_connections_cut(system: System, fault_table) -> None:
    """pg_terminate_backend on every service database between proposal and approval."""
    if system.databases.backend != "postgresql":
        pytest.fail("this row needs PostgreSQL")
    user = connected_user(system)
    with row(fault_table, system, "PostgreSQL connections cut", lambda: user.email) as out:
        proposal_of(user.say(SEED))
        cut = sum(system.databases.terminate_connections(s) for s in system.databases.urls)
        assert cut > 0
        _approved(user)
        out["completed"] = 1
    assert len(seed_events(system, user.email)) == 1
    # Every service's own database check answers again, none was restarted.
    system.databases.terminate_connections("auth-server")
    for service in system.databases.urls:
        ready = httpx.get(system.url(service) + "/readyz", timeout=10)
        assert ready.status_code == 200, (service, ready.text)


# --------------------------------------------------------------------------- token refresh


def test_concurrent_requests_with_an_expired_token_refresh_once(
    system: System, fault_table
) -> None:
    """50 calendar reads at once while Google has expired the token: Google sees one refresh."""
    # Followed first: the calendar sync's baseline (a background list) must not meet the
    # expired token before the 50 do and refresh it outside the counted window.
    user = following_user(system)
    url = system.url("skill-calendar") + f"/v1/users/{user.user_id}/events"
    headers = system.headers("router", "skill-calendar")
    start = datetime.fromisoformat("2026-11-24T00:00:00+09:00")
    params = {"start": start.isoformat(), "end": (start + timedelta(days=1)).isoformat()}
    # skill-calendar holds the token in its cache, then Google expires it.
    httpx.get(url, params=params, headers=headers, timeout=30).raise_for_status()
    system.google.expire_tokens(user.email)
    system.google.reset_calls()

    def one(_: int) -> httpx.Response:
        return httpx.get(url, params=params, headers=headers, timeout=60)

    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        responses = list(pool.map(one, range(50)))
    ok = [r for r in responses if r.status_code == 200]
    calls = system.google.calls()
    refreshes = calls.get("token.refresh_token", 0)
    fault_table.record(
        "50 concurrent, expired token",
        requests=50,
        completed=len(ok),
        duplicates=max(refreshes - 1, 0),
        lost=50 - len(ok),
    )
    assert len(ok) == 50, [r.text[:200] for r in responses if r.status_code != 200][:3]
    assert calls.get("calendar.events.list", 0) > 50, calls  # Google refused the old token
    assert refreshes == 1, calls
    # The refreshed token joins the secret scan (it must appear in no log line, no row).
    token = httpx.post(
        system.url("auth-server") + "/internal/tokens",
        json={"user_id": user.user_id, "capability": "calendar"},
        headers=system.headers("skill-calendar", "auth-server"),
        timeout=10,
    )
    token.raise_for_status()
    system.issued_tokens.add(token.json()["access_token"])
