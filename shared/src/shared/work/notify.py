"""PostgreSQL LISTEN/NOTIFY: waiting workers and chat streams wake the moment a row lands.

A trigger (``notify_on_insert``) sends ``pg_notify(channel, key)`` for each inserted row; a
notification is delivered at commit, so whoever enqueues in the business transaction wakes
every replica's listeners without any code of its own. Each process keeps one ``Listener``
connection. SQLite has no such thing: there, waiting code keeps polling.

Notifications are a hint, never the truth: a listener that (re)connects wakes everyone
(it may have missed some), and every waiter still polls now and then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import asyncpg
from sqlalchemy import DDL, Table, event
from sqlalchemy.engine import make_url
from sqlalchemy.sql import FromClause

from shared.backoff import backoff_delay
from shared.db import is_sqlite
from shared.work.periodic import cancel

logger = logging.getLogger(__name__)

Callback = Callable[[str | None], None]  # the notification's key; None: "anything may have"


def _names(table: str) -> tuple[str, str]:
    return f"{table}_notify", f"{table}_notify"  # (function, trigger)


def notify_trigger_sql(*, table: str, channel: str, key_column: str | None) -> list[str]:
    """The statements that make inserts into ``table`` notify ``channel`` (with the key)."""
    function, trigger = _names(table)
    payload = f"NEW.{key_column}" if key_column else "''"
    return [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{channel}', {payload}); RETURN NULL; END $$",
        f"CREATE TRIGGER {trigger} AFTER INSERT ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]


def drop_notify_trigger_sql(*, table: str) -> list[str]:
    """The statements that undo ``notify_trigger_sql``."""
    function, trigger = _names(table)
    return [f"DROP TRIGGER IF EXISTS {trigger} ON {table}", f"DROP FUNCTION IF EXISTS {function}()"]


def notify_on_insert(table: FromClause, *, channel: str, key_column: str | None = None) -> None:
    """Creates the trigger with ``table`` (a model's ``__table__``) on PostgreSQL
    (``create_all``; migrations call ``notify_trigger_sql`` themselves). Registering twice is
    harmless."""
    if not isinstance(table, Table):
        raise TypeError(f"notify_on_insert needs a Table, not {type(table).__name__}")
    if table.info.get("notify_channel") == channel:
        return
    table.info["notify_channel"] = channel
    for statement in notify_trigger_sql(table=table.name, channel=channel, key_column=key_column):
        ddl = DDL(statement)  # type: ignore[no-untyped-call]  # SQLAlchemy's DDL() is unannotated
        event.listen(table, "after_create", ddl.execute_if(dialect="postgresql"))


def asyncpg_dsn(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as asyncpg's DSN."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def listener_for(url: str, *, channels: list[str]) -> Listener | None:
    """A Listener on PostgreSQL; None on SQLite (waiters poll there)."""
    return None if is_sqlite(url) else Listener(url, channels=channels)


class Listener:
    """One LISTEN connection of a process, fanning notifications out to callbacks."""

    def __init__(self, url: str, *, channels: list[str], reconnect_cap: float = 30.0) -> None:
        self.dsn = asyncpg_dsn(url)
        self.channels = list(channels)
        self.reconnect_cap = reconnect_cap
        self.connected = asyncio.Event()
        self._callbacks: dict[str, list[Callback]] = defaultdict(list)
        self._task: asyncio.Task[None] | None = None

    def on(self, channel: str, callback: Callback) -> Callable[[], None]:
        """Calls ``callback(key)`` on each notification of ``channel``; returns an undo."""
        if channel not in self.channels:
            raise ValueError(f"not listening on {channel}")
        self._callbacks[channel].append(callback)
        return lambda: self._callbacks[channel].remove(callback)

    @contextlib.contextmanager
    def watching(self, channel: str, key: str) -> Iterator[asyncio.Event]:
        """An event set when ``channel`` notifies ``key`` (or the listener reconnects)."""
        woken = asyncio.Event()

        def callback(notified: str | None) -> None:
            if notified is None or notified == key:
                woken.set()

        undo = self.on(channel, callback)
        try:
            yield woken
        finally:
            undo()

    async def start(self) -> None:
        """Starts listening in the background (connects, and reconnects when lost)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="pg-listener")

    async def stop(self) -> None:
        task, self._task = self._task, None
        await cancel(task)

    def _dispatch(self, channel: str, key: str | None) -> None:
        for callback in list(self._callbacks.get(channel, ())):
            try:
                callback(key)
            except Exception:  # one bad subscriber must not starve the others
                logger.exception("notification callback failed", extra={"channel": channel})

    def _on_notification(self, _conn: Any, _pid: int, channel: str, payload: str) -> None:
        self._dispatch(channel, payload)

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                await self._listen_until_lost()
                failures = 0
                logger.warning("listen connection lost; reconnecting")
            except (OSError, asyncpg.PostgresError) as err:
                logger.warning("listen connection failed: %s", type(err).__name__)
            failures += 1
            await asyncio.sleep(backoff_delay(failures, base=0.5, cap=self.reconnect_cap))

    async def _listen_until_lost(self) -> None:
        connection = await asyncpg.connect(self.dsn)
        lost = asyncio.Event()
        try:
            connection.add_termination_listener(lambda _conn: lost.set())
            for channel in self.channels:
                await connection.add_listener(channel, self._on_notification)
            self.connected.set()
            for channel in self.channels:  # some may have been missed while away
                self._dispatch(channel, None)
            await lost.wait()
        finally:
            self.connected.clear()
            if not connection.is_closed():
                with contextlib.suppress(Exception):
                    await asyncio.shield(connection.close(timeout=2))
