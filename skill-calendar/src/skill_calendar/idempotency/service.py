"""The idempotency ledger: remember the first answer to a key, refuse a key reused."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import utcnow
from skill_calendar.idempotency.exceptions import IdempotencyKeyReused
from skill_calendar.idempotency.models import IdempotencyRecord


def request_fingerprint(body: dict[str, Any]) -> str:
    """A stable hash of a request body (key order does not matter)."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def claim_key(
    *, session: AsyncSession, user_id: str, key: str, request_hash: str
) -> IdempotencyRecord:
    """Returns the key's record, creating it; a different body under the same key is refused."""
    record = await session.get(IdempotencyRecord, (user_id, key))
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
