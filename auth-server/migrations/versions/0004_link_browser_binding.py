"""links and OAuth states: the browser they are bound to and the identity they connect

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("link_tickets", "oauth_states")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("identity_id", sa.Integer(), nullable=True))
        op.add_column(table, sa.Column("browser_binding", sa.String(length=64), nullable=True))
    op.add_column("link_tickets", sa.Column("confirm_digest", sa.String(length=64), nullable=True))
    op.add_column(
        "link_tickets",
        sa.Column("confirmed_at", shared.db.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    with op.batch_alter_table("link_tickets") as batch:
        batch.drop_column("confirmed_at")
        batch.drop_column("confirm_digest")
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("browser_binding")
            batch.drop_column("identity_id")
