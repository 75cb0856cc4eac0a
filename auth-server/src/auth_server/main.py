"""The auth-server app factory."""

from __future__ import annotations

from fastapi import FastAPI

from auth_server.api import api_router
from auth_server.config import AuthSettings
from shared.app import build_app
from shared.settings import load_settings


def create_app(settings: AuthSettings | None = None) -> FastAPI:
    """Builds the auth-server app from ``settings`` (or the environment)."""
    return build_app(
        service="auth-server",
        title="Haru auth-server",
        summary="Users, channel identities and Google grants",
        settings=settings or load_settings(AuthSettings),
        routers=[api_router],
    )
