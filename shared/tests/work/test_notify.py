"""LISTEN/NOTIFY: an insert wakes listeners of its channel (and key) at commit."""

import asyncio

import pytest
from sqlalchemy import text

from shared.work.notify import Listener

from .conftest import CHANNEL, Job

pytestmark = pytest.mark.db


@pytest.fixture
async def listener(database):
    if database.is_sqlite:
        pytest.skip("SQLite has no LISTEN/NOTIFY: waiters poll there")
    listener = Listener(database.url, channels=[CHANNEL])
    await listener.start()
    await asyncio.wait_for(listener.connected.wait(), timeout=5)
    yield listener
    await listener.stop()


async def test_an_insert_wakes_watchers_of_its_key_at_commit(database, listener):
    seen = []
    undo = listener.on(CHANNEL, seen.append)
    with listener.watching(CHANNEL, "alice") as alice, listener.watching(CHANNEL, "bob") as bob:
        async with database.sessionmaker() as session:
            session.add(Job(topic="alice"))
            await session.flush()
            await asyncio.sleep(0.1)
            assert not alice.is_set()  # not before the commit
            await session.commit()
        await asyncio.wait_for(alice.wait(), timeout=5)
        assert not bob.is_set()
    undo()
    assert seen == ["alice"]


async def test_a_lost_connection_reconnects_and_wakes_everyone(database, listener):
    with listener.watching(CHANNEL, "alice") as alice:
        async with database.sessionmaker() as session:
            await session.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE pid <> pg_backend_pid() AND datname = current_database() "
                    "AND query LIKE 'LISTEN%'"
                )
            )
        await asyncio.wait_for(alice.wait(), timeout=10)  # woken by the reconnect
        alice.clear()
        await asyncio.wait_for(listener.connected.wait(), timeout=10)
        async with database.sessionmaker() as session:
            session.add(Job(topic="alice"))
            await session.commit()
        await asyncio.wait_for(alice.wait(), timeout=5)
