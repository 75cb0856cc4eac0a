"""Counters of reminders and agendas, made once per registry (an app's)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

# A reminder sent later than this after its due moment counts as late (it is still sent).
ON_TIME_SECONDS = 30.0


class ReminderMetrics:
    """``reminders_total{outcome}``: scheduled, sent, late (sent, but over 30 s after due),
    dropped (deleted, or missed during downtime), moved, cancelled;
    ``reminder_delay_seconds``: due moment to message stored; ``agendas_total{outcome}``."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        registry = registry or CollectorRegistry()
        self.reminders = Counter(
            "reminders_total",
            "Reminders by outcome (scheduled, sent, late, dropped, moved, cancelled)",
            ["outcome"],
            registry=registry,
        )
        self.delay = Histogram(
            "reminder_delay_seconds",
            "Seconds from a reminder's due moment to its message",
            buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300),
            registry=registry,
        )
        self.agendas = Counter(
            "agendas_total",
            "Morning agendas by outcome (sent, skipped, dropped)",
            ["outcome"],
            registry=registry,
        )

    def count(self, outcome: str, amount: int = 1) -> None:
        if amount:
            self.reminders.labels(outcome).inc(amount)

    def sent(self, delay_seconds: float) -> None:
        self.reminders.labels("sent").inc()
        self.delay.observe(max(delay_seconds, 0.0))
        if delay_seconds > ON_TIME_SECONDS:
            self.reminders.labels("late").inc()
