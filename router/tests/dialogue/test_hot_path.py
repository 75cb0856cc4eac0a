"""The hot paths (issue 20): no grant question to the auth-server before the calendar is
read (proposals and questions), and no database connection held while a neighbour answers."""

from typing import Any

import pytest

from shared.testing import serve_app

pytestmark = pytest.mark.db

TEAM_MEETING = "11월 15일 오후 3시 팀 미팅"
THIS_WEEK = "이번 주 일정 알려줘"


class Recording:
    """An ASGI app that notes the path of every request, then passes it on."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.paths: list[str] = []

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            self.paths.append(scope["path"])
        await self.app(scope, receive, send)


@pytest.mark.parametrize(("text", "kind"), [(TEAM_MEETING, "proposal"), (THIS_WEEK, None)])
async def test_the_auth_server_is_asked_no_grant_question(make_app, fake_auth, say, text, kind):
    recording = Recording(fake_auth.app)
    fake_auth.app = recording
    app = await make_app()
    async with serve_app(app) as client:
        [reply] = await say(client, text)
    assert (reply["payload"] or {}).get("kind") == kind  # a proposal, or the week's events
    assert not [p for p in recording.paths if "/grants/" in p]


@pytest.mark.parametrize("text", [TEAM_MEETING, THIS_WEEK])
@pytest.mark.parametrize(
    ("state", "first_words"),
    [
        ("missing", "구글 캘린더 연결이 필요해요."),
        ("needs_reauth", "구글 캘린더 연결을 다시 해 주세요(재연결 필요: 권한이 취소됨)."),
    ],
)
async def test_without_google_the_reason_comes_from_skill_calendars_refusal(
    client, fake_auth, say, state, first_words, text
):
    fake_auth.default_grant_state = state
    [connect] = await say(client, text)
    assert connect["payload"]["kind"] == "connect"
    assert connect["text"].startswith(first_words)


async def test_no_connection_is_held_while_skill_calendar_answers(app, client, fake_calendar, say):
    pool = app.state.database.engine.pool
    held: list[int] = []
    fake_calendar.before_list = lambda: held.append(pool.checkedout())
    await say(client, TEAM_MEETING)
    # A second request replaces the waiting one: that write comes after the read.
    [replaced, proposal] = await say(client, "11월 16일 오전 10시 치과")
    assert replaced["text"].startswith("이전 요청")
    assert proposal["payload"]["kind"] == "proposal"
    assert held == [0, 0]


async def test_no_connection_is_held_while_a_question_is_answered(app, client, fake_calendar, say):
    pool = app.state.database.engine.pool
    held: list[int] = []
    fake_calendar.before_list = lambda: held.append(pool.checkedout())
    await say(client, TEAM_MEETING)
    [replaced, answer] = await say(client, THIS_WEEK)  # the proposal is replaced after the read
    assert replaced["text"].startswith("이전 요청")
    assert "일정" in answer["text"]
    assert held == [0, 0]


async def test_a_known_chat_asks_the_auth_server_no_identity_question(make_app, fake_auth, say):
    """A web session's identity → user cannot move (docs/benchmarks.md, "Third pass"): the
    router keeps it on the session after the first answer and asks again for no message."""
    recording = Recording(fake_auth.app)
    fake_auth.app = recording
    app = await make_app()
    async with serve_app(app) as client:
        await client.get("/api/chat/session")
        first = [p for p in recording.paths if p.endswith("/identities/resolve")]
        await say(client, TEAM_MEETING)
        await say(client, "그래")
        await say(client, THIS_WEEK)
    assert len(first) == 1  # the session page names its user: asked once
    assert [p for p in recording.paths if p.endswith("/identities/resolve")] == first


async def test_a_first_message_without_the_session_page_asks_once(make_app, fake_auth, say):
    recording = Recording(fake_auth.app)
    fake_auth.app = recording
    app = await make_app()
    async with serve_app(app) as client:
        await say(client, TEAM_MEETING)
        await say(client, THIS_WEEK)
    assert [p for p in recording.paths if p.endswith("/identities/resolve")] == [
        "/internal/identities/resolve"
    ]
