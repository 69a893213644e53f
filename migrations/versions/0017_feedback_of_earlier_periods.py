"""periods made before the feedback setting keep showing what they showed: no reviewer notes

Their reviewers wrote per-criterion notes and overall comments under the promise that only the
committee reads them ("您的各项评语和总体评语只给委员会看"); 0014 gave every period the new
default, which shows them. Such periods get "marks": outcome, opinion, agreed scores and the
time-coded comments marked visible, exactly what their activists saw before.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 05:20:00

"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE periods SET feedback_mode = 'marks' WHERE feedback_mode = 'scores'")


def downgrade() -> None:
    op.execute("UPDATE periods SET feedback_mode = 'scores' WHERE feedback_mode = 'marks'")
