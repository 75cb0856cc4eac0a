"""One periodic-task helper: every background loop of every service is a ``Periodic``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry

from shared.work.metrics import RUNS, counter

logger = logging.getLogger(__name__)


async def cancel(task: asyncio.Task[None] | None) -> None:
    """Cancels a background task and waits until it has stopped."""
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class Periodic:
    """Runs ``run`` now and then until stopped; one failure never stops the loop.

    ``every``: seconds between runs (each wait varies by ±``jitter``, so replicas drift
    apart); ``first_delay``: the wait before the first run; ``again_while_busy``: a run that
    returns something truthy (it found work) is followed by another at once; ``wake()``
    (an in-process commit, a LISTEN/NOTIFY) cuts the current wait short.
    """

    def __init__(
        self,
        name: str,
        run: Callable[[], Awaitable[object]],
        *,
        every: float,
        jitter: float = 0.1,
        first_delay: float = 0.0,
        again_while_busy: bool = False,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.name = name
        self.run = run
        self.every = every
        self.jitter = jitter
        self.first_delay = first_delay
        self.again_while_busy = again_while_busy
        self.runs = counter(registry, RUNS) if registry is not None else None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Starts the loop (once)."""
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        """Stops the loop, cancelling a run in progress."""
        task, self._task = self._task, None
        await cancel(task)

    def wake(self) -> None:
        """Asks for a run now instead of at the end of the current wait."""
        self._wake.set()

    def interval(self) -> float:
        """The next wait: ``every`` ± ``jitter``."""
        spread = self.every * self.jitter
        return max(0.0, self.every + random.uniform(-spread, spread))  # noqa: S311

    async def run_once(self) -> object:
        """One run; a failure is logged and counted, never raised."""
        try:
            result = await self.run()
        except Exception:
            logger.exception("periodic task failed", extra={"task": self.name})
            self._count("failed")
            return None
        self._count("ok")
        return result

    def _count(self, outcome: str) -> None:
        if self.runs is not None:
            self.runs.labels(self.name, outcome).inc()

    async def _loop(self) -> None:
        delay = self.first_delay
        while True:
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=delay)
            self._wake.clear()  # a wake from now on asks for the run after this one
            busy = await self.run_once()
            delay = 0.0 if self.again_while_busy and busy else self.interval()
