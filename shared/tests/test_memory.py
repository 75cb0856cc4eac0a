"""Bounded in-process memory: TtlCache and KeyedLocks."""

import asyncio

import pytest

from shared.memory import KeyedLocks, TtlCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_after_their_ttl():
    clock = Clock()
    cache: TtlCache[str, int] = TtlCache(max_size=10, ttl_s=5, clock=clock)
    cache.set("a", 1)
    clock.now = 4.9
    assert cache.get("a") == 1
    clock.now = 5.0
    assert cache.get("a") is None
    assert len(cache) == 0


def test_a_full_cache_drops_the_least_recently_used():
    cache: TtlCache[str, int] = TtlCache(max_size=2, ttl_s=60, clock=Clock())
    cache.set("a", 1)
    cache.set("b", 2)
    assert cache.get("a") == 1  # a is now the most recently used
    cache.set("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    assert len(cache) == 2
    cache.pop("a")
    cache.pop("missing")
    assert len(cache) == 1


def test_a_cache_without_bounds_is_refused():
    with pytest.raises(ValueError):
        TtlCache(max_size=0, ttl_s=1)
    with pytest.raises(ValueError):
        TtlCache(max_size=1, ttl_s=0)


async def test_keyed_locks_serialise_one_key_and_forget_it_after():
    locks: KeyedLocks[str] = KeyedLocks()
    inside = 0
    most = 0

    async def work(key: str) -> None:
        nonlocal inside, most
        async with locks.hold(key):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.001)
            inside -= 1

    await asyncio.gather(*(work("u1") for _ in range(20)))
    assert most == 1
    assert len(locks) == 0


async def test_keyed_locks_let_other_keys_run_at_once():
    locks: KeyedLocks[str] = KeyedLocks()
    both = asyncio.Event()
    entered: set[str] = set()

    async def work(key: str) -> None:
        async with locks.hold(key):
            entered.add(key)
            if len(entered) == 2:
                both.set()
            await asyncio.wait_for(both.wait(), 1)

    await asyncio.gather(work("a"), work("b"))
    assert len(locks) == 0
