"""undo (helper undo): what takes a done create, update or delete back, and until when

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

``undo_plan`` holds the inverse write (captured from the calendar's answers when the
action ran) and ``undo_until`` the end of its window; the states ``undoing`` and
``undone`` need no schema (the state column is a plain string).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = shared.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("pending_actions") as batch:
        batch.add_column(sa.Column("undo_plan", sa.JSON(none_as_null=True), nullable=True))
        batch.add_column(sa.Column("undo_until", WHEN, nullable=True))
    op.create_index(
        "ix_pending_actions_undo", "pending_actions", ["conversation_key", "undo_until"]
    )


def downgrade() -> None:
    # An action in the middle of an undo, or undone, is done as far as older code knows.
    op.execute("UPDATE pending_actions SET state = 'done' WHERE state IN ('undoing', 'undone')")
    op.drop_index("ix_pending_actions_undo", table_name="pending_actions")
    with op.batch_alter_table("pending_actions") as batch:
        batch.drop_column("undo_until")
        batch.drop_column("undo_plan")
