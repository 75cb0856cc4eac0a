"""Text the database refuses (NUL) is the request's fault: 422, not 500; SQL values stay hidden."""

import pytest
from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import Column, Integer, MetaData, String, Table, insert
from sqlalchemy.exc import DBAPIError

from shared.app import build_app
from shared.db import create_engine, is_sqlite
from shared.settings import ServiceSettings
from shared.testing import serve_app

pytestmark = pytest.mark.db

metadata = MetaData()
notes = Table("notes", metadata, Column("id", Integer, primary_key=True), Column("text", String))


class Note(BaseModel):
    text: str


def _app(database_url: str):
    router = APIRouter()

    @router.post("/notes")
    async def add(note: Note) -> dict[str, str]:
        engine = create_engine(database_url)
        try:
            async with engine.begin() as conn:
                await conn.run_sync(metadata.create_all)
                await conn.execute(insert(notes).values(text=note.text))
        finally:
            await engine.dispose()
        return {"status": "stored"}

    settings = ServiceSettings(database_url=database_url)
    return build_app(
        service="demo", title="demo", summary="demo", settings=settings, routers=[router]
    )


async def test_nul_in_text_is_a_clear_422_on_postgresql(database_url):
    if is_sqlite(database_url):
        pytest.skip("SQLite stores NUL; only PostgreSQL refuses it")
    async with serve_app(_app(database_url)) as client:
        response = await client.post("/notes", json={"text": "a\u0000b"})
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "request.unstorable_text"
        assert (await client.post("/notes", json={"text": "ab"})).status_code == 200


async def test_database_errors_do_not_carry_the_values(database_url):
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            await conn.execute(insert(notes).values(id=1, text="secret-words"))
        with pytest.raises(DBAPIError) as caught:
            async with engine.begin() as conn:
                await conn.execute(insert(notes).values(id=1, text="secret-words"))
    finally:
        await engine.dispose()
    assert "secret-words" not in str(caught.value)
