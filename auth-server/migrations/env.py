"""Alembic environment of the auth-server (its own version table)."""

from auth_server.config import AuthSettings
from auth_server.db import Base, load_models
from shared.migrations import run_env

load_models()
run_env(
    metadata=Base.metadata,
    version_table="alembic_version_auth",
    url_env="AUTH_DATABASE_URL",
    default_url=AuthSettings.model_fields["database_url"].default,
)
