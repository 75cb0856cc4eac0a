"""Builds a service's FastAPI app from the shared pieces."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import APIRouter, FastAPI

from shared.db import Database
from shared.errors import install_error_handlers
from shared.logging import configure_logging
from shared.middleware import (
    AdmissionMiddleware,
    BodySizeLimitMiddleware,
    RequestContextMiddleware,
)
from shared.observability import install_observability
from shared.security import SecurityHeadersMiddleware
from shared.settings import ServiceSettings

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def build_app(
    *,
    service: str,
    title: str,
    summary: str,
    settings: ServiceSettings,
    routers: Sequence[APIRouter],
    lifespan: Lifespan | None = None,
    streaming_paths: Sequence[str] = (),
) -> FastAPI:
    """An app with logging, errors, request context, health, metrics and its own database.

    ``lifespan`` is the service's own start/stop (background workers, clients); it runs
    inside the database's lifetime. ``streaming_paths`` (server-sent events) stay open for
    as long as a tab does, so admission control does not count them.
    """
    configure_logging(
        service=service, log_format=settings.effective_log_format, level=settings.log_level
    )
    database = Database(
        settings.database_url,
        pool_size=settings.database_pool_size,
        pool_timeout=settings.database_pool_timeout_seconds,
    )

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        try:
            if lifespan is None:
                yield
            else:
                async with lifespan(app):
                    yield
        finally:
            await database.dispose()

    docs = settings.serves_api_docs
    app = FastAPI(
        title=title,
        version="0.1.0",
        summary=summary,
        lifespan=run,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.service_name = service
    app.state.settings = settings
    app.state.database = database
    app.state.service_tokens = settings.service_tokens
    install_error_handlers(app)
    metrics = install_observability(app, service=service)
    # Added innermost first: the request context wraps the headers, which wrap the limits.
    if settings.concurrency_limit:
        app.add_middleware(
            AdmissionMiddleware,
            limit=settings.concurrency_limit,
            wait_seconds=settings.admission_wait_seconds,
            exempt_paths=streaming_paths,
        )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    for router in routers:
        app.include_router(router)
    return app
