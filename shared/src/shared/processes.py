"""Launching our own processes: a free port, ``python -m module`` until healthy, an orderly stop.

The one launcher behind the emulators' test plugins, the benchmarks and ``tools/haru_stack.py``
(which adds logs, process groups and restarts on top of the same three steps).
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

HEALTH_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0


# Where Linux takes the local ports of outgoing connections from.
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST_PORT = 10000  # below: well-known and registered services
PORT_TRIES = 50


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, outside the kernel's
    ephemeral range where it can: a process restarted on its port would otherwise find it
    taken by some outgoing connection's local end ("address already in use")."""
    candidates = _outside_ephemeral()
    tries = random.sample(candidates, k=min(PORT_TRIES, len(candidates)))
    for port in [*tries, 0]:  # 0: the kernel's choice
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            chosen: int = sock.getsockname()[1]
            return chosen
    raise OSError("no free TCP port on 127.0.0.1")


def _outside_ephemeral() -> range:
    """Ports above the ephemeral range (rarely chosen by hand), else below it; none when
    the range is unknown or leaves too few either side."""
    try:
        low, high = (int(part) for part in EPHEMERAL_RANGE.read_text().split())
    except (OSError, ValueError):
        return range(0)
    for ports in (range(high + 1, 65536), range(LOWEST_PORT, low)):
        if len(ports) >= PORT_TRIES:
            return ports
    return range(0)


def is_healthy(url: str) -> bool:
    """Whether ``url`` answers 200 right now."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own URL)
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def wait_until_healthy(
    url: str, process: subprocess.Popen[bytes] | subprocess.Popen[str], *, name: str, timeout: float
) -> None:
    """Polls ``url`` until it answers 200; fails at once if ``process`` exits meanwhile."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}")
        if is_healthy(url):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{name} not healthy within {timeout:.0f}s")


def stop_process(
    process: subprocess.Popen[bytes] | subprocess.Popen[str], timeout: float = STOP_TIMEOUT_S
) -> None:
    """SIGTERM, then SIGKILL if it has not gone after ``timeout`` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class ModuleProcess:
    """``python -m <module>`` on loopback, started until its health route answers 200.

    ``env`` is added to this process's environment after dropping every variable that starts
    with one of ``isolate_prefixes`` (so a developer's own settings do not leak in).
    """

    def __init__(
        self,
        module: str,
        *,
        port: int | None = None,
        env: Mapping[str, str] | None = None,
        isolate_prefixes: tuple[str, ...] = (),
        health_path: str = "/healthz",
        quiet: bool = False,
        health_timeout: float = HEALTH_TIMEOUT_S,
    ) -> None:
        self.module = module
        self.port = port or free_port()
        self.env = dict(env or {})
        self.isolate_prefixes = isolate_prefixes
        self.health_path = health_path
        self.quiet = quiet
        self.health_timeout = health_timeout
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        """Starts the process and waits until it is healthy (stopping it if it never is)."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(self.isolate_prefixes or ("\0",))
        }
        env.update(self.env)
        output = subprocess.DEVNULL if self.quiet else None
        self.process = subprocess.Popen(  # noqa: S603 (our own module, by name)
            [sys.executable, "-m", self.module], env=env, stdout=output, stderr=output
        )
        try:
            wait_until_healthy(
                self.base_url + self.health_path,
                self.process,
                name=self.module,
                timeout=self.health_timeout,
            )
        except RuntimeError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stops the process (idempotent)."""
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
