"""A periodic task that deletes expired links and OAuth states now and then, and records
the grant events a data migration owes (``grants/backfill.py``)."""

from __future__ import annotations

import logging
from datetime import timedelta

from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth_server.grants.backfill import announce_owed
from auth_server.oauth.tickets import purge_expired
from shared.work.periodic import Periodic

logger = logging.getLogger(__name__)

KEEP_EXPIRED_FOR = timedelta(days=1)


async def purge(*, sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """One purge; returns how many rows went."""
    async with sessionmaker() as session, session.begin():
        removed = await purge_expired(session=session, older_than=KEEP_EXPIRED_FOR)
    if removed:
        logger.info("purged expired links and states", extra={"rows": removed})
    return removed


async def housekeeping_round(*, sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """Owed announcements (their own transaction), then the purge; rows touched."""
    async with sessionmaker() as session, session.begin():
        announced = await announce_owed(session=session)
    return announced + await purge(sessionmaker=sessionmaker)


def housekeeper(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    every_seconds: float,
    registry: CollectorRegistry | None = None,
) -> Periodic:
    """The housekeeping round, every ``every_seconds`` (first at start)."""
    return Periodic(
        "auth-housekeeping",
        lambda: housekeeping_round(sessionmaker=sessionmaker),
        every=every_seconds,
        registry=registry,
    )
