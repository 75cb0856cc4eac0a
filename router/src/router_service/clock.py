"""The router's clock: the real one, or one moved to a chosen start (tests, development).

Every "now" of the dialogue, the reminders and the morning agenda comes from
``RouterContext.clock``; unit tests replace it with a clock they move by hand, and
end-to-end tests start the router with ``ROUTER_CLOCK_START`` (it then runs on in real
time from that instant), so nothing waits for the wall clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from shared.time import SEOUL, now_in

Clock = Callable[[], datetime]


def moved_clock(start: datetime) -> Clock:
    """A clock that reads ``start`` now and runs on in real time."""
    began = time.monotonic()

    def now() -> datetime:
        return (start + timedelta(seconds=time.monotonic() - began)).astimezone(SEOUL)

    return now


def clock_for(start: datetime | None) -> Clock:
    """The real clock, or a moved one when ``start`` is given."""
    return moved_clock(start) if start is not None else now_in


class ManualClock:
    """A clock that stands still until moved (tests): ``clock.advance(minutes=5)``."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
