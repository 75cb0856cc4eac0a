"""``serve``: one process builds the app here; several workers each build their own."""

from typing import Any

import pytest
from fastapi import FastAPI

from shared import server
from shared.settings import ServiceSettings


def make_demo_app(settings: ServiceSettings | None = None) -> FastAPI:
    return FastAPI(title="demo")


@pytest.fixture
def runs(monkeypatch) -> list[tuple[Any, dict[str, Any]]]:
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    return calls


def test_one_worker_serves_the_app_built_in_this_process(runs, sqlite_url):
    settings = ServiceSettings(database_url=sqlite_url)
    server.serve(make_demo_app, settings, port=8123)
    [(app, options)] = runs
    assert isinstance(app, FastAPI)
    assert options["port"] == 8123 and "workers" not in options


def test_several_workers_each_build_the_app_from_the_factory(runs, sqlite_url):
    settings = ServiceSettings(database_url=sqlite_url, workers=2)
    server.serve(make_demo_app, settings, port=8123)
    [(target, options)] = runs
    assert target == f"{__name__}:make_demo_app"
    assert options["factory"] is True and options["workers"] == 2
    assert options["access_log"] is False and options["log_config"] is None


def test_forwarded_headers_are_ignored_unless_a_proxy_is_trusted(runs, sqlite_url):
    server.serve(make_demo_app, ServiceSettings(database_url=sqlite_url), port=8123)
    [(_, options)] = runs
    assert options["proxy_headers"] is False


async def test_forwarded_headers_count_only_from_the_trusted_proxies(runs, sqlite_url):
    """X-Forwarded-For names the client when the connection comes from a trusted address
    (the proxy); from anyone else it is ignored, so a client cannot pick its own address."""
    import httpx
    import uvicorn
    from starlette.requests import Request

    settings = ServiceSettings(database_url=sqlite_url, forwarded_allow_ips="10.0.0.0/8")
    app = FastAPI()

    @app.get("/whoami")
    async def whoami(request: Request) -> dict[str, str]:
        return {
            "client": request.client.host if request.client else "",
            "scheme": request.url.scheme,
        }

    server.serve(lambda _settings: app, settings, port=8123)
    [(_, options)] = runs
    config = uvicorn.Config(app, **options)
    config.load()
    forwarded = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    for peer, client, scheme in (
        ("10.1.2.3", "203.0.113.7", "https"),
        ("192.0.2.9", "192.0.2.9", "http"),
    ):
        transport = httpx.ASGITransport(app=config.loaded_app, client=(peer, 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
            answer = await http.get("/whoami", headers=forwarded)
        assert answer.json() == {"client": client, "scheme": scheme}
