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


@pytest.mark.parametrize("backend", ["database_url", "sqlite_url"])
def test_plan_less_actions_left_by_the_old_resume_are_failed_and_questions_get_a_plan(
    request, backend
):
    url = request.getfixturevalue(backend)
    service_dir = Path(__file__).resolve().parents[1]
    upgrade(service_dir, url, "0004")
    columns = (
        "id, user_id, channel, conversation_key, kind, state, request, plan, time_zone, "
        "expires_at, created_at, updated_at"
    )
    when = "'2026-11-30 01:00:00'"
    span = '{"start": "2026-11-30T00:00:00+09:00", "end": "2026-12-01T00:00:00+09:00"}'
    rows = [
        # The defect: proposed after consent, killed before the plan (SQL NULL, JSON null).
        f"(1, 'u', 'web', 'web:1', 'create', 'proposed', '{{}}', NULL, 'Asia/Seoul', {when}, "
        f"{when}, {when})",
        f"(2, 'u', 'web', 'web:1', 'create', 'executing', '{{}}', 'null', 'Asia/Seoul', "
        f"{when}, {when}, {when})",
        f"(3, 'u', 'web', 'web:1', 'query', 'awaiting_auth', "
        f"'{{\"range\": {span}}}', "
        f"NULL, 'Asia/Seoul', {when}, {when}, {when})",
        f"(4, 'u', 'web', 'web:1', 'create', 'proposed', '{{}}', '{{\"body\": {{}}}}', "
        f"'Asia/Seoul', {when}, {when}, {when})",
    ]
    run_blocking(
        execute_sql(url, f"INSERT INTO pending_actions ({columns}) VALUES {', '.join(rows)}")
    )
    run_blocking(
        execute_sql(
            url,
            "INSERT INTO grant_events (event_id, type, user_id, capability, occurred_at, "
            f"received_at) VALUES ('e1', 'grant.usable', 'u', 'calendar', {when}, {when})",
        )
    )
    upgrade(service_dir, url)
    found = run_blocking(
        execute_sql(url, "SELECT id, state, error_code, plan IS NULL FROM pending_actions")
    )
    assert sorted(tuple(row) for row in found) == [
        (1, "failed", "no_plan", True),
        (2, "failed", "no_plan", True),
        (3, "awaiting_auth", None, False),
        (4, "proposed", None, False),
    ]
    [(processed,)] = run_blocking(execute_sql(url, "SELECT processed_at FROM grant_events"))
    assert processed is not None  # events from before were processed when they came
    downgrade(service_dir, url, "0004")
