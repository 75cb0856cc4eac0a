"""`alembic upgrade head --sql` renders a service's migrations without a database."""

import contextlib
import io
from pathlib import Path

import pytest
from alembic import command

from shared.migrations import alembic_config

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("service", ["auth-server", "skill-calendar", "router"])
def test_offline_mode_renders_sql(service):
    config = alembic_config(REPO / service, "postgresql+asyncpg://nobody@127.0.0.1:9/none")
    out = io.StringIO()
    config.output_buffer = out
    with contextlib.redirect_stdout(out):
        command.upgrade(config, "head", sql=True)
    assert "CREATE TABLE" in out.getvalue()
