"""rubric bands, a criterion per time-coded comment, the comment library

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 03:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("criteria", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bands", sa.JSON(), nullable=True))
    op.execute("UPDATE criteria SET bands = '[]'")
    with op.batch_alter_table("criteria", schema=None) as batch_op:
        batch_op.alter_column("bands", existing_type=sa.JSON(), nullable=False)

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("criterion_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_comments_criterion_id_criteria"),
            "criteria",
            ["criterion_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "comment_phrases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("criterion", sa.String(length=100), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_comment_phrases_branch_id_branches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_comment_phrases_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_phrases")),
    )
    with op.batch_alter_table("comment_phrases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comment_phrases_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_comment_phrases_branch_id"), ["branch_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("comment_phrases")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_comments_criterion_id_criteria"), type_="foreignkey")
        batch_op.drop_column("criterion_id")
    with op.batch_alter_table("criteria", schema=None) as batch_op:
        batch_op.drop_column("bands")
