"""The fault matrix, on the part of the seed scenario this checkout can run end to end.

Each test injects a fault while a person sends the seed message and checks: a clear Korean
answer; no request lost (it is answered once the fault clears, or the person is told to try
again); nothing done twice (here: one pending action per request; the Google event rows need
the Google emulator). Every test records its row in the session's fault table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from harness import RETRY_HINT, SEED, ChatUser, System

HANGUL = re.compile(r"[가-힣]")


def _pending_actions(system: System, user_id: str) -> int:
    rows = system.databases.rows_as_text()["router"]
    return sum(1 for row in rows if row.startswith("pending_actions:") and user_id in row)


def _kept(reply: dict) -> bool:
    """The request is kept: a proposal, or the connect step with the request waiting."""
    kind = (reply.get("payload") or {}).get("kind")
    return kind == "proposal" or (kind == "connect" and reply["action_state"] == "awaiting_auth")


@contextmanager
def row(fault_table, system: System, fault: str, user: ChatUser) -> Iterator[dict]:
    outcome = {"requests": 1, "completed": 0}
    try:
        yield outcome
    finally:
        actions = _pending_actions(system, user.user_id or "")
        fault_table.record(
            fault,
            requests=outcome["requests"],
            completed=outcome["completed"],
            duplicates=max(actions - outcome["requests"], 0),
            lost=outcome["requests"] - outcome["completed"],
        )


def test_auth_server_down_when_the_router_needs_it(system: System, fault_table) -> None:
    user = ChatUser.new(system)
    with row(fault_table, system, "auth-server down at the message", user) as outcome:
        system.kill("auth-server")
        response = user.post_message(SEED)
        assert response.status_code in (201, 503), response.text[:300]
        body = response.json()
        texts = (
            [m["text"] for m in body["messages"] if m["role"] == "assistant"]
            if "messages" in body
            else [body["error"]["message"]]
        )
        assert any(RETRY_HINT in t and HANGUL.search(t) for t in texts), texts
        system.restart("auth-server")
        [reply] = user.say(SEED)
        assert _kept(reply), reply["text"]
        outcome["completed"] = 1
    assert _pending_actions(system, user.user_id) == 1


def test_router_killed_after_the_first_answer(system: System, fault_table) -> None:
    """SIGKILL after Haru answered; after the restart "네" finds the same waiting request."""
    user = ChatUser.new(system)
    with row(fault_table, system, "router SIGKILL after the answer", user) as outcome:
        [first] = user.say(SEED)
        assert _kept(first), first["text"]
        system.kill("router")
        system.restart("router")
        [again] = user.say("네")
        assert HANGUL.search(again["text"])
        assert again["payload"]["action_id"] == first["payload"]["action_id"]
        outcome["completed"] = 1
    assert _pending_actions(system, user.user_id) == 1


def test_database_connections_cut(system: System, fault_table) -> None:
    """pg_terminate_backend on every service database; the services recover by themselves."""
    if system.databases.backend != "postgresql":
        pytest.fail("this row needs PostgreSQL")
    user = ChatUser.new(system)
    with row(fault_table, system, "PostgreSQL connections cut", user) as outcome:
        ChatUser.new(system).say("안녕")  # every pool holds connections now
        cut = sum(system.databases.terminate_connections(s) for s in system.databases.urls)
        assert cut > 0
        [reply] = user.say(SEED)
        assert _kept(reply), reply["text"]
        outcome["completed"] = 1
    assert _pending_actions(system, user.user_id) == 1
