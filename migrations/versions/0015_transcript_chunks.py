"""transcript chunks: a video's audio cut at silences, one asr job per chunk

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 03:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transcript_chunks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("video_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start", sa.Float(), nullable=False),
        sa.Column("end", sa.Float(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=True),
        sa.Column("engine", sa.String(length=60), nullable=True),
        sa.Column("segments", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["videos.id"],
            name=op.f("fk_transcript_chunks_video_id_videos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript_chunks")),
        sa.UniqueConstraint("video_id", "position", name=op.f("uq_transcript_chunks_video_id")),
    )
    with op.batch_alter_table("transcript_chunks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transcript_chunks_video_id"), ["video_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("transcript_chunks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transcript_chunks_video_id"))
    op.drop_table("transcript_chunks")
