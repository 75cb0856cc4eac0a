"""dialogue: message payloads, pending actions, grant events, web sessions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("payload", sa.JSON(), nullable=True))

    op.create_table(
        "pending_actions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("web", "slack", name="channel", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("conversation_key", sa.String(length=255), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "create",
                "update",
                "delete",
                "query",
                name="actionkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "proposed",
                "awaiting_choice",
                "awaiting_auth",
                "approved",
                "executing",
                "done",
                "failed",
                "rejected",
                "expired",
                "superseded",
                name="actionstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=True),
        sa.Column("candidates", sa.JSON(), nullable=True),
        sa.Column("assumptions", sa.JSON(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("approved_at", shared.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_actions")),
    )
    op.create_index(
        "ix_pending_actions_conversation", "pending_actions", ["conversation_key", "state"]
    )
    op.create_index("ix_pending_actions_user", "pending_actions", ["user_id", "state"])

    op.create_table(
        "grant_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("previous_user_id", sa.String(length=64), nullable=True),
        sa.Column("capability", sa.String(length=32), nullable=False),
        sa.Column("pending_action_ref", sa.String(length=64), nullable=True),
        sa.Column("occurred_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_grant_events")),
    )

    op.create_table(
        "web_sessions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_sessions_token_hash")),
        sa.UniqueConstraint("external_id", name=op.f("uq_web_sessions_external_id")),
    )


def downgrade() -> None:
    op.drop_table("web_sessions")
    op.drop_table("grant_events")
    op.drop_index("ix_pending_actions_user", table_name="pending_actions")
    op.drop_index("ix_pending_actions_conversation", table_name="pending_actions")
    op.drop_table("pending_actions")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("payload")
