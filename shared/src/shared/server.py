"""Runs a service's app under uvicorn with the project's logging: one process, or
``workers`` processes sharing the port (each builds its own app from the environment)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import uvicorn
from fastapi import FastAPI

from shared.settings import ServiceSettings

SERVER_OPTIONS: dict[str, Any] = {
    "log_config": None,
    "access_log": False,
    "timeout_graceful_shutdown": 5,
}


def serve(
    factory: Callable[..., FastAPI],
    settings: ServiceSettings,
    *,
    port: int,
) -> None:
    """Serves the app ``factory`` builds until SIGINT/SIGTERM.

    With ``settings.workers`` above 1, uvicorn starts that many processes on one socket and
    each calls ``factory()`` (settings from the environment again); background work is safe
    to run in each, as in replicas (leases, row locks, LISTEN/NOTIFY).
    """
    options = SERVER_OPTIONS | forwarding_options(settings)
    if settings.workers == 1:
        uvicorn.run(factory(settings), host=settings.host, port=port, **options)
        return
    target = f"{factory.__module__}:{factory.__qualname__}"
    uvicorn.run(
        target,
        factory=True,
        host=settings.host,
        port=port,
        workers=settings.workers,
        **options,
    )


def forwarding_options(settings: ServiceSettings) -> dict[str, Any]:
    """uvicorn's X-Forwarded-* handling: only from the proxies ``forwarded_allow_ips`` names
    (the client address is what the router's per-address limits count), never by default."""
    trusted = settings.forwarded_allow_ips.strip()
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}
