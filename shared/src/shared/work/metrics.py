"""The background-work counters, made once per registry (an app's), so several queues and
loops of one app share them and several apps in one process never collide."""

from __future__ import annotations

import weakref

from prometheus_client import CollectorRegistry, Counter

_made: weakref.WeakKeyDictionary[CollectorRegistry, dict[str, Counter]] = (
    weakref.WeakKeyDictionary()
)

JOBS = (
    "work_jobs_total",
    "Durable jobs by queue and outcome (claimed, done, retry, later, failed, dead, lost)",
    ("queue", "outcome"),
)
RUNS = (
    "periodic_runs_total",
    "Runs of periodic background tasks by task and outcome (ok, failed)",
    ("task", "outcome"),
)


def counter(registry: CollectorRegistry, spec: tuple[str, str, tuple[str, ...]]) -> Counter:
    """The counter ``spec`` (name, help, labels) of ``registry``."""
    name, documentation, labels = spec
    counters = _made.setdefault(registry, {})
    if name not in counters:
        counters[name] = Counter(name, documentation, list(labels), registry=registry)
    return counters[name]
