"""A tiny service built with the shared pieces, to test them as a service would use them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, Depends
from pydantic import BaseModel

from shared.app import build_app
from shared.auth import require_service
from shared.errors import NotFound
from shared.settings import ServiceSettings
from shared.testing import serve_app
from shared.time import AwareDatetime, DateRange, TimeRange


class Slot(BaseModel):
    at: AwareDatetime


class Booking(BaseModel):
    title: str
    when: TimeRange | None = None
    all_day: DateRange | None = None


class ThingNotFound(NotFound):
    code = "thing.not_found"
    message = "그런 것은 없습니다."


def demo_router() -> APIRouter:
    internal = APIRouter(prefix="/internal", dependencies=[Depends(require_service)])

    @internal.post("/slots")
    async def echo_slot(slot: Slot) -> Slot:
        return slot

    @internal.post("/bookings")
    async def echo_booking(booking: Booking) -> Booking:
        return booking

    # A domain router without a prefix, included in the prefixed one, as each service's
    # api.py does: labels and logs must still name the whole template.
    things = APIRouter()

    @things.get("/things/{thing_id}")
    async def read_thing(thing_id: str) -> dict[str, str]:
        raise ThingNotFound(details={"thing_id": thing_id})

    internal.include_router(things)

    @internal.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals Bearer abc.def")

    return internal


@pytest.fixture
def demo_settings(sqlite_url: str) -> ServiceSettings:
    return ServiceSettings(
        database_url=sqlite_url,
        environment="test",
        service_tokens={"router": "tok-router", "skill-calendar": "tok-calendar"},
    )


@pytest.fixture
async def demo_client(demo_settings) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(
        service="demo",
        title="demo",
        summary="demo",
        settings=demo_settings,
        routers=[demo_router()],
    )
    async with serve_app(app) as client:
        client.headers["Authorization"] = "Bearer tok-router"
        yield client
