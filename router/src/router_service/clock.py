"""The router's clock: the real one, or one moved by a fixed offset (tests, development).

Every "now" of the dialogue, the reminders and the morning agenda comes from
``RouterContext.clock``; unit tests replace it with a clock they move by hand
(``ManualClock``), and end-to-end tests start the router with
``ROUTER_CLOCK_OFFSET_SECONDS`` (the same offset across a restart), so nothing waits for
the wall clock to reach 8 a.m.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from shared.time import now_in

Clock = Callable[[], datetime]


def clock_for(offset_seconds: float = 0.0) -> Clock:
    """The real clock, or one running ``offset_seconds`` ahead of it."""
    if not offset_seconds:
        return now_in
    offset = timedelta(seconds=offset_seconds)
    return lambda: now_in() + offset


class ManualClock:
    """A clock that stands still until moved (tests): ``clock.advance(minutes=5)``."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
