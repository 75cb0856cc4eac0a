from pathlib import Path

import pytest

from auth_server.db import Base, load_models
from shared.migrations import downgrade, upgrade
from shared.testing import assert_migrations_roundtrip, execute_sql, run_blocking

pytestmark = pytest.mark.db


@pytest.mark.parametrize("backend", ["database_url", "sqlite_url"])
def test_migrations_match_models_and_go_down_to_base(request, backend):
    database_url = request.getfixturevalue(backend)
    load_models()
    service_dir = Path(__file__).resolve().parents[1]
    assert_migrations_roundtrip(service_dir, database_url, Base.metadata, "alembic_version_auth")


@pytest.mark.parametrize("backend", ["database_url", "sqlite_url"])
def test_grant_events_become_durable_jobs_with_their_delivery_state(request, backend):
    url = request.getfixturevalue(backend)
    service_dir = Path(__file__).resolve().parents[1]
    upgrade(service_dir, url, "0002")
    columns = "id, type, user_id, payload, attempts, next_attempt_at, delivered_at, created_at"
    when = "'2026-11-30 01:00:00'"
    run_blocking(
        execute_sql(
            url,
            f"INSERT INTO grant_events ({columns}) VALUES "
            f"('e-sent', 'grant.usable', 'u', '{{}}', 1, {when}, {when}, {when}), "
            f"('e-owed', 'grant.usable', 'u', '{{}}', 2, {when}, NULL, {when})",
        )
    )
    upgrade(service_dir, url)
    rows = run_blocking(
        execute_sql(
            url, "SELECT id, state, attempts, due_at IS NOT NULL FROM grant_events ORDER BY id"
        )
    )
    assert [tuple(row) for row in rows] == [
        ("e-owed", "pending", 2, True),
        ("e-sent", "done", 1, True),
    ]
    downgrade(service_dir, url, "0002")


@pytest.mark.parametrize("backend", ["database_url", "sqlite_url"])
def test_usable_calendar_grants_are_owed_an_announcement(request, backend):
    """Migration 0005: people connected before calendar sync are announced again
    (grants/test_backfill.py records the events)."""
    url = request.getfixturevalue(backend)
    service_dir = Path(__file__).resolve().parents[1]
    upgrade(service_dir, url, "0005")
    rows = run_blocking(execute_sql(url, "SELECT name FROM owed_announcements"))
    assert [tuple(row) for row in rows] == [("calendar-grants-for-sync",)]
