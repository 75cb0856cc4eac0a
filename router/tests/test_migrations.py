from pathlib import Path

import pytest

from router_service.db import Base, load_models
from shared.migrations import downgrade, upgrade
from shared.testing import assert_migrations_roundtrip, execute_sql, run_blocking

pytestmark = pytest.mark.db


@pytest.mark.parametrize("backend", ["database_url", "sqlite_url"])
def test_migrations_match_models_and_go_down_to_base(request, backend):
    database_url = request.getfixturevalue(backend)
    load_models()
    service_dir = Path(__file__).resolve().parents[1]
    assert_migrations_roundtrip(service_dir, database_url, Base.metadata, "alembic_version_router")


@pytest.mark.parametrize("backend", ["database_url", "sqlite_url"])
def test_slack_inbox_rows_keep_their_retry_time_as_due_at(request, backend):
    url = request.getfixturevalue(backend)
    service_dir = Path(__file__).resolve().parents[1]
    upgrade(service_dir, url, "0003")
    columns = "id, kind, team_id, state, attempts, deliveries, lease_until, received_at"
    run_blocking(
        execute_sql(
            url,
            f"INSERT INTO slack_inbox ({columns}) VALUES "
            "('Ev-new', 'message', 'T', 'received', 0, 1, NULL, '2026-11-30 01:00:00'), "
            "('Ev-retry', 'message', 'T', 'received', 1, 1, "
            "'2026-11-30 01:00:04', '2026-11-30 01:00:00')",
        )
    )
    upgrade(service_dir, url)
    rows = run_blocking(
        execute_sql(url, "SELECT id, due_at, lease_until FROM slack_inbox ORDER BY id")
    )
    due = {row[0]: (str(row[1])[:19], row[2]) for row in rows}
    assert due == {
        "Ev-new": ("2026-11-30 01:00:00", None),
        "Ev-retry": ("2026-11-30 01:00:04", None),
    }
    if not url.startswith("sqlite"):
        triggers = run_blocking(
            execute_sql(url, "SELECT tgname FROM pg_trigger WHERE tgname LIKE '%_notify'")
        )
        assert {row[0] for row in triggers} == {"messages_notify", "slack_deliveries_notify"}
    downgrade(service_dir, url, "0003")
