"""The router app factory."""

from __future__ import annotations

from fastapi import FastAPI

from router_service.api import api_router
from router_service.config import RouterSettings
from shared.app import build_app
from shared.settings import load_settings


def create_app(settings: RouterSettings | None = None) -> FastAPI:
    """Builds the router app from ``settings`` (or the environment)."""
    return build_app(
        service="router",
        title="Haru router",
        summary="Korean NLU, conversations, approvals, the web chat and Slack",
        settings=settings or load_settings(RouterSettings),
        routers=[api_router],
    )
