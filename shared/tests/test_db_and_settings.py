from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic_settings import SettingsConfigDict
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import Database, UTCDateTime, make_metadata, normalize_url
from shared.settings import ServiceSettings, load_settings

pytestmark = pytest.mark.db


class Base(DeclarativeBase):
    metadata = make_metadata()


class Stamp(Base):
    __tablename__ = "stamps"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


async def test_instants_round_trip_aware_on_both_backends(database_url):
    database = Database(database_url)
    try:
        await database.create_all(Base.metadata)
        seoul_3pm = datetime(2025, 11, 17, 15, tzinfo=timezone(timedelta(hours=9)))
        async with database.sessionmaker() as session:
            session.add(Stamp(id=1, at=seoul_3pm))
            await session.commit()
        async with database.sessionmaker() as session:
            stored = await session.scalar(select(Stamp.at))
        assert stored == seoul_3pm
        assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
        await database.ping()
    finally:
        await database.dispose()


async def test_naive_instants_are_refused(database_url):
    database = Database(database_url)
    try:
        await database.create_all(Base.metadata)
        async with database.sessionmaker() as session:
            session.add(Stamp(id=2, at=datetime(2025, 11, 17, 15)))
            with pytest.raises(Exception, match="naive"):
                await session.commit()
    finally:
        await database.dispose()


def test_plain_urls_get_async_drivers():
    assert normalize_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert normalize_url("sqlite:///./var/x.db") == "sqlite+aiosqlite:///./var/x.db"
    assert datetime.now(UTC).tzinfo is UTC


def test_missing_settings_exit_with_a_clear_message(monkeypatch, capsys):
    class Needy(ServiceSettings):
        model_config = SettingsConfigDict(env_prefix="NEEDY_")
        signing_secret: str

    monkeypatch.delenv("NEEDY_SIGNING_SECRET", raising=False)
    with pytest.raises(SystemExit) as caught:
        load_settings(Needy)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "NEEDY_DATABASE_URL" in err and "NEEDY_SIGNING_SECRET" in err
