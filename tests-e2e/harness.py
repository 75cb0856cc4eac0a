"""The end-to-end harness: the whole system as real processes, and the helpers tests drive it with.

It is built on ``tools/haru_stack.py`` (the launcher ``make run`` uses): the same process specs
and env wiring, here with free loopback ports, fresh databases per run, JSON logs in a folder
of the run, and helpers for the Google emulator's control API, the web chat and the databases.
``bench/system.py`` uses it too. The person in Chromium is in ``browser.py``, the person in
Slack in ``slack_person.py``.
"""

from __future__ import annotations

import re
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))

import haru_stack  # noqa: E402  (tools/ is not a package; the launcher is one file)

from shared.testing import (  # noqa: E402
    create_test_database,
    database_backend,
    drop_test_database,
    run_blocking,
)
from slack_emulator.testing import SlackControl  # noqa: E402

SERVICES = ("auth-server", "skill-calendar", "router")
LOG_ENV = {
    "auth-server": "AUTH_LOG_FORMAT",
    "skill-calendar": "CALENDAR_LOG_FORMAT",
    "router": "ROUTER_LOG_FORMAT",
}
# Faster retries than production so a fault test waits seconds, not minutes.
TEST_ENV = {
    # A delivery claimed by an auth-server killed mid-attempt waits out its lease: 10 s, not 60.
    "auth-server": {
        "AUTH_OUTBOX_POLL_SECONDS": "0.5",
        "AUTH_OUTBOX_BACKOFF_CAP_SECONDS": "3",
        "AUTH_OUTBOX_LEASE_SECONDS": "10",
    },
    # Every test's browser comes from 127.0.0.1: the chat's per-address limits would throttle
    # the suite (router/tests/chat/test_hardening.py tests them).
    "router": {
        "ROUTER_CHAT_REQUESTS_PER_IP_PER_MINUTE": "1000000",
        "ROUTER_CHAT_NEW_SESSIONS_PER_IP_PER_MINUTE": "1000000",
        # Due reminders and agendas are looked for every second (production: every 5 s).
        "ROUTER_PROACTIVE_POLL_SECONDS": "1",
    },
}
CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"
SESSION_COOKIE = "haru_session"
T = TypeVar("T")


class HarnessError(AssertionError):
    """Something the system did that a test did not expect, with context."""


def wait_until(
    what: str,
    probe: Callable[[], T | None],
    timeout: float = 45.0,
    *,
    seen: Callable[[], object] | None = None,
) -> T:
    """Asks ``probe`` until it answers something (a condition, not a timing assertion).

    After ``timeout`` seconds it raises, naming ``what`` and, when given, what was ``seen``.
    """
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            last = f"; got {seen()}" if seen is not None else ""
            raise HarnessError(f"never happened within {timeout}s: {what}{last}")
        time.sleep(0.2)


@dataclass
class Databases:
    """The three service databases of one run, and how to drop them."""

    urls: dict[str, str]
    backend: str
    names: list[str] = field(default_factory=list)

    @classmethod
    def fresh(cls, state_dir: Path, backend: str | None = None) -> Databases:
        """New PostgreSQL databases (or SQLite files when asked or when PostgreSQL is absent)."""
        chosen = backend or database_backend()[0]
        if chosen == "sqlite":
            urls = {s: f"sqlite+aiosqlite:///{state_dir / (s + '.db')}" for s in SERVICES}
            return cls(urls, "sqlite")
        urls, names = {}, []
        for service in SERVICES:
            url, name = create_test_database()
            urls[service] = url
            names.append(name)
        return cls(urls, "postgresql", names)

    def drop(self) -> None:
        for name in self.names:
            drop_test_database(name)

    def terminate_connections(self, service: str) -> int:
        """Cuts every connection to ``service``'s database (pg_terminate_backend); how many."""
        if self.backend != "postgresql":
            raise HarnessError("terminating connections needs PostgreSQL")
        name = self.names[SERVICES.index(service)]
        return run_blocking(_terminate(self.urls[service], name))

    def query(self, service: str, sql: str, **params: Any) -> list[dict[str, Any]]:
        """The rows of one read-only query against ``service``'s database, as dicts."""
        return run_blocking(_query(self.urls[service], sql, params))

    def rows_as_text(self) -> dict[str, list[str]]:
        """Every row of every table of the three databases, rendered as text (for scans)."""
        return {s: run_blocking(_dump(self.urls[s], self.backend)) for s in SERVICES}


async def _terminate(url: str, name: str) -> int:
    import asyncpg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql", database="postgres")
    conn = await asyncpg.connect(dsn.render_as_string(hide_password=False), timeout=5)
    try:
        rows = await conn.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        return len(rows)
    finally:
        await conn.close()


async def _query(url: str, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from shared.db import normalize_url

    engine = create_async_engine(normalize_url(url))
    try:
        async with engine.connect() as conn:
            result = await conn.execute(text(sql), params)
            return [dict(row) for row in result.mappings()]
    finally:
        await engine.dispose()


async def _dump(url: str, backend: str) -> list[str]:
    from sqlalchemy import inspect, text
    from sqlalchemy.ext.asyncio import create_async_engine

    from shared.db import normalize_url

    engine = create_async_engine(normalize_url(url))
    lines: list[str] = []
    try:
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
            for table in tables:
                if backend == "postgresql":
                    query = text(f'SELECT t::text FROM "{table}" t')
                    rows = await conn.execute(query)
                    lines += [f"{table}: {row[0]}" for row in rows]
                else:
                    rows = await conn.execute(text(f'SELECT * FROM "{table}"'))
                    lines += [f"{table}: {tuple(row)}" for row in rows]
    finally:
        await engine.dispose()
    return lines


class GoogleControl:
    """The Google emulator's control API (``/emulator/...``)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=30)

    def reset(self) -> None:
        self.http.post("/emulator/reset").raise_for_status()

    def add_account(self, email: str, time_zone: str = "Asia/Seoul") -> dict[str, Any]:
        response = self.http.post(
            "/emulator/accounts", json={"email": email, "time_zone": time_zone}
        )
        response.raise_for_status()
        return response.json()

    def authorize(self, url: str, email: str, *, allow: bool = True, scopes: Any = None) -> str:
        body: dict[str, Any] = {"url": url, "email": email, "allow": allow}
        if scopes is not None:
            body["scopes"] = scopes
        response = self.http.post("/emulator/authorize", json=body)
        response.raise_for_status()
        return response.json()["redirect_url"]

    def fault(self, match: str, **kwargs: Any) -> None:
        self.http.post("/emulator/faults", json={"match": match, **kwargs}).raise_for_status()

    def clear_faults(self) -> None:
        self.http.delete("/emulator/faults").raise_for_status()

    def revoke(self, email: str) -> None:
        self.http.post("/emulator/revoke", json={"email": email}).raise_for_status()

    def expire_tokens(self, email: str | None = None) -> None:
        body = {"email": email} if email else {}
        self.http.post("/emulator/expire-tokens", json=body).raise_for_status()

    def calls(self) -> dict[str, int]:
        response = self.http.get("/emulator/calls")
        response.raise_for_status()
        return response.json()["counts"]

    def reset_calls(self) -> None:
        self.http.delete("/emulator/calls").raise_for_status()

    def edit_event(self, email: str, event_id: str, **fields: Any) -> dict[str, Any]:
        """Changes an event "directly in Google" (a patch, as its owner would)."""
        response = self.http.patch(f"/emulator/accounts/{email}/events/{event_id}", json=fields)
        response.raise_for_status()
        return response.json()

    def invalidate_sync_tokens(self, email: str) -> None:
        self.http.post(f"/emulator/accounts/{email}/sync-tokens/invalidate").raise_for_status()

    def channels(self) -> list[dict[str, Any]]:
        response = self.http.get("/emulator/channels")
        response.raise_for_status()
        return response.json()

    def events(self, email: str) -> list[dict[str, Any]]:
        response = self.http.get(f"/emulator/accounts/{email}/events")
        response.raise_for_status()
        body = response.json()
        return body["events"] if isinstance(body, dict) else body

    def live_events(self, email: str, title: str | None = None) -> list[dict[str, Any]]:
        """The events of ``email``'s calendar not cancelled (only those titled ``title``)."""
        return [
            event
            for event in self.events(email)
            if event.get("status") != "cancelled"
            and (title is None or event.get("summary") == title)
        ]

    def live_series(self, email: str) -> list[dict[str, Any]]:
        """The recurring events (series masters) of ``email``'s calendar not cancelled."""
        return [event for event in self.live_events(email) if event.get("recurrence")]


class GoogleApp:
    """Another app the person uses with Google Calendar (not Haru): its own OAuth client and
    consent, then Calendar v3 calls on Google's paths, as any Google client makes them."""

    CLIENT_ID = "e2e-other-app.apps.googleusercontent.com"
    CLIENT_SECRET = "e2e-other-app-secret"
    REDIRECT = "http://127.0.0.1/other-app/callback"

    def __init__(self, google: GoogleControl, email: str) -> None:
        google.http.post(
            "/emulator/clients",
            json={
                "client_id": self.CLIENT_ID,
                "client_secret": self.CLIENT_SECRET,
                "redirect_uris": [self.REDIRECT],
            },
        ).raise_for_status()
        params = {
            "client_id": self.CLIENT_ID,
            "redirect_uri": self.REDIRECT,
            "response_type": "code",
            "scope": CALENDAR_SCOPE,
        }
        url = str(httpx.URL(google.base_url + "/o/oauth2/v2/auth", params=params))
        code = query_param(google.authorize(url, email), "code")
        token = google.http.post(
            "/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.REDIRECT,
                "client_id": self.CLIENT_ID,
                "client_secret": self.CLIENT_SECRET,
            },
        )
        token.raise_for_status()
        self.http = httpx.Client(
            base_url=google.base_url + "/calendar/v3/calendars/primary",
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
            timeout=30,
        )

    def patch_event(self, event_id: str, **fields: Any) -> dict[str, Any]:
        """events.patch on the primary calendar; the event as Google answers it."""
        response = self.http.patch(f"/events/{event_id}", json=fields)
        response.raise_for_status()
        return response.json()

    def delete_event(self, event_id: str) -> None:
        """events.delete on the primary calendar."""
        self.http.delete(f"/events/{event_id}").raise_for_status()


@dataclass
class System:
    """One running Haru: processes, their URLs and secrets, databases, logs."""

    stack: haru_stack.Stack
    databases: Databases
    state_dir: Path
    names: list[str] = field(default_factory=list)
    # Google access tokens the suite obtained (the secret scan looks for them everywhere).
    issued_tokens: set[str] = field(default_factory=set)
    # What people wrote in the chat (the scan checks no log line repeats it).
    sent_texts: set[str] = field(default_factory=set)

    @property
    def keys(self) -> haru_stack.Secrets:
        return self.stack.keys

    def url(self, name: str) -> str:
        return self.stack.topology.url(name)

    @property
    def google(self) -> GoogleControl:
        return GoogleControl(self.url("google-emulator"))

    @cached_property
    def slack(self) -> SlackControl:
        """The Slack emulator's control API and driver (``slack_emulator.testing``), one client."""
        return SlackControl(self.url("slack-emulator"))

    def headers(self, caller: str, callee: str, **extra: str) -> dict[str, str]:
        """The bearer header ``caller`` uses towards ``callee`` (per docs/contracts.md)."""
        tokens = {
            ("router", "auth-server"): self.keys.router_to_auth,
            ("skill-calendar", "auth-server"): self.keys.calendar_to_auth,
            ("router", "skill-calendar"): self.keys.router_to_calendar,
            ("auth-server", "router"): self.keys.auth_to_router,
            ("skill-calendar", "router"): self.keys.calendar_to_router,
        }
        return {"Authorization": f"Bearer {tokens[(caller, callee)]}", **extra}

    def secrets(self) -> dict[str, str]:
        """Every secret the run was configured with, by name."""
        names = {
            "router_to_auth",
            "calendar_to_auth",
            "router_to_calendar",
            "auth_to_router",
            "calendar_to_router",
            "slack_signing_secret",
            "slack_bot_token",
        }
        found = {name: getattr(self.keys, name) for name in names}
        found["encryption_key"] = self.keys.encryption_keys.split(":", 1)[1]
        found["google_client_secret"] = "haru-dev-secret"
        return found

    def log_lines(self) -> Iterator[tuple[str, str]]:
        """(process, line) for every line every process of this run has written."""
        for path in sorted(self.stack.topology.log_dir.glob("*.log")):
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                yield path.stem, line

    def logs_of(self, name: str) -> str:
        path = self.stack.topology.log_dir / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def tails(self, lines: int = 30) -> str:
        """The last lines of every process, for a failure report."""
        parts = []
        for name in self.stack.topology.ports:
            path = self.stack.topology.log_dir / f"{name}.log"
            if path.exists():
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
                parts.append(f"----- {name} (last {len(text)} lines) -----\n" + "\n".join(text))
        return "\n".join(parts)

    def kill(self, name: str) -> None:
        """SIGKILL: the process dies as in a crash."""
        self.stack.kill(name)

    def restart(self, name: str) -> None:
        """Starts ``name`` again (killing it first if it still runs: two would share a port)."""
        process = self.stack.running.get(name)
        if process is not None and process.popen.poll() is None:
            self.stack.kill(name)
        self.stack.restart(name)

    def ensure_running(self) -> None:
        """Restarts whatever a test left stopped, so the next test finds a whole system."""
        for name in self.names:
            process = self.stack.running.get(name)
            if process is None or process.popen.poll() is not None:
                self.stack.running.pop(name, None)
                self.stack.restart(name)

    def stop(self) -> None:
        self.stack.stop()
        self.databases.drop()


@contextmanager
def router_clock(system: System) -> Iterator[Callable[[datetime], timedelta]]:
    """A ``move(moment)`` that restarts the router with its clock at ``moment``
    (``ROUTER_CLOCK_OFFSET_SECONDS``) and answers the offset; the real clock is back after."""
    env = system.stack.extra_env.setdefault("router", {})

    def move(moment: datetime) -> timedelta:
        offset = moment - datetime.now(moment.tzinfo)
        env["ROUTER_CLOCK_OFFSET_SECONDS"] = str(offset.total_seconds())
        system.restart("router")
        return offset

    try:
        yield move
    finally:
        if env.pop("ROUTER_CLOCK_OFFSET_SECONDS", None) is not None:
            system.restart("router")


def runnable_processes() -> tuple[list[str], list[str]]:
    """(processes whose program exists in this checkout, those whose program does not yet)."""
    specs = haru_stack.process_specs(
        haru_stack.Topology.local(REPO / "var"), haru_stack.Secrets.generate()
    )
    present, absent = [], []
    for spec in specs:
        (present if haru_stack.installed(spec) else absent).append(spec.name)
    return present, absent


def start_system(
    state_dir: Path,
    *,
    backend: str | None = None,
    processes: list[str] | None = None,
    env: dict[str, dict[str, str]] | None = None,
) -> System:
    """Fresh databases, migrations, the processes (default all) on free ports, all healthy;
    ``env`` adds settings per service (e.g. the benchmark's ``ROUTER_WORKERS``)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    databases = Databases.fresh(state_dir, backend)
    topology = haru_stack.Topology.isolated(state_dir, databases.urls)
    keys = haru_stack.Secrets.generate()
    stack = haru_stack.Stack(
        topology,
        keys,
        extra_env={
            name: {LOG_ENV[name]: "json"} | TEST_ENV.get(name, {}) | (env or {}).get(name, {})
            for name in SERVICES
        },
    )
    try:
        haru_stack.migrate(topology)
        stack.start(processes)
    except BaseException:
        stack.stop()
        databases.drop()
        raise
    return System(stack, databases, state_dir, list(stack.running))


# --------------------------------------------------------------------------- web chat


def _waiting_out_429(send: Callable[[], httpx.Response]) -> httpx.Response:
    """Sends, waiting out the chat's burst limit (429) for its Retry-After, as a person would.

    A script types faster than a person; a refused request stored nothing, so resending
    repeats nothing.
    """
    response = send()
    for _ in range(3):
        if response.status_code != 429:
            break
        time.sleep(min(float(response.headers.get("Retry-After", "1")), 10.0))
        response = send()
    return response


@dataclass
class ChatUser:
    """One person in the web chat: an httpx client holding the session cookie."""

    system: System
    http: httpx.Client
    email: str
    user_id: str | None = None

    @classmethod
    def new(cls, system: System, *, email: str | None = None) -> ChatUser:
        http = httpx.Client(base_url=system.url("router"), timeout=60)
        user = cls(system, http, email or f"e2e-{uuid.uuid4().hex[:10]}@example.com")
        response = http.get("/api/chat/session")
        response.raise_for_status()
        user.user_id = response.json()["user_id"]
        return user

    def post_message(self, text: str, **headers: str) -> httpx.Response:
        """Sends a message; returns the raw answer."""
        self.system.sent_texts.add(text)
        return self.http.post("/api/chat/messages", json={"text": text}, headers=headers)

    def say(self, text: str, **headers: str) -> list[dict[str, Any]]:
        """Sends a message; returns Haru's replies (the assistant messages of the answer).

        A 429 (the chat's burst limit) is waited out: see ``_waiting_out_429``.
        """
        response = _waiting_out_429(lambda: self.post_message(text, **headers))
        if response.status_code != 201:
            raise HarnessError(f"chat answered {response.status_code}: {response.text[:500]}")
        return [m for m in response.json()["messages"] if m["role"] == "assistant"]

    def history(self, after_id: int | None = None) -> list[dict[str, Any]]:
        params = {} if after_id is None else {"after_id": after_id}
        response = self.http.get("/api/chat/messages", params=params)
        response.raise_for_status()
        return response.json()["messages"]

    def decide(self, action_id: int, decision: str = "approve") -> list[dict[str, Any]]:
        response = _waiting_out_429(
            lambda: self.http.post(
                f"/api/chat/actions/{action_id}/decision", json={"decision": decision}
            )
        )
        response.raise_for_status()
        return [m for m in response.json()["messages"] if m["role"] == "assistant"]

    def wait_for_reply(
        self, predicate: Callable[[dict[str, Any]], bool], *, after_id: int, timeout: float = 30
    ) -> dict[str, Any]:
        """Polls the history until an assistant message newer than ``after_id`` matches."""
        seen: list[dict[str, Any]] = []

        def matching() -> dict[str, Any] | None:
            seen[:] = [m for m in self.history(after_id) if m["role"] == "assistant"]
            return next((m for m in seen if predicate(m)), None)

        return wait_until(
            "a matching reply", matching, timeout, seen=lambda: [m["text"] for m in seen]
        )

    def last_id(self) -> int:
        history = self.history()
        return history[-1]["id"] if history else 0

    def connect_google(self, connect_url: str, *, scopes: Any = None) -> httpx.Response:
        """In this person's browser (the one holding the chat session): opens the chat's
        connect link, presses the button, consents at the emulator, follows back."""
        return connect_google(
            self.system, connect_url, self.email, scopes=scopes, browser=self.http
        )

    def connect_ahead(self) -> httpx.Response:
        """Connects this person's Google calendar from the chat, before any request."""
        return self.connect_google(self.system.url("router") + "/connect")


def open_connect_link(system: System, browser: httpx.Client, connect_url: str) -> str:
    """Opens a connect link in ``browser`` as a person would; the auth-server page's URL.

    A web chat's link is the router's ``/connect``: the router checks the browser's chat
    session and sends it to a fresh ticket at the auth-server, which binds the ticket to
    the browser and sends it back to the router (``/connect/confirm``, a one-time proof) to
    vouch for the same session before showing the page. Redirects stay within the two.
    """
    ours = (system.url("router") + "/connect", system.url("auth-server") + "/connect/")
    url = connect_url
    page = browser.get(url)
    for _hop in range(4):
        if page.status_code != 303:
            break
        url = page.headers["location"]
        if not url.startswith(ours):
            raise HarnessError(f"a connect link sent the browser to {url[:80]}")
        page = browser.get(url)
    if page.status_code != 200:
        raise HarnessError(f"connect page answered {page.status_code}: {page.text[:200]}")
    return url


def connect_google(
    system: System,
    connect_url: str,
    email: str,
    *,
    scopes: Any = None,
    browser: httpx.Client | None = None,
) -> httpx.Response:
    """A person opens a connect link, presses the button, consents as ``email``, comes back.

    ``browser`` is the person's cookie jar (a chat user's, for a web chat link); a Slack
    link opens in any browser, by default a fresh one. The same browser follows the whole
    trip: the link and Google's answer are bound to it.
    """
    own = browser is None
    browser = browser or httpx.Client(timeout=60)
    try:
        page_url = open_connect_link(system, browser, connect_url)
        go = browser.post(page_url)
        location = go.headers.get("location", "")
        if go.status_code != 303 or not location.startswith(system.url("google-emulator")):
            raise HarnessError(f"connect button answered {go.status_code} {location[:80]}")
        redirect = system.google.authorize(location, email, scopes=scopes)
        callback = browser.get(redirect)
        if callback.status_code >= 400:
            raise HarnessError(
                f"OAuth callback answered {callback.status_code}: {callback.text[:300]}"
            )
        return callback
    finally:
        if own:
            browser.close()


def find_url(messages: list[dict[str, Any]], prefix: str) -> str | None:
    """The first URL starting with ``prefix`` in the messages' text or payload."""
    pattern = re.compile(re.escape(prefix) + r"[^\s\"'<>)]*")
    for message in messages:
        for blob in (message.get("text", ""), repr(message.get("payload"))):
            match = pattern.search(blob)
            if match:
                return match.group(0)
    return None


def query_param(url: str, name: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get(name)
    return values[0] if values else None


# --------------------------------------------------------------------------- the seed scenario

SEED = "11월 24일 검진 07:40~12시 인천 연수구 갯벌로156"
SEED_TITLE = "검진"
RETRY_HINT = "다시 시도"


def connect_link(
    system: System, user_id: str, *, channel: str | None = None, external_id: str | None = None
) -> str:
    """A calendar connect link for ``user_id``, asked of the auth-server as the router does."""
    body: dict[str, Any] = {"user_id": user_id, "capability": "calendar"}
    if channel is not None:
        body["channel"] = channel
    if external_id is not None:
        body["external_id"] = external_id
    response = httpx.post(
        system.url("auth-server") + "/internal/connect-links",
        json=body,
        headers=system.headers("router", "auth-server"),
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["url"]


def connected_user(system: System) -> ChatUser:
    """A chat user whose Google calendar is already connected (through the real OAuth flow)."""
    user = ChatUser.new(system)
    system.google.add_account(user.email)
    user.connect_ahead()
    return user


def watched(system: System, user: ChatUser) -> dict[str, Any] | None:
    """skill-calendar's row following the person's calendar (active, channel, sync token)."""
    rows = system.databases.query(
        "skill-calendar",
        "SELECT active, channel_id, sync_token FROM watched_calendars WHERE user_id = :u",
        u=user.user_id,
    )
    return rows[0] if rows else None


def following_user(system: System) -> ChatUser:
    """A connected person whose calendar skill-calendar follows (baseline and channel)."""
    user = connected_user(system)
    wait_until(
        "skill-calendar follows the new person's calendar",
        lambda: (row := watched(system, user)) and row["channel_id"] and row["sync_token"],
    )
    return user


def kind_of(message: dict[str, Any]) -> str | None:
    """The kind of a chat message's payload (proposal, connect, ...), if it has one."""
    return (message.get("payload") or {}).get("kind")


def seed_events(system: System, email: str) -> list[dict[str, Any]]:
    """The live (not cancelled) events titled like the seed's in the user's Google calendar."""
    return system.google.live_events(email, SEED_TITLE)


def proposal_of(replies: list[dict[str, Any]]) -> dict[str, Any]:
    """The single proposal among ``replies`` (it names the event and asks for a yes)."""
    found = [m for m in replies if kind_of(m) == "proposal"]
    if len(found) != 1:
        raise HarnessError(f"expected one proposal, got {[m['text'] for m in replies]}")
    return found[0]


def is_created(message: dict[str, Any]) -> bool:
    return message["text"].startswith("✅") and SEED_TITLE in message["text"]


def approve_until_done(user: ChatUser, *, attempts: int = 3, between: Callable[[], None]) -> int:
    """Says "그래" to the seed; after a "try again" answer runs ``between`` and asks again.

    Returns how many times the person had to ask. Raises if an answer is neither a success
    nor a clear Korean request to retry (that would be a lost request).
    """
    replies = user.say("그래")
    for attempt in range(1, attempts + 1):
        texts = [m["text"] for m in replies]
        if any(is_created(m) for m in replies):
            return attempt
        if not any(RETRY_HINT in t for t in texts):
            raise HarnessError(f"neither done nor asked to retry: {texts}")
        between()
        proposal_of(user.say(SEED))
        replies = user.say("그래")
    raise HarnessError(f"not done after {attempts} attempts")


def start_router_replica(system: System, name: str = "router-2") -> str:
    """Another router process on the same database (a second replica); its base URL.

    It is not one of ``system.names`` (nothing restarts it); ``system.kill(name)`` stops it.
    """
    spec = system.stack.specs["router"]
    port = haru_stack.free_port()
    env = {**spec.env, "ROUTER_PORT": str(port)}
    replica = haru_stack.ProcessSpec(name, spec.module, port, env, spec.health_path)
    system.stack.launch(replica)
    return f"http://127.0.0.1:{port}"
