"""slack: inbox of events and button presses, outbound delivery queue, users

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = shared.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "slack_inbox",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("message", "action", name="inboxkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("body", sa.JSON(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "received",
                "processing",
                "done",
                "failed",
                name="inboxstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.Column("lease_until", WHEN, nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("processed_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_inbox")),
    )
    op.create_index("ix_slack_inbox_state", "slack_inbox", ["state", "received_at"])

    op.create_table(
        "slack_deliveries",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("message_id", ID, nullable=False),
        sa.Column(
            "kind",
            sa.Enum("post", "update", name="deliverykind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("conversation_key", sa.String(length=255), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "sending",
                "sent",
                "failed",
                "dead",
                name="deliverystate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", WHEN, nullable=False),
        sa.Column("lease_until", WHEN, nullable=True),
        sa.Column("lease_token", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.String(length=64), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("sent_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_slack_deliveries_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_deliveries")),
    )
    op.create_index("ix_slack_deliveries_due", "slack_deliveries", ["state", "next_attempt_at"])
    op.create_index(
        "ix_slack_deliveries_conversation", "slack_deliveries", ["conversation_key", "id"]
    )
    op.create_index("ix_slack_deliveries_posted", "slack_deliveries", ["channel_id", "ts"])

    op.create_table(
        "slack_users",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("fetched_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_slack_users")),
    )


def downgrade() -> None:
    op.drop_table("slack_users")
    op.drop_index("ix_slack_deliveries_posted", table_name="slack_deliveries")
    op.drop_index("ix_slack_deliveries_conversation", table_name="slack_deliveries")
    op.drop_index("ix_slack_deliveries_due", table_name="slack_deliveries")
    op.drop_table("slack_deliveries")
    op.drop_index("ix_slack_inbox_state", table_name="slack_inbox")
    op.drop_table("slack_inbox")
