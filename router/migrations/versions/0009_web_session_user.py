"""web sessions keep their user: a chat message asks auth-server no identity question

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

``web_sessions.user_id`` is the web identity's user as auth-server first answered it; a web
identity is never re-pointed nor its user deleted (docs/benchmarks.md, issue 20, "Third
pass"). Empty for existing sessions: their next request asks once and keeps the answer.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("web_sessions") as batch:
        batch.add_column(sa.Column("user_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("user_id")
