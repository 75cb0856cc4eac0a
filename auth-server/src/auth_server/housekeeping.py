"""A background task that deletes expired links and OAuth states now and then."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth_server.oauth.tickets import purge_expired

logger = logging.getLogger(__name__)

KEEP_EXPIRED_FOR = timedelta(days=1)


class Housekeeper:
    def __init__(self, *, sessionmaker: async_sessionmaker[AsyncSession], every_seconds: float):
        self.sessionmaker = sessionmaker
        self.every_seconds = every_seconds
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> int:
        """One purge; returns how many rows went."""
        async with self.sessionmaker() as session, session.begin():
            return await purge_expired(session=session, older_than=KEEP_EXPIRED_FOR)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="auth-housekeeping")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                removed = await self.run_once()
                if removed:
                    logger.info("purged expired links and states", extra={"rows": removed})
            except asyncio.CancelledError:
                raise
            except Exception as err:
                logger.warning("housekeeping failed: %s", type(err).__name__)
            await asyncio.sleep(self.every_seconds)
