from datetime import timedelta

import pytest
from sqlalchemy import select

from skill_calendar.idempotency import service
from skill_calendar.idempotency.exceptions import IdempotencyKeyReused
from skill_calendar.idempotency.models import IdempotencyRecord

TTL = timedelta(days=7)

pytestmark = pytest.mark.db


async def test_same_key_same_body_returns_the_first_answer(app):
    body_hash = service.request_fingerprint({"title": "검진", "start": "2025-11-24T07:40:00+09:00"})
    async with app.state.database.sessionmaker() as session:
        record = await service.claim_key(
            session=session, user_id="u1", key="k1", request_hash=body_hash, ttl=TTL
        )
        await service.complete_key(
            session=session, record=record, status_code=201, response={"id": "e1"}
        )
    async with app.state.database.sessionmaker() as session:
        again = await service.claim_key(
            session=session, user_id="u1", key="k1", request_hash=body_hash, ttl=TTL
        )
        assert (again.status_code, again.response) == (201, {"id": "e1"})


async def test_same_key_other_body_is_refused(app):
    async with app.state.database.sessionmaker() as session:
        await service.claim_key(
            session=session, user_id="u1", key="k1", request_hash="a" * 64, ttl=TTL
        )
        with pytest.raises(IdempotencyKeyReused):
            await service.claim_key(
                session=session, user_id="u1", key="k1", request_hash="b" * 64, ttl=TTL
            )


async def test_keys_are_per_user(app):
    async with app.state.database.sessionmaker() as session:
        await service.claim_key(
            session=session, user_id="u1", key="k1", request_hash="a" * 64, ttl=TTL
        )
        other = await service.claim_key(
            session=session, user_id="u2", key="k1", request_hash="b" * 64, ttl=TTL
        )
        assert other.status_code is None


def test_fingerprint_ignores_key_order():
    assert service.request_fingerprint({"a": 1, "b": 2}) == service.request_fingerprint(
        {"b": 2, "a": 1}
    )


async def _age(app, *, user_id: str, key: str, by: timedelta) -> None:
    async with app.state.database.sessionmaker() as session:
        record = await session.get(IdempotencyRecord, (user_id, key))
        record.created_at = record.created_at - by
        await session.commit()


async def test_an_expired_answer_is_forgotten_and_the_key_claimed_afresh(app):
    async with app.state.database.sessionmaker() as session:
        record = await service.claim_key(
            session=session, user_id="u1", key="k1", request_hash="a" * 64, ttl=TTL
        )
        await service.complete_key(
            session=session, record=record, status_code=201, response={"id": "e1"}
        )
    await _age(app, user_id="u1", key="k1", by=TTL + timedelta(minutes=1))
    async with app.state.database.sessionmaker() as session:
        again = await service.claim_key(
            session=session, user_id="u1", key="k1", request_hash="b" * 64, ttl=TTL
        )
        assert (again.request_hash, again.response) == ("b" * 64, None)


async def test_the_janitor_purges_expired_rows_of_every_user(app):
    async with app.state.database.sessionmaker() as session:
        for user_id in ("u1", "u2"):
            await service.claim_key(
                session=session, user_id=user_id, key="old", request_hash="a" * 64, ttl=TTL
            )
    await _age(app, user_id="u1", key="old", by=TTL + timedelta(minutes=1))
    await _age(app, user_id="u2", key="old", by=TTL - timedelta(minutes=1))
    janitor = service.ledger_janitor(
        sessionmaker=app.state.database.sessionmaker, ttl=TTL, every_seconds=3600
    )
    assert await janitor.run_once() == 1
    async with app.state.database.sessionmaker() as session:
        left = (await session.scalars(select(IdempotencyRecord.user_id))).all()
    assert left == ["u2"]
