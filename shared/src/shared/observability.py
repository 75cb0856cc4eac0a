"""Health, readiness and Prometheus metrics for every service."""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

from shared.errors import NotFound, Unauthorized, UpstreamUnavailable

logger = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """A per-app registry, so several apps in one process never collide."""

    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests by route and status",
            ["service", "method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            ["service", "method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.service = service

    def observe(self, *, method: str, route: str, status: int, seconds: float) -> None:
        """Records one served request."""
        self.requests.labels(self.service, method, route, str(status)).inc()
        self.latency.labels(self.service, method, route).observe(seconds)


class DatabaseNotReady(UpstreamUnavailable):
    code = "health.database_unreachable"
    message = "데이터베이스에 연결할 수 없습니다."


router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Alive")
async def healthz(request: Request) -> dict[str, str]:
    """Answers while the process is alive."""
    return {"status": "ok", "service": request.app.state.service_name}


@router.get("/readyz", summary="Ready: the database answers")
async def readyz(request: Request) -> dict[str, str]:
    """Answers 200 when the database is reachable, 503 otherwise."""
    database = getattr(request.app.state, "database", None)
    if database is not None:
        try:
            await database.ping()
        except Exception as err:
            logger.warning("readiness check failed: %s", type(err).__name__)
            raise DatabaseNotReady(retry_after=1) from err
    return {"status": "ready", "service": request.app.state.service_name}


class MetricsOff(NotFound):
    code = "http.not_found"
    message = "요청한 주소를 찾을 수 없습니다."


def _check_metrics_access(request: Request) -> None:
    """/metrics: the bearer ``metrics_token`` when one is set; in production, only then."""
    settings = request.app.state.settings
    token = settings.metrics_token.get_secret_value()
    if not token:
        if settings.environment == "production":
            raise MetricsOff()
        return
    presented = request.headers.get("authorization", "").encode("utf-8", "replace")
    if not hmac.compare_digest(presented, f"Bearer {token}".encode()):
        raise Unauthorized()


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus text exposition of this app's registry."""
    _check_metrics_access(request)
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def install_observability(app: FastAPI, *, service: str) -> Metrics:
    """Adds health, readiness and metrics routes and returns the app's metrics."""
    metrics = Metrics(service)
    app.state.metrics = metrics
    app.include_router(router)
    return metrics
