"""typed paper text kept beside an uploaded file

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 01:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submission_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("typed_text", sa.Text(), nullable=True))
    op.execute(
        "UPDATE submission_versions SET typed_text = CASE WHEN paper_kind = 'text' "
        "THEN paper_text ELSE '' END"
    )
    with op.batch_alter_table("submission_versions", schema=None) as batch_op:
        batch_op.alter_column("typed_text", existing_type=sa.Text(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("submission_versions", schema=None) as batch_op:
        batch_op.drop_column("typed_text")
