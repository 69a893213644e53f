"""per-period feedback and agreement settings; when the activist first opened a result

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 03:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("periods", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("feedback_mode", sa.String(length=10), server_default="scores", nullable=False)
        )
        batch_op.add_column(sa.Column("disagreement_threshold", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("pass_min", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("revise_min", sa.Float(), nullable=True))
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("opened_at")
    with op.batch_alter_table("periods", schema=None) as batch_op:
        batch_op.drop_column("revise_min")
        batch_op.drop_column("pass_min")
        batch_op.drop_column("disagreement_threshold")
        batch_op.drop_column("feedback_mode")
