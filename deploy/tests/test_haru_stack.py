"""The launcher behind `make run`: stopping is not cut short by a second signal."""

from __future__ import annotations

import os
import signal

import haru_stack


class SignalledWhileStopping:
    """A stack whose stopping is interrupted by SIGTERM after its first process."""

    def __init__(self) -> None:
        self.running = ["router", "skill-calendar", "auth-server"]
        self.stopped: list[str] = []

    def stop(self) -> None:
        for name in list(self.running):
            self.stopped.append(name)
            if len(self.stopped) == 1:
                os.kill(os.getpid(), signal.SIGTERM)  # e.g. `timeout`, or Ctrl-C again


def test_a_second_sigterm_while_stopping_stops_every_process() -> None:
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, haru_stack._stop_on_signal)  # as `run` installs it
    stack = SignalledWhileStopping()
    try:
        haru_stack.stop_all(stack)
    finally:
        signal.signal(signal.SIGINT, before[0])
        signal.signal(signal.SIGTERM, before[1])
    assert stack.stopped == stack.running


def test_the_first_signal_starts_stopping_and_later_ones_are_ignored() -> None:
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, haru_stack._stop_on_signal)
    interrupted = 0
    try:
        try:
            os.kill(os.getpid(), signal.SIGTERM)
        except KeyboardInterrupt:
            interrupted += 1
            os.kill(os.getpid(), signal.SIGTERM)  # arrives while stopping: no second interrupt
            os.kill(os.getpid(), signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, before[0])
        signal.signal(signal.SIGTERM, before[1])
    assert interrupted == 1
