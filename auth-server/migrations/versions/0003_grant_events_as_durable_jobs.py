"""grant events as durable jobs: state, due_at, lease token; NOTIFY on insert (PostgreSQL)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db
from shared.work.notify import drop_notify_trigger_sql, notify_trigger_sql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = shared.db.UTCDateTime(timezone=True)
STATE = sa.Enum(
    "pending", "running", "done", "failed", "dead", name="jobstate", native_enum=False, length=16
)


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.drop_index("ix_grant_events_next_attempt_at", table_name="grant_events")
    with op.batch_alter_table("grant_events") as batch:
        batch.add_column(sa.Column("state", STATE, nullable=True))
        batch.add_column(sa.Column("lease_until", WHEN, nullable=True))
        batch.add_column(sa.Column("lease_token", sa.String(length=32), nullable=True))
        batch.alter_column("next_attempt_at", new_column_name="due_at")
    op.execute(
        "UPDATE grant_events SET state = CASE WHEN delivered_at IS NULL "
        "THEN 'pending' ELSE 'done' END"
    )
    with op.batch_alter_table("grant_events") as batch:
        batch.alter_column("state", existing_type=STATE, nullable=False)
    op.create_index("ix_grant_events_due", "grant_events", ["state", "due_at"])
    if _postgres():
        for statement in notify_trigger_sql(
            table="grant_events", channel="grant_events", key_column=None
        ):
            op.execute(statement)


def downgrade() -> None:
    if _postgres():
        for statement in drop_notify_trigger_sql(table="grant_events"):
            op.execute(statement)
    op.drop_index("ix_grant_events_due", table_name="grant_events")
    with op.batch_alter_table("grant_events") as batch:
        batch.alter_column("due_at", new_column_name="next_attempt_at")
        batch.drop_column("lease_token")
        batch.drop_column("lease_until")
        batch.drop_column("state")
    op.create_index(
        "ix_grant_events_next_attempt_at", "grant_events", ["next_attempt_at"], unique=False
    )
