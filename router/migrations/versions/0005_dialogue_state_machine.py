"""dialogue state machine: a plan for every action that can run, grant events processed later

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

Actions a crash left without a plan in a state that runs one are failed (``no_plan``),
questions get their range as their plan, and the CHECK keeps it so. Grant events get
``processed_at``: recorded when they arrive, processed after the answer.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = shared.db.UTCDateTime(timezone=True)
PLAN_REQUIRED = "state NOT IN ('proposed', 'approved', 'executing') OR plan IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("grant_events") as batch:
        batch.add_column(sa.Column("processed_at", WHEN, nullable=True))
    op.execute("UPDATE grant_events SET processed_at = received_at")
    op.create_index("ix_grant_events_processed_at", "grant_events", ["processed_at"])

    # A plan written as None may be JSON null: SQL NULL from now on (the CHECK sees that).
    op.execute("UPDATE pending_actions SET plan = NULL WHERE CAST(plan AS TEXT) = 'null'")
    op.execute("UPDATE pending_actions SET plan = request WHERE kind = 'query' AND plan IS NULL")
    op.execute(
        "UPDATE pending_actions SET state = 'failed', error_code = 'no_plan' "
        "WHERE plan IS NULL AND state IN ('proposed', 'approved', 'executing')"
    )
    with op.batch_alter_table("pending_actions") as batch:
        batch.create_check_constraint("plan_required", PLAN_REQUIRED)


def downgrade() -> None:
    with op.batch_alter_table("pending_actions") as batch:
        batch.drop_constraint("plan_required", type_="check")
    op.drop_index("ix_grant_events_processed_at", table_name="grant_events")
    with op.batch_alter_table("grant_events") as batch:
        batch.drop_column("processed_at")
