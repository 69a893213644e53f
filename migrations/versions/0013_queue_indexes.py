"""indexes that cover the reviewer's queue and the submission lists at 100k submissions

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 03:35:00

"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_submissions_branch_id_state", "submissions", ["branch_id", "state"])
    op.create_index(
        "ix_submission_versions_queue",
        "submission_versions",
        ["submission_id", "number", "submitted_at", "video_id"],
    )
    op.create_index(
        "ix_submission_versions_submitted", "submission_versions", ["submission_id", "submitted_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_submission_versions_submitted", table_name="submission_versions")
    op.drop_index("ix_submission_versions_queue", table_name="submission_versions")
    op.drop_index("ix_submissions_branch_id_state", table_name="submissions")
