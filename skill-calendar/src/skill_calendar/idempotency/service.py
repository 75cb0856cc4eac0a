"""The idempotency ledger: remember the first answer to a key, refuse a key reused.

Answers are kept for a limited time (``ttl``): an expired row counts as absent, and a
periodic task purges expired rows. Forgetting is safe because a create's Google event id
is derived from the key, so a key claimed afresh finds the event it made (Google's 409).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from prometheus_client import CollectorRegistry
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import utcnow
from shared.errors import AppError
from shared.work.periodic import Periodic
from skill_calendar.idempotency.exceptions import IdempotencyKeyReused
from skill_calendar.idempotency.models import IdempotencyRecord

logger = logging.getLogger(__name__)


def request_fingerprint(body: dict[str, Any]) -> str:
    """A stable hash of a request body (key order does not matter)."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def claim_key(
    *, session: AsyncSession, user_id: str, key: str, request_hash: str, ttl: timedelta
) -> IdempotencyRecord:
    """Returns the key's record, creating it; a different body under the same key is refused."""
    cutoff = utcnow() - ttl
    record = await session.get(IdempotencyRecord, (user_id, key))
    if record is not None and record.created_at < cutoff:
        await session.delete(record)
        await session.commit()
        record = None
    if record is None:
        record = IdempotencyRecord(user_id=user_id, key=key, request_hash=request_hash)
        session.add(record)
        try:
            await session.commit()
        except IntegrityError:  # another replica claimed it first
            await session.rollback()
            record = await session.get(IdempotencyRecord, (user_id, key), populate_existing=True)
            assert record is not None
    if record.request_hash != request_hash:
        raise IdempotencyKeyReused(details={"key": key})
    return record


async def purge_expired(*, sessionmaker: async_sessionmaker[AsyncSession], ttl: timedelta) -> int:
    """Deletes every row claimed longer than ``ttl`` ago; returns how many went."""
    async with sessionmaker() as session, session.begin():
        result = await session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - ttl)
        )
    removed = result.rowcount or 0  # type: ignore[attr-defined]
    if removed:
        logger.info("purged expired idempotency answers", extra={"rows": removed})
    return removed


def ledger_janitor(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    ttl: timedelta,
    every_seconds: float,
    registry: CollectorRegistry | None = None,
) -> Periodic:
    """The purge of expired answers, every ``every_seconds`` (first at start)."""
    return Periodic(
        "calendar-idempotency-purge",
        lambda: purge_expired(sessionmaker=sessionmaker, ttl=ttl),
        every=every_seconds,
        registry=registry,
    )


async def complete_key(
    *, session: AsyncSession, record: IdempotencyRecord, status_code: int, response: dict[str, Any]
) -> None:
    """Stores the first answer under the key."""
    record.status_code = status_code
    record.response = response
    record.completed_at = utcnow()
    await session.commit()


async def release_key(*, session: AsyncSession, record: IdempotencyRecord) -> None:
    """Forgets a key whose request was refused before anything was written (a 4xx)."""
    await session.delete(record)
    await session.commit()


async def run_once(
    *,
    session: AsyncSession,
    user_id: str,
    key: str | None,
    request: dict[str, Any],
    ttl: timedelta,
    work: Callable[[], Awaitable[tuple[int, dict[str, Any]]]],
) -> tuple[int, dict[str, Any], bool]:
    """Runs ``work`` once per key: (status, answer, replayed). A 4xx frees the key again.

    Without a key the work runs as is (it must then be idempotent by itself).
    """
    if key is None:
        return (*(await work()), False)
    record = await claim_key(
        session=session,
        user_id=user_id,
        key=key,
        request_hash=request_fingerprint(request),
        ttl=ttl,
    )
    if record.response is not None:
        return record.status_code or 200, record.response, True
    try:
        status_code, response = await work()
    except AppError as err:
        if err.status_code < 500:
            # Refused before anything was written: the key is free for the fixed request.
            await release_key(session=session, record=record)
        raise
    await complete_key(session=session, record=record, status_code=status_code, response=response)
    return status_code, response, False
