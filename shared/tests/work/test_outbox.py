"""The outbox: rows POSTed with their id as Idempotency-Key until a 2xx; refusals named
permanent end a row, anything else is retried (at the receiver's Retry-After)."""

import json
import uuid
from datetime import timedelta

import httpx
import pytest
from prometheus_client import CollectorRegistry

from shared.db import utcnow
from shared.work.jobs import JobState
from shared.work.outbox import deliver_due, outbox_queue

from .conftest import Letter

pytestmark = pytest.mark.db


def make_queue(**kw):
    options = {"max_attempts": 3, "lease_seconds": 60, "backoff_base": 10, "backoff_cap": 40}
    return outbox_queue(
        name="letters", model=Letter, registry=CollectorRegistry(), **{**options, **kw}
    )


async def add_letters(database, *bodies: dict) -> list[str]:
    async with database.sessionmaker() as session:
        letters = [
            Letter(id=str(uuid.uuid4()), user_id="u", payload=json.dumps(body)) for body in bodies
        ]
        session.add_all(letters)
        await session.commit()
        return [letter.id for letter in letters]


async def read(database, letter_id) -> Letter:
    async with database.sessionmaker() as session:
        return await session.get(Letter, letter_id)


def receiver(answers: dict[str, list], received: list[tuple[str, dict]]) -> httpx.AsyncClient:
    """A client whose receiver answers each letter (by its "n") from ``answers`` in turn."""

    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/letters"
        body = json.loads(request.content)
        answer = answers[body["n"]].pop(0)
        if isinstance(answer, Exception):
            raise answer
        received.append((request.headers["idempotency-key"], body))
        return answer

    return httpx.AsyncClient(transport=httpx.MockTransport(handle), base_url="http://receiver")


async def test_a_letter_is_sent_with_its_id_until_acknowledged(database):
    [letter_id] = await add_letters(database, {"n": "a"})
    received: list[tuple[str, dict]] = []
    answers = {"a": [httpx.Response(503, headers={"Retry-After": "20"}), httpx.Response(200)]}
    queue = make_queue()
    async with receiver(answers, received) as client:
        kw = {"queue": queue, "sessionmaker": database.sessionmaker, "client": client}
        before = utcnow()
        assert await deliver_due(**kw, path="/letters") == 0
        refused = await read(database, letter_id)
        assert (refused.state, refused.last_error) == (JobState.pending, "status 503")
        assert refused.due_at >= before + timedelta(seconds=20)  # the receiver's Retry-After
        assert await deliver_due(**kw, path="/letters", now=refused.due_at) == 1
    letter = await read(database, letter_id)
    assert (letter.state, letter.attempts) == (JobState.done, 2)
    assert letter.delivered_at is not None
    assert received == [(letter_id, {"n": "a"}), (letter_id, {"n": "a"})]


async def test_only_a_permanent_status_ends_a_letter(database):
    final, kept, unreachable = await add_letters(database, {"n": "a"}, {"n": "b"}, {"n": "c"})
    answers = {
        "a": [httpx.Response(422)],
        "b": [httpx.Response(404)],
        "c": [httpx.ConnectError("refused")],
    }
    async with receiver(answers, []) as client:
        delivered = await deliver_due(
            queue=make_queue(),
            sessionmaker=database.sessionmaker,
            client=client,
            path="/letters",
            permanent={400, 422},
        )
    assert delivered == 0
    states = [(await read(database, i)).state for i in (final, kept, unreachable)]
    assert states == [JobState.failed, JobState.pending, JobState.pending]
    assert (await read(database, unreachable)).last_error == "ConnectError"
