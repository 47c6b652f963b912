"""The first schema: users, submissions and their files, reports, reviews, decisions, audit.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None

# Written out rather than taken from annexkit.service.db.metadata: a migration must keep
# creating what it created when it was written, whatever the tables become later.
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = sa.DateTime(timezone=True)
_SUBMISSION = sa.String(32)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("institution", sa.String(18), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=True),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
    )
    op.create_table(
        "submissions",
        sa.Column("id", _SUBMISSION, primary_key=True),
        sa.Column("institution", sa.String(18), nullable=True),
        sa.Column("uploaded_by", _ID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("profile", sa.Text, nullable=True),
        sa.Column("claim_date", sa.Date, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("errors", sa.Integer, nullable=True),
        sa.Column("warnings", sa.Integer, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("started_at", _TIME, nullable=True),
        sa.Column("finished_at", _TIME, nullable=True),
    )
    op.create_index("submissions_status_created_idx", "submissions", ["status", "created_at"])
    op.create_index(
        "submissions_institution_created_idx", "submissions", ["institution", "created_at"]
    )
    op.create_table(
        "submission_files",
        sa.Column("submission_id", _SUBMISSION, sa.ForeignKey("submissions.id"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "reports",
        sa.Column("submission_id", _SUBMISSION, sa.ForeignKey("submissions.id"), primary_key=True),
        sa.Column("report", sa.Text, nullable=False),
        sa.Column("revealed", sa.Text, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
    )
    op.create_table(
        "submission_codes",
        sa.Column("submission_id", _SUBMISSION, sa.ForeignKey("submissions.id"), primary_key=True),
        sa.Column("code", sa.String(64), primary_key=True),
    )
    op.create_index("submission_codes_code_idx", "submission_codes", ["code"])
    op.create_table(
        "reviews",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("submission_id", _SUBMISSION, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("finding", sa.Integer, nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("reviewer", _ID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("decided_at", _TIME, nullable=False),
    )
    op.create_index("reviews_submission_idx", "reviews", ["submission_id", "finding"])
    op.create_table(
        "decisions",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("submission_id", _SUBMISSION, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("reviewer", _ID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("decided_at", _TIME, nullable=False),
    )
    op.create_index("decisions_submission_idx", "decisions", ["submission_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("user_id", _ID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("submission_id", _SUBMISSION, nullable=True),
        sa.Column("finding", sa.Integer, nullable=True),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("at", _TIME, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "audit_log",
        "decisions",
        "reviews",
        "submission_codes",
        "reports",
        "submission_files",
        "submissions",
        "users",
    ):
        op.drop_table(table)
