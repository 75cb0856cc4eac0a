"""proactive (reminders, morning agenda): the proactive_jobs queue, preferences, and a
person's latest messages by user id

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = shared.db.UTCDateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "proactive_jobs",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("dedupe_key", sa.String(length=255), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("reminder", "agenda", "refresh", name="jobkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "running",
                "done",
                "failed",
                "dead",
                name="jobstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum("web", "slack", name="channel", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("conversation_key", sa.String(length=255), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=1024), nullable=True),
        sa.Column("event_start", WHEN, nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=1024), nullable=True),
        sa.Column(
            "result",
            sa.Enum(
                "sent",
                "unchecked",
                "moved",
                "deleted",
                "late",
                "cancelled",
                "skipped",
                "planned",
                name="jobresult",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("last_error", sa.String(length=64), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", WHEN, nullable=False),
        sa.Column("lease_until", WHEN, nullable=True),
        sa.Column("lease_token", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proactive_jobs")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_proactive_jobs_dedupe_key")),
    )
    op.create_index("ix_proactive_jobs_due", "proactive_jobs", ["state", "due_at"])
    op.create_index("ix_proactive_jobs_person", "proactive_jobs", ["user_id", "kind", "state"])
    op.create_table(
        "preferences",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("reminder_minutes", sa.Integer(), nullable=True),
        sa.Column("agenda_time", sa.String(length=5), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("web", "slack", name="channel", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("conversation_key", sa.String(length=255), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_preferences")),
    )
    op.create_index("ix_messages_user", "messages", ["user_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_messages_user", table_name="messages")
    op.drop_table("preferences")
    op.drop_index("ix_proactive_jobs_person", table_name="proactive_jobs")
    op.drop_index("ix_proactive_jobs_due", table_name="proactive_jobs")
    op.drop_table("proactive_jobs")
