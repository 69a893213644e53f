"""analyses, similarity signatures, trigram search indexes

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-26 18:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "analyses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["submission_versions.id"],
                                name=op.f("fk_analyses_version_id_submission_versions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analyses")),
        sa.UniqueConstraint("version_id", "kind", name=op.f("uq_analyses_version_id")),
    )
    with op.batch_alter_table("analyses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_analyses_version_id"), ["version_id"], unique=False)

    op.create_table(
        "text_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("activist_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("chars", sa.Integer(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["activist_id"], ["users.id"],
                                name=op.f("fk_text_signatures_activist_id_users")),
        sa.ForeignKeyConstraint(["period_id"], ["periods.id"],
                                name=op.f("fk_text_signatures_period_id_periods")),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"],
                                name=op.f("fk_text_signatures_submission_id_submissions")),
        sa.ForeignKeyConstraint(["version_id"], ["submission_versions.id"],
                                name=op.f("fk_text_signatures_version_id_submission_versions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_signatures")),
        sa.UniqueConstraint("version_id", "kind", name=op.f("uq_text_signatures_version_id")),
    )
    with op.batch_alter_table("text_signatures", schema=None) as batch_op:
        for column in ("activist_id", "period_id", "submission_id", "version_id"):
            batch_op.create_index(batch_op.f(f"ix_text_signatures_{column}"), [column],
                                  unique=False)

    op.create_table(
        "signature_bands",
        sa.Column("signature_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.SmallInteger(), nullable=False),
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["signature_id"], ["text_signatures.id"],
                                name=op.f("fk_signature_bands_signature_id_text_signatures"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("signature_id", "band", name=op.f("pk_signature_bands")),
    )
    with op.batch_alter_table("signature_bands", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signature_bands_key"), ["key"], unique=False)

    # Substring search: pg_trgm GIN indexes on PostgreSQL; on SQLite the same names are
    # empty partial indexes (the FTS5 trigram index lives in its own file there).
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index("ix_transcript_segments_text_trgm", "transcript_segments", ["text"],
                    postgresql_using="gin", postgresql_ops={"text": "gin_trgm_ops"},
                    sqlite_where=sa.text("0"))
    op.create_index("ix_submission_versions_paper_text_trgm", "submission_versions",
                    ["paper_text"], postgresql_using="gin",
                    postgresql_ops={"paper_text": "gin_trgm_ops"}, sqlite_where=sa.text("0"))


def downgrade():
    op.drop_index("ix_submission_versions_paper_text_trgm", table_name="submission_versions")
    op.drop_index("ix_transcript_segments_text_trgm", table_name="transcript_segments")
    with op.batch_alter_table("signature_bands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signature_bands_key"))
    op.drop_table("signature_bands")
    with op.batch_alter_table("text_signatures", schema=None) as batch_op:
        for column in ("activist_id", "period_id", "submission_id", "version_id"):
            batch_op.drop_index(batch_op.f(f"ix_text_signatures_{column}"))
    op.drop_table("text_signatures")
    with op.batch_alter_table("analyses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analyses_version_id"))
    op.drop_table("analyses")
