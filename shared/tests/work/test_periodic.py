"""The periodic-task helper: runs, survives failures, wakes, stops, jitters."""

import asyncio

from prometheus_client import CollectorRegistry

from shared.work.periodic import Periodic


async def until(predicate, timeout=5.0):
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.005)


async def test_a_failing_run_never_stops_the_loop():
    runs = []

    async def flaky():
        runs.append(len(runs))
        if len(runs) % 2:
            raise RuntimeError("database down")

    registry = CollectorRegistry()
    task = Periodic("flaky", flaky, every=0.01, registry=registry)
    task.start()
    await until(lambda: len(runs) >= 5)
    await task.stop()
    assert not task.running
    failed = registry.get_sample_value(
        "periodic_runs_total", {"task": "flaky", "outcome": "failed"}
    )
    ok = registry.get_sample_value("periodic_runs_total", {"task": "flaky", "outcome": "ok"})
    assert failed >= 2 and ok >= 2


async def test_wake_cuts_the_wait_short_and_first_delay_is_kept():
    runs = []

    async def work():
        runs.append(1)

    task = Periodic("sleepy", work, every=3600, first_delay=3600)
    task.start()
    await asyncio.sleep(0.05)
    assert runs == []
    task.wake()
    await until(lambda: len(runs) == 1)
    task.wake()
    await until(lambda: len(runs) == 2)
    await task.stop()


async def test_a_busy_run_is_followed_by_another_at_once():
    left = [3]

    async def drain():
        left[0] -= 1
        return left[0] > 0

    task = Periodic("drain", drain, every=3600, again_while_busy=True)
    task.start()
    await until(lambda: left[0] == 0)
    await task.stop()


async def test_stop_cancels_a_run_in_progress():
    started = asyncio.Event()

    async def slow():
        started.set()
        await asyncio.sleep(3600)

    task = Periodic("slow", slow, every=1)
    task.start()
    await started.wait()
    await asyncio.wait_for(task.stop(), timeout=1)
    await task.stop()  # twice is fine


def test_jitter_spreads_the_interval():
    task = Periodic("j", lambda: asyncio.sleep(0), every=10, jitter=0.2)
    waits = {round(task.interval(), 3) for _ in range(50)}
    assert all(8 <= w <= 12 for w in waits) and len(waits) > 1
