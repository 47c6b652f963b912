"""Web-page sessions: one row per signed-in browser (the cookie's sha256, never the cookie).

Revision ID: 0003
Revises: 0002
Create Date: 2025-07-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None

# Written out rather than taken from annexkit.service.db.metadata: a migration must keep
# creating what it created when it was written, whatever the table becomes later.
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", _ID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
    )
    # Sign-in sweeps expired sessions by this column.
    op.create_index("web_sessions_expires_idx", "web_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index("web_sessions_expires_idx", table_name="web_sessions")
    op.drop_table("web_sessions")
