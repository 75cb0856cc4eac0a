"""How many SQL statements and transactions each hot chat flow costs (issue 20).

The database layer is most of the router's CPU per message, so these counts are pinned: a
change that adds a statement to a flow fails here and has to say why (docs/benchmarks.md,
"Issue 20"). Counted on the app's own engine, the same on PostgreSQL and SQLite.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from shared.testing import serve_app

pytestmark = pytest.mark.db

TEAM_MEETING = "11월 15일 오후 3시 팀 미팅"
DENTIST = "11월 16일 오전 10시 치과"
# Where each verb names its (first) table: SELECT … FROM t, INSERT INTO t, UPDATE t, DELETE FROM t.
TABLE_AFTER = {"SELECT": "FROM", "INSERT": "INTO", "UPDATE": "UPDATE", "DELETE": "FROM"}


class Statements:
    """Every statement the app's engine sends, as "VERB table", and its transactions."""

    def __init__(self, engine: Any) -> None:
        self.sent: list[str] = []
        self.transactions = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._statement)
        event.listen(engine.sync_engine, "begin", self._begin)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        words = statement.split()
        verb = words[0].upper()
        table = words[words.index(TABLE_AFTER[verb]) + 1] if verb in TABLE_AFTER else "?"
        self.sent.append(f"{verb} {table.strip(chr(34))}")

    def _begin(self, _conn: Any) -> None:
        self.transactions += 1

    def take(self) -> tuple[list[str], int]:
        taken = (self.sent, self.transactions)
        self.sent, self.transactions = [], 0
        return taken


@pytest.fixture(params=["database_url", "sqlite_url"])
async def counted(
    request: pytest.FixtureRequest, make_app: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Statements]]:
    """A client of a router whose statements are counted (PostgreSQL when present, SQLite)."""
    app = await make_app(database_url=request.getfixturevalue(request.param))
    statements = Statements(app.state.database.engine)  # before the app's background work
    async with serve_app(app) as client:
        await client.get("/api/chat/session")
        statements.take()
        yield client, statements


SESSION = ["SELECT web_sessions"]  # the cookie's session, with its user (no identity call)
# The message and the open action read, committed before skill-calendar answers.
MESSAGE_IN = ["INSERT messages", "SELECT pending_actions"]
# After Google's answer to an approved create: done, the event's reminders (preferences,
# jobs), the reply.
FINISHED = [
    "UPDATE pending_actions",
    "SELECT preferences",
    "UPDATE proactive_jobs",
    "INSERT messages",
]


async def test_a_proposal(counted, say):
    client, statements = counted
    await say(client, TEAM_MEETING)
    # Then, after the calendar's answer: what waited is replaced (one UPDATE), the action
    # and the reply stored. The reply's action state is the one just written: no read.
    after = ["UPDATE pending_actions", "INSERT pending_actions", "INSERT messages"]
    assert statements.take() == ([*SESSION, *MESSAGE_IN, *after], 2)


async def test_a_proposal_replacing_one_that_waited(counted, say):
    client, statements = counted
    await say(client, TEAM_MEETING)
    statements.take()
    await say(client, DENTIST)
    replaced = ["UPDATE pending_actions", "INSERT messages"]  # one UPDATE, and "이전 요청…"
    stored = ["INSERT pending_actions", "INSERT messages"]
    assert statements.take() == ([*SESSION, *MESSAGE_IN, *replaced, *stored], 2)


async def test_an_approval_in_words(counted, say):
    client, statements = counted
    await say(client, TEAM_MEETING)
    statements.take()
    [done] = await say(client, "네")
    assert done["text"].startswith("✅")
    claimed = ["UPDATE pending_actions", "UPDATE pending_actions"]  # approved, executing
    assert statements.take() == ([*SESSION, *MESSAGE_IN, *claimed, *FINISHED], 3)


async def test_an_approval_by_button(counted, say, decide):
    client, statements = counted
    [proposal] = await say(client, TEAM_MEETING)
    statements.take()
    response = await decide(client, proposal["payload"]["action_id"], "approve")
    assert response.status_code == 200
    assert response.json()["messages"][-1]["action_state"] == "done"
    # The action, approved, the button's words, executing: one transaction with the
    # session's read, committed before the calendar is called.
    claimed = ["SELECT pending_actions", "UPDATE pending_actions", "INSERT messages"]
    started = ["UPDATE pending_actions"]
    assert statements.take() == ([*SESSION, *claimed, *started, *FINISHED], 2)


async def test_a_question(counted, say):
    client, statements = counted
    await say(client, "이번 주 일정 알려줘")
    # After the calendar's answer: the question stored answered, with its reply.
    after = ["UPDATE pending_actions", "INSERT pending_actions", "INSERT messages"]
    assert statements.take() == ([*SESSION, *MESSAGE_IN, *after], 2)
