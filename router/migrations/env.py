"""Alembic environment of the router (its own version table)."""

from router_service.config import RouterSettings
from router_service.db import Base, load_models
from shared.migrations import run_env

load_models()
run_env(
    metadata=Base.metadata,
    version_table="alembic_version_router",
    url_env="ROUTER_DATABASE_URL",
    default_url=RouterSettings.model_fields["database_url"].default,
)
