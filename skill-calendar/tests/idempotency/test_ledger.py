import pytest

from skill_calendar.idempotency import service
from skill_calendar.idempotency.exceptions import IdempotencyKeyReused

pytestmark = pytest.mark.db


async def test_same_key_same_body_returns_the_first_answer(app):
    body_hash = service.request_fingerprint({"title": "검진", "start": "2025-11-24T07:40:00+09:00"})
    async with app.state.database.sessionmaker() as session:
        record = await service.claim_key(
            session=session, user_id="u1", key="k1", request_hash=body_hash
        )
        await service.complete_key(
            session=session, record=record, status_code=201, response={"id": "e1"}
        )
    async with app.state.database.sessionmaker() as session:
        again = await service.claim_key(
            session=session, user_id="u1", key="k1", request_hash=body_hash
        )
        assert (again.status_code, again.response) == (201, {"id": "e1"})


async def test_same_key_other_body_is_refused(app):
    async with app.state.database.sessionmaker() as session:
        await service.claim_key(session=session, user_id="u1", key="k1", request_hash="a" * 64)
        with pytest.raises(IdempotencyKeyReused):
            await service.claim_key(session=session, user_id="u1", key="k1", request_hash="b" * 64)


async def test_keys_are_per_user(app):
    async with app.state.database.sessionmaker() as session:
        await service.claim_key(session=session, user_id="u1", key="k1", request_hash="a" * 64)
        other = await service.claim_key(
            session=session, user_id="u2", key="k1", request_hash="b" * 64
        )
        assert other.status_code is None


def test_fingerprint_ignores_key_order():
    assert service.request_fingerprint({"a": 1, "b": 2}) == service.request_fingerprint(
        {"b": 2, "a": 1}
    )
