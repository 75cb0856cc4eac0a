"""Fixtures for the router's tests: an app on its own database, fake neighbours, a client.

auth-server and skill-calendar are replaced by small in-process FastAPI apps that
follow docs/contracts.md (tests only); the router reaches them through httpx
transports, or over real sockets when a test serves everything with uvicorn.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse
from sqlalchemy import update

from router_service.config import RouterSettings
from router_service.db import Base, load_models
from router_service.main import create_app
from router_service.pending.models import ActionState, PendingAction
from shared.testing import live_server, serve_app
from shared.titles import title_key

ROUTER_TOKEN = "test-router-token"  # a generic internal caller (the NLU tests use it)
AUTH_SERVER_CALLER_TOKEN = "test-auth-server-token"  # auth-server → router (grant events)
ROUTER_AT_AUTH_TOKEN = "test-router-at-auth"
ROUTER_AT_CALENDAR_TOKEN = "test-router-at-calendar"
SERVICE_HEADERS = {"Authorization": f"Bearer {ROUTER_TOKEN}"}
AUTH_SERVER_HEADERS = {"Authorization": f"Bearer {AUTH_SERVER_CALLER_TOKEN}"}
CALENDAR_CALLER_TOKEN = "test-skill-calendar-token"  # skill-calendar → router (calendar changes)
CALENDAR_HEADERS = {"Authorization": f"Bearer {CALENDAR_CALLER_TOKEN}"}
# Friday 2025-11-14 10:00 in Seoul: "11월 15일" is a Saturday, "11월 24일" a Monday.
NOW = datetime.fromisoformat("2025-11-14T10:00:00+09:00")


def _error(status: int, code: str, message: str, details: dict | None = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return JSONResponse(body, status_code=status)


def _bearer_ok(authorization: str | None, token: str) -> bool:
    return authorization == f"Bearer {token}"


class FakeAuthServer:
    """auth-server's internal API as contracts.md describes it, in memory."""

    def __init__(self) -> None:
        self.identities: dict[tuple[str, str], str] = {}
        self.grant_states: dict[str, str] = {}
        self.default_grant_state = "active"
        self.down = False
        self.connect_links: list[dict[str, Any]] = []
        self.account_links: list[dict[str, Any]] = []
        self.confirmations: list[dict[str, Any]] = []
        self._counter = itertools.count(1)
        self.app = self._build()

    def grant_state(self, user_id: str) -> str:
        return self.grant_states.get(user_id, self.default_grant_state)

    def _build(self) -> FastAPI:
        app = FastAPI()
        fake = self

        @app.middleware("http")
        async def check_token(request: Request, call_next):
            if fake.down:
                return _error(503, "auth.unavailable", "점검 중")
            if not _bearer_ok(request.headers.get("authorization"), ROUTER_AT_AUTH_TOKEN):
                return _error(401, "auth.invalid_service_token", "토큰 오류")
            return await call_next(request)

        @app.post("/internal/identities/resolve")
        async def resolve(body: dict) -> dict:
            key = (body["channel"], body["external_id"])
            created = key not in fake.identities
            if created:
                fake.identities[key] = str(uuid.uuid4())
            return {"user_id": fake.identities[key], "created": created, "google_email": None}

        @app.get("/internal/users/{user_id}/grants/{capability}")
        async def grant(user_id: str, capability: str) -> dict:
            state = fake.grant_state(user_id)
            reason = None if state == "active" else "revoked"
            return {
                "capability": capability,
                "state": state,
                "reason": reason,
                "reason_text": "정상" if state == "active" else "재연결 필요: 권한이 취소됨",
                "scopes": [],
                "google_email": None,
            }

        @app.post("/internal/connect-links", status_code=201)
        async def connect_link(body: dict) -> dict:
            number = next(fake._counter)
            fake.connect_links.append(body)
            return {
                "url": f"http://auth.test/connect/ticket-{number}",
                "expires_at": "2025-11-14T11:00:00+09:00",
            }

        @app.post("/internal/connect-links/confirm")
        async def confirm_link(body: dict):
            fake.confirmations.append(body)
            number = int(body["ticket"].removeprefix("ticket-") or 0)
            made = fake.connect_links[number - 1] if 0 < number <= len(fake.connect_links) else {}
            if body["proof"] != "proof-ok" or made.get("external_id") != body["external_id"]:
                return _error(404, "auth.link_not_confirmable", "확인할 링크 없음")
            return {
                "url": f"http://auth.test/connect/{body['ticket']}",
                "expires_at": "2025-11-14T11:00:00+09:00",
            }

        @app.post("/internal/account-links", status_code=201)
        async def account_link(body: dict) -> dict:
            number = next(fake._counter)
            fake.account_links.append(body)
            return {
                "url": f"http://auth.test/account/ticket-{number}",
                "expires_at": "2025-11-14T11:00:00+09:00",
            }

        return app


class FakeCalendar:
    """skill-calendar's API as contracts.md describes it, in memory."""

    def __init__(self, auth: FakeAuthServer) -> None:
        self.auth = auth
        self.events: dict[str, dict[str, dict[str, Any]]] = {}
        self.idempotency: dict[tuple[str, str], tuple[dict, dict]] = {}
        self.create_calls: list[dict[str, Any]] = []
        self.patch_calls: list[dict[str, Any]] = []
        self.delete_calls: list[str] = []
        self.deleted_by_key: dict[tuple[str, str], dict] = {}  # a repeated key replays
        self.followed: set[str] = set()  # users whose calendar skill-calendar follows (sync)
        self.create_delay = 0.0
        self.down = False
        # Called at the start of every events list (a test makes it raise: a crash there).
        self.before_list: Callable[[], None] | None = None
        self._ids = itertools.count(1)
        self.app = self._build()

    def add_event(self, user_id: str, **fields: Any) -> dict[str, Any]:
        """Puts an event straight into a user's calendar (test setup)."""
        event_id = f"ev{next(self._ids)}"
        event = {
            "id": event_id,
            "title": fields["title"],
            "start": fields.get("start"),
            "end": fields.get("end"),
            "start_date": fields.get("start_date"),
            "end_date": fields.get("end_date"),
            "all_day": bool(fields.get("start_date")),
            "location": fields.get("location"),
            "description": fields.get("description"),
            "html_link": f"https://calendar.test/event?eid={event_id}",
            "status": "confirmed",
            "time_zone": "Asia/Seoul",
            "reminder_minutes": fields.get("reminder_minutes"),
            "recurring_event_id": fields.get("recurring_event_id"),
        }
        self.events.setdefault(user_id, {})[event_id] = event
        return event

    def user_events(self, user_id: str) -> list[dict[str, Any]]:
        return list(self.events.get(user_id, {}).values())

    def _reauth(self, user_id: str) -> JSONResponse | None:
        # As skill-calendar answers: the auth-server's reason and its words for it.
        state = self.auth.grant_state(user_id)
        if state == "missing":
            details = {"reason": "not_connected", "reason_text": "연결되지 않음"}
        elif state == "needs_reauth":
            details = {"reason": "revoked", "reason_text": "재연결 필요: 권한이 취소됨"}
        else:
            return None
        details["connect_url"] = None
        return _error(409, "calendar.reauth_required", "재인증이 필요합니다.", details)

    def _build(self) -> FastAPI:
        app = FastAPI()
        fake = self

        @app.middleware("http")
        async def check_token(request: Request, call_next):
            if fake.down:
                return _error(503, "calendar.upstream_unavailable", "점검 중")
            if not _bearer_ok(request.headers.get("authorization"), ROUTER_AT_CALENDAR_TOKEN):
                return _error(401, "auth.invalid_service_token", "토큰 오류")
            return await call_next(request)

        @app.get("/v1/users/{user_id}/events")
        async def list_events(user_id: str, start: str, end: str, q: str | None = None):
            if problem := fake._reauth(user_id):
                return problem
            if fake.before_list is not None:
                fake.before_list()
            lo, hi = datetime.fromisoformat(start), datetime.fromisoformat(end)
            assert lo.tzinfo is not None and hi.tzinfo is not None
            found = [e for e in fake.user_events(user_id) if _overlaps(e, lo, hi)]
            found.sort(key=lambda e: _start_of(e, lo.tzinfo))
            return {"events": found, "time_zone": "Asia/Seoul"}

        @app.post("/v1/users/{user_id}/events")
        async def create_event(
            user_id: str, body: dict, idempotency_key: str | None = Header(None)
        ):
            if problem := fake._reauth(user_id):
                return problem
            if not idempotency_key:
                return _error(400, "idempotency.key_missing", "키가 필요합니다.")
            fake.create_calls.append({"user_id": user_id, "key": idempotency_key, "body": body})
            if fake.create_delay:
                await asyncio.sleep(fake.create_delay)
            seen = fake.idempotency.get((user_id, idempotency_key))
            if seen is not None:
                if seen[0] != body:
                    return _error(422, "idempotency.key_reused", "키 재사용")
                return JSONResponse({**seen[1], "status": "replayed"}, status_code=200)
            fields = {k: body.get(k) for k in ("title", "start", "end", "start_date", "end_date")}
            if not body.get("allow_duplicate"):
                same = [e for e in fake.user_events(user_id) if _same(e, fields)]
                if same:
                    answer = {"status": "duplicate", "event": same[0], "conflicts": []}
                    fake.idempotency[(user_id, idempotency_key)] = (body, answer)
                    return JSONResponse(answer, status_code=200)
            event = fake.add_event(
                user_id,
                **fields,
                location=body.get("location"),
                description=body.get("description"),
                reminder_minutes=body.get("reminder_minutes"),
            )
            answer = {"status": "created", "event": event, "conflicts": []}
            fake.idempotency[(user_id, idempotency_key)] = (body, answer)
            return JSONResponse(answer, status_code=201)

        @app.get("/v1/users/{user_id}/events/{event_id}")
        async def get_event(user_id: str, event_id: str):
            if problem := fake._reauth(user_id):
                return problem
            event = fake.events.get(user_id, {}).get(event_id)
            if event is None:
                return _error(404, "calendar.event_not_found", "없음")
            return event

        @app.patch("/v1/users/{user_id}/events/{event_id}")
        async def patch_event(user_id: str, event_id: str, body: dict):
            if problem := fake._reauth(user_id):
                return problem
            event = fake.events.get(user_id, {}).get(event_id)
            if event is None:
                return _error(404, "calendar.event_not_found", "없음")
            fake.patch_calls.append({"event_id": event_id, "body": body})
            event.update(body)
            return {"event": event, "conflicts": []}

        @app.put("/v1/sync/people/{user_id}", status_code=202)
        async def follow(user_id: str):
            fake.followed.add(user_id)
            return {"status": "accepted"}

        @app.delete("/v1/sync/people/{user_id}", status_code=202)
        async def unfollow(user_id: str, now: bool = False):
            fake.followed.discard(user_id)
            return {"status": "stopped" if now else "accepted"}

        @app.delete("/v1/users/{user_id}/events/{event_id}")
        async def delete_event(
            user_id: str, event_id: str, idempotency_key: str | None = Header(None)
        ):
            if problem := fake._reauth(user_id):
                return problem
            fake.delete_calls.append(event_id)
            key = (user_id, idempotency_key or "")
            if idempotency_key and key in fake.deleted_by_key:
                return fake.deleted_by_key[key]  # skill-calendar replays a repeated key
            removed = fake.events.get(user_id, {}).pop(event_id, None)
            answer = {"deleted": True, "already_deleted": removed is None}
            if idempotency_key:
                fake.deleted_by_key[key] = answer
            return answer

        return app


def _same(event: dict[str, Any], fields: dict[str, Any]) -> bool:
    if title_key(event["title"]) != title_key(fields["title"]):
        return False
    keys = ("start_date", "end_date") if fields.get("start_date") else ("start", "end")
    return all(event.get(k) == fields.get(k) for k in keys)


def _start_of(event: dict[str, Any], zone: Any) -> datetime:
    if event.get("start"):
        return datetime.fromisoformat(event["start"])
    return datetime.combine(date.fromisoformat(event["start_date"]), datetime.min.time(), zone)


def _overlaps(event: dict[str, Any], lo: datetime, hi: datetime) -> bool:
    start = _start_of(event, lo.tzinfo)
    if event.get("end"):
        return start < hi and datetime.fromisoformat(event["end"]) > lo
    last = date.fromisoformat(event["end_date"]) if event.get("end_date") else None
    end = datetime.combine(last, datetime.min.time(), lo.tzinfo) if last else start
    return start < hi and max(end, start + timedelta(days=1)) > lo


@pytest.fixture
def fake_auth() -> FakeAuthServer:
    return FakeAuthServer()


@pytest.fixture
def fake_calendar(fake_auth: FakeAuthServer) -> FakeCalendar:
    return FakeCalendar(fake_auth)


@pytest.fixture
def settings(database_url: str) -> RouterSettings:
    return RouterSettings(
        database_url=database_url,
        environment="test",
        service_tokens={
            "router": ROUTER_TOKEN,
            "auth-server": AUTH_SERVER_CALLER_TOKEN,
            "skill-calendar": CALENDAR_CALLER_TOKEN,
        },
        auth_server_url="http://auth.test",
        auth_server_token=ROUTER_AT_AUTH_TOKEN,
        calendar_url="http://calendar.test",
        calendar_token=ROUTER_AT_CALENDAR_TOKEN,
        stream_poll_seconds=0.05,
        recovery_interval_seconds=0,  # tests call recover_stalled themselves
        proactive_poll_seconds=0,  # tests run the reminder rounds themselves
    )


def _fixed_clock() -> datetime:
    return NOW


@pytest.fixture
def make_app(settings: RouterSettings, fake_auth: FakeAuthServer, fake_calendar: FakeCalendar):
    """Builds a router app on the test database (call it again to 'restart' the router).

    Keyword arguments override plain (non-secret) settings of the new app.
    """

    async def make(**overrides: Any) -> FastAPI:
        app = create_app(
            settings.model_copy(update=overrides),
            transports={
                "auth-server": httpx.ASGITransport(app=fake_auth.app),
                "skill-calendar": httpx.ASGITransport(app=fake_calendar.app),
            },
        )
        app.state.context.clock = _fixed_clock
        load_models()
        await app.state.database.create_all(Base.metadata)
        return app

    return make


@pytest.fixture
async def app(make_app):
    return await make_app()


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(app) as client:
        yield client


@pytest.fixture
def service_headers() -> dict[str, str]:
    return dict(SERVICE_HEADERS)


@pytest.fixture
def auth_server_headers() -> dict[str, str]:
    """What auth-server sends with its grant events."""
    return dict(AUTH_SERVER_HEADERS)


@pytest.fixture
def calendar_headers() -> dict[str, str]:
    """What skill-calendar sends with its calendar change notices."""
    return dict(CALENDAR_HEADERS)


@pytest.fixture
def grant_event() -> Callable[..., dict[str, Any]]:
    """``grant_event(user_id, ref=, previous=, event_id=, type_=)``: auth-server's grant event."""

    def make(
        user_id: str,
        *,
        ref: str | None = None,
        previous: str | None = None,
        event_id: str | None = None,
        type_: str = "grant.usable",
    ) -> dict[str, Any]:
        return {
            "event_id": event_id or str(uuid.uuid4()),
            "type": type_,
            "user_id": user_id,
            "previous_user_id": previous,
            "capability": "calendar",
            "state": "active",
            "reason": None,
            "pending_action_ref": ref,
            "occurred_at": "2025-11-14T10:05:00+09:00",
        }

    return make


@pytest.fixture
def say() -> Callable[[httpx.AsyncClient, str], Awaitable[list[dict[str, Any]]]]:
    """Sends a chat message; returns Haru's replies (asserting the call succeeded)."""

    async def send(client: httpx.AsyncClient, text: str) -> list[dict[str, Any]]:
        response = await client.post("/api/chat/messages", json={"text": text})
        assert response.status_code == 201, response.text
        messages = response.json()["messages"]
        assert messages[0]["role"] == "user"
        return messages[1:]

    return send


@pytest.fixture
def stall() -> Callable[..., Awaitable[None]]:
    """``await stall(app, ids, state)``: actions as a stopped process left them, approved
    (and taken up: ``executing``) ten minutes before the app's clock, never written back."""

    async def leave(
        app: FastAPI, ids: list[int], state: ActionState = ActionState.executing
    ) -> None:
        old = app.state.context.clock() - timedelta(minutes=10)
        async with app.state.database.sessionmaker() as session:
            await session.execute(
                update(PendingAction)
                .where(PendingAction.id.in_(ids))
                .values(state=state, approved_at=old, updated_at=old)
            )
            await session.commit()

    return leave


@pytest.fixture
def decide() -> Callable[..., Awaitable[httpx.Response]]:
    """Presses a proposal button."""

    async def press(
        client: httpx.AsyncClient, action_id: int, decision: str, choice: int | None = None
    ) -> httpx.Response:
        body: dict[str, Any] = {"decision": decision}
        if choice is not None:
            body["choice"] = choice
        return await client.post(f"/api/chat/actions/{action_id}/decision", json=body)

    return press


@pytest.fixture
def serve_http():
    """Serves an app with uvicorn on a free port: ``async with serve_http(app) as base_url``."""
    return live_server
