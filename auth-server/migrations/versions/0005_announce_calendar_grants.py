"""owed announcements: usable calendar grants are announced again, so that people connected
before calendar sync existed are followed too

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 06:30:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import shared.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The name auth_server.grants.backfill.CALENDAR_GRANTS reads (a migration never imports
# the app: it must stay valid as the code moves on).
CALENDAR_GRANTS = "calendar-grants-for-sync"


def upgrade() -> None:
    table = op.create_table(
        "owed_announcements",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("created_at", shared.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.bulk_insert(table, [{"name": CALENDAR_GRANTS, "created_at": datetime.now(UTC)}])


def downgrade() -> None:
    op.drop_table("owed_announcements")
