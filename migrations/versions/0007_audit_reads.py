"""audit_events.file: every read is audited, de-duplicated per (user, file) within a window

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 00:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file", sa.String(length=80), nullable=True))
        batch_op.create_index(
            "ix_audit_events_reads", ["actor_id", "file", "created_at"], unique=False
        )
        batch_op.create_index("ix_audit_events_object", ["object_type", "object_id"], unique=False)


def downgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_object")
        batch_op.drop_index("ix_audit_events_reads")
        batch_op.drop_column("file")
