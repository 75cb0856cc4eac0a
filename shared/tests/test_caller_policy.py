"""shared.auth.authorize_callers: a declared table of routes and the callers each admits."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, Depends

from shared.app import build_app
from shared.auth import authorize_callers
from shared.testing import serve_app

POLICY = {
    ("GET", "/internal/users/{user_id}"): frozenset({"router"}),
    ("GET", "/internal/users/{user_id}/tokens"): frozenset({"skill-calendar"}),
}


def _router() -> APIRouter:
    internal = APIRouter(prefix="/internal", dependencies=[Depends(authorize_callers(POLICY))])

    @internal.get("/users/{user_id}")
    async def user(user_id: str) -> dict[str, str]:
        return {"user": user_id}

    @internal.get("/users/{user_id}/tokens")
    async def tokens(user_id: str) -> dict[str, str]:
        return {"tokens": user_id}

    @internal.get("/undeclared")
    async def undeclared() -> dict[str, str]:
        return {}

    return internal


@pytest.fixture
async def client(demo_settings):
    app = build_app(
        service="demo", title="demo", summary="demo", settings=demo_settings, routers=[_router()]
    )
    async with serve_app(app) as client:
        yield client


def _as(caller: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {'tok-router' if caller == 'router' else 'tok-calendar'}"}


@pytest.mark.parametrize(
    ("path", "caller", "status"),
    [
        ("/internal/users/u1", "router", 200),
        ("/internal/users/u1", "skill-calendar", 403),
        ("/internal/users/u1/tokens", "skill-calendar", 200),
        ("/internal/users/u1/tokens", "router", 403),  # a longer path is another route
        ("/internal/undeclared", "router", 403),  # not declared: nobody
    ],
)
async def test_each_route_admits_only_its_declared_callers(
    client: httpx.AsyncClient, path: str, caller: str, status: int
) -> None:
    response = await client.get(path, headers=_as(caller))
    assert response.status_code == status, response.text
    if status == 403:
        assert response.json()["error"]["code"] == "auth.caller_forbidden"


async def test_an_unknown_token_is_still_401_not_403(client: httpx.AsyncClient) -> None:
    response = await client.get("/internal/users/u1", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "auth.invalid_service_token"
