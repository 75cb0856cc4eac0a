"""The durable queue: due jobs, leases, key order, Retry-After, dead jobs, counters."""

import asyncio
from datetime import timedelta

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import select, text, update

from shared.db import utcnow
from shared.work.jobs import JobState
from shared.work.queue import Outcome, Queue
from shared.work.runner import Pause, work_claimed, work_claims, work_due

from .conftest import Job

pytestmark = pytest.mark.db


def make_queue(**kw) -> Queue:
    options = {
        "name": "test",
        "model": Job,
        "max_attempts": 3,
        "lease_seconds": 60,
        "backoff_base": 10,
        "backoff_cap": 40,
        "registry": CollectorRegistry(),
        **kw,
    }
    return Queue(**options)


async def read(database, job_id) -> Job:
    async with database.sessionmaker() as session:
        return await session.get(Job, job_id)


def counted(queue: Queue, outcome: str) -> float:
    return queue.counter.labels(queue.name, outcome)._value.get()


async def claim(database, queue, now=None, limit=10):
    async with database.sessionmaker() as session:
        return await queue.claim_due(session=session, now=now or utcnow(), limit=limit)


async def test_a_job_due_later_is_claimed_at_its_due_time_not_before(database, add_jobs):
    queue = make_queue()
    due = utcnow() + timedelta(minutes=10)  # a reminder: due in ten minutes
    [job_id] = await add_jobs(due_at=due)
    assert await claim(database, queue) == []
    assert await claim(database, queue, now=due - timedelta(seconds=1)) == []
    [taken] = await claim(database, queue, now=due)
    assert (taken.job_id, taken.attempts) == (job_id, 1)
    row = await read(database, job_id)
    assert (row.state, row.lease_token) == (JobState.running, taken.token)


async def test_concurrent_claimers_never_share_a_job(database, add_jobs):
    queue = make_queue()
    ids = await add_jobs(n=12)
    batches = await asyncio.gather(*(claim(database, queue, limit=3) for _ in range(6)))
    claimed = [c.job_id for batch in batches for c in batch]
    assert sorted(claimed) == ids  # each exactly once
    assert counted(queue, "claimed") == 12


async def test_jobs_of_one_key_run_in_order_even_when_the_first_is_retried(database, add_jobs):
    queue = make_queue(key="topic")
    first, _ = await add_jobs("alice", 2)
    [bob] = await add_jobs("bob")
    claims = await claim(database, queue)
    assert [c.job_id for c in claims] == [first, bob]  # alice's second waits
    async with database.sessionmaker() as session:
        state = await queue.record(
            session=session, claim=claims[0], outcome=Outcome.retry("ratelimited", retry_after=5)
        )
    assert state == JobState.pending
    assert await claim(database, queue) == []  # still behind the retried one
    later = utcnow() + timedelta(seconds=6)
    [again] = await claim(database, queue, now=later)
    assert again.job_id == first and again.attempts == 2


async def test_retry_after_is_honoured_and_backoff_is_capped(database, add_jobs):
    queue = make_queue()
    [job_id] = await add_jobs()
    [taken] = await claim(database, queue)
    before = utcnow()
    async with database.sessionmaker() as session:
        await queue.record(
            session=session, claim=taken, outcome=Outcome.retry("busy", retry_after=30)
        )
    row = await read(database, job_id)
    assert row.due_at >= before + timedelta(seconds=30)
    assert row.last_error == "busy" and row.lease_token is None
    [taken] = await claim(database, queue, now=row.due_at)
    async with database.sessionmaker() as session:
        await queue.record(session=session, claim=taken, outcome=Outcome.retry("x" * 40))
    row = await read(database, job_id)
    assert row.due_at <= utcnow() + timedelta(seconds=40)  # the cap
    assert row.last_error == "x" * 16  # cut to the column


async def test_after_max_attempts_a_job_is_dead_and_never_claimed_again(database, add_jobs):
    queue = make_queue()
    [job_id] = await add_jobs()
    now = utcnow()
    seen = []
    for _ in range(3):
        states = await work_due(
            queue,
            sessionmaker=database.sessionmaker,
            handle=failing,
            now=now,
        )
        seen.extend(states.values())
        now = (await read(database, job_id)).due_at + timedelta(seconds=1)
    assert seen == [JobState.pending, JobState.pending, JobState.dead]
    row = await read(database, job_id)
    assert (row.state, row.attempts, row.last_error) == (JobState.dead, 3, "RuntimeError")
    assert await claim(database, queue, now=now + timedelta(days=1)) == []
    assert (counted(queue, "retry"), counted(queue, "dead")) == (2, 1)


async def failing(claim, row):
    raise RuntimeError("upstream down")


async def test_a_permanent_failure_is_never_retried(database, add_jobs):
    queue = make_queue()
    [job_id] = await add_jobs()

    async def refuse(claim, row):
        return Outcome.failed("not_found")

    states = await work_due(queue, sessionmaker=database.sessionmaker, handle=refuse)
    assert states == {job_id: JobState.failed}
    assert await claim(database, queue, now=utcnow() + timedelta(days=1)) == []


async def test_a_worker_whose_lease_ran_out_neither_works_nor_records(database, add_jobs):
    queue = make_queue()
    [job_id] = await add_jobs()
    now = utcnow()
    [stalled] = await claim(database, queue, now=now)
    [taken] = await claim(database, queue, now=now + timedelta(seconds=61))
    assert taken.token != stalled.token and taken.attempts == 2
    worked = []

    async def handle(claim, row):
        worked.append(claim.token)
        return Outcome.done(note="sent")

    kw = {"sessionmaker": database.sessionmaker, "handle": handle}
    assert await work_claimed(queue, claim=stalled, **kw) == JobState.running
    assert await work_claimed(queue, claim=taken, **kw) == JobState.done
    assert worked == [taken.token]
    async with database.sessionmaker() as session:  # a late record by the stalled one
        assert await queue.record(session=session, claim=stalled, outcome=Outcome.done()) is None
    row = await read(database, job_id)
    assert (row.state, row.note, row.attempts) == (JobState.done, "sent", 2)
    assert counted(queue, "lost") == 2


async def test_a_job_abandoned_on_its_last_attempt_dies(database, add_jobs):
    queue = make_queue(max_attempts=1)
    [job_id] = await add_jobs()
    now = utcnow()
    await claim(database, queue, now=now)  # its worker dies with it
    assert await claim(database, queue, now=now + timedelta(seconds=61)) == []
    assert (await read(database, job_id)).state == JobState.dead


async def test_claim_one_takes_a_job_not_due_yet_once(database, add_jobs):
    queue = make_queue()
    [job_id] = await add_jobs(due_at=utcnow() + timedelta(minutes=2))
    async with database.sessionmaker() as session:
        first = await queue.claim_one(session=session, job_id=job_id, now=utcnow())
        second = await queue.claim_one(session=session, job_id=job_id, now=utcnow())
    assert first is not None and first.attempts == 1 and second is None


async def test_no_transaction_or_row_lock_is_held_while_the_job_works(database, add_jobs):
    queue = make_queue()
    [job_id] = await add_jobs()

    async def handle(claim, row):
        # Another connection writes the very row meanwhile: it must not wait for us.
        async with database.sessionmaker() as session:
            if not database.is_sqlite:
                await session.execute(text("SET LOCAL lock_timeout = '1s'"))
            await session.execute(update(Job).where(Job.id == job_id).values(note="touched"))
            await session.commit()
        return Outcome.done()

    states = await asyncio.wait_for(
        work_due(queue, sessionmaker=database.sessionmaker, handle=handle), timeout=10
    )
    assert states == {job_id: JobState.done}
    assert (await read(database, job_id)).note == "touched"


async def test_outcome_also_runs_in_the_recording_transaction(database, add_jobs):
    queue = make_queue()
    await add_jobs()

    async def follow_up(session):
        session.add(Job(topic="follow-up"))

    async def handle(claim, row):
        return Outcome.done(also=follow_up)

    await work_due(queue, sessionmaker=database.sessionmaker, handle=handle)
    async with database.sessionmaker() as session:
        topics = (await session.scalars(select(Job.topic).order_by(Job.id))).all()
    assert topics == ["t", "follow-up"]


async def test_a_claim_carries_its_row_as_claimed(database, add_jobs):
    queue = make_queue()
    [job_id] = await add_jobs("alice")
    [taken] = await claim(database, queue)
    assert (taken.row.id, taken.row.topic, taken.row.state) == (job_id, "alice", JobState.running)
    assert taken.row.lease_token == taken.token


async def test_a_round_recorded_together_skips_only_the_claim_whose_lease_was_lost(
    database, add_jobs
):
    queue = make_queue()
    kept, lost = await add_jobs(n=2)
    now = utcnow()
    claims = await claim(database, queue, now=now)
    # The second job's lease runs out and another worker takes it over meanwhile.
    async with database.sessionmaker() as session:
        await session.execute(
            update(Job).where(Job.id == lost).values(lease_until=now - timedelta(seconds=1))
        )
        await session.commit()
    [taken] = await claim(database, queue, now=now)
    assert taken.job_id == lost

    async def handle(claim, row):
        async def follow_up(session):
            session.add(Job(topic=f"after-{row.id}"))

        return Outcome.done(also=follow_up, note="sent")

    states = await work_claims(
        queue, sessionmaker=database.sessionmaker, claims=claims, handle=handle
    )
    assert states == {kept: JobState.done, lost: JobState.running}
    async with database.sessionmaker() as session:
        topics = (await session.scalars(select(Job.topic).where(Job.topic != "t"))).all()
    assert topics == [f"after-{kept}"]  # the lost one's follow-up never ran
    assert (await read(database, lost)).lease_token == taken.token
    assert (counted(queue, "done"), counted(queue, "lost")) == (1, 1)


async def test_one_failing_record_in_a_round_together_holds_up_no_other(database, add_jobs):
    queue = make_queue()
    good, bad = await add_jobs(n=2)
    claims = await claim(database, queue)

    async def handle(claim, row):
        async def follow_up(session):
            if row.id == bad:
                raise RuntimeError("cannot store")

        return Outcome.done(also=follow_up)

    states = await work_claims(
        queue, sessionmaker=database.sessionmaker, claims=claims, handle=handle
    )
    assert states == {good: JobState.done, bad: JobState.running}  # worked again after its lease
    assert (await read(database, good)).state == JobState.done
    assert (await read(database, bad)).state == JobState.running


async def test_while_paused_no_job_starts_and_none_spends_an_attempt(database, add_jobs):
    queue = make_queue()
    first, second = await add_jobs(n=2)
    pause = Pause()
    started = []

    async def send(claim, row):
        started.append(row.id)  # the remote side answers 429 with Retry-After: 30
        return Outcome.retry("ratelimited", retry_after=30, pause_all=True)

    kw = {"sessionmaker": database.sessionmaker, "handle": send, "pause": pause}
    now = utcnow()
    states = await work_due(queue, **kw, now=now)
    assert started == [first]  # the second was not sent into the rate limit
    assert states == {first: JobState.pending, second: JobState.pending}
    row = await read(database, second)
    assert row.attempts == 0 and row.due_at >= now + timedelta(seconds=29)
    assert counted(queue, "later") == 1
    assert await work_due(queue, **kw, now=now + timedelta(seconds=29)) == {}  # still paused
    states = await work_due(queue, **kw, now=now + timedelta(seconds=31))
    assert set(states) == {first, second}


async def test_a_round_works_its_jobs_concurrently_up_to_the_bound(database, add_jobs):
    queue = make_queue()
    await add_jobs(n=6)
    running, most = 0, 0
    release = asyncio.Event()

    async def handle(claim, row):
        nonlocal running, most
        running += 1
        most = max(most, running)
        if most == 3:
            release.set()
        await release.wait()
        running -= 1
        return Outcome.done()

    states = await asyncio.wait_for(
        work_due(queue, sessionmaker=database.sessionmaker, handle=handle, concurrency=3),
        timeout=10,
    )
    assert set(states.values()) == {JobState.done} and len(states) == 6
    assert most == 3


async def test_a_job_not_started_within_half_its_lease_goes_back_unattempted(database, add_jobs):
    queue = make_queue(lease_seconds=0)  # half of no lease has passed before any job starts
    [job_id] = await add_jobs()
    started = []

    async def handle(claim, row):
        started.append(row.id)
        return Outcome.done()

    assert await work_due(queue, sessionmaker=database.sessionmaker, handle=handle) == {
        job_id: JobState.pending
    }
    assert started == []
    row = await read(database, job_id)
    assert (row.state, row.attempts, row.lease_token) == (JobState.pending, 0, None)
