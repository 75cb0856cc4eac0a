"""A job table of its own, on PostgreSQL (when reachable) and on SQLite."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import Database, UTCDateTime, make_metadata, utcnow
from shared.work.jobs import JobColumns, JobState
from shared.work.notify import notify_on_insert
from shared.work.outbox import OutboxColumns

CHANNEL = "test_jobs"


class Base(DeclarativeBase):
    metadata = make_metadata()


class Job(JobColumns, Base):
    __tablename__ = "test_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(32))
    state: Mapped[JobState] = mapped_column(String(16), default=JobState.pending)
    last_error: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


notify_on_insert(Job.__table__, channel=CHANNEL, key_column="topic")


class Letter(OutboxColumns, Base):
    """An outbox row: the shared columns and one of its own."""

    __tablename__ = "test_letters"

    user_id: Mapped[str] = mapped_column(String(16))


@pytest.fixture(params=["database_url", "sqlite_url"])
async def database(request):
    """A Database with the job table: the suite's backend, then SQLite."""
    url = request.getfixturevalue(request.param)
    db = Database(url)
    await db.create_all(Base.metadata)
    yield db
    await db.dispose()


@pytest.fixture
def add_jobs(database):
    """``await add_jobs(topic, n, due_at=)``: inserts jobs, returns their ids."""

    async def add(topic: str = "t", n: int = 1, due_at: datetime | None = None) -> list[int]:
        async with database.sessionmaker() as session:
            jobs = [Job(topic=topic, due_at=due_at or utcnow()) for _ in range(n)]
            session.add_all(jobs)
            await session.commit()
            return [job.id for job in jobs]

    return add
