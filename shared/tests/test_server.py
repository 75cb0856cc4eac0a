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
