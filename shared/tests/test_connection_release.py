"""A request gives its pooled connection back before it waits on another service, unless its
transaction wrote or locked rows (``shared.db.release_idle_connection``)."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import Database, current_session, make_metadata, release_idle_connection

pytestmark = pytest.mark.db


class Base(DeclarativeBase):
    metadata = make_metadata()


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(String(40))


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    await db.create_all(Base.metadata)
    async with db.sessionmaker() as session:
        session.add(Note(id=1, text="first"))
        await session.commit()
    yield db
    await db.dispose()


async def test_a_transaction_that_only_read_gives_its_connection_back(database):
    async with database.sessionmaker() as session:
        current_session.set(session)
        note = await session.get(Note, 1)
        assert session.in_transaction()
        await release_idle_connection()
        assert not session.in_transaction()
        assert note is not None and note.text == "first"  # still usable: nothing expired
        assert (await session.scalar(select(Note.text))) == "first"  # takes one again


async def test_a_transaction_that_wrote_keeps_its_connection_and_its_writes(database):
    async with database.sessionmaker() as session:
        current_session.set(session)
        session.add(Note(id=2, text="second"))
        await session.flush()
        await release_idle_connection()
        assert session.in_transaction()
        await session.rollback()  # the write was not committed by the release
        assert await session.get(Note, 2) is None


async def test_unflushed_changes_are_never_committed_by_a_release(database):
    async with database.sessionmaker() as session:
        current_session.set(session)
        note = await session.get(Note, 1)
        assert note is not None
        note.text = "changed"
        await release_idle_connection()
        assert session.in_transaction()
        await session.rollback()
        assert (await session.scalar(select(Note.text).where(Note.id == 1))) == "first"


async def test_a_transaction_holding_a_row_lock_keeps_it(database):
    async with database.sessionmaker() as session:
        current_session.set(session)
        await session.scalar(select(Note).where(Note.id == 1).with_for_update())
        await release_idle_connection()
        assert session.in_transaction()


async def test_after_a_commit_a_new_transaction_starts_clean(database):
    async with database.sessionmaker() as session:
        current_session.set(session)
        session.add(Note(id=3, text="third"))
        await session.commit()
        await session.get(Note, 1)
        await release_idle_connection()
        assert not session.in_transaction()


async def test_without_a_request_session_nothing_happens(database):
    current_session.set(None)
    await release_idle_connection()
