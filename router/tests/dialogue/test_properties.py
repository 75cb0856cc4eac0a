"""Random conversations against the real state machine: messages, button presses, grant
events, crashes and recoveries, in any order.

After every step: no action is in an illegal state (and nothing raised but the simulated
crash), no action ran twice (one event and one ✅ at most per action). At the end, once
consent is back and recovery has run: every action has ended or waits visibly (the
message that shows it — proposal, choice or connect link — is in its conversation).
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from router_service.conversations.models import Channel, Message
from router_service.db import Base, load_models
from router_service.dialogue.flows import handle_decision, handle_incoming, recover_stalled
from router_service.grants.schemas import GrantEventIn
from router_service.grants.service import (
    process_grant_event,
    record_grant_event,
    recover_grant_events,
)
from router_service.main import create_app
from router_service.pending.models import (
    FINAL_STATES,
    OPEN_STATES,
    PLANNED_STATES,
    ActionKind,
    ActionState,
    PendingAction,
)
from shared.db import utcnow

pytestmark = pytest.mark.db

START = datetime.fromisoformat("2025-11-14T10:00:00+09:00")
KEY = "web:property"
TEXTS = [
    "11월 15일 오후 3시 팀 미팅",
    "11월 16일 오전 10시 치과",
    "11월 24일 검진 4시로 바꿔줘",
    "11월 17일 회의 삭제해줘",
    "11월 24일 일정 알려줘",
    "장소는 강남역",
    "30분 늦춰줘",
    "네",
    "그래",
    "아니요",
    "2번",
    "되돌려줘",
]
CRASH_POINTS = ["list", "create_before", "create_after", "delete_before", "delete_after"]
SHOWN_AS = {
    ActionState.proposed: "proposal",
    ActionState.awaiting_choice: "choice",
    ActionState.awaiting_auth: "connect",
}

ALL_STEPS: list[tuple[str, Any]] = [
    *(("say", text) for text in TEXTS),
    *(("say", text) for text in TEXTS[:5]),  # requests, twice as often as answers
    *(("click", decision) for decision in ("approve", "reject", "choose", "undo")),
    *(("click", "approve") for _ in range(4)),  # yes is the common answer
    *(("say", "네") for _ in range(3)),
    *(("say_yes", text) for text in TEXTS[:4]),  # a request and "그래" right after it
    ("revoke", None),
    ("grant", None),
    ("grant", None),
    *(("crash", point) for point in CRASH_POINTS * 2),
    ("recover", None),
    ("wait", 3),
    ("wait", 31),
]
steps = st.lists(st.sampled_from(ALL_STEPS), min_size=3, max_size=16)


class Killed(BaseException):
    """The process died here."""


class World:
    """One router on its own database, its fake neighbours, a clock and a crash switch."""

    def __init__(self, app: Any, fake_auth: Any, fake_calendar: Any) -> None:
        self.app, self.auth, self.calendar = app, fake_auth, fake_calendar
        self.context = app.state.context
        self.now = START
        self.context.clock = lambda: self.now
        self.crash_at: str | None = None
        self.events = itertools.count(1)
        client = self.context.calendar
        real_list, real_create = client.list_events, client.create_event
        real_delete = client.delete_event

        async def list_events(**kwargs: Any):
            self._maybe_die("list")
            return await real_list(**kwargs)

        async def create_event(**kwargs: Any):
            self._maybe_die("create_before")
            created = await real_create(**kwargs)
            self._maybe_die("create_after")  # the write reached Google, the answer is lost
            return created

        async def delete_event(**kwargs: Any):
            self._maybe_die("delete_before")
            deleted = await real_delete(**kwargs)
            self._maybe_die("delete_after")
            return deleted

        client.list_events, client.create_event = list_events, create_event
        client.delete_event = delete_event

    def _maybe_die(self, point: str) -> None:
        if self.crash_at == point:
            self.crash_at = None
            raise Killed()

    async def run(self, step: tuple[str, Any]) -> None:
        kind, arg = step
        sessionmaker = self.context.sessionmaker
        try:
            async with sessionmaker() as session:
                if kind in ("say", "say_yes"):
                    for text in [arg, "그래"] if kind == "say_yes" else [arg]:
                        await handle_incoming(
                            session=session,
                            app=self.context,
                            channel=Channel.web,
                            external_id="person",
                            conversation_key=KEY,
                            text=text,
                        )
                elif kind == "click":
                    await self._click(session, arg)
                elif kind == "revoke":
                    self.auth.default_grant_state = "needs_reauth"
                elif kind == "grant":
                    await self._grant(session)
                elif kind == "crash":
                    self.crash_at = arg
                elif kind == "recover":
                    await self.recover()
                else:
                    self.now += timedelta(minutes=arg)
        except Killed:
            pass  # what was committed stays; the rest died with the process

    async def _click(self, session: Any, decision: str) -> None:
        shown = await session.scalars(
            select(Message).where(Message.payload.is_not(None)).order_by(Message.id.desc())
        )
        for message in shown.all():
            action_id = (message.payload or {}).get("action_id")
            if action_id is not None:
                await handle_decision(
                    session=session,
                    app=self.context,
                    action_id=int(action_id),
                    decision=decision,
                    choice=1 if decision == "choose" else None,
                    conversation_key=KEY,
                )
                return

    async def _grant(self, session: Any) -> None:
        self.auth.default_grant_state = "active"
        user_id = self.auth.identities.get(("web", "person"))
        if user_id is None:
            return
        event = GrantEventIn(
            event_id=f"grant-{next(self.events)}",
            type="grant.usable",
            user_id=user_id,
            capability="calendar",
            occurred_at=self.now,
        )
        await record_grant_event(session=session, event=event)
        await process_grant_event(app=self.context, event_id=event.event_id)

    async def recover(self) -> None:
        """A later round of the recovery loop (the clock moves past the stall limit)."""
        self.now += timedelta(minutes=3)
        await recover_grant_events(app=self.context, received_before=utcnow() + timedelta(1))
        async with self.context.sessionmaker() as session:
            await recover_stalled(session=session, app=self.context)

    async def actions(self) -> list[PendingAction]:
        async with self.context.sessionmaker() as session:
            rows = await session.scalars(select(PendingAction).order_by(PendingAction.id))
            return list(rows.all())

    async def messages(self) -> list[Message]:
        async with self.context.sessionmaker() as session:
            return list((await session.scalars(select(Message).order_by(Message.id))).all())

    async def check_always(self) -> None:
        actions = await self.actions()
        for action in actions:
            assert action.state in set(ActionState)
            assert action.state not in PLANNED_STATES or action.plan is not None, action.id
        # Never two executions: one event and one ✅ at most per action.
        keys = Counter(c["key"] for c in self.calendar.create_calls)
        events_per_key = Counter(
            key
            for (_, key), (_, answer) in self.calendar.idempotency.items()
            if answer["status"] == "created"
        )
        assert all(count <= 1 for count in events_per_key.values()), keys
        done = Counter(
            (m.payload or {}).get("action_id")
            for m in await self.messages()
            if m.text.startswith("✅")
        )
        assert all(count <= 1 for count in done.values()), done
        # Never two undos: one ↩️ at most per action; what an undone create made is gone.
        undone = Counter(
            (m.payload or {}).get("action_id")
            for m in await self.messages()
            if m.text.startswith("↩️")
        )
        assert all(count <= 1 for count in undone.values()), undone
        live = {event_id for events in self.calendar.events.values() for event_id in events}
        for action in actions:
            if action.state == ActionState.undone and action.kind == ActionKind.create:
                assert (action.result or {})["event"]["id"] not in live, action.id

    async def check_at_rest(self) -> None:
        """After consent and recovery: each action ended, or waits where the person sees it."""
        last_shown: dict[int, str] = {}
        for message in await self.messages():
            payload = message.payload or {}
            if payload.get("kind") in ("proposal", "choice", "connect"):
                last_shown[payload["action_id"]] = payload["kind"]
        for action in await self.actions():
            assert action.state in FINAL_STATES or action.state in OPEN_STATES, (
                action.id,
                action.state,
            )
            if action.state in OPEN_STATES:
                # The last thing the person saw of it says what it waits for.
                expected = SHOWN_AS[action.state]
                assert last_shown.get(action.id) == expected, (action.id, action.state)


@pytest.fixture
def world_factory(settings, fake_auth, fake_calendar, tmp_path: Path):
    """Builds a fresh world (own SQLite database and fakes) for each example."""
    numbers = itertools.count()
    auth_type, calendar_type = type(fake_auth), type(fake_calendar)

    async def make() -> World:
        auth = auth_type()
        calendar = calendar_type(auth)
        url = f"sqlite+aiosqlite:///{tmp_path}/property-{next(numbers)}.db"
        app = create_app(
            settings.model_copy(update={"database_url": url}),
            transports={
                "auth-server": httpx.ASGITransport(app=auth.app),
                "skill-calendar": httpx.ASGITransport(app=calendar.app),
            },
        )
        load_models()
        await app.state.database.create_all(Base.metadata)
        return World(app, auth, calendar)

    return make


def _seed(world: World, user_id: str) -> None:
    add = world.calendar.add_event
    add(user_id, title="검진", start="2025-11-24T07:40:00+09:00", end="2025-11-24T12:00:00+09:00")
    add(user_id, title="회의", start="2025-11-17T10:00:00+09:00", end="2025-11-17T11:00:00+09:00")
    add(user_id, title="회의", start="2025-11-17T14:00:00+09:00", end="2025-11-17T15:00:00+09:00")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(script=steps)
# The reproduced defect: killed while the proposal is prepared after consent.
@example(
    script=[
        ("revoke", None),
        ("say", TEXTS[0]),
        ("crash", "list"),
        ("grant", None),
        ("say", "그래"),
        ("recover", None),
        ("say", "그래"),
    ]
)
# Killed after the write reached Google: the recovery replays, one event.
@example(script=[("crash", "create_after"), ("say_yes", TEXTS[0]), ("recover", None)])
# Killed after the undo's delete reached Google: recovered once, one ↩️.
@example(
    script=[
        ("say_yes", TEXTS[0]),
        ("crash", "delete_after"),
        ("click", "undo"),
        ("say", "되돌려줘"),
        ("recover", None),
        ("click", "undo"),
    ]
)
def test_random_conversations_keep_the_machine_sound(world_factory, script):
    async def scenario() -> None:
        world = await world_factory()
        try:
            async with world.context.sessionmaker() as session:  # the person exists
                identity = await world.context.auth.resolve_identity(
                    channel="web", external_id="person"
                )
                await session.commit()
            _seed(world, identity.user_id)
            for step in script:
                await world.run(step)
                await world.check_always()
            # At rest: consent back, no crash armed, recovery rounds run.
            world.crash_at = None
            await world.run(("grant", None))
            await world.recover()
            await world.check_always()
            await world.check_at_rest()
        finally:
            await world.app.state.database.dispose()

    asyncio.run(scenario())
