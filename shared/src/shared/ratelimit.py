"""Per-process token buckets, and the 429 they answer with (``Retry-After`` in seconds).

Per process on purpose: a limit is an abuse damper, not a security control (sessions,
signatures and one-time links are checked in the database), so a restart that refills the
buckets loses nothing that matters, and no request pays a database round trip for it. With
N replicas the effective limit is N times the configured one (docs/security.md).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from shared.errors import AppError


class RateLimited(AppError):
    status_code = 429
    code = "request.rate_limited"
    message = "요청이 너무 잦습니다. 잠시 후 다시 시도해 주세요."

    def __init__(self, *, retry_after: float, scope: str) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(
            details={"retry_after": seconds, "scope": scope},
            headers={"Retry-After": str(seconds)},
        )


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBucket:
    """``per_minute`` requests a minute per key, in bursts of up to ``burst``.

    At most ``max_keys`` keys are remembered (least recently seen forgotten first), so a
    flood of distinct keys cannot grow memory without bound.
    """

    def __init__(
        self,
        *,
        per_minute: float,
        burst: int,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, key: str) -> float:
        """Takes one token for ``key``: 0.0 when allowed, else the seconds until one is free."""
        now = self.clock()
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            bucket = _Bucket(tokens=self.burst, updated=now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        self._buckets[key] = bucket
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate if self.rate > 0 else 60.0

    def check(self, key: str, *, scope: str) -> None:
        """Takes a token for ``key`` or raises :class:`RateLimited` (429, Retry-After)."""
        wait = self.take(key)
        if wait > 0:
            raise RateLimited(retry_after=wait, scope=scope)
