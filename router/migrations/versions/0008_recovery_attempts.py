"""recovery attempts: a stalled action is run again a bounded number of times

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

``recovery_attempts`` counts how often the recovery round took an approved action up again
after a stopped process; at ``ROUTER_RECOVERY_MAX_ATTEMPTS`` it fails (move ``give_up``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pending_actions") as batch:
        batch.add_column(
            sa.Column("recovery_attempts", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("pending_actions") as batch:
        batch.drop_column("recovery_attempts")
