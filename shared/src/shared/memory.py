"""Bounded in-process memory: a TTL cache with a size limit, and per-key locks.

Every in-memory map keyed by a user grows with the users unless something bounds it; these
two are the one way to keep such state. Both are only caches or coordination: a restart
loses nothing that matters (the database or the remote service holds the truth).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Clock = Callable[[], float]


class TtlCache(Generic[K, V]):
    """At most ``max_size`` entries, each forgotten ``ttl_s`` seconds after it was stored.

    A full cache drops the least recently used entry first.
    """

    def __init__(self, *, max_size: int, ttl_s: float, clock: Clock = time.monotonic) -> None:
        if max_size < 1 or ttl_s <= 0:
            raise ValueError("a TtlCache needs max_size >= 1 and ttl_s > 0")
        self.max_size = max_size
        self.ttl_s = ttl_s
        self.clock = clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        """The live value of ``key``, or None (an expired entry is dropped)."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_at, value = entry
        if self.clock() - stored_at >= self.ttl_s:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    def set(self, key: K, value: V) -> None:
        """Stores ``value`` under ``key`` from now, evicting the least recently used if full."""
        self._entries[key] = (self.clock(), value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_size:
            self._entries.popitem(last=False)

    def pop(self, key: K) -> None:
        """Forgets ``key``."""
        self._entries.pop(key, None)


class KeyedLocks(Generic[K]):
    """One asyncio lock per key, dropped when nobody holds or waits for it (single flight).

    The map holds only keys in use, so it is bounded by the concurrency, not by the users.
    """

    def __init__(self) -> None:
        self._locks: dict[K, tuple[asyncio.Lock, int]] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, key: K) -> AsyncIterator[None]:
        """Holds the lock of ``key`` for the ``async with`` block."""
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
