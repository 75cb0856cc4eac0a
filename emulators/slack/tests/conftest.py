"""Fixtures: a tiny app that receives what the emulator delivers, and an emulator wired to it."""

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from slack_sdk import WebClient
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shared.processes import free_port
from shared.testing import ThreadServer
from slack_emulator.testing import SlackEmulatorProcess

BOT_TOKEN = "xoxb-test-0001-abcdef"
SIGNING_SECRET = "test-signing-secret-0123456789"


@dataclass
class Step:
    """How the receiver answers one request: after `delay` seconds, with `status`."""

    status: int = 200
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class Receiver:
    """Records every request to /events and /interactivity; answers per a plan per path."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: list[dict] = []
        self.plans: dict[str, list[Step]] = {"/events": [], "/interactivity": []}
        self.lock = threading.Lock()
        app = Starlette(
            routes=[
                Route("/events", self._handle, methods=["POST"]),
                Route("/interactivity", self._handle, methods=["POST"]),
            ]
        )
        self.server = ThreadServer(app, port=self.port, lifespan="auto")

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        with self.lock:
            self.requests.append(
                {"path": request.url.path, "headers": dict(request.headers), "body": body}
            )
            plan = self.plans[request.url.path]
            step = plan.pop(0) if plan else Step()
        if step.delay:
            await asyncio.sleep(step.delay)
        return Response(b"", status_code=step.status, headers=step.headers)

    def start(self) -> "Receiver":
        self.server.__enter__()
        return self

    def stop(self) -> None:
        self.server.__exit__()

    def reset(self, plan: list[Step] | None = None, path: str = "/events") -> None:
        """Forget requests; answer the next ones to `path` per `plan` (then 200 at once)."""
        with self.lock:
            self.requests.clear()
            self.plans = {"/events": [], "/interactivity": []}
            self.plans[path] = list(plan or [])

    def received(self, path: str) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["path"] == path]


@pytest.fixture(scope="session")
def receiver_session() -> Iterator[Receiver]:
    """The receiving app, once per session."""
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def wired_process(receiver_session: Receiver) -> Iterator[SlackEmulatorProcess]:
    """An emulator whose EVENTS_URL/INTERACTIVITY_URL point at the receiver; fast retries."""
    env = {
        "SLACK_EMULATOR_BOT_TOKEN": BOT_TOKEN,
        "SLACK_EMULATOR_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_EMULATOR_EVENTS_URL": receiver_session.url + "/events",
        "SLACK_EMULATOR_INTERACTIVITY_URL": receiver_session.url + "/interactivity",
        "SLACK_EMULATOR_ACK_TIMEOUT_SECONDS": "1.0",
        "SLACK_EMULATOR_RETRY_DELAYS_SECONDS": "0,0.2,0.2",
    }
    with SlackEmulatorProcess(env=env) as process:
        yield process


@pytest.fixture
def receiver(receiver_session: Receiver, wired_process: SlackEmulatorProcess) -> Receiver:
    """The receiver, emptied (and the wired emulator reset) before the test."""
    wired_process.control.reset()
    receiver_session.reset()
    return receiver_session


@pytest.fixture
def wired(wired_process: SlackEmulatorProcess, receiver: Receiver) -> SlackEmulatorProcess:
    """The wired emulator, reset, with an empty receiver."""
    return wired_process


@pytest.fixture
def client(wired: SlackEmulatorProcess) -> AsyncWebClient:
    """An async slack_sdk client with the bot token, aimed at the wired emulator."""
    return AsyncWebClient(token=BOT_TOKEN, base_url=wired.api_url)


@pytest.fixture
def sync_client(wired: SlackEmulatorProcess) -> WebClient:
    """The same, with slack_sdk's sync client."""
    return WebClient(token=BOT_TOKEN, base_url=wired.api_url)


@pytest.fixture
def minji(wired: SlackEmulatorProcess) -> dict:
    """A person in the workspace, added to the fresh emulator."""
    return wired.control.add_user("minji", real_name="김민지", email="minji@example.com")


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.05):
    """Poll until `predicate()` is truthy; returns its value (fails after `timeout`)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


@pytest.fixture
def helpers():
    """Shared values and helpers for test modules (conftest is not importable)."""
    return SimpleNamespace(
        BOT_TOKEN=BOT_TOKEN,
        SIGNING_SECRET=SIGNING_SECRET,
        Step=Step,
        wait_until=wait_until,
    )
