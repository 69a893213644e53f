"""what a 需修改 decision asks to redo: the video, the paper report or both

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 03:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("redo", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("redo")
