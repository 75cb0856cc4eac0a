"""What the benchmark's processes use: resident memory and CPU time (psutil, imported late)."""

from __future__ import annotations

import contextlib
import os
import time


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MiB."""
    import psutil

    process = psutil.Process(pid)
    total = process.memory_info().rss
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += child.memory_info().rss
    return round(total / 2**20, 1)


def cpu_seconds(pids: list[int], before: dict[int, float] | None = None) -> dict[int, float]:
    """CPU time (user + system) each process (with its children) has used so far.

    A process gone since ``before`` keeps its earlier figure (its last work is not counted).
    """
    import psutil

    used = dict(before or {})
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            process = psutil.Process(pid)
            total = sum(process.cpu_times()[:2])
            for child in process.children(recursive=True):
                with contextlib.suppress(psutil.NoSuchProcess):
                    total += sum(child.cpu_times()[:2])
            used[pid] = total
    return used


def postgres_backends(databases: list[str]) -> list[int]:
    """PostgreSQL backend processes connected to one of ``databases`` (by their title)."""
    import psutil

    found = []
    for process in psutil.process_iter(["cmdline"]):
        title = " ".join(process.info["cmdline"] or [])
        if title.startswith("postgres:") and set(title.split()) & set(databases):
            found.append(process.pid)
    return found


def machine_busy_seconds() -> float:
    """Busy CPU seconds of the whole machine so far (all cores, every process)."""
    import psutil

    times = psutil.cpu_times()
    return times.user + times.nice + times.system + times.irq + times.softirq


class Memory:
    """RSS per process: once idle (after start-up) and the highest seen after a load point."""

    def __init__(self) -> None:
        self.idle: dict[str, float] = {}
        self.peak: dict[str, float] = {}

    def sample(self, pids: dict[str, int], *, idle: bool = False) -> None:
        for name, pid in pids.items():
            mb = rss_mb(pid)
            if idle:
                self.idle[name] = mb
            self.peak[name] = max(self.peak.get(name, 0.0), mb)

    def as_dict(self) -> dict[str, dict[str, float]]:
        return {name: {"idle": self.idle.get(name), "loaded": mb} for name, mb in self.peak.items()}


def measured_groups(
    pids: dict[str, int], databases: list[str], *, own: str
) -> dict[str, list[int]]:
    """The processes whose CPU a load point counts: each server, this load generator (as
    ``own``) and PostgreSQL's backends serving ``databases``."""
    groups = {name: [pid] for name, pid in pids.items()} | {own: [os.getpid()]}
    if databases:
        groups["postgresql"] = postgres_backends(databases)
    return groups


class CpuWindow:
    """CPU time of the measured processes (and the whole machine) from now to ``cores()``."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.groups = groups
        self.started = time.monotonic()
        self.busy_before = machine_busy_seconds()
        self.before = {name: cpu_seconds(group) for name, group in self.groups.items()}
        self.elapsed = 0.0

    def cores(self, *, digits: int = 3) -> dict[str, float]:
        """Cores each group kept busy over the window (``machine``: every process)."""
        after = {name: cpu_seconds(self.groups[name], b) for name, b in self.before.items()}
        busy = machine_busy_seconds() - self.busy_before
        elapsed = self.elapsed = time.monotonic() - self.started
        cpu = {
            name: round(
                sum(now[pid] - self.before[name].get(pid, 0.0) for pid in now) / elapsed, digits
            )
            for name, now in after.items()
        }
        cpu["machine"] = round(busy / elapsed, digits)
        return cpu
