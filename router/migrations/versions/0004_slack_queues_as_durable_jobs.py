"""slack inbox and deliveries as durable jobs (due_at, lease token); NOTIFY on insert

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db
from shared.work.notify import drop_notify_trigger_sql, notify_trigger_sql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = shared.db.UTCDateTime(timezone=True)
# (table, NOTIFY channel, key column): what wakes the Slack workers and the chat streams.
TRIGGERS = (
    ("messages", "haru_messages", "conversation_key"),
    ("slack_deliveries", "slack_deliveries", None),
)


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.drop_index("ix_slack_inbox_state", table_name="slack_inbox")
    with op.batch_alter_table("slack_inbox") as batch:
        batch.add_column(sa.Column("due_at", WHEN, nullable=True))
        batch.add_column(sa.Column("lease_token", sa.String(length=32), nullable=True))
    # A row waiting out a retry kept its "not before" in lease_until: it is due_at now.
    op.execute(
        "UPDATE slack_inbox SET due_at = COALESCE(lease_until, received_at), lease_until = NULL "
        "WHERE state = 'received'"
    )
    op.execute("UPDATE slack_inbox SET due_at = received_at WHERE due_at IS NULL")
    with op.batch_alter_table("slack_inbox") as batch:
        batch.alter_column("due_at", existing_type=WHEN, nullable=False)
    op.create_index("ix_slack_inbox_due", "slack_inbox", ["state", "due_at"])

    op.drop_index("ix_slack_deliveries_due", table_name="slack_deliveries")
    with op.batch_alter_table("slack_deliveries") as batch:
        batch.alter_column("next_attempt_at", new_column_name="due_at")
    op.create_index("ix_slack_deliveries_due", "slack_deliveries", ["state", "due_at"])

    if _postgres():
        for table, channel, key in TRIGGERS:
            for statement in notify_trigger_sql(table=table, channel=channel, key_column=key):
                op.execute(statement)


def downgrade() -> None:
    if _postgres():
        for table, _channel, _key in TRIGGERS:
            for statement in drop_notify_trigger_sql(table=table):
                op.execute(statement)

    op.drop_index("ix_slack_deliveries_due", table_name="slack_deliveries")
    with op.batch_alter_table("slack_deliveries") as batch:
        batch.alter_column("due_at", new_column_name="next_attempt_at")
    op.create_index("ix_slack_deliveries_due", "slack_deliveries", ["state", "next_attempt_at"])

    op.drop_index("ix_slack_inbox_due", table_name="slack_inbox")
    op.execute(
        "UPDATE slack_inbox SET lease_until = due_at "
        "WHERE state = 'received' AND due_at > received_at"
    )
    with op.batch_alter_table("slack_inbox") as batch:
        batch.drop_column("lease_token")
        batch.drop_column("due_at")
    op.create_index("ix_slack_inbox_state", "slack_inbox", ["state", "received_at"])
