"""Page pictures of checked submissions: one row per picture, its JPEG in the BlobStore.

Revision ID: 0002
Revises: 0001
Create Date: 2025-06-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None

# Written out rather than taken from annexkit.service.db.metadata: a migration must keep
# creating what it created when it was written, whatever the table becomes later.
_SUBMISSION = sa.String(32)


def upgrade() -> None:
    # A plain CREATE TABLE: the same on SQLite and PostgreSQL, no batch copy needed. The
    # primary key (submission, package, document, page) also serves the one lookup, all
    # pictures of a submission, as its leading column.
    op.create_table(
        "page_pictures",
        sa.Column("submission_id", _SUBMISSION, sa.ForeignKey("submissions.id"), primary_key=True),
        sa.Column("package", sa.Integer, primary_key=True),
        sa.Column("document", sa.Integer, primary_key=True),
        sa.Column("page", sa.Integer, primary_key=True),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("outlines", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("page_pictures")
