"""Party-term fixes kept beside each transcript segment; the installation's lexicon changes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 03:55:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transcript_segments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("term_fixes", sa.JSON(), nullable=True))
    op.execute("UPDATE transcript_segments SET term_fixes = '[]'")
    with op.batch_alter_table("transcript_segments", schema=None) as batch_op:
        batch_op.alter_column("term_fixes", existing_type=sa.JSON(), nullable=False)
    op.create_table(
        "lexicon_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=40), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_lexicon_terms_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lexicon_terms")),
        sa.UniqueConstraint("term", name=op.f("uq_lexicon_terms_term")),
    )


def downgrade() -> None:
    op.drop_table("lexicon_terms")
    with op.batch_alter_table("transcript_segments", schema=None) as batch_op:
        batch_op.drop_column("term_fixes")
