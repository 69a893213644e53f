"""indexes that let the committee's dashboard count a period of 100k submissions in SQL

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 07:40:00

"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_users_role_active_branch", "users", ["role", "active", "branch_id", "username"]
    )
    op.create_index(
        "ix_submissions_period_branch_state", "submissions", ["period_id", "branch_id", "state"]
    )
    op.create_index("ix_submission_versions_video_id", "submission_versions", ["video_id"])
    op.create_index("ix_reviews_version_id_state", "reviews", ["version_id", "state"])
    op.create_index(
        "ix_reviews_state_submitted_at", "reviews", ["state", "submitted_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_reviews_state_submitted_at", table_name="reviews")
    op.drop_index("ix_reviews_version_id_state", table_name="reviews")
    op.drop_index("ix_submission_versions_video_id", table_name="submission_versions")
    op.drop_index("ix_submissions_period_branch_state", table_name="submissions")
    op.drop_index("ix_users_role_active_branch", table_name="users")
