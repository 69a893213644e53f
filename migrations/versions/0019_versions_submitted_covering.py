"""ix_submission_versions_submitted covers the dashboard's overdue count: number and video too

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 07:50:00

"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_submission_versions_submitted", table_name="submission_versions")
    op.create_index(
        "ix_submission_versions_submitted",
        "submission_versions",
        ["submission_id", "submitted_at", "number", "video_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_submission_versions_submitted", table_name="submission_versions")
    op.create_index(
        "ix_submission_versions_submitted", "submission_versions", ["submission_id", "submitted_at"]
    )
