"""Test helper: the emulator as a subprocess on a free port, plus its control calls.

with run_emulator() as emulator:
    emulator.script([{"content": '{"intent": "other"}'}])
    client = AsyncOpenAI(base_url=emulator.base_url + "/v1", api_key="test")
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import urllib.request
from collections.abc import Iterator
from typing import Any

from shared.processes import ModuleProcess


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


@contextlib.contextmanager
def run_emulator(startup_timeout: float = 20.0) -> Iterator[EmulatorProcess]:
    """Starts ``python -m openai_emulator`` on a free port; stops it on exit."""
    process = ModuleProcess(
        "openai_emulator",
        isolate_prefixes=("OPENAI_EMULATOR_",),
        quiet=True,
        health_timeout=startup_timeout,
    )
    process.env["OPENAI_EMULATOR_PORT"] = str(process.port)
    with process:
        assert process.process is not None
        yield EmulatorProcess(process.base_url, process.process)
