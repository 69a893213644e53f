"""per-field revisions of draft reviews, client ids of comments

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 00:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "draft_fields",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("writer", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_draft_fields_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("review_id", "field", name=op.f("pk_draft_fields")),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_id", sa.String(length=40), nullable=True))
    op.execute("UPDATE comments SET client_id = 'c' || CAST(id AS VARCHAR(20))")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.alter_column("client_id", existing_type=sa.String(length=40), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_comments_review_id"), ["review_id", "client_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_comments_review_id"), type_="unique")
        batch_op.drop_column("client_id")
    op.drop_table("draft_fields")
