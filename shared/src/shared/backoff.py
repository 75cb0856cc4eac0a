"""The one retry-delay rule: the other side's ``Retry-After`` when it gave one, else
exponential backoff with full jitter. HTTP retries, durable queues and reconnects use it."""

from __future__ import annotations

import email.utils
import random
from datetime import UTC, datetime


def backoff_delay(attempt: int, *, base: float, cap: float) -> float:
    """Exponential backoff with full jitter for the given retry attempt (1-based)."""
    return random.uniform(0, min(cap, base * (2 ** max(0, attempt - 1))))  # noqa: S311


def retry_after_seconds(value: str | None, *, cap: float) -> float | None:
    """Parses a Retry-After header (seconds or HTTP date), capped."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, min(seconds, cap))


def retry_delay(
    attempt: int, *, base: float, cap: float, retry_after: float | None = None
) -> float:
    """How long to wait before retry ``attempt``: ``retry_after`` if given, else backoff."""
    if retry_after is not None:
        return max(0.0, retry_after)
    return backoff_delay(attempt, base=base, cap=cap)
