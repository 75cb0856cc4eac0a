"""Test helper: the emulator as a subprocess on a free port, plus its control calls.

with run_emulator() as emulator:
    emulator.script([{"content": '{"intent": "other"}'}])
    client = AsyncOpenAI(base_url=emulator.base_url + "/v1", api_key="test")
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmulatorProcess:
    """A running emulator: its URL and the control endpoints."""

    def __init__(self, base_url: str, process: subprocess.Popen[bytes]) -> None:
        self.base_url = base_url
        self.process = process

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - local emulator URL
            self.base_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return json.loads(response.read())

    def script(self, steps: list[dict[str, Any]], default_content: str | None = None) -> None:
        """Queues answers for the next completions (see ``openai_emulator.app.Step``)."""
        self._call("POST", "/_control/script", {"steps": steps, "default_content": default_content})

    def reset(self) -> None:
        self._call("POST", "/_control/reset", {})

    def requests(self) -> list[dict[str, Any]]:
        """The completion requests received so far."""
        return self._call("GET", "/_control/requests")["requests"]


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"openai emulator exited with {process.returncode}")
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(base_url + "/healthz", timeout=1),  # noqa: S310
        ):
            return
        time.sleep(0.05)
    raise RuntimeError("openai emulator did not start in time")


@contextlib.contextmanager
def run_emulator(startup_timeout: float = 20.0) -> Iterator[EmulatorProcess]:
    """Starts ``python -m openai_emulator`` on a free port; stops it on exit."""
    port = free_port()
    env = {**os.environ, "OPENAI_EMULATOR_PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "openai_emulator"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url, process, startup_timeout)
        yield EmulatorProcess(base_url, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
